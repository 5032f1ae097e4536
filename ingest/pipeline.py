"""Write the knowledge base into the passage store, idempotently.

Passage ids are content hashes: an unchanged passage keeps its id and is not
embedded again; a changed one gets a new id in the same slot (reported as
updated); passages that are gone are deleted.

A store with generations (the Chroma store) is never edited in place: the
changes go into a new generation, copied from the live one, which is
published only when complete, so running servers never see a half-built
index. Nothing changed: no new generation.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ingest.documents import load_knowledge


@dataclass(frozen=True)
class IngestReport:
    documents: int
    chunks: int
    added: int
    updated: int
    removed: int
    seconds: float

    def summary(self) -> str:
        return (
            f"ingested {self.documents} documents, {self.chunks} chunks: "
            f"{self.added} added, {self.updated} updated, {self.removed} removed "
            f"in {self.seconds:.2f} s"
        )

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
        }


def run_ingest(knowledge_dir: Path, store, show_progress: bool | None = None) -> IngestReport:
    started = time.perf_counter()
    kb = load_knowledge(knowledge_dir)
    slot_to_id = store.slots()
    existing = set(slot_to_id.values())
    wanted = {p.id: p for p in kb.passages}

    to_add = [p for p in kb.passages if p.id not in existing]
    to_remove = existing - wanted.keys()
    updated = sum(1 for p in to_add if p.slot in slot_to_id and slot_to_id[p.slot] in to_remove)

    if hasattr(store, "new_generation"):
        if to_add or to_remove or store.generation() is None:
            target = store.new_generation()
            store.copy_to(target, sorted(existing & wanted.keys()))
            _add(target, to_add, show_progress)
            store.publish(target)
    else:
        if to_remove:
            store.delete(sorted(to_remove))
        _add(store, to_add, show_progress)
    return IngestReport(
        documents=len(kb.documents),
        chunks=len(kb.passages),
        added=len(to_add) - updated,
        updated=updated,
        removed=len(to_remove) - updated,
        seconds=time.perf_counter() - started,
    )


def _add(store, to_add, show_progress: bool | None) -> None:
    if not to_add:
        return
    texts = [p.embedding_text() for p in to_add]
    if show_progress is None:
        show_progress = sys.stderr.isatty() and len(to_add) > 32
    if show_progress:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("embedding passages", total=len(to_add))
            store.add(to_add, texts, progress=lambda n: progress.advance(task, n))
    else:
        store.add(to_add, texts)
