"""Slack settings and start-up: ConfigError paths, the CLI exit code, the
organisation config file, and Socket Mode against the fake Slack platform
(apps.connections.open plus a real WebSocket on loopback)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_slack import BOT_USER, http
from slack_testing import SECRET, TEAM

from bot.channels.slack.config import (
    BOT_SCOPES, ConfigError, SlackConfig, api_base_url, check_settings, load_slack_config,
)
from bot.channels.slack.server import SlackServer, run
from bot.container import load_organisations

pytestmark = pytest.mark.timeout(120)

REPO = Path(__file__).resolve().parents[2]
WAIT = 30.0


def settings_with(settings, **changes):
    base = {"slack_bot_token": "xoxb-1-test", "slack_signing_secret": SECRET, "slack_app_token": None,
            "slack_api_url": None, "config_file": None, "slack_port": 0}
    return settings.model_copy(update={**base, **changes})


# -- settings ------------------------------------------------------------------------

@pytest.mark.parametrize("changes, words", [
    ({"slack_bot_token": None}, "SLACK_BOT_TOKEN is not set"),
    ({"slack_bot_token": "  "}, "SLACK_BOT_TOKEN is not set"),
    ({"slack_bot_token": "xoxp-user-token-secret"}, "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'"),
    ({"slack_signing_secret": None}, "SLACK_SIGNING_SECRET is not set"),
    ({"slack_app_token": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-'"),
    ({"slack_api_url": "ftp://example.org/api"}, "SLACK_API_URL must be an http(s) URL"),
])
def test_invalid_settings_raise_config_error(settings, changes, words):
    bad = settings_with(settings, **changes)
    with pytest.raises(ConfigError) as info:
        check_settings(bad)
    message = str(info.value)
    assert words in message and "\n" not in message
    for value in changes.values():  # a token never appears in the message
        if value and value.strip():
            assert value not in message
    with pytest.raises(ConfigError):   # run() checks before it loads any model
        run(bad, 0)


def test_modes(settings):
    assert check_settings(settings_with(settings)) is False                      # HTTP
    socket_mode = settings_with(settings, slack_signing_secret=None, slack_app_token="xapp-1-A1-x")
    assert check_settings(socket_mode) is True                                  # no secret needed


def test_api_url_gets_its_trailing_slash(settings):
    assert api_base_url(settings_with(settings)) is None
    assert api_base_url(settings_with(settings, slack_api_url="http://127.0.0.1:9/api")) == "http://127.0.0.1:9/api/"
    assert api_base_url(settings_with(settings, slack_api_url="http://127.0.0.1:9/api/")) == "http://127.0.0.1:9/api/"


@pytest.mark.parametrize("port", [-1, 70000])
def test_bad_port(settings, port):
    with pytest.raises(ConfigError, match="port"):
        run(settings_with(settings), port)


def test_port_in_use_is_a_config_error(settings, assistant):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            run(settings_with(settings), port, host="127.0.0.1", assistant=assistant)


# -- the organisation config file -------------------------------------------------------

def test_config_file_scopes_by_channel_then_workspace_then_default(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("slack:\n  workspaces: {T1: leiden}\n  channels: {C9: rocwb}\nteams: {x: 1}\n")
    config = load_slack_config(path, default_org="rocwb")
    config.validate(load_organisations(REPO / "knowledge"))
    assert config.org_for("T1", "C9") == "rocwb"       # channel wins
    assert config.org_for("T1", "C1") == "leiden"      # then workspace
    assert config.org_for("T2", "C1") == "rocwb"       # then the default
    assert SlackConfig().org_for("T1", "C1") is None   # nothing: all organisations
    assert load_slack_config(None).org_for("T1") is None


@pytest.mark.parametrize("text, words", [
    ("slack: [1, 2]\n", "`slack` must be a mapping"),
    ("slack:\n  workspaces: [T1]\n", "slack.workspaces must be a mapping"),
    ("slack:\n  channels: {C1: ''}\n", "slack.channels.C1 must name an organisation"),
    ("slack: {workspaces: {T1: leiden\n", "not valid YAML"),
    ("- just\n- a list\n", "expected a mapping"),
])
def test_bad_config_files(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=words.replace("[", r"\[").replace("`", "`")):
        load_slack_config(path)


def test_unknown_organisation_and_missing_file(settings, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("slack:\n  channels: {C1: delft}\n")
    with pytest.raises(ConfigError, match="slack.channels.C1: unknown organisation 'delft'"):
        run(settings_with(settings, config_file=path), 0)
    with pytest.raises(ConfigError, match="no such file"):
        run(settings_with(settings, config_file=tmp_path / "missing.yaml"), 0)
    with pytest.raises(ConfigError, match="SOCIALPOLICY_ORG: unknown organisation"):
        run(settings_with(settings, default_org="delft"), 0)


def test_manifest_matches_the_app():
    import yaml

    manifest = yaml.safe_load((REPO / "deploy/slack/manifest.yml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    command = features["slash_commands"][0]
    assert command["command"] == "/socialpolicy" and command["url"] == "https://YOUR-HOST/slack/events"
    shortcut = features["shortcuts"][0]
    assert (shortcut["callback_id"], shortcut["type"], shortcut["name"]) == (
        "check_policy", "message", "Check against social media policy")
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES)
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "app_home_opened", "team_join"}
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"] is False
    assert features["app_home"]["home_tab_enabled"] and features["app_home"]["messages_tab_enabled"]


# -- the command line ----------------------------------------------------------------------

def _cli(env_changes: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SOCIALPOLICY_"))}
    env.update({"SOCIALPOLICY_DATA_DIR": str(tmp_path / "data"), **env_changes})
    exe = REPO / ".venv/bin/socialpolicy"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]
    return subprocess.run(cmd + ["serve", "slack"], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, words", [
    ({}, "SLACK_BOT_TOKEN is not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-x"}, "SLACK_SIGNING_SECRET is not set"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-x", "SLACK_APP_TOKEN": "nope"}, "SLACK_APP_TOKEN must be an app-level token"),
])
def test_cli_exits_non_zero_with_one_line(tmp_path, env, words):
    started = time.monotonic()
    done = _cli(env, tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("socialpolicy: error: ") and words in lines[0], done.stderr
    assert not (tmp_path / "data").exists()            # failed before touching the store or loading models
    assert time.monotonic() - started < 30


# -- Socket Mode ------------------------------------------------------------------------------

def test_socket_mode_connects_and_handles_envelopes(settings, assistant, fake_slack, app_loop):
    app_token = "xapp-1-A1-socket"
    mode = settings_with(settings, slack_signing_secret=None, slack_app_token=app_token,
                         slack_api_url=fake_slack.api_url)
    connected_before = len(fake_slack.find("socket", "connected"))

    async def start():
        server = SlackServer(mode, host="127.0.0.1", assistant=assistant)
        await server.start()
        return server

    server = app_loop.run(start())
    try:
        assert server.socket_mode and server.socket_handler is not None
        assert server.socket_handler.app is server.app
        opened = fake_slack.wait_for("api", "apps.connections.open", timeout=WAIT)
        assert opened.token == app_token
        fake_slack.wait_for("socket", "connected", timeout=WAIT, count=connected_before + 1)
        url = f"http://127.0.0.1:{server.bound_port}"
        assert http("GET", url + "/healthz").status == 200
        # No HTTP entry point for Slack in Socket Mode (it could not be verified).
        assert http("POST", url + "/slack/events", "{}", {"Content-Type": "application/json"}).status in (404, 405)
        deadline = time.monotonic() + WAIT
        while http("GET", url + "/readyz").status != 200:
            assert time.monotonic() < deadline, "never ready in Socket Mode"
            time.sleep(0.05)

        question = "Mag ik foto's van studenten plaatsen?"
        command = {"token": "legacy", "team_id": TEAM, "channel_id": "C1", "user_id": "U1",
                   "command": "/socialpolicy", "text": question, "api_app_id": "A1",
                   "response_url": fake_slack.response_url("socket-ask"), "trigger_id": "trig-socket"}
        sent = time.perf_counter()
        fake_slack.send_envelope({"envelope_id": "env-cmd-1", "type": "slash_commands",
                                  "accepts_response_payload": True, "payload": command})
        ack = fake_slack.wait_for("socket", "ack", lambda d: d.get("envelope_id") == "env-cmd-1", timeout=WAIT)
        assert ack.at - sent < 3.0
        answer = fake_slack.wait_for("response", "socket-ask", timeout=WAIT)
        assert answer.data["text"] == assistant.ask(question).answer

        ts = "1730000000.000100"
        event = {"token": "legacy", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
                 "event_id": "EvSOCKET1", "event_time": int(time.time()),
                 "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
                 "event": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": ts, "event_ts": ts,
                           "text": f"<@{BOT_USER}> {question}"}}
        fake_slack.send_envelope({"envelope_id": "env-ev-1", "type": "events_api", "retry_attempt": 0,
                                  "accepts_response_payload": False, "payload": event})
        fake_slack.wait_for("socket", "ack", lambda d: d.get("envelope_id") == "env-ev-1", timeout=WAIT)
        post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("thread_ts") == ts, timeout=WAIT)
        assert post.data["channel"] == "C1"
    finally:
        app_loop.run(server.stop())


def test_socket_mode_with_a_rejected_app_token_fails_to_start(settings, assistant, fake_slack):
    fake_slack.bad_app_tokens.add("xapp-1-revoked")
    mode = settings_with(settings, slack_signing_secret=None, slack_app_token="xapp-1-revoked",
                         slack_api_url=fake_slack.api_url)
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"Slack refused the Socket Mode connection \(invalid_auth\)"):
        run(mode, 0, host="127.0.0.1", assistant=assistant)
    assert time.monotonic() - started < 15


def test_the_app_leaves_other_loggers_alone(slack_server):
    """Bolt copies its logger's level onto loggers named after the app: none of
    the project's loggers may be silenced by it (only Bolt's and the SDK's are)."""
    import logging

    for name in ("socialpolicy", "socialpolicy.cli", "bot", "bot.core", "bot.channels", "bot.channels.slack"):
        assert logging.getLogger(name).level == logging.NOTSET, name
    assert logging.getLogger("bot.channels.slack.bolt").level == logging.WARNING
