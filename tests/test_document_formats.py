"""PDF and DOCX policies read like the text ones, and organisations are data:
fast (no model, no store)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.knowledge import Knowledge, KnowledgeError, everyday_words, load_organisations
from ingest.documents import load_documents, load_knowledge
from policy_files import headings, knowledge_with, list_items, load_spec

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_policy_file_keeps_headings_items_and_drops_page_furniture(tmp_path, fmt):
    spec = load_spec()
    knowledge, meta = knowledge_with(KNOWLEDGE, tmp_path / "knowledge", fmt)
    doc = load_documents(knowledge)[meta["id"]]
    # Headings become the section path, in order; the title line is no section.
    assert [s.path for s in doc.sections] == [(h,) for h in headings(spec)]
    # Bulleted and numbered items are list items, verbatim, each on its own.
    assert [i for s in doc.sections for i in s.items] == list_items(spec)
    # Paragraphs are whole (wrapped lines joined) and verbatim.
    paragraphs = [p for s in doc.sections for p in s.paragraphs]
    assert paragraphs == [" ".join(b["p"].split()) for b in spec["blocks"] if "p" in b]
    # Header, footer and page numbers never reach a passage.
    passages = [p for p in load_knowledge(knowledge).passages if p.org == meta["id"]]
    assert passages
    for p in passages:
        assert "Pagina" not in p.text and "Versie 2.1" not in p.text and spec["header"] not in p.text
    assert {p.organisation for p in passages} == {meta["organisation"]}


def test_pdf_page_numbers_alone_are_furniture_even_on_one_page(tmp_path):
    from policy_files import render_pdf

    from bot.infra.document_formats import pdf_to_text

    spec = load_spec()
    spec = {**spec, "footer": "{page}", "blocks": [b for b in spec["blocks"] if not b.get("page_break")]}
    text = pdf_to_text(render_pdf(spec, tmp_path / "one.pdf"))
    assert not any(line.strip().isdigit() for line in text.splitlines())


def test_unreadable_policy_files_are_knowledge_errors(tmp_path):
    knowledge = tmp_path / "knowledge"
    (knowledge / "documents").mkdir(parents=True)
    (knowledge / "documents" / "broken.pdf").write_bytes(b"not a pdf at all")
    (knowledge / "documents" / "broken.yaml").write_text("id: broken\norganisation: X\ntitle: X\nlanguage: nl\n")
    with pytest.raises(KnowledgeError, match="broken.pdf"):
        load_knowledge(knowledge)
    (knowledge / "documents" / "broken.pdf").unlink()
    (knowledge / "documents" / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(KnowledgeError, match="broken.docx"):
        load_knowledge(knowledge)


def test_organisations_come_from_the_metadata():
    orgs = load_organisations(KNOWLEDGE)
    assert sorted(orgs) == [s.id for s in sorted(Knowledge(KNOWLEDGE).sources(), key=lambda s: s.id)]
    leiden = orgs["leiden"]
    assert (leiden.name("nl"), leiden.name("en")) == ("Universiteit Leiden", "Leiden University")
    assert leiden.short_name == "Leiden" and leiden.examples("en") and leiden.examples("nl")
    assert everyday_words(orgs) == {"leiden"}
    assert orgs["rocwb"].short_name == "ROC" and orgs["rocwb"].everyday_words == ()


def cli(*args, knowledge: Path | None = None):
    """The command line in a real process (no model is loaded by these calls)."""
    env = {**os.environ}
    if knowledge is not None:
        env["SOCIALPOLICY_KNOWLEDGE_DIR"] = str(knowledge)
    env.pop("CHROMA_HOST", None)
    env["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)


def cli_help(*args, knowledge: Path):
    """`… --help` in this process (typer's CliRunner): the help is built from
    the knowledge base named by the environment at each run."""
    import bot.cli
    from typer.testing import CliRunner

    done = CliRunner().invoke(bot.cli.app, [*args, "--help"], catch_exceptions=False,
                              env={"SOCIALPOLICY_KNOWLEDGE_DIR": str(knowledge), "COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    return done.stdout


def test_org_flag_lists_and_accepts_the_organisations_of_the_knowledge_base(tmp_path):
    knowledge, meta = knowledge_with(KNOWLEDGE, tmp_path / "knowledge", "docx")
    assert "[leiden|rocwb]" in cli("ask", "--help").stdout
    listed = f"[leiden|{meta['id']}|rocwb]"
    for command in (["ask"], ["review"], ["onboard"], ["onboarding", "quiz"]):
        assert listed in cli_help(*command, knowledge=knowledge), command
    assert "[leiden|rocwb]" in cli_help("review", knowledge=KNOWLEDGE)   # read again at every run
    # An unknown organisation: exit 2 and one line, before any model loads.
    done = cli("ask", "--org", "nowhere", "Mag ik een foto plaatsen?")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0
    assert "unknown organisation 'nowhere'" in done.stderr and "leiden, rocwb" in done.stderr
    done = cli("review", "--org", meta["id"], "-")  # known only to the other knowledge base
    assert done.returncode == 2 and "unknown organisation" in done.stderr
    done = cli("review", "--org", meta["id"], "-", knowledge=knowledge)  # known: reaches the draft check
    assert done.returncode == 2 and "draft is empty" in done.stderr
