"""The live generation of the embedded Chroma store as one read-only file,
for processes that only answer.

Importing chromadb and opening its client is ~0.7 s of CPU, more than a third
of a cold `ask`. Ingest writes beside the store a snapshot of the generation
it published (ids, vectors, metadata). A start whose live pointer, read from
Chroma's SQLite file with the standard library, names that same generation
reads the snapshot instead, and searches it exactly: cosine over every
vector, which is what Chroma's wide-beam search returns at these sizes.
Generations are never written after they are published, so the name is the
content. Anything else (no snapshot, another generation or embedder, a Chroma
server, a file or schema it cannot read) opens Chroma as before.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from bot.infra.atomic import write_atomically
from bot.infra.chroma_store import collection_name, passage_from_metadata, pointer_name

SNAPSHOT = "live-snapshot.npz"


def write_snapshot(store, chroma_dir: Path) -> bool:
    """Snapshot the collection `store` reads (after a publish: the live one)."""
    got = store.collection.get(include=["embeddings", "metadatas"])
    meta = {"collection": store.name, "embedder": store.embedder, "ids": list(got["ids"]),
            "metadatas": list(got["metadatas"])}
    vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(meta["ids"]), -1)
    encoded = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    return write_atomically(Path(chroma_dir) / SNAPSHOT, lambda tmp: np.savez(tmp, vectors=vectors, meta=encoded))


def live_collection(chroma_dir: Path, base: str) -> str | None:
    """The generation the live pointer names, from Chroma's SQLite file (read only)."""
    db = Path(chroma_dir) / "chroma.sqlite3"
    if not db.is_file():
        return None
    try:
        con = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            row = con.execute(
                "SELECT m.str_value FROM collections c JOIN collection_metadata m ON m.collection_id = c.id "
                "WHERE c.name = ? AND m.key = 'active'", (pointer_name(base),)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None  # locked, or another Chroma schema
    return str(row[0]) if row and row[0] else None


def open_snapshot(chroma_dir: Path, embeddings) -> "SnapshotPassageStore | None":
    """The snapshot when it holds the live generation of this embedder, else None."""
    from bot.infra.embedders import embedder_id

    path = Path(chroma_dir) / SNAPSHOT
    if not path.is_file():
        return None
    embedder = embedder_id(embeddings)
    live = live_collection(chroma_dir, collection_name(embedder))
    if live is None:
        return None
    try:
        with np.load(path) as data:
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            vectors = data["vectors"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None  # torn or foreign
    if meta.get("collection") != live or meta.get("embedder") != embedder or not meta.get("ids") \
            or len(meta["ids"]) != len(vectors):
        return None
    return SnapshotPassageStore(embeddings, live, embedder, meta["ids"], vectors, meta["metadatas"])


class SnapshotPassageStore:
    """The core's `PassageStore` port over a snapshot: reads only."""

    def __init__(self, embeddings, name: str, embedder: str, ids: Sequence[str], vectors: np.ndarray,
                 metadatas: Sequence[dict]) -> None:
        self.embeddings = embeddings
        self.name = name
        self.embedder = embedder
        self._passages = [passage_from_metadata(i, m) for i, m in zip(ids, metadatas)]
        self._orgs = np.array([p.org for p in self._passages])
        # Chroma's cosine space normalises what it stores.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self._vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)

    def search(self, vector: Sequence[float], k: int, orgs: Sequence[str] | None = None):
        q = np.asarray(vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-12)
        rows = np.flatnonzero(np.isin(self._orgs, list(orgs))) if orgs else np.arange(len(self._passages))
        if not len(rows) or k <= 0:
            return []
        # Chroma's cosine distance is 1 - dot in float32; its scores are 1 - distance.
        distances = np.float32(1.0) - self._vectors[rows] @ q
        return [(self._passages[rows[i]], 1.0 - float(distances[i])) for i in np.argsort(distances, kind="stable")[:k]]

    def all(self):
        return list(self._passages)

    def count(self) -> int:
        return len(self._passages)

    def ping(self) -> bool:
        return True
