"""Fixtures for the Slack adapter: a fake Slack platform, and the real Bolt
app served over HTTP on loopback with the real Assistant."""

from __future__ import annotations

from pathlib import Path

import pytest

from fake_slack import FakeSlack, SlackClient
from slack_testing import CONFIG_YAML, SECRET, TEAM, LoopThread


@pytest.fixture(scope="session")
def fake_slack():
    fake = FakeSlack(team=TEAM).start()
    fake.users["UEN"] = {"locale": "en-US", "real_name": "English Speaker"}
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def slack_config_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("slack-config") / "socialpolicy.yaml"
    path.write_text(CONFIG_YAML, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def slack_settings(settings, fake_slack, slack_config_file):
    # SLACK_API_URL without its trailing slash: the adapter must add it.
    return settings.model_copy(update={
        "slack_bot_token": "xoxb-test-token", "slack_signing_secret": SECRET,
        "slack_api_url": fake_slack.api_url.rstrip("/"), "slack_app_token": None,
        "slack_port": 0, "config_file": slack_config_file,
        "rate_limit_per_minute": 0,  # the limit has tests of its own (test_slack_edge.py)
    })


@pytest.fixture(scope="session")
def app_loop():
    loop = LoopThread()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def slack_server(slack_settings, assistant, app_loop):
    """What `socialpolicy serve slack` runs, on 127.0.0.1 and a free port."""
    from bot.channels.slack.server import SlackServer

    async def start():
        server = SlackServer(slack_settings, host="127.0.0.1", assistant=assistant)
        await server.start()
        return server

    server = app_loop.run(start())
    yield server
    app_loop.run(server.stop())


@pytest.fixture(scope="session")
def base_url(slack_server) -> str:
    return f"http://127.0.0.1:{slack_server.bound_port}"


@pytest.fixture(scope="session")
def slack(base_url) -> SlackClient:
    return SlackClient(base_url + "/slack/events", SECRET, team=TEAM)
