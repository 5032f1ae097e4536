"""Invalid Teams settings and config files fail at start-up with a one-line
message and a non-zero exit, before any model is loaded."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.channels.teams.config import ConfigError, load_teams_config, validate_credentials
from bot.settings import Settings
from teams_testing import APP_ID, LEIDEN_TENANT

REPO = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).parent / "socialpolicy")
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ORGS = ("leiden", "rocwb")


def make_settings(**values) -> Settings:
    return Settings(knowledge_dir=REPO / "knowledge", **values)


@pytest.mark.parametrize("values", [
    {},                                                                   # local: unauthenticated
    {"microsoft_app_id": APP_ID, "microsoft_app_password": "pw"},         # MultiTenant
    {"microsoft_app_id": APP_ID, "microsoft_app_password": "pw", "microsoft_app_type": "SingleTenant",
     "microsoft_app_tenant_id": TENANT},
    {"microsoft_app_id": APP_ID, "microsoft_app_type": "UserAssignedMSI", "microsoft_app_tenant_id": TENANT},
])
def test_valid_credentials(values):
    validate_credentials(make_settings(**values))


@pytest.mark.parametrize("values, message", [
    ({"microsoft_app_id": APP_ID}, "MICROSOFT_APP_PASSWORD is required"),
    ({"microsoft_app_password": "pw"}, "MICROSOFT_APP_ID is empty"),
    ({"microsoft_app_id": APP_ID, "microsoft_app_password": "pw", "microsoft_app_type": "SingleTenant"},
     "needs MICROSOFT_APP_TENANT_ID"),
    ({"microsoft_app_type": "SingleTenant"}, "needs MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID"),
    ({"microsoft_app_id": APP_ID, "microsoft_app_type": "UserAssignedMSI"}, "needs MICROSOFT_APP_TENANT_ID"),
    ({"microsoft_app_id": APP_ID, "microsoft_app_password": "pw", "microsoft_app_type": "UserAssignedMSI",
      "microsoft_app_tenant_id": TENANT}, "must be empty"),
    ({"microsoft_app_id": "my-bot", "microsoft_app_password": "pw"}, "a GUID"),
    ({"microsoft_app_id": APP_ID, "microsoft_app_password": "pw", "microsoft_app_type": "SingleTenant",
      "microsoft_app_tenant_id": "contoso"}, "a GUID"),
])
def test_invalid_credentials(values, message):
    with pytest.raises(ConfigError, match=message):
        validate_credentials(make_settings(**values))


def test_tenant_scopes_from_the_config_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(f"teams:\n  tenants:\n    {LEIDEN_TENANT.upper()}: leiden\nslack: {{}}\n", encoding="utf-8")
    config = load_teams_config(path, ORGS)
    assert config.org_for(LEIDEN_TENANT) == "leiden"
    assert config.org_for("someone-else") is None and config.org_for(None) is None
    assert load_teams_config(None, ORGS).tenants == {}
    path.write_text("slack:\n  workspaces: {}\n", encoding="utf-8")
    assert load_teams_config(path, ORGS).tenants == {}


@pytest.mark.parametrize("content, message", [
    ("teams:\n  tenants:\n    abc: harvard\n", "unknown organisation 'harvard'"),
    ("teams: [1, 2]\n", "'teams' must be a mapping"),
    ("teams:\n  tenants: [leiden]\n", "must map tenant ids"),
    ("teams: {tenants: {a: leiden}\n", "not valid YAML"),
    ("- just\n- a list\n", "mapping at the top level"),
])
def test_invalid_config_files(tmp_path, content, message):
    path = tmp_path / "c.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_teams_config(path, ORGS)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_teams_config(tmp_path / "nope.yaml", ORGS)


def test_run_fails_before_loading_anything(tmp_path):
    from bot.channels.teams.server import run

    bad = tmp_path / "c.yaml"
    bad.write_text("teams:\n  tenants:\n    abc: harvard\n", encoding="utf-8")
    cases = [
        (make_settings(microsoft_app_id=APP_ID), None, "MICROSOFT_APP_PASSWORD"),
        (make_settings(config_file=bad), None, "harvard"),
        (make_settings(default_org="harvard"), None, "SOCIALPOLICY_ORG"),
        (make_settings(), 70000, "invalid port"),
    ]
    for s, port, message in cases:
        started = time.monotonic()
        with pytest.raises(ConfigError, match=message):
            run(s, port, dev=True)
        assert time.monotonic() - started < 2.0


def test_closed_by_default_without_an_app_id():
    """Finding 3: an empty MICROSOFT_APP_ID no longer means "open"."""
    from bot.channels.teams.server import build_app, run

    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID is empty.*--dev"):
        run(make_settings(), None)
    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID is empty"):
        build_app(make_settings(), object())


def test_build_app_refuses_invalid_settings(teams_assistant):
    from bot.channels.teams.server import build_app

    with pytest.raises(ConfigError, match="SingleTenant"):
        build_app(make_settings(microsoft_app_id=APP_ID, microsoft_app_password="pw",
                           microsoft_app_type="SingleTenant"), teams_assistant)


@pytest.mark.parametrize("env, message", [
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": ""}, "MICROSOFT_APP_PASSWORD is required"),
    ({"MICROSOFT_APP_TYPE": "SingleTenant", "MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "pw"},
     "MICROSOFT_APP_TENANT_ID"),
])
def test_cli_exits_non_zero_with_one_line(tmp_path, env, message):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_APP_", "SOCIALPOLICY_"))}
    environ.update(env, SOCIALPOLICY_DATA_DIR=str(tmp_path))
    done = subprocess.run([CLI, "serve", "teams"], env=environ, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("socialpolicy: error: ") and message in lines[0], done.stderr
