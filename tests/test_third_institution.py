"""A third institution added only as files (a PDF policy and its metadata,
tests/fixtures/third-institution/) is ingested, selectable with --org, cited
in `ask` with its own name and headings, and its draft reviews cite its own
rules without any review mapping. Real model, real Chroma; the real CLI in
its own process for ingest, then `ask` and `review` through the command line
in this process with one Assistant on the new store (cli_testing.invoke)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cli_testing import CLI, REPO, cli_env, invoke, with_review_model
from ingest.documents import load_knowledge
from policy_files import headings, knowledge_with, load_spec

PROJECT_DIRS = ("bot", "ingest", "tests", "bench", "deploy", "knowledge")


@pytest.fixture(scope="module")
def third(ingested_template, tmp_path_factory):
    """The knowledge base plus the third institution, a copy of the ingested
    store, and the report of the real CLI's `ingest --json` on it (which
    ingests only the new passages)."""
    root = tmp_path_factory.mktemp("third-institution")
    knowledge, meta = knowledge_with(REPO / "knowledge", root / "knowledge", "pdf")
    data = root / "data"
    shutil.copytree(ingested_template, data)
    env = cli_env(data, SOCIALPOLICY_KNOWLEDGE_DIR=str(knowledge))
    done = subprocess.run([*CLI, "ingest", "--json"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return env, knowledge, meta, json.loads(done.stdout)


@pytest.fixture(scope="module")
def run(third):
    """The command line in this process, on the new store, models loaded once."""
    from bot.container import build_assistant
    from bot.settings import Settings

    env, knowledge, _, _ = third
    data = Path(env["SOCIALPOLICY_DATA_DIR"])
    assistant = with_review_model(build_assistant(Settings(data_dir=data, knowledge_dir=knowledge)))
    variables = {"SOCIALPOLICY_DATA_DIR": str(data), "SOCIALPOLICY_KNOWLEDGE_DIR": str(knowledge)}
    return lambda *args, stdin=b"": invoke(assistant, *args, stdin=stdin, env=variables)


def test_ingest_adds_only_the_new_document(third):
    env, knowledge, meta, report = third
    new = [p for p in load_knowledge(knowledge).passages if p.org == meta["id"]]
    assert report["documents"] == 3
    # The existing documents' passages are unchanged by the new reader.
    assert (report["added"], report["updated"], report["removed"]) == (len(new), 0, 0)


def test_ask_cites_the_new_institution_by_its_own_name_and_headings(third, run):
    _, _, meta, _ = third
    spec = load_spec()
    # The institution has no question bank: retrieval alone finds its guidelines.
    for question, heading in [
        ("mag ik foto's van mijn studenten op instagram zetten?", spec_heading(spec, "Privacy")),
        ("can I use the school logo as my profile picture on my own account?", spec_heading(spec, "Logo")),
    ]:
        done = run("ask", "--json", "--org", meta["id"], question)
        assert done.exit_code == 0, done.stderr
        answer = json.loads(done.stdout)
        assert not answer["abstained"], answer
        assert {c["organisation"] for c in answer["citations"]} == {meta["organisation"]}
        assert {c["document"] for c in answer["citations"]} == {meta["title"]}
        assert answer["citations"][0]["section"] == heading
        assert {c["section"] for c in answer["citations"]} <= set(headings(spec))


def test_reviews_cite_its_own_rules_without_a_mapping(third, run):
    _, _, meta, _ = third
    spec = load_spec()
    draft = ("Net gehoord in het vertrouwelijke overleg van het MT: de opleiding Verpleegkunde stopt volgend jaar. "
             "Nog niet bekendgemaakt hoor, maar deel het gerust!")
    done = run("review", "--json", "--org", meta["id"], "-", stdin=draft.encode())
    assert done.exit_code == 0, done.stderr
    review = json.loads(done.stdout)
    assert review["verdict"] == "do_not_post"
    confidential = [f for f in review["findings"] if f["rule"] == "confidential"]
    assert confidential, review
    for f in review["findings"]:
        assert f["citations"], f
        assert {c["organisation"] for c in f["citations"]} == {meta["organisation"]}
    assert {c["section"] for f in confidential for c in f["citations"]} == {spec_heading(spec, "Vertrouwelijk")}


def test_no_python_file_names_the_new_institution(third):
    _, _, meta, _ = third
    names = {meta["id"], meta["organisation"], meta["organisation_en"], meta["short_name"]}
    pattern = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)
    # the project's own code: walking .venv and the caches took 9 s
    sources = [*REPO.glob("*.py"), *(p for top in PROJECT_DIRS for p in (REPO / top).rglob("*.py"))]
    offenders = [str(p.relative_to(REPO)) for p in sources
                 if pattern.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert offenders == []


def spec_heading(spec: dict, word: str) -> str:
    return next(h for h in headings(spec) if word.lower() in h.lower())
