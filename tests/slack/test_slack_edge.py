"""Issue 13, findings 4-6 on Slack: malformed signed bodies, bad timestamps,
retried and replayed commands, forged feedback values, bad text, and the
per-user rate limit. Real Bolt server on loopback, real Assistant, fake Slack."""

from __future__ import annotations

import json
import logging
import time
import urllib.parse

import pytest
from fake_slack import SlackClient, http, sign
from slack_testing import SECRET, TEAM

pytestmark = pytest.mark.timeout(120)

WAIT = 30.0
MARKER = "Kwartelkoning"   # must never reach a log line


def _no_marker(caplog) -> None:
    for record in caplog.records:
        dumped = record.getMessage() + " " + " ".join(str(v) for v in record.__dict__.values())
        assert MARKER not in dumped, (record.name, record.getMessage()[:200])


def _form(text: str, trigger: str, response_url: str, user: str = "U1") -> str:
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": TEAM, "team_domain": "test", "channel_id": "C1", "channel_name": "general",
        "user_id": user, "user_name": user.lower(), "command": "/socialpolicy", "text": text, "api_app_id": "A1",
        "response_url": response_url, "trigger_id": trigger})


def _post_raw(url: str, raw: bytes, content_type: str, headers: dict) -> int:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=raw, method="POST", headers={"Content-Type": content_type, **headers})
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _signed_raw(raw: bytes) -> dict:
    import hashlib
    import hmac

    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@pytest.mark.parametrize("raw, content_type", [
    (b"payload=" + urllib.parse.quote(f'{{"type": "block_actions", "x": "{MARKER}"').encode(),
     "application/x-www-form-urlencoded"),                                     # payload is not JSON
    (b"payload=" + urllib.parse.quote("[" * 5000 + "]" * 5000).encode(),
     "application/x-www-form-urlencoded"),                                     # nested past any limit
    (f'["{MARKER}"]'.encode(), "application/json"),                             # not an object
    (f'{{"type": "event_callback", "event": "{MARKER}'.encode(), "application/json"),  # cut off
    (b'{"a":' * 3000 + b"1" + b"}" * 3000, "application/json"),                 # RecursionError bait
    (b"\xff\xfe" + MARKER.encode() + b"\x80", "text/plain"),                    # not UTF-8, unknown type
], ids=["payload-not-json", "deep-payload", "json-array", "truncated", "deep-json", "binary"])
def test_malformed_signed_body_is_400_and_never_logged(base_url, raw, content_type, caplog):
    caplog.set_level(logging.DEBUG)
    status = _post_raw(base_url + "/slack/events", raw, content_type, _signed_raw(raw))
    assert status == 400
    _no_marker(caplog)


def test_invalid_utf8_in_a_signed_command_is_answered_not_logged(base_url, fake_slack, caplog):
    """Finding 5: the body was logged raw at ERROR. Now it is decoded with
    replacement and answered; nothing of it is logged."""
    caplog.set_level(logging.DEBUG)
    raw = _form(f"Mag ik een foto van {MARKER} plaatsen?", "trig.utf8", fake_slack.response_url("utf8")).encode()
    raw = raw.replace(b"plaatsen", b"pl\xffatsen")
    assert _post_raw(base_url + "/slack/events", raw, "application/x-www-form-urlencoded", _signed_raw(raw)) == 200
    msg = fake_slack.wait_for("response", "utf8", timeout=WAIT).data
    assert "Sorry" not in msg["text"]
    _no_marker(caplog)


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "-100", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=00"},
    {},
], ids=["abc", "missing", "negative", "huge", "no-headers"])
def test_bad_or_missing_timestamp_is_401(base_url, headers):
    status = _post_raw(base_url + "/slack/events", b"command=%2Fsocialpolicy&text=hi",
                       "application/x-www-form-urlencoded", headers)
    assert status == 401


def test_a_signature_with_a_valid_timestamp_but_a_bad_body_hash_is_401(base_url):
    headers = sign("not-the-secret", "command=%2Fsocialpolicy&text=hi")
    assert _post_raw(base_url + "/slack/events", b"command=%2Fsocialpolicy&text=hi",
                     "application/x-www-form-urlencoded", headers) == 401


def _answers(fake_slack, name: str, settle: float = 2.0) -> int:
    fake_slack.wait_for("response", name, timeout=WAIT)
    time.sleep(settle)  # long enough for a second answer to arrive, if there were one
    return len(fake_slack.find("response", name))


