"""A cache built into the image (`python -m bot.prebuild`), linked into a
server's own cache at start-up.

Without it every new pod would fit the router at start and train the review
classifier at its first review: minutes of CPU while the first user waits,
and about 1.3 GB at peak, over the pods' 1 GiB memory limit. Each file the
server's cache lacks becomes a symlink to the image's. The caches are keyed
by content, so a link is only read where the server would have built the
same file; a knowledge base changed after the build trains its own, which
replaces the link (write_atomically replaces the link, never its target)."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def link_prebuilt(prebuilt: Path | None, cache: Path) -> int:
    """Link each file of `prebuilt` that `cache` lacks (or holds as a broken
    link); returns how many were linked. A missing `prebuilt` links nothing;
    a cache that cannot be written is left as it is."""
    if prebuilt is None or not Path(prebuilt).is_dir():
        return 0
    prebuilt, cache = Path(prebuilt).resolve(), Path(cache)
    if cache.exists() and cache.resolve() == prebuilt:
        return 0
    linked = 0
    for source in sorted(prebuilt.rglob("*")):
        if not source.is_file() or source.name.startswith("."):     # temporary files of a writer
            continue
        target = cache / source.relative_to(prebuilt)
        try:
            if target.is_symlink() and not target.exists():
                target.unlink(missing_ok=True)      # an older image's file
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
        except FileExistsError:     # another server on the same volume linked it first
            continue
        except OSError as exc:
            log.warning("could not link the prebuilt cache into %s: %s", cache, type(exc).__name__)
            break
        linked += 1
    return linked
