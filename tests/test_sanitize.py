"""Issue 13, finding 4: every input path survives bad text. Property-based
(hypothesis) over the sanitising module, the CLI's ask and review parsers
(the real CLI in-process, the real Assistant) and the two HTTP endpoints'
body parsing; plus the exact crashes of the finding, in a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from typer.testing import CliRunner

from bot.channels import sanitize

REPO = Path(__file__).resolve().parent.parent
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
nasty_chars = st.sampled_from(list(ZERO_WIDTH) + ["\ud800", "\udfff", "\udcff", "\x00", "\ufffd", "{", "[", '"',
                                                  "\\", "\n", "é", "😀", "\u202e"])
nasty_text = st.lists(st.one_of(st.characters(), nasty_chars), max_size=60).map("".join)
FAST = hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _json_nest(depth: int) -> str:
    return '{"text": ' + "[" * depth + "1" + "]" * depth + "}"


# -- the module ----------------------------------------------------------------------

@FAST
@given(nasty_text)
def test_clean_text_leaves_no_surrogates_or_zero_width(text):
    out = sanitize.clean_text(text)
    out.encode("utf-8")   # never UnicodeEncodeError
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in out)
    assert not any(c in "\u200b\u200c\u2060\ufeff" for c in out)
    assert sanitize.clean_text(out) == out


@FAST
@given(st.binary(max_size=200))
def test_decode_never_fails(data):
    out = sanitize.decode(data)
    out.encode("utf-8")


@FAST
@given(st.one_of(nasty_text, st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                 st.integers(0, 3000).map(_json_nest)))
def test_loads_raises_only_value_errors(text):
    try:
        value = sanitize.loads(text)
    except ValueError:
        return
    json.dumps(value, ensure_ascii=False).encode("utf-8")


def test_depth_cap_is_exact():
    assert sanitize.loads(_json_nest(sanitize.MAX_JSON_DEPTH - 1))
    with pytest.raises(sanitize.UnsafeInput):
        sanitize.loads(_json_nest(100_000))
    assert sanitize.loads('{"t": "' + "[" * 500 + '"}') == {"t": "[" * 500}   # brackets in strings do not count


def test_invalid_argv_bytes_become_replacement_characters():
    assert sanitize.clean_arg(os.fsdecode(b"foto\xff")) == "foto\ufffd"
    assert sanitize.clean_arg("a\u200bb\ud800c") == "abc"
    assert unicodedata.normalize("NFC", sanitize.clean_text("👩\u200d💻")) == "👩\u200d💻"   # emoji ZWJ kept


# -- the CLI's parsers, in-process, with the real Assistant -------------------------------

@pytest.fixture(scope="module")
def cli(assistant, settings):
    import bot.cli

    original, original_logging = bot.cli._assistant, bot.cli._setup_logging
    bot.cli._assistant = lambda s: assistant      # models loaded once for the module
    # CliRunner's stderr is closed after each run: a handler left on it would
    # break the logging of every later test.
    bot.cli._setup_logging = lambda s: None
    runner = CliRunner()
    env = {"SOCIALPOLICY_DATA_DIR": str(settings.data_dir), "SOCIALPOLICY_KNOWLEDGE_DIR": str(settings.knowledge_dir)}

    def run(args, stdin: bytes = b""):
        return runner.invoke(bot.cli.app, args, input=stdin, env=env, catch_exceptions=True)

    yield run
    bot.cli._assistant, bot.cli._setup_logging = original, original_logging


def _lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


review_line = st.one_of(
    nasty_text,
    nasty_text.map(lambda t: json.dumps({"text": t})),                # escapes: lone surrogates survive json.dumps
    st.integers(0, 5000).map(_json_nest),
    st.recursive(st.none() | st.booleans() | st.integers() | nasty_text,
                 lambda kids: st.lists(kids, max_size=3) | st.dictionaries(nasty_text, kids, max_size=3),
                 max_leaves=8).map(json.dumps),
).map(lambda line: line.replace("\n", " ").replace("\r", " "))


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(review_line, min_size=1, max_size=6))
def test_review_batch_answers_every_line(cli, lines):
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    result = cli(["review", "--batch", "--json", "-"], raw)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0
    # Blank lines are skipped, and a line of only invisible characters is blank
    # once sanitised (as in the ask batch).
    expected = [line for line in sanitize.decode(raw).splitlines() if line.strip()]
    out = _lines(result)
    assert len(out) == len(expected)
    assert all("error" in o or "verdict" in o for o in out)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(nasty_text.map(lambda t: t.replace("\n", " ").replace("\r", " ")), min_size=1, max_size=5))
def test_ask_batch_answers_every_line(cli, lines):
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    result = cli(["ask", "--batch", "-", "--json"], raw)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0
    assert len(_lines(result)) == len(sanitize.decode(raw).splitlines())


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(nasty_text)
def test_ask_argument_never_crashes(cli, question):
    result = cli(["ask", "--json", question])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if sanitize.clean_text(question).strip():
        assert result.exit_code in (0, 2)
    else:
        assert result.exit_code == 2 and "the question is empty" in result.stderr


def test_bad_batch_lines_do_not_end_the_batch(cli):
    """The three crashes of finding 4, each followed by a good line."""
    raw = b"\n".join([
        json.dumps({"text": "Check \ud800 dit concept"}).encode(),   # a lone surrogate (as JSON escape)
        _json_nest(100_000).encode(),                                # RecursionError bait
        b'{"text": "caf\xff \xfe"}',                                 # invalid UTF-8
        json.dumps({"text": "Morgen open dag op de campus, kom langs!"}).encode(),
    ])
    out = _lines(cli(["review", "--batch", "--json", "-"], raw))
    assert len(out) == 4
    assert "error" in out[1] and "verdict" in out[3]


# -- the HTTP endpoints' body parsing -------------------------------------------------------

form_or_json = st.one_of(
    st.binary(max_size=300),
    nasty_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.integers(0, 3000).map(lambda d: ("payload=" + "[" * d + "]" * d).encode()),
    st.dictionaries(nasty_text, nasty_text, max_size=4).map(
        lambda d: json.dumps(d).encode()),
    st.dictionaries(st.sampled_from(["payload", "command", "text", "trigger_id"]), nasty_text, max_size=4).map(
        lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode("utf-8", "surrogatepass")),
)


@FAST
@given(form_or_json, st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]))
def test_slack_body_parsing_is_400_or_clean(raw, content_type):
    from bot.channels.slack.server import BadRequest, clean_body

    try:
        body, parsed = clean_body(raw, content_type)
    except BadRequest:
        return
    body.encode("utf-8")
    assert isinstance(parsed, dict)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in body)


activity_like = st.fixed_dictionaries({
    "type": st.one_of(st.just("message"), nasty_text, st.integers()),
    "serviceUrl": st.one_of(st.just("http://127.0.0.1:1/"), nasty_text),
    "conversation": st.one_of(st.fixed_dictionaries({"id": nasty_text}), nasty_text),
    "text": st.one_of(nasty_text, st.none(), st.integers()),
    "from": st.one_of(st.none(), st.dictionaries(nasty_text, nasty_text, max_size=2), nasty_text),
    "entities": st.one_of(st.none(), st.lists(st.dictionaries(nasty_text, nasty_text, max_size=2), max_size=2)),
})


@FAST
@given(st.one_of(activity_like.map(lambda a: json.dumps(a).encode()), form_or_json))
def test_teams_body_parsing_is_400_or_an_activity(raw):
    from botbuilder.schema import Activity

    from bot.channels.teams.bot import strip_recipient_mention
    from bot.channels.teams.server import _check_activity

    try:
        body = sanitize.loads(raw)
    except ValueError:
        return
    if _check_activity(body) is not None:
        return
    try:
        activity = Activity().deserialize(body)
    except Exception:   # the server answers 400 "the activity is malformed"
        return
    strip_recipient_mention(activity).encode("utf-8")


def test_ask_with_invalid_utf8_and_zero_width_in_a_real_process(settings):
    env = {**os.environ, "SOCIALPOLICY_DATA_DIR": str(settings.data_dir)}   # ingested already: only read
    env.pop("CHROMA_HOST", None)
    empty = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "\u200b\u200b\u2060"], cwd=REPO, env=env,
                           capture_output=True, timeout=60)
    assert empty.returncode == 2
    assert empty.stderr.decode().strip() == "socialpolicy: error: the question is empty"
    # An invalid UTF-8 byte in argv: exits 2 cleanly when that is all there is, never a traceback.
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "ask", os.fsdecode(b"\xff\xfe\xe2\x80\x8b")],
                         cwd=REPO, env=env, capture_output=True, timeout=60)
    assert b"Traceback" not in bad.stderr and bad.returncode in (0, 2)


def test_the_review_normaliser_drops_every_character_the_edge_drops():
    """A draft reaches the review with its invisible characters (`review`
    keeps them so offsets slice the text as given); the normaliser must then
    drop each one the edge would have, or it could split a flagged word."""
    from bot.core.review.normalise import INVISIBLE

    dropped = [c for c in map(chr, range(0x10000))
               if not 0xD800 <= ord(c) <= 0xDFFF and sanitize.clean_text(f"a{c}b") == "ab"]
    assert dropped and not [hex(ord(c)) for c in dropped if c not in INVISIBLE]
