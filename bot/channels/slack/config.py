"""Slack settings checks, the organisation scope per workspace and channel,
and the app's scopes and events (mirrored by deploy/slack/manifest.yml).

Organisation scope lives in the YAML file named by SOCIALPOLICY_CONFIG
(`settings.config_file`). Only its `slack` key is read here::

    slack:
      workspaces:          # Slack team id -> organisation id
        T0123ABCD: leiden
      channels:            # channel id (C…, G… or D…) -> organisation id
        C0456EFGH: rocwb

Organisation ids are those of knowledge/documents/*.yaml (`leiden`, `rocwb`).
A channel's entry wins over its workspace's, and both win over
SOCIALPOLICY_ORG (`settings.default_org`); with none of them both
organisations are searched and every citation is labelled. Within a thread,
a user naming an organisation ("voor ROC", "for Leiden") scopes that thread.
Other top-level keys (such as `teams`) belong to other adapters and are
ignored. A missing file, bad YAML or an unknown organisation id stops the
server at start-up with a ConfigError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping
from urllib.parse import urlparse

from bot.channels.config_file import ConfigError, read_config_file




# Bot token scopes: keep in step with deploy/slack/manifest.yml.
BOT_SCOPES = (
    "app_mentions:read",   # app_mention events
    "chat:write",          # answers, reviews, quiz steps
    "chat:write.public",   # "Share in channel" in public channels the bot has not joined
    "commands",            # /socialpolicy and the check_policy shortcut
    "im:history",          # message.im: questions and drafts in a DM
    "im:read",             # DM channel info
    "im:write",            # conversations.open for the welcome DM and the quiz
    "users:read",          # users.info: locale (language) and display name for quiz progress
)
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im", "team_join")
SLASH_COMMAND = "/socialpolicy"
SHORTCUT_CALLBACK_ID = "check_policy"
EVENTS_PATH = "/slack/events"


@dataclass(frozen=True)
class SlackConfig:
    workspaces: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    default_org: str | None = None

    def org_for(self, team_id: str | None = None, channel_id: str | None = None) -> str | None:
        """Channel, then workspace, then the default; None means all organisations."""
        if channel_id and channel_id in self.channels:
            return self.channels[channel_id]
        if team_id and team_id in self.workspaces:
            return self.workspaces[team_id]
        return self.default_org

    def validate(self, organisations: Iterable[str]) -> None:
        known = set(organisations)
        where = [("SOCIALPOLICY_ORG", self.default_org)] if self.default_org else []
        where += [(f"slack.workspaces.{k}", v) for k, v in self.workspaces.items()]
        where += [(f"slack.channels.{k}", v) for k, v in self.channels.items()]
        for name, org in where:
            if org not in known:
                raise ConfigError(f"{name}: unknown organisation {org!r}; choose one of: {', '.join(sorted(known))}")


def _mapping(section: dict, key: str, path: Path) -> dict[str, str]:
    value = section.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: slack.{key} must be a mapping of id to organisation")
    out = {}
    for k, v in value.items():
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(f"{path}: slack.{key}.{k} must name an organisation")
        out[str(k)] = v.strip()
    return out


def load_slack_config(config_file: Path | None, default_org: str | None = None) -> SlackConfig:
    if config_file is None:
        return SlackConfig(default_org=default_org)
    path = Path(config_file)
    data = read_config_file(path)
    section = data.get("slack") or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: `slack` must be a mapping with `workspaces` and/or `channels`")
    return SlackConfig(workspaces=_mapping(section, "workspaces", path),
                      channels=_mapping(section, "channels", path), default_org=default_org)


def check_settings(settings) -> bool:
    """Raise ConfigError for missing or malformed Slack settings.
    Returns True for Socket Mode (SLACK_APP_TOKEN set), False for HTTP mode.
    Token values never appear in a message."""
    token = (settings.slack_bot_token or "").strip()
    if not token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: give the bot token (xoxb-…) of the Slack app")
    if not token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'")
    app_token = (settings.slack_app_token or "").strip()
    socket_mode = bool(app_token)
    if socket_mode and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
                          "(unset it to receive requests over HTTP)")
    if not socket_mode and not (settings.slack_signing_secret or "").strip():
        raise ConfigError("SLACK_SIGNING_SECRET is not set: it is required in HTTP mode "
                          "(or set SLACK_APP_TOKEN to use Socket Mode)")
    if settings.slack_api_url:
        parsed = urlparse(settings.slack_api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
    return socket_mode


def api_base_url(settings) -> str | None:
    """SLACK_API_URL for the WebClient, always ending with '/' (None: slack.com)."""
    url = settings.slack_api_url
    if not url:
        return None
    return url if url.endswith("/") else url + "/"


def check_port(port) -> int:
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise ConfigError(f"the port must be a number, not {port!r}") from None
    if not 0 <= port <= 65535:
        raise ConfigError(f"the port must be between 1 and 65535, not {port}")
    return port
