"""The passage store on Chroma, through langchain-chroma.

Embedded PersistentClient by default; HttpClient to a Chroma server when a
host is configured. The same class serves both.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterable, Sequence

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from bot.core.models import Passage

_PATH_SEP = " › "
_LIST_SEP = "|"


def make_client(data_dir: Path | None = None, host: str | None = None, port: int | None = None):
    # Telemetry off: the product makes no network calls beyond its own.
    settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=int(port or 8000), settings=settings)
    assert data_dir is not None
    data_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(data_dir), settings=settings)


def collection_name(embedder_name: str) -> str:
    """One collection per embedding model, so vectors of different models
    (and dimensions) never mix. Ids that would be cut or lose characters get
    a hash of the whole id, so two ids never share a collection."""
    name = re.sub(r"[^a-zA-Z0-9._-]+", "-", f"policy-{embedder_name}").strip("-._")
    if len(name) > 60 or name != f"policy-{embedder_name}":
        digest = hashlib.sha256(embedder_name.encode()).hexdigest()[:10]
        name = f"{name[:49].rstrip('-._')}-{digest}"
    return name


class EmbedderMismatch(RuntimeError):
    pass


def passage_metadata(p: Passage) -> dict:
    return {
        "org": p.org,
        "organisation": p.organisation,
        "document": p.document,
        "section": p.section,
        "path": _PATH_SEP.join(x for x in p.path if x),
        "kind": p.kind,
        "text": p.text,
        "guideline": p.guideline,
        "slot": p.slot,
        "order": p.order,
        "cao": _LIST_SEP.join(p.cao),
        "topics": p.topics,
        "summary_en": p.summary_en,
        "summary_nl": p.summary_nl,
    }


def passage_from_metadata(pid: str, m: dict) -> Passage:
    return Passage(
        id=pid,
        org=m["org"],
        organisation=m["organisation"],
        document=m["document"],
        section=m["section"],
        path=tuple(x for x in str(m.get("path", "")).split(_PATH_SEP) if x),
        kind=m["kind"],
        text=m["text"],
        guideline=m["guideline"],
        slot=m["slot"],
        order=int(m.get("order", 0)),
        cao=tuple(x for x in str(m.get("cao", "")).split(_LIST_SEP) if x),
        topics=m.get("topics", ""),
        summary_en=m.get("summary_en", ""),
        summary_nl=m.get("summary_nl", ""),
    )


class ChromaPassageStore:
    """Implements the core's `PassageStore` port, plus the writes ingest needs."""

    def __init__(self, client, embeddings: Embeddings, name: str | None = None) -> None:
        from bot.infra.embedders import embedder_id

        self.client = client
        self.embeddings = embeddings
        self.embedder = embedder_id(embeddings)
        self.name = name or collection_name(self.embedder)
        # Always pass our embeddings: without them Chroma falls back to its own
        # default model and tries to download it.
        self.vectorstore = Chroma(
            client=client,
            collection_name=self.name,
            embedding_function=embeddings,
            collection_metadata={"hnsw:space": "cosine", "embedder": self.embedder},
        )
        # A collection made by another embedder (a name given by hand) is
        # refused rather than queried with vectors of a different space.
        stored = (self.collection.metadata or {}).get("embedder")
        if stored is not None and stored != self.embedder:
            raise EmbedderMismatch(
                f"collection {self.name!r} holds vectors of {stored!r}, not {self.embedder!r}")

    @property
    def collection(self):
        return self.vectorstore._collection

    # -- reads (the core's port)
    def search(self, vector: Sequence[float], k: int, orgs: Sequence[str] | None = None):
        # No count() first: Chroma returns what it has when asked for more,
        # and the extra round trip cost ~1 ms per query.
        where = None
        if orgs:
            where = {"org": orgs[0]} if len(orgs) == 1 else {"org": {"$in": list(orgs)}}
        result = self.collection.query(
            query_embeddings=[list(vector)],
            n_results=k,
            where=where,
            include=["metadatas", "distances"],
        )
        out = []
        for pid, meta, dist in zip(result["ids"][0], result["metadatas"][0], result["distances"][0]):
            out.append((passage_from_metadata(pid, meta), 1.0 - float(dist)))
        return out

    def all(self) -> list[Passage]:
        got = self.collection.get(include=["metadatas"])
        return [passage_from_metadata(i, m) for i, m in zip(got["ids"], got["metadatas"])]

    def count(self) -> int:
        return int(self.collection.count())

    def ping(self) -> bool:
        try:
            self.client.heartbeat()
            return True
        except Exception:
            return False

    # -- writes (ingest)
    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def slots(self) -> dict[str, str]:
        got = self.collection.get(include=["metadatas"])
        return {m["slot"]: i for i, m in zip(got["ids"], got["metadatas"])}

    def add(self, passages: Sequence[Passage], texts: Sequence[str], batch: int = 64,
            progress: Iterable | None = None) -> None:
        for start in range(0, len(passages), batch):
            chunk = passages[start:start + batch]
            self.vectorstore.add_texts(
                texts=list(texts[start:start + batch]),
                metadatas=[passage_metadata(p) for p in chunk],
                ids=[p.id for p in chunk],
            )
            if progress is not None:
                progress(len(chunk))

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 500):
            self.vectorstore.delete(ids=ids[start:start + 500])
