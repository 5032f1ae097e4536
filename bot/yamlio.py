"""YAML reading for the knowledge files: the C loader when PyYAML has it
(several times faster on the quiz files), the pure-Python one otherwise."""

from __future__ import annotations

from pathlib import Path

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path):
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
