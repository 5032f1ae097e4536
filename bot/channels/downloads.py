"""Downloading a user's image from a chat platform: bounded in time and size,
read in chunks so an oversized file is refused before it is all in memory."""

from __future__ import annotations

import aiohttp

from bot.core.image import MAX_IMAGE_BYTES

DOWNLOAD_TIMEOUT = 30.0


class ImageError(ValueError):
    """A file that cannot be checked: said to the user in one line."""


async def fetch_image(url: str, headers: dict[str, str], platform: str) -> bytes:
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(url, headers=headers, allow_redirects=False) as resp:
            if resp.status != 200:
                raise ImageError(f"{platform} did not hand over the file (HTTP {resp.status})")
            data = bytearray()
            async for chunk in resp.content.iter_chunked(65536):
                data.extend(chunk)
                if len(data) > MAX_IMAGE_BYTES:
                    raise ImageError(f"the image is larger than {MAX_IMAGE_BYTES // 1_000_000} MB")
    return bytes(data)
