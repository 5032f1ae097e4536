"""Structured JSON logs. They carry no personal data and never draft text:
callers log event names, channels, kinds, counts and timings only."""

from __future__ import annotations

import json
import logging
import sys
import time

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["error"] = repr(record.exc_info[1])
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(level.upper() if isinstance(level, str) else level)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # Libraries are noisy at INFO and some log request bodies: keep them quiet.
    for name in ("chromadb", "httpx", "urllib3", "slack_bolt", "slack_sdk", "botbuilder", "aiohttp.access", "bm25s", "msal", "msrest", "botframework"):
        logging.getLogger(name).setLevel(logging.WARNING)
