"""Shared fixtures: a real Chroma store in a temporary directory, filled by
the real ingest with the real default embedding model (e5-onnx-int8), once
per run; every test that needs an ingested store copies it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cli_testing import CLI, REPO, cli_env

GOLDEN = Path(__file__).resolve().parent / "golden"

# Content-keyed caches (question-bank vectors, the fitted router, the review's
# classifier) are shared by every temporary data dir of the run, and by later
# runs on this machine.
os.environ.setdefault("SOCIALPOLICY_CACHE_DIR", str(REPO / ".cache" / "test"))


@pytest.fixture(scope="session")
def ingest_report(tmp_path_factory) -> tuple[Path, dict]:
    """A data directory ingested once by the real CLI (`ingest --json`), in its
    own process (so its files are complete when it exits), and its report."""
    import json

    path = tmp_path_factory.mktemp("ingested-template")
    done = subprocess.run([*CLI, "ingest", "--json"], cwd=REPO, env=cli_env(path), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return path, json.loads(done.stdout)


@pytest.fixture(scope="session")
def ingested_template(ingest_report):
    """The session's ingested data directory. Tests copy it instead of paying
    for ingest again."""
    return ingest_report[0]


@pytest.fixture()
def copy_of_ingested(ingested_template, tmp_path):
    """A private, already ingested data directory."""
    target = tmp_path / "data"
    shutil.copytree(ingested_template, target)
    return target


@pytest.fixture(scope="session")
def settings(ingested_template, tmp_path_factory):
    """Settings on the session's own copy of the ingested store."""
    from bot.settings import Settings

    data = tmp_path_factory.mktemp("session") / "data"
    shutil.copytree(ingested_template, data)
    return Settings(data_dir=data, knowledge_dir=REPO / "knowledge")


@pytest.fixture(scope="session")
def assistant(settings):
    """The real Assistant on the session's ingested store (loaded, not ingested again)."""
    from bot.container import build_assistant

    assistant = build_assistant(settings)
    # The review's classifier is trained (or loaded from the cache) on first
    # use: here, once, rather than inside the time limit of the first test that reviews.
    semantic = getattr(assistant.reviewer, "semantic", None)
    if semantic is not None and hasattr(semantic, "layer"):
        semantic.layer
    return assistant


@pytest.fixture(scope="session")
def catalogue(assistant):
    return assistant.catalogue


@pytest.fixture(scope="session")
def knowledge():
    from ingest.documents import load_knowledge

    return load_knowledge(REPO / "knowledge")


@pytest.fixture(scope="session")
def run_cli(assistant, settings):
    """`socialpolicy …` in this process with the session's Assistant (see
    cli_testing.invoke). Each CLI test module keeps a few real subprocess runs
    of the entry point."""
    from cli_testing import invoke

    def run(*args: str, stdin: bytes | str = b"", env: dict | None = None):
        return invoke(assistant, *args, stdin=stdin, env={
            "SOCIALPOLICY_DATA_DIR": str(settings.data_dir),
            "SOCIALPOLICY_KNOWLEDGE_DIR": str(settings.knowledge_dir), **(env or {})})

    return run
