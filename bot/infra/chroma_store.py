"""The passage store on Chroma (langchain-chroma's view of it on demand).

Embedded PersistentClient by default; HttpClient to a Chroma server when a
host is configured. The same class serves both.

Generations: ingest never edits the collection servers read. It builds a new
collection ("<base>--g000007") beside it, copying unchanged passages with
their vectors, and only when that is complete switches a pointer (the
metadata of the small collection "<base>--live"). Running servers re-read
the pointer and rebuild from the new generation (bot.live_assistant). The
previous generation is kept, so a server that has not switched yet still
answers; older ones are deleted. The pointer lives in Chroma itself, so the
same switch works on the embedded store and on a Chroma server.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from bot.core.models import Passage

if TYPE_CHECKING:
    from bot.infra.embedders import Embeddings

_PATH_SEP = " › "
_LIST_SEP = "|"


def make_client(data_dir: Path | None = None, host: str | None = None, port: int | None = None):
    # Imported here: the helpers of this module serve the snapshot store too,
    # which starts without chromadb.
    import chromadb
    from chromadb.config import Settings as ChromaSettings

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


def pointer_name(base: str) -> str:
    return f"{base}--live"


def generation_name(base: str, number: int) -> str:
    return f"{base}--g{number:06d}"


def read_pointer(client, base: str) -> dict | None:
    """{"active": collection, "generation": n, ...}, or None before the first generation."""
    try:
        meta = client.get_collection(pointer_name(base)).metadata or {}
    except Exception:  # no pointer yet (chromadb raises NotFoundError / ValueError by version)
        return None
    return dict(meta) if meta.get("active") else None


def active_collection(client, base: str) -> str:
    """The collection servers should read: the pointer's, else the legacy
    single collection named after the embedder."""
    pointer = read_pointer(client, base)
    return str(pointer["active"]) if pointer else base


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


# The search must not depend on how the index happened to be built: the
# softmax over every retrieved guideline sees the tail of the 60 candidates,
# and a passage missed there moved confidences by ~0.002 between two builds of
# the same passages. One insertion thread makes the graph reproducible, and a
# wide search beam makes it (measured) exact at our sizes, for ~1 ms.
HNSW = {"hnsw:space": "cosine", "hnsw:num_threads": 1, "hnsw:construction_ef": 200, "hnsw:search_ef": 400}


class ChromaPassageStore:
    """Implements the core's `PassageStore` port, plus the writes ingest needs."""

    def __init__(self, client, embeddings: "Embeddings", name: str | None = None) -> None:
        from bot.infra.embedders import embedder_id

        self.client = client
        self.embeddings = embeddings
        self.embedder = embedder_id(embeddings)
        self.base = collection_name(self.embedder)
        self._open(name or active_collection(client, self.base))

    def _open(self, name: str) -> None:
        self.name = name
        # As langchain-chroma opens it, without importing it: reads go to the
        # collection, and langchain-chroma (~0.6 s of CPU to import, a third of
        # a cold start) is only loaded to write. No embedding function: Chroma
        # would fall back to its own default model and try to download it.
        self.collection = self.client.get_or_create_collection(
            name=name, embedding_function=None, metadata=self._metadata())
        self._vectorstore = None
        # A collection made by another embedder (a name given by hand) is
        # refused rather than queried with vectors of a different space.
        stored = (self.collection.metadata or {}).get("embedder")
        if stored is not None and stored != self.embedder:
            raise EmbedderMismatch(
                f"collection {self.name!r} holds vectors of {stored!r}, not {self.embedder!r}")

    # -- generations (ingest) --------------------------------------------------------
    def generation(self) -> int | None:
        pointer = read_pointer(self.client, self.base)
        return int(pointer.get("generation", 0)) if pointer else None

    def new_generation(self) -> "ChromaPassageStore":
        """An empty collection for the next generation (a leftover of a failed
        ingest with the same number is dropped first)."""
        number = (self.generation() or 0) + 1
        name = generation_name(self.base, number)
        self._drop(name)
        return ChromaPassageStore(self.client, self.embeddings, name=name)

    def copy_to(self, target: "ChromaPassageStore", ids: Sequence[str], batch: int = 256) -> None:
        """Copy passages with their stored vectors: unchanged ones are not embedded again."""
        ids = list(ids)
        for start in range(0, len(ids), batch):
            got = self.collection.get(ids=ids[start:start + batch],
                                      include=["embeddings", "metadatas", "documents"])
            if len(got["ids"]):
                target.collection.add(ids=got["ids"], embeddings=got["embeddings"],
                                      metadatas=got["metadatas"], documents=got["documents"])

    def publish(self, target: "ChromaPassageStore") -> None:
        """Point servers at a complete generation, then follow it ourselves.
        Keeps the previous generation for servers that have not switched yet."""
        number = int(target.name.rsplit("--g", 1)[1])
        previous = self.name
        meta = {"active": target.name, "previous": previous, "generation": number}
        pointer = self.client.get_or_create_collection(pointer_name(self.base), metadata=meta)
        pointer.modify(metadata=meta)
        self._open(target.name)
        keep = {target.name, previous, pointer_name(self.base)}
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            # Older generations, and the pre-generation collection once no server can need it.
            if (name.startswith(self.base + "--g") or (name == self.base and previous != self.base)) \
                    and name not in keep:
                self._drop(name)

    def _drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:
            pass  # not there

    def _metadata(self) -> dict:
        return {**HNSW, "embedder": self.embedder}

    @property
    def vectorstore(self):
        """langchain-chroma's view of the collection (for LangChain code; the
        store itself reads and writes the collection directly)."""
        if self._vectorstore is None:
            from langchain_chroma import Chroma

            # Always pass our embeddings: without them Chroma falls back to its
            # own default model and tries to download it.
            self._vectorstore = Chroma(client=self.client, collection_name=self.name,
                                       embedding_function=self.embeddings, collection_metadata=self._metadata())
        return self._vectorstore

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

    def add(self, passages: Sequence[Passage], texts: Sequence[str], batch: int = 128,
            progress: Iterable | None = None) -> None:
        # What langchain-chroma's add_texts does for texts with metadata (every
        # passage has some), without importing it: ~0.6 s of CPU per ingest.
        for start in range(0, len(passages), batch):
            chunk = passages[start:start + batch]
            documents = list(texts[start:start + batch])
            self.collection.upsert(
                ids=[p.id for p in chunk],
                embeddings=self.embeddings.embed_documents(documents),
                metadatas=[passage_metadata(p) for p in chunk],
                documents=documents,
            )
            if progress is not None:
                progress(len(chunk))

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 500):
            self.collection.delete(ids=ids[start:start + 500])
