"""Wiring: build the components from Settings and hand the core its ports.

This is the only place that knows which implementation sits behind a port.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.yamlio import read_yaml

from bot.core.answering import Answerer, RetrievalConfig, Retriever
from bot.core.assistant import Assistant
from bot.core.catalogue import Catalogue
from bot.core.models import OrganisationInfo
from bot.settings import Settings

log = logging.getLogger(__name__)


def load_organisations(knowledge_dir: Path) -> dict[str, OrganisationInfo]:
    out: dict[str, OrganisationInfo] = {}
    for meta_path in sorted((knowledge_dir / "documents").glob("*.yaml")):
        meta = read_yaml(meta_path) or {}
        contact = meta.get("contact") or {}
        out[meta["id"]] = OrganisationInfo(
            org=meta["id"],
            organisation=meta["organisation"],
            organisation_en=meta.get("organisation_en", meta["organisation"]),
            document=meta["title"],
            collective_agreement=meta.get("collective_agreement"),
            contact_nl=contact.get("nl", ""),
            contact_en=contact.get("en", contact.get("nl", "")),
        )
    return out


@dataclass
class Components:
    settings: Settings
    embeddings: object
    store: object


def build_store(settings: Settings, embeddings=None):
    from bot.infra.chroma_store import ChromaPassageStore, make_client
    from bot.infra.embedders import make_embeddings

    embeddings = embeddings or make_embeddings(settings.embedding_model, settings.embedding_threads)
    client = make_client(settings.chroma_dir, settings.chroma_host, settings.chroma_port)
    return ChromaPassageStore(client, embeddings)


def ingest(settings: Settings, store=None, show_progress: bool | None = None):
    from ingest.pipeline import run_ingest

    store = store or build_store(settings)
    return run_ingest(settings.knowledge_dir, store, show_progress=show_progress), store


def load_quiz_data(knowledge_dir: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in sorted((knowledge_dir / "quiz").glob("*.yaml")):
        data = read_yaml(path) or {}
        out[data.get("organisation", path.stem)] = data
    return out


def cached_vectors(cache_dir: Path | None, model: str, texts: list[str], embeddings) -> list[list[float]]:
    """Embed a few fixed texts once per model and content, not at every start."""
    import hashlib
    import json

    if not texts:
        return []
    key = hashlib.sha256(json.dumps([model, texts], ensure_ascii=False).encode()).hexdigest()[:16]
    path = cache_dir / f"vectors-{key}.json" if cache_dir else None
    if path and path.exists():
        try:
            return json.loads(path.read_text())
        except ValueError:
            pass  # a torn write: embed again
    vectors = embeddings.embed_documents(texts)
    if path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(vectors))
            tmp.replace(path)
        except OSError:
            pass  # a read-only data dir only costs the embedding time
    return vectors


def build_scope_gate(knowledge_dir: Path, embeddings, lexical, cache_dir: Path | None = None):
    from bot.core.scope import ScopeGate

    path = knowledge_dir / "scope.yaml"
    if not path.exists():
        return None
    data = read_yaml(path) or {}
    descriptions = data.get("out_of_scope") or []
    vectors = cached_vectors(cache_dir, getattr(embeddings, "name", "default"), descriptions, embeddings)
    return ScopeGate(vectors, data.get("out_of_scope_terms") or [], data.get("publishing") or [], lexical.tokenize)


def build_review_semantic(settings: Settings, embeddings):
    """The review's semantic layer, learned from the dev bank of labelled
    drafts (never the locked test split); None when there is no bank."""
    from bot.infra.review_model import load_or_train

    return load_or_train(settings.knowledge_dir, embeddings, settings.data_dir / "cache")


def build_database(settings: Settings):
    from bot.infra.storage import Database

    return Database(settings.sql_url)


def build_assistant(settings: Settings, store=None, config: RetrievalConfig | None = None,
                    database=None) -> Assistant:
    from bot.core.onboarding import Onboarding
    from bot.infra.lexical import BM25Index

    store = store or build_store(settings)
    if store.count() == 0:
        # A store that was never ingested is ingested on first use.
        report, _ = ingest(settings, store)
        log.info("store was empty: %s", report.summary())
    passages = store.all()
    organisations = load_organisations(settings.knowledge_dir)
    catalogue = Catalogue(passages, organisations)
    lexical = BM25Index(passages, [p.embedding_text() for p in passages])
    retriever = Retriever(store.embeddings, store, lexical, config or RetrievalConfig(), all_orgs=organisations)
    answerer = Answerer(retriever, organisations, build_scope_gate(settings.knowledge_dir, store.embeddings, lexical,
                                                                  settings.data_dir / "cache"))
    reviewer = None
    try:
        from bot.core.review import Reviewer
    except ImportError:
        Reviewer = None
    if Reviewer is not None:
        reviewer = Reviewer(catalogue, retriever, semantic=build_review_semantic(settings, store.embeddings))
    database = database or build_database(settings)
    onboarding = Onboarding(catalogue, load_quiz_data(settings.knowledge_dir), database.progress)
    return Assistant(answerer, catalogue, retriever, reviewer=reviewer, onboarding=onboarding,
                     default_org=settings.default_org, feedback=database.feedback, events=database.events)
