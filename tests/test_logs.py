"""Structured logs (bot/logs.py): one JSON object per line."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from bot.logs import JsonFormatter, configure_logging

LIBRARIES = ("chromadb", "httpx", "urllib3", "slack_bolt", "slack_sdk", "botbuilder", "aiohttp.access", "bm25s")


@pytest.fixture
def restore_logging():
    """configure_logging replaces the root handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in LIBRARIES + ("socialpolicy.test",)}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)


def _lines(stream: io.StringIO) -> list[dict]:
    raw = stream.getvalue().splitlines()
    assert all(line.strip() for line in raw), raw
    return [json.loads(line) for line in raw]


def test_formatter_emits_one_json_object_with_extras():
    record = logging.LogRecord("bot.channels.slack", logging.INFO, __file__, 10, "answered %s", ("question",), None)
    record.channel = "slack"
    record.kind = "ask"
    record.ms = 12.5
    line = JsonFormatter().format(record)
    assert "\n" not in line
    out = json.loads(line)
    assert out["event"] == "answered question"
    assert out["level"] == "info"
    assert out["logger"] == "bot.channels.slack"
    assert out["channel"] == "slack" and out["kind"] == "ask" and out["ms"] == 12.5
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", out["ts"]), out["ts"]
    # The standard LogRecord attributes are not dumped alongside.
    for noise in ("args", "msg", "pathname", "lineno", "funcName", "thread", "process", "created"):
        assert noise not in out


def test_formatter_keeps_multiline_messages_on_one_line():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "first\nsecond \u00e9", (), None)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    out = json.loads(line)
    assert out["event"] == "first\nsecond \u00e9" and out["level"] == "warning"


def test_formatter_serialises_odd_values_and_errors():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    record.path = __import__("pathlib").Path("/tmp/x")
    record.items = {"a": 1}
    out = json.loads(JsonFormatter().format(record))
    assert out["error"] == "RuntimeError('boom')"
    assert out["path"] == "/tmp/x" and out["items"] == {"a": 1}
    assert out["level"] == "error"


def test_configure_logging_writes_json_lines(restore_logging):
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    log = logging.getLogger("socialpolicy.test")
    log.info("ingest done", extra={"added": 3, "removed": 0, "seconds": 1.25})
    log.debug("not shown")
    log.warning("store slow", extra={"ms": 900})
    lines = _lines(stream)
    assert [l["event"] for l in lines] == ["ingest done", "store slow"]
    assert lines[0]["level"] == "info" and lines[0]["added"] == 3 and lines[0]["seconds"] == 1.25
    assert lines[1]["level"] == "warning" and lines[1]["ms"] == 900
    assert all({"ts", "level", "event"} <= set(l) for l in lines)


def test_configure_logging_quiets_libraries(restore_logging):
    stream = io.StringIO()
    configure_logging("debug", stream=stream)
    assert logging.getLogger().level == logging.DEBUG
    for name in LIBRARIES:
        assert logging.getLogger(name).level == logging.WARNING, name
    logging.getLogger("httpx").info("HTTP Request: POST https://slack.com/api/chat.postMessage")
    logging.getLogger("slack_bolt").warning("kept")
    logging.getLogger("socialpolicy.test").debug("ours")
    events = [l["event"] for l in _lines(stream)]
    assert events == ["kept", "ours"]


def test_configure_logging_replaces_handlers(restore_logging):
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", stream=first)
    configure_logging("INFO", stream=second)
    logging.getLogger("socialpolicy.test").info("once")
    assert first.getvalue() == ""
    assert [l["event"] for l in _lines(second)] == ["once"]
