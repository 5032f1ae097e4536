"""Teams fixtures: the real Assistant, the real aiohttp app on loopback (auth
off), and a fake Bot Framework connector that records the bot's replies."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from teams_testing import APP_ID, LEIDEN_TENANT, ROC_TENANT, FakeConnector, ServerThread


@pytest.fixture(scope="session")
def teams_assistant(assistant):
    """The real Assistant, draft review included."""
    assert assistant.reviewer is not None, "bot.core.review is not installed"
    return assistant


@pytest.fixture(scope="session")
def teams_config_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("teams-config") / "socialpolicy.yaml"
    path.write_text(
        "slack:\n  workspaces: {}\n"
        "teams:\n  tenants:\n"
        f"    {LEIDEN_TENANT}: leiden\n"
        f"    \"{ROC_TENANT}\": rocwb\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def connector():
    fake = FakeConnector()
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture(scope="session")
def teams_server(settings, teams_assistant, teams_config_file):
    """The real app, authentication off (empty MICROSOFT_APP_ID, as `serve teams --dev`)."""
    from bot.channels.teams.server import build_app

    local = settings.model_copy(update={"microsoft_app_id": "", "microsoft_app_password": "",
                                        "config_file": teams_config_file})
    server = ServerThread(build_app(local, teams_assistant, dev=True)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def secured_server(settings, teams_assistant):
    """The real Teams app with Bot Framework authentication on (no dev mode)."""
    from bot.channels.teams.config import TeamsConfig
    from bot.channels.teams.server import build_app

    secured = settings.model_copy(update={"microsoft_app_id": APP_ID, "microsoft_app_password": "not-a-secret",
                                          "microsoft_app_type": "MultiTenant"})
    server = ServerThread(build_app(secured, teams_assistant, teams_config=TeamsConfig())).start()
    yield server
    server.stop()
