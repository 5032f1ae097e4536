"""Shared fixtures: a real Chroma store in a temporary directory, filled by
the real ingest with the real default embedding model (e5-onnx-int8), once
per run; every test that needs an ingested store copies it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cli_testing import CLI, REPO, cli_env, with_review_model

GOLDEN = Path(__file__).resolve().parent / "golden"

# Content-keyed caches (question-bank vectors, the fitted router, the review's
# classifier) are shared by every temporary data dir of the run, and by later
# runs on this machine.
os.environ.setdefault("SOCIALPOLICY_CACHE_DIR", str(REPO / ".cache" / "test"))


class TemplateIngest:
    """The session's one ingest: `socialpolicy ingest --json` into an empty
    directory, in its own process (so its files are complete when it exits).
    Started as soon as the tests are collected, so that on a fresh clone (the
    router's first fit, minutes) the tests that need no ingested store run
    meanwhile on the other core."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.proc = subprocess.Popen([*CLI, "ingest", "--json"], cwd=REPO, env=cli_env(path),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def result(self) -> tuple[Path, dict]:
        import json

        try:
            out, err = self.proc.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        assert self.proc.returncode == 0, err
        return self.path, json.loads(out)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


_template: TemplateIngest | None = None


def pytest_collection_modifyitems(session, config, items):
    """Tests without the ingested store first (stable order otherwise), and
    the ingest started now, beside them, if any selected test needs it."""
    global _template
    needs = [item for item in items if "ingest_report" in getattr(item, "fixturenames", ())]
    if not needs:
        return
    heavy = set(needs)
    items[:] = [item for item in items if item not in heavy] + needs
    if _template is None:
        _template = TemplateIngest(config._tmp_path_factory.mktemp("ingested-template"))


def pytest_sessionfinish(session, exitstatus):
    if _template is not None:
        _template.stop()


@pytest.fixture(scope="session")
def ingest_report(tmp_path_factory) -> tuple[Path, dict]:
    """The session's ingested data directory and the report of its `ingest --json`."""
    global _template
    if _template is None:   # collected without the hook (e.g. another plugin reordered)
        _template = TemplateIngest(tmp_path_factory.mktemp("ingested-template"))
    return _template.result()


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

    return with_review_model(build_assistant(settings))


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
