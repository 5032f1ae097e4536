"""Teams configuration: the Azure Bot credentials (checked at start-up) and
the organisation scope per Microsoft 365 tenant, from the YAML config file:

    teams:
      tenants:
        72f988bf-86f1-41af-91ab-2d7cd011db47: leiden
        "9b0c...": rocwb

A tenant's scope wins over SOCIALPOLICY_ORG; a tenant not listed gets
SOCIALPOLICY_ORG, and without it both organisations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from bot.channels.config_file import ConfigError, read_config_file

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")



@dataclass(frozen=True)
class TeamsConfig:
    tenants: Mapping[str, str] = field(default_factory=dict)  # tenant id (lower case) -> org

    def org_for(self, tenant_id: str | None) -> str | None:
        if not tenant_id:
            return None
        return self.tenants.get(tenant_id.strip().lower())


def load_teams_config(path: Path | str | None, known_orgs: Iterable[str]) -> TeamsConfig:
    """Read the `teams:` section of the config file (other sections are other
    channels' business). No file: no tenant scopes."""
    if path is None:
        return TeamsConfig()
    path = Path(path)
    raw = read_config_file(path)
    teams = raw.get("teams") or {}
    if not isinstance(teams, dict):
        raise ConfigError(f"config file {path}: 'teams' must be a mapping")
    tenants = teams.get("tenants") or {}
    if not isinstance(tenants, dict):
        raise ConfigError(f"config file {path}: 'teams.tenants' must map tenant ids to organisations")
    known = sorted(known_orgs)
    out: dict[str, str] = {}
    for tenant, org in tenants.items():
        tenant_id = str(tenant).strip().lower()
        if not tenant_id:
            raise ConfigError(f"config file {path}: teams.tenants has an empty tenant id")
        if not isinstance(org, str) or org not in known:
            raise ConfigError(
                f"config file {path}: teams.tenants.{tenant}: unknown organisation {org!r}; "
                f"choose one of: {', '.join(known)}"
            )
        out[tenant_id] = org
    return TeamsConfig(tenants=out)


@dataclass(frozen=True)
class BotAuthConfig:
    """The configuration object botbuilder's ConfigurationBotFrameworkAuthentication
    and ConfigurationServiceClientCredentialFactory read (attribute names are theirs)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def auth_config(settings) -> BotAuthConfig:
    validate_credentials(settings)
    return BotAuthConfig(
        APP_ID=settings.microsoft_app_id.strip(),
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id.strip(),
    )


def validate_credentials(settings) -> None:
    """The combinations Azure Bot Service accepts; anything else fails at
    start-up rather than as a 401 on every message."""
    app_id = settings.microsoft_app_id.strip()
    password = settings.microsoft_app_password
    app_type = settings.microsoft_app_type
    tenant = settings.microsoft_app_tenant_id.strip()
    if app_id and not _GUID.match(app_id):
        raise ConfigError("MICROSOFT_APP_ID must be the bot's Microsoft App ID (a GUID)")
    if tenant and not _GUID.match(tenant):
        raise ConfigError("MICROSOFT_APP_TENANT_ID must be the Microsoft Entra tenant id (a GUID)")
    if app_type == "MultiTenant":
        if app_id and not password:
            raise ConfigError("MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set (MultiTenant)")
        if password and not app_id:
            raise ConfigError("MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is empty")
    elif app_type == "SingleTenant":
        missing = [name for name, value in (("MICROSOFT_APP_ID", app_id), ("MICROSOFT_APP_PASSWORD", password),
                                            ("MICROSOFT_APP_TENANT_ID", tenant)) if not value]
        if missing:
            raise ConfigError(f"MICROSOFT_APP_TYPE=SingleTenant needs {', '.join(missing)}")
    elif app_type == "UserAssignedMSI":
        missing = [name for name, value in (("MICROSOFT_APP_ID", app_id), ("MICROSOFT_APP_TENANT_ID", tenant))
                   if not value]
        if missing:
            raise ConfigError(f"MICROSOFT_APP_TYPE=UserAssignedMSI needs {', '.join(missing)}")
        if password:
            raise ConfigError("MICROSOFT_APP_PASSWORD must be empty for UserAssignedMSI (the managed identity signs in)")
    else:  # pragma: no cover - Settings already restricts the values
        raise ConfigError(f"unknown MICROSOFT_APP_TYPE {app_type!r}")


def auth_enabled(settings) -> bool:
    return bool(settings.microsoft_app_id.strip())
