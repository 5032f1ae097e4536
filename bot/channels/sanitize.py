"""The one sanitising step at the edge, used by the CLI, Slack and Teams.

Whatever arrives (argv, stdin, files, HTTP bodies) passes through here before
the core sees it: bytes are decoded as UTF-8 with replacement, lone
surrogates and zero-width characters are dropped, and JSON is refused beyond
a fixed nesting depth (Python's parser would raise RecursionError, which is
not a ValueError and crashed batches). Nothing here logs what it cleans.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

MAX_JSON_DEPTH = 64   # Slack and Teams payloads nest about 10 deep

# Zero-width and invisible formatting characters that make a message look
# empty (or different) without being so; U+200D (ZWJ) is kept inside emoji
# sequences, where it joins two pictographs.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200e\u200f\u2060-\u2064\u206a-\u206f\ufeff\u180e\u00ad\u034f\u115f"
                         "\u1160\u3164\uffa0]|(?<![\U0001F000-\U0001FFFF\u2600-\u27bf\ufe0f])\u200d")
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnsafeInput(ValueError):
    """Input that cannot be accepted (too deeply nested JSON)."""


def clean_text(text: str, keep_invisible: bool = False) -> str:
    """A str without lone surrogates or zero-width characters.

    Undecodable bytes that Python smuggled into a str as surrogate escapes
    (argv, os.environ) come back as U+FFFD, like bytes decoded with
    replacement; any other lone surrogate is dropped. `keep_invisible`: a
    draft to review keeps its zero-width characters, because the review's
    normaliser drops them itself and maps each finding back to the text as
    given, so `review --json` offsets slice the caller's own copy."""
    if not isinstance(text, str):
        text = str(text)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub(_escaped_to_replacement, text)
    return text if keep_invisible else _ZERO_WIDTH.sub("", text)


def _escaped_to_replacement(m: re.Match) -> str:
    return "\ufffd" if "\udc80" <= m.group(0) <= "\udcff" else ""


def decode(data: bytes | bytearray | str, keep_invisible: bool = False) -> str:
    """Bytes → clean text, decoded as UTF-8 with replacement."""
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data).decode("utf-8", errors="replace")
    return clean_text(data, keep_invisible)


def clean_arg(arg: str) -> str:
    """A command-line argument: undecodable bytes become U+FFFD."""
    try:
        raw = os.fsencode(arg)
    except UnicodeEncodeError:
        return clean_text(arg)
    return decode(raw)


def json_depth_ok(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when no array/object nests deeper than `limit` (strings skipped)."""
    if text.count("[") + text.count("{") <= limit:
        return True
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def loads(data: bytes | str, limit: int = MAX_JSON_DEPTH, keep_invisible: bool = False) -> Any:
    """Parse JSON safely: ValueError (json.JSONDecodeError or UnsafeInput)
    for anything malformed, never RecursionError; every string cleaned."""
    text = decode(data, keep_invisible) if isinstance(data, (bytes, bytearray)) else data
    if not json_depth_ok(text, limit):
        raise UnsafeInput(f"JSON nested deeper than {limit} levels")
    try:
        value = json.loads(text)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise UnsafeInput(f"JSON nested deeper than {limit} levels") from None
    return clean_value(value, keep_invisible)


def clean_value(value: Any, keep_invisible: bool = False) -> Any:
    """Every string in a parsed JSON value (keys too) cleaned."""
    if isinstance(value, str):
        return clean_text(value, keep_invisible)
    if isinstance(value, list):
        return [clean_value(v, keep_invisible) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): clean_value(v, keep_invisible) for k, v in value.items()}
    return value
