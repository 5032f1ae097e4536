"""Image decoding, metadata and the safe copy (Pillow).

Images are decoded from bytes in memory; nothing is written to disk here.
Limits are checked on the header, before any pixel is decoded, and Pillow's
decompression-bomb guard stays on (a warning is an error here).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from bot.core.image import ImageMetadata, InvalidImage, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS

try:  # HEIC/HEIF through libheif (pillow-heif); without it those files are "unsupported".
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - the package is a pinned dependency
    HEIF = False

# The bomb guard: Pillow warns above this and refuses above twice this.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

FORMATS = ("JPEG", "PNG", "WEBP") + (("HEIF",) if HEIF else ())
_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}

# EXIF tags (numbers from the EXIF 2.32 standard).
_GPS_IFD, _EXIF_IFD = 0x8825, 0x8769
_DATETIME, _DATETIME_ORIGINAL = 0x0132, 0x9003
_ARTIST, _COPYRIGHT, _OWNER, _SERIAL = 0x013B, 0x8298, 0xA430, 0xA431
_GPS_LAT, _GPS_LON = 2, 4


@dataclass
class Picture:
    """A decoded image: RGB pixels the right way up, and where it came from."""

    image: Image.Image
    format: str

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


def _supported() -> str:
    return ", ".join(_NAMES[f] for f in FORMATS)


class PillowCodec:
    """The ImageCodec port: bytes in, a Picture out; safe copies back to bytes."""

    formats = FORMATS

    def open(self, data: bytes) -> Picture:
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidImage("the file is empty")
        check_header(data)   # size, format and pixel limits before any pixel is decoded
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt = img.format or "?"
            try:
                img.load()
                ImageOps.exif_transpose(img, in_place=True)
                rgb = img.convert("RGB")  # a copy: img is closed below
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise InvalidImage(f"the image has more than {MAX_IMAGE_PIXELS // 1_000_000} megapixels") from None
            except Exception as exc:  # noqa: BLE001 - truncated or corrupt pixel data
                raise InvalidImage(f"the image is damaged and cannot be read ({type(exc).__name__})") from None
            finally:
                img.close()
        return Picture(rgb, fmt)

    def safe_copy(self, picture: Picture, boxes, fmt: str = "JPEG") -> bytes:
        """The picture with every box blurred beyond recognition, re-encoded from
        pixels only: no EXIF, XMP, ICC profile or comments survive."""
        img = picture.image.copy()
        for x, y, w, h in boxes:
            x0, y0 = max(0, int(x)), max(0, int(y))
            x1, y1 = min(img.width, int(x + w)), min(img.height, int(y + h))
            if x1 <= x0 or y1 <= y0:
                continue
            region = img.crop((x0, y0, x1, y1))
            # Pixelate to about five cells across the shorter side, then blur:
            # no face (the cascade finds none in the copy) and no letter survives.
            cell = max(4, min(region.width, region.height) // 5)
            small = region.resize((max(1, -(-region.width // cell)), max(1, -(-region.height // cell))), Image.BOX)
            region = small.resize(region.size, Image.NEAREST).filter(ImageFilter.GaussianBlur(max(2, cell // 2)))
            img.paste(region, (x0, y0))
        clean = Image.new("RGB", img.size)
        clean.paste(img)  # pixels only: img.info (exif, icc, xmp) is left behind
        out = io.BytesIO()
        fmt = fmt.upper()
        if fmt == "PNG":
            clean.save(out, "PNG")
        elif fmt == "WEBP":
            clean.save(out, "WEBP", quality=90)
        else:
            clean.save(out, "JPEG", quality=90)
        return out.getvalue()


def _rational(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return 0.0


class ExifMetadataReader:
    """The MetadataReader port: reads the header of the original bytes again
    (no pixels are decoded), since the decoded Picture carries no metadata."""

    def read(self, data: bytes) -> ImageMetadata:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(data)) as img:
                    return read_metadata(img)
        except Exception:  # noqa: BLE001 - unreadable metadata is no metadata
            return ImageMetadata()


def read_metadata(img: Image.Image) -> ImageMetadata:
    """GPS position, date and time, and owner fields from EXIF (and XMP for GPS)."""
    try:
        exif = img.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block is no metadata
        return ImageMetadata()
    try:
        gps = exif.get_ifd(_GPS_IFD) or {}
    except Exception:  # noqa: BLE001
        gps = {}
    try:
        sub = exif.get_ifd(_EXIF_IFD) or {}
    except Exception:  # noqa: BLE001
        sub = {}
    location = None
    lat, lon = gps.get(_GPS_LAT), gps.get(_GPS_LON)
    if lat and lon:
        try:
            la = sum(_rational(v) / 60 ** i for i, v in enumerate(lat))
            lo = sum(_rational(v) / 60 ** i for i, v in enumerate(lon))
            if gps.get(1) in ("S", b"S"):
                la = -la
            if gps.get(3) in ("W", b"W"):
                lo = -lo
            location = (round(la, 6), round(lo, 6))
        except TypeError:
            location = (0.0, 0.0)
    xmp = img.info.get("xmp") or b""
    if location is None and isinstance(xmp, (bytes, str)):
        raw = xmp if isinstance(xmp, bytes) else xmp.encode()
        if b"GPSLatitude" in raw and b"GPSLongitude" in raw:
            location = (0.0, 0.0)  # present, position not parsed
    taken = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    owners = [str(v).strip() for v in (exif.get(_ARTIST), exif.get(_COPYRIGHT), sub.get(_OWNER), sub.get(_SERIAL)) if v]
    return ImageMetadata(location=location, taken=str(taken).strip() if taken else None,
                         owner=bool([o for o in owners if o.strip("\x00 ")]))


_SUFFIX_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def safe_copy_format(filename: str) -> str | None:
    """The format of a safe copy written to this name (None: not one we write)."""
    name = filename.lower()
    for suffix, fmt in _SUFFIX_FORMATS.items():
        if name.endswith(suffix):
            return fmt
    return None


def check_file(path) -> bytes:
    """Read an image file after checking what can be checked cheaply: it exists,
    its size, and (from the header only) its format and pixel count."""
    import os

    try:
        size = os.stat(path).st_size
    except OSError:
        raise InvalidImage("no such file") from None
    if not os.path.isfile(path):
        raise InvalidImage("not a file")
    if size > MAX_IMAGE_BYTES:
        raise InvalidImage(f"the image is {size / 1e6:.1f} MB; the limit is {MAX_IMAGE_BYTES // 1_000_000} MB")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise InvalidImage(f"cannot be read ({exc.strerror})") from None
    check_header(data)
    return data


def check_header(data: bytes) -> None:
    """Format and pixel limits from the header, without decoding pixels."""
    if not data:
        raise InvalidImage("the file is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidImage(f"the image is {len(data) / 1e6:.1f} MB; the limit is {MAX_IMAGE_BYTES // 1_000_000} MB")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt, (w, h) = img.format or "?", img.size
        except UnidentifiedImageError:
            raise InvalidImage(f"not an image, or not a supported format ({_supported()})") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InvalidImage(f"the image has more than {MAX_IMAGE_PIXELS // 1_000_000} megapixels") from None
        except Exception as exc:  # noqa: BLE001
            raise InvalidImage(f"the image cannot be read ({type(exc).__name__})") from None
    if fmt not in FORMATS:
        raise InvalidImage(f"{fmt} images are not supported; send {_supported()}")
    if w * h > MAX_IMAGE_PIXELS:
        raise InvalidImage(f"the image is {w * h / 1e6:.0f} megapixels; the limit is {MAX_IMAGE_PIXELS // 1_000_000}")
