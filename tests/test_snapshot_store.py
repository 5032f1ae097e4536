"""The serving snapshot of the live generation (bot.infra.snapshot_store):
the same search results and answers as Chroma, and never used when it is not
the live generation's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def snapshot(assistant, settings):
    from bot.infra.snapshot_store import SnapshotPassageStore, open_snapshot

    snap = open_snapshot(settings.chroma_dir, assistant.retriever.embedder)
    assert isinstance(snap, SnapshotPassageStore), "ingest wrote no usable snapshot"
    return snap


def test_snapshot_search_is_chromas_search(assistant, catalogue, snapshot):
    from bot.question_bank import load_bank

    chroma = assistant.retriever.store
    assert snapshot.name == chroma.name and snapshot.count() == chroma.count()
    assert [p.id for p in snapshot.all()] == [p.id for p in chroma.all()]
    questions = [q.text for q in load_bank(REPO / "knowledge", catalogue, splits=("dev",))][::50]
    assert len(questions) >= 20
    for question in questions:
        vector = assistant.retriever.embedder.embed_query(question)
        for orgs in (None, ["leiden"], ["rocwb"], ["leiden", "rocwb"]):
            got = snapshot.search(vector, 60, orgs)
            want = chroma.search(vector, 60, orgs)
            assert len(got) == len(want)
            for (p, s), (q, t) in zip(got, want):
                assert abs(s - t) < 1e-5, question
                assert p.id == q.id or abs(s - t) < 1e-5  # equal scores may come in either order
            assert {p.id for p, _ in got} == {q.id for q, _ in want}
            assert got[0][0] == want[0][0]  # the whole passage, metadata included


def test_an_assistant_started_from_the_snapshot_answers_as_with_chroma(assistant, settings):
    from bot.container import build_assistant
    from bot.infra.snapshot_store import SnapshotPassageStore

    fresh = build_assistant(settings)
    assert isinstance(fresh.retriever.store, SnapshotPassageStore)
    for question in ("Mag ik foto's van studenten op Instagram zetten?",
                     "can I share a screenshot of a colleague's email on linkedin",
                     "Wat is het weer morgen in Leiden?"):
        a, b = fresh.ask(question).to_dict(), assistant.ask(question).to_dict()
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_a_snapshot_of_another_generation_or_embedder_is_not_used(settings, snapshot, tmp_path):
    import shutil

    from bot.infra.snapshot_store import SNAPSHOT, open_snapshot

    chroma_dir = tmp_path / "chroma"
    shutil.copytree(settings.chroma_dir, chroma_dir)
    assert open_snapshot(chroma_dir, snapshot.embeddings) is not None

    class Other:
        name = "another-embedder"

    assert open_snapshot(chroma_dir, Other()) is None
    with np.load(chroma_dir / SNAPSHOT) as data:
        vectors, meta = data["vectors"], json.loads(data["meta"].tobytes())
    meta["collection"] = meta["collection"].rsplit("--g", 1)[0] + "--g999999"
    with open(chroma_dir / SNAPSHOT, "wb") as f:
        np.savez(f, vectors=vectors, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    assert open_snapshot(chroma_dir, snapshot.embeddings) is None   # the pointer names another generation
    (chroma_dir / SNAPSHOT).write_bytes(b"PK\x03\x04 torn")
    assert open_snapshot(chroma_dir, snapshot.embeddings) is None
    (chroma_dir / "chroma.sqlite3").write_bytes(b"not a database")
    assert open_snapshot(chroma_dir, snapshot.embeddings) is None
