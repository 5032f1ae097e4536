"""Files in the shared caches, written atomically: several processes may race
to make the same file, and a reader must never see half of one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable


def write_atomically(path: Path, write: Callable[[Path], None]) -> bool:
    """`write(tmp)` makes the file under a temporary name beside `path`, which
    then replaces `path` in one step. The temporary name keeps the suffix
    (np.savez would add ".npz" to any other). False, and no temporary file
    left, when it cannot be written: a read-only cache, or a writer failing
    with a RuntimeError as ONNX Runtime does. The caller then works without
    the file and makes it again next time. Any other error is raised, the
    temporary file removed all the same."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
        return True
    except (OSError, RuntimeError):
        return False
    finally:
        try:
            tmp.unlink(missing_ok=True)     # only there when it was not moved into place
        except OSError:
            pass