def test_retried_slash_command_is_answered_once(slack, fake_slack):
    body = _form("Mag ik foto's van studenten plaatsen?", "trig.retry-1", fake_slack.response_url("retry-cmd"))
    first = slack.post(body, "application/x-www-form-urlencoded")
    again = slack.post(body, "application/x-www-form-urlencoded",
                       extra={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert first.status == 200 and again.status == 200
    assert _answers(fake_slack, "retry-cmd") == 1


def test_exact_replay_within_the_window_is_answered_once(base_url, fake_slack):
    body = _form("Mag ik foto's van studenten plaatsen?", "trig.replay-1", fake_slack.response_url("replay-cmd"))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    assert http("POST", base_url + "/slack/events", body, headers).status == 200
    assert http("POST", base_url + "/slack/events", body, headers).status == 200   # the very same bytes
    assert _answers(fake_slack, "replay-cmd") == 1


def test_replayed_shortcut_is_handled_once(slack, fake_slack):
    payload = {"type": "message_action", "callback_id": "check_policy", "trigger_id": "trig.sc-replay",
               "user": {"id": "USC"}, "channel": {"id": "C1"}, "response_url": fake_slack.response_url("sc"),
               "message": {"text": "Mijn eerste post!", "ts": "1.2"}}
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    slack.post(body, "application/x-www-form-urlencoded")
    slack.post(body, "application/x-www-form-urlencoded")
    fake_slack.wait_for("api", "views.open", lambda d: d.get("trigger_id") == "trig.sc-replay", timeout=WAIT)
    time.sleep(1.5)
    assert len(fake_slack.find("api", "views.open", lambda d: d.get("trigger_id") == "trig.sc-replay")) == 1


@pytest.mark.parametrize("value", [
    {"k": "answer", "o": "leiden", "l": "nl", "s": MARKER + " is geen sectie"},
    {"k": "review", "o": "leiden", "l": "nl", "v": MARKER},
    {"k": "answer", "o": MARKER, "l": "nl"},
], ids=["section", "verdict", "org"])
def test_feedback_values_are_checked_against_the_catalogue(slack, fake_slack, assistant, value):
    before = len(assistant.feedback.rows())
    slack.interactive({"type": "block_actions", "trigger_id": f"trig.fb-{value['k']}-{len(str(value))}",
                       "user": {"id": "UFB"}, "channel": {"id": "C1"},
                       "response_url": fake_slack.response_url("fb"),
                       "actions": [{"action_id": "feedback_up", "value": json.dumps(value), "type": "button"}]})
    time.sleep(1.5)
    rows = assistant.feedback.rows()
    assert len(rows) == before
    assert all(MARKER not in json.dumps(r, default=str) for r in rows)


def test_valid_feedback_is_still_recorded(slack, fake_slack, assistant):
    section = assistant.catalogue.sections("leiden")[0]
    before = len(assistant.feedback.rows())
    slack.interactive({"type": "block_actions", "trigger_id": "trig.fb-valid", "user": {"id": "UFB"},
                       "channel": {"id": "C1"}, "response_url": fake_slack.response_url("fb-ok"),
                       "actions": [{"action_id": "feedback_up", "type": "button",
                                    "value": json.dumps({"k": "answer", "o": "leiden", "l": "nl", "s": section})}]})
    deadline = time.monotonic() + WAIT
    while len(assistant.feedback.rows()) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert assistant.feedback.rows()[-1]["section"] == section


def test_lone_surrogate_question_is_answered(slack, fake_slack):
    """Finding 4: "something went wrong" for a question with a lone surrogate."""
    body = json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
                       "event_id": "EvSurrogate1", "event_time": int(time.time()),
                       "event": {"type": "message", "channel_type": "im", "channel": "DSUR", "user": "USUR",
                                 "text": "Mag ik foto's van studenten \ud800plaatsen?", "ts": "1.1"}})
    assert "\\ud800" in body
    assert slack.post(body, "application/json").status == 200
    msg = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DSUR", timeout=WAIT).data
    assert "Sorry" not in msg["text"] and "\ud800" not in msg["text"]


def test_zero_width_only_question_is_empty(slack, fake_slack, assistant):
    """Finding 4: zero-width characters only got an answer with a citation;
    now it is an empty command, which is answered with the help."""
    from bot.channels.slack import blocks as ui

    reply = slack.command("\u200b\u200b\u2060\ufeff", fake_slack.response_url("zw"))
    assert reply.status == 200 and reply.json()["text"] == ui.help_text("nl", assistant.organisations)
    time.sleep(1.0)
    assert fake_slack.find("response", "zw") == []


# -- the per-user rate limit ---------------------------------------------------------

@pytest.fixture(scope="module")
def limited(slack_settings, assistant, app_loop, tmp_path_factory):
    """A second server with SOCIALPOLICY_RATE_LIMIT_PER_MINUTE=3 and its own database."""
    from bot.channels.slack.server import SlackServer

    limited_settings = slack_settings.model_copy(update={
        "rate_limit_per_minute": 3,
        "database_url": f"sqlite:///{tmp_path_factory.mktemp('rate') / 'rate.db'}"})

    async def start():
        server = SlackServer(limited_settings, host="127.0.0.1", assistant=assistant)
        await server.start()
        return server

    server = app_loop.run(start())
    yield SlackClient(f"http://127.0.0.1:{server.bound_port}/slack/events", SECRET, team=TEAM)
    app_loop.run(server.stop())


def test_rate_limit_per_user_is_polite_and_per_user(limited, fake_slack):
    for i in range(5):
        limited.command("Mag ik foto's van studenten plaatsen?", fake_slack.response_url(f"rl-{i}"), user="URATE")
    limited.command("Can I post photos of my students?", fake_slack.response_url("rl-en"), user="URATE")
    limited.command("Mag ik foto's van studenten plaatsen?", fake_slack.response_url("rl-other"), user="UOTHER")
    texts = [fake_slack.wait_for("response", f"rl-{i}", timeout=WAIT).data["text"] for i in range(5)]
    limited_texts = [t for t in texts if "minuut" in t]
    assert len(limited_texts) == 2, texts                  # 3 answered, then polite refusals
    assert all("Sorry" not in t for t in texts)
    assert "minute" in fake_slack.wait_for("response", "rl-en", timeout=WAIT).data["text"]   # in their language
    assert "minuut" not in fake_slack.wait_for("response", "rl-other", timeout=WAIT).data["text"]


def test_rate_limit_zero_is_off(tmp_path):
    from bot.channels.guards import RateLimiter
    from bot.infra.storage import Database

    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    assert all(RateLimiter(db.rates, 0).allow("slack:T:U") for _ in range(50))
    on = RateLimiter(db.rates, 2)
    assert [on.allow("slack:T:U") for _ in range(3)] == [True, True, False]
    # a second replica on the same database shares the count
    assert RateLimiter(Database(db.url).rates, 2).allow("slack:T:U") is False
    assert on.allow("slack:T:OTHER") is True
