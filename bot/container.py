"""Wiring: build the components from Settings and hand the core its ports.

This is the only place that knows which implementation sits behind a port.
"""

from __future__ import annotations

import functools
import gc
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.core.answering import Answerer, RetrievalConfig, Retriever
from bot.core.assistant import Assistant
from bot.core.catalogue import Catalogue
from bot.core.quoting import Quoter
from bot.knowledge import Knowledge, load_organisations  # noqa: F401 - load_organisations is imported from here
from bot.lazy import OnFirstUse
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Components:
    settings: Settings
    embeddings: object
    store: object


def build_embeddings(settings: Settings):
    from bot.infra.embedders import make_embeddings

    return make_embeddings(settings.embedding_model, settings.embedding_threads, settings.embedding_cache_dir)


def knowledge_catalogue(settings: Settings) -> Catalogue:
    """The catalogue of the knowledge directory itself, no store needed (what
    the router is fitted on before a new generation is published)."""
    from ingest.documents import load_knowledge

    return Catalogue(load_knowledge(settings.knowledge_dir).passages, load_organisations(settings.knowledge_dir))


def build_store(settings: Settings, embeddings=None):
    from bot.infra.chroma_store import ChromaPassageStore, make_client

    embeddings = embeddings or build_embeddings(settings)
    client = make_client(settings.chroma_dir, settings.chroma_host, settings.chroma_port)
    return ChromaPassageStore(client, embeddings)


def ingest(settings: Settings, store=None, show_progress: bool | None = None):
    from ingest.pipeline import run_ingest

    link_prebuilt_cache(settings)
    store = store or build_store(settings)
    # Fit the router before the new generation is published, so servers that
    # switch to it only load the fit.
    build_router(settings, knowledge_catalogue(settings), store.embeddings, show_progress=bool(show_progress))
    report = run_ingest(settings.knowledge_dir, store, show_progress=show_progress)
    if not settings.chroma_host and hasattr(store, "collection"):
        from bot.infra.snapshot_store import write_snapshot

        write_snapshot(store, settings.chroma_dir)  # what answering processes start from
    return report, store


def link_prebuilt_cache(settings: Settings) -> None:
    """The image's prebuilt router fit and review classifier, linked into this
    process's cache (bot/infra/prebuilt_cache.py); nothing without one."""
    from bot.infra.prebuilt_cache import link_prebuilt

    linked = link_prebuilt(settings.prebuilt_cache_dir, settings.cache_dir)
    if linked:
        log.info("linked %d prebuilt cache files into the cache", linked)


def build_serving_store(settings: Settings, embeddings=None):
    """The store of a process that only answers: the snapshot of the embedded
    store's live generation when it is current (no chromadb), else Chroma."""
    embeddings = embeddings or build_embeddings(settings)
    if not settings.chroma_host:
        from bot.infra.snapshot_store import open_snapshot

        snapshot = open_snapshot(settings.chroma_dir, embeddings)
        if snapshot is not None:
            return snapshot
    return build_store(settings, embeddings)


def load_quiz_data(knowledge_dir: Path) -> dict[str, dict]:
    return Knowledge(knowledge_dir).quiz()


def load_guideline_notes(knowledge_dir: Path) -> dict[str, dict]:
    """knowledge/guidelines/<document>.yaml, by document id."""
    return Knowledge(knowledge_dir).guideline_notes()


def build_quoter(knowledge_dir: Path, catalogue: Catalogue, organisations) -> tuple[Quoter, dict]:
    """The quoter (sections whose body is no rule are quoted by heading) and
    the CAO articles each organisation's guidelines rest on."""
    heading_only, basis = [], {}
    for org, notes in load_guideline_notes(knowledge_dir).items():
        for section, note in (notes.get("sections") or {}).items():
            if (note or {}).get("quote") == "heading":
                heading_only.append((org, section))
        info = organisations.get(org)
        if notes.get("basis_cao") and info is not None and info.collective_agreement:
            basis[org] = tuple(notes["basis_cao"])
    return Quoter(catalogue, heading_only), basis


# Share of in-scope dev questions allowed to abstain when the threshold is
# chosen (out of fold); the bar for the locked test split is 0.02.
MAX_FALSE_ABSTENTION = 0.015


def build_router(settings: Settings, catalogue: Catalogue, embeddings, show_progress: bool = False):
    """The router fitted on the question bank's dev split: loaded when the
    saved fit matches the bank and the embedder, fitted (and saved) otherwise.
    None without a bank."""
    from bot.core.routing import Router, RouterPolicy
    from bot.infra.embedders import embedder_id
    from bot.infra.router_fit import fit_router, load_router, query_vectors, router_fingerprint, save_router
    questions, descriptions = router_training_set(settings.knowledge_dir, catalogue)
    if not questions or not any(not q.out_of_scope for q in questions):
        return None
    name = embedder_id(embeddings)
    policy = RouterPolicy()
    fingerprint = router_fingerprint(questions, descriptions, name, policy)
    # Keyed by everything the fit depends on, so any data dir may share it.
    path = settings.cache_dir / "router" / f"router-{fingerprint}.npz"
    model = load_router(path)
    if model is None or model.embedder != name:
        progress = _progress_printer("embedding the question bank") if show_progress else None
        texts = [q.text for q in questions] + [text for text, _ in descriptions]
        vectors = query_vectors(texts, embeddings, settings.cache_dir, progress)
        report: dict = {}
        model = fit_router(questions, vectors[: len(questions)], name, policy, report=report,
                           max_false_abstention=MAX_FALSE_ABSTENTION,
                           described=[key for _, key in descriptions],
                           description_vectors=vectors[len(questions):], fingerprint=fingerprint,
                           described_texts=[text for text, _ in descriptions])
        log.info("router fitted: %s", report)
        if not save_router(model, path):
            log.warning("could not save the fitted router; it is fitted again at the next start")
    return Router(model, guideline_orgs(catalogue, model.labels))


