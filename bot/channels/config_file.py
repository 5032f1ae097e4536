"""The channel config file (SOCIALPOLICY_CONFIG): organisation scopes per
Slack workspace and channel and per Teams tenant. Each adapter reads its own
top-level key (`slack`, `teams`); reading and checking the file is shared."""

from __future__ import annotations

from pathlib import Path

import yaml


class ConfigError(Exception):
    """A missing or invalid setting: the server does not start."""


def read_config_file(path: Path | str) -> dict:
    """The file's top-level mapping, or a ConfigError that says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found (SOCIALPOLICY_CONFIG): no such file: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"config file {path} is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: expected a mapping at the top level")
    return data
