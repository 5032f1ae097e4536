"""Shared fixtures: a real Chroma store in a temporary directory, filled by
the real ingest with the real default embedding model (e5-onnx-int8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"

# Content-keyed caches (question-bank vectors, the fitted router) are shared by
# every temporary data dir of the run, and by later runs on this machine.
os.environ.setdefault("SOCIALPOLICY_CACHE_DIR", str(REPO / ".cache" / "test"))


@pytest.fixture(scope="session")
def ingested_template(tmp_path_factory):
    """A data directory ingested once by the real CLI, in its own process (so
    its files are complete when it exits). Tests copy it instead of paying
    for ingest again."""
    import os
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("ingested-template")
    env = {**os.environ, "SOCIALPOLICY_DATA_DIR": str(path)}
    env.pop("CHROMA_HOST", None)
    cli = str(Path(sys.executable).parent / "socialpolicy")
    done = subprocess.run([cli, "ingest"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture()
def copy_of_ingested(ingested_template, tmp_path):
    """A private, already ingested data directory."""
    import shutil

    target = tmp_path / "data"
    shutil.copytree(ingested_template, target)
    return target


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