def router_training_set(knowledge_dir: Path, catalogue: Catalogue):
    """The dev bank and the (text, guideline) descriptions the router trains on.
    Only guidelines the bank asks about are classes, so a new document without
    a bank leaves the router (and its fit) as it is."""
    from bot.question_bank import guideline_descriptions, load_bank

    questions = load_bank(knowledge_dir, catalogue, splits=("dev",))
    labelled = {q.guideline for q in questions}
    descriptions = [(text, key) for text, key in guideline_descriptions(catalogue, load_quiz_data(knowledge_dir))
                    if key in labelled]
    return questions, descriptions


def guideline_orgs(catalogue: Catalogue, labels) -> dict[str, str]:
    """Guideline key -> organisation, for the router's classes that are guidelines."""
    return {label: passages[0].org for label in labels if (passages := catalogue.guideline_passages(label))}


def _progress_printer(what: str):
    def show(done: int, total: int) -> None:
        if sys.stderr.isatty() or done == total:
            sys.stderr.write(f"\r{what}: {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


def build_review_semantic(settings: Settings, embeddings, institutions, progress=None, announce=None):
    """The review's semantic layer, learned from the dev bank of labelled
    drafts (never the locked test split); None when there is no bank."""
    from bot.infra.review_model import load_or_train

    return load_or_train(settings.knowledge_dir, embeddings, settings.cache_dir, institutions, progress, announce)


def build_database(settings: Settings):
    from bot.infra.storage import Database

    return Database(settings.sql_url)


def _without_gc_pauses(build):
    """Start-up allocates ~10^5 long-lived objects, and the cyclic collector
    walking them again and again was ~8 % of a cold start's CPU: it waits
    until the assistant is built."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return build(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@_without_gc_pauses
def build_assistant(settings: Settings, store=None, config: RetrievalConfig | None = None,
                    database=None) -> Assistant:
    from bot.core.onboarding import Onboarding
    from bot.infra.lexical import BM25Index

    link_prebuilt_cache(settings)
    store = store or build_serving_store(settings)
    if store.count() == 0:
        # A store that was never ingested is ingested on first use.
        report, _ = ingest(settings, store)
        log.info("store was empty: %s", report.summary())
    passages = store.all()
    organisations = load_organisations(settings.knowledge_dir)
    catalogue = Catalogue(passages, organisations)
    lexical = BM25Index(passages, [p.embedding_text() for p in passages])
    retriever = Retriever(store.embeddings, store, lexical, config or RetrievalConfig(), all_orgs=organisations)
    quoter, basis = build_quoter(settings.knowledge_dir, catalogue, organisations)
    router = build_router(settings, catalogue, store.embeddings)
    answerer = Answerer(retriever, organisations, router=router, quoter=quoter, basis=basis)
    reviewer = None
    try:
        from bot.core.review import Reviewer
    except ImportError:
        Reviewer = None
    if Reviewer is not None:
        reviewer = Reviewer(catalogue, retriever)
        # Trained at the first review when the bank is new (a minute or two, then
        # cached): someone waiting at a terminal sees it happen.
        waiting = sys.stderr.isatty()
        reviewer.semantic = build_review_semantic(
            settings, store.embeddings, reviewer.institutions,
            progress=_progress_printer("embedding the review bank") if waiting else None,
            announce=(lambda line: sys.stderr.write(line + "\n")) if waiting else None)
    if database is None:
        # Opened on first use: `ask` never needs it, and SQLAlchemy is ~0.2 s of CPU to import.
        database = OnFirstUse(lambda: build_database(settings))
        progress, feedback, events = (OnFirstUse(lambda a=a: getattr(database, a))
                                      for a in ("progress", "feedback", "events"))
    else:
        progress, feedback, events = database.progress, database.feedback, database.events
    onboarding = Onboarding(catalogue, load_quiz_data(settings.knowledge_dir), progress)
    images = (lambda: build_image_reviewer(reviewer)) if reviewer is not None else None
    return Assistant(answerer, catalogue, retriever, reviewer=reviewer, onboarding=onboarding,
                     default_org=settings.default_org, feedback=feedback, events=events,
                     images=images)


def build_image_reviewer(reviewer):
    """The image check: Pillow codec, OpenCV face cascade, Tesseract OCR, EXIF reader."""
    from bot.core.image import ImageReviewer
    from bot.infra.faces import HaarFaceDetector
    from bot.infra.images import ExifMetadataReader, PillowCodec
    from bot.infra.ocr import TesseractReader

    return ImageReviewer(reviewer, PillowCodec(), HaarFaceDetector(), TesseractReader(), ExifMetadataReader())
