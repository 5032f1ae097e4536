"""Training the review's semantic layer at start-up, from data: the dev
bank's labelled drafts, embedded through the Embedder port (vectors cached by
text hash and embedder name), the fitted model cached by the bank's content
fingerprint. A changed bank or embedder trains again; nothing is hard-coded."""

from __future__ import annotations

import dataclasses
import logging
import pickle
import sys
import time
from pathlib import Path

from bot.infra.atomic import write_atomically
from bot.lazy import OnFirstUse

log = logging.getLogger(__name__)

TRAIN_SPLIT = "dev"   # the locked test split is never trained or tuned on
GIL_SWITCH_S = 0.001


def split_files(folder: Path, split: str) -> list[Path]:
    """A split's files in a folder of labelled data: <split>.yaml and any
    <split>-*.yaml beside it."""
    return sorted(p for p in Path(folder).glob(f"{split}*.yaml") if p.stem == split or p.stem.startswith(split + "-"))


def bank_files(knowledge_dir: Path, split: str = TRAIN_SPLIT) -> list[Path]:
    """A split's draft files. The classifier trains on the dev files only, never a test file."""
    return split_files(Path(knowledge_dir) / "review" / "examples", split)


def read_bank(knowledge_dir: Path, split: str = TRAIN_SPLIT) -> list:
    """Every draft of a split's files, each with its file's stem: [(stem, BankDraft)]."""
    from bot.core.review import RULE_IDS
    from bot.core.review.bank import parse_bank
    from bot.yamlio import read_yaml

    return [(p.stem, d) for p in bank_files(knowledge_dir, split)
            for d in parse_bank(read_yaml(p), RULE_IDS, source=str(p))]


def clearing_files(knowledge_dir: Path, split: str = TRAIN_SPLIT) -> list[Path]:
    """The labelled clearing sentences of a split (knowledge/review/clearing/<split>-*.yaml)."""
    return split_files(Path(knowledge_dir) / "review" / "clearing", split)


def read_clearing(knowledge_dir: Path, split: str = TRAIN_SPLIT) -> list:
    """Every clearing sentence of a split's files (clearing.py)."""
    from bot.core.review.clearing import parse_clearing
    from bot.yamlio import read_yaml

    return [s for p in clearing_files(knowledge_dir, split) for s in parse_clearing(read_yaml(p), source=str(p))]


def load_or_train(knowledge_dir: Path, embeddings, cache_dir: Path | None, institutions, progress=None,
                  announce=None):
    """`institutions`: the reviewer's (names that are not people's names), the
    same in training and in serving. `progress(done, total)` follows the
    embedding of the bank when it is not cached yet; `announce(line)` says
    when training starts."""
    if not bank_files(knowledge_dir):
        return None
    # Trained (or loaded) on first use: a process that never reviews never pays for it.
    return OnFirstUse(lambda: _load_or_train_now(Path(knowledge_dir), embeddings, cache_dir, institutions,
                                                 progress, announce))


def _load_or_train_now(knowledge_dir: Path, embeddings, cache_dir: Path | None, institutions, progress=None,
                       announce=None):
    from bot.core.review import RULE_IDS
    from bot.core.review.engine import Reviewer
    from bot.core.review.layer import SemanticLayer
    from bot.core.review.semantic import train
    from bot.infra.vector_cache import CachedVectors

    drafts = [d for _, d in read_bank(knowledge_dir)]
    clearing = read_clearing(knowledge_dir)
    vectors = CachedVectors(embeddings, cache_dir, progress=progress)
    name = vectors.name
    model_path = _model_path(drafts, name, institutions, cache_dir, clearing)
    model = None
    if model_path and model_path.exists():
        try:
            # Read from the file, not its bytes: the 130 MB of bytes and the
            # model would be in memory together (peak RSS 374 -> 253 MB).
            with model_path.open("rb") as f:
                model = pickle.load(f)
        except Exception:  # a torn or stale file: train again
            model = None
    if model is not None and model.institutions != institutions:
        # Trained with institutions that give the bank the same cues: it serves
        # these ones, and reads drafts with their names.
        model = dataclasses.replace(model, institutions=institutions)
    if model is None:
        line = (f"training the review classifier on {len(drafts):,} labelled drafts "
                "(once per bank and embedder, then cached)")
        log.info(line)
        if announce is not None:
            announce(line)
        started = time.perf_counter()
        model = train(drafts, RULE_IDS, vectors, name, Reviewer._hits, institutions, clearing=clearing)
        log.info("review classifier trained on %d drafts (%d segments) in %.1f s",
                 len(drafts), model.info.get("segments", 0), time.perf_counter() - started)
        if model_path:
            _save(model_path, pickle.dumps(model))
    # The review's matrices are tiny (a few segments x 400): BLAS threads only
    # wait on each other on a busy 2-core machine (k-NN step 41 ms -> <1 ms).
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    # A review's two threads hand the GIL back and forth: one returns from
    # ONNX Runtime (which lets go of it) while the other runs the patterns in
    # Python. At the default 5 ms switch interval the returning thread waits
    # up to 5 ms each time, and its core idles. 2,000-character reviews, 250
    # each way, interleaved, 2-core AMD EPYC: p50 103.5 -> 100.1 ms, p95
    # 110.3 -> 106.2 ms, the same CPU per review; 200 characters alike.
    sys.setswitchinterval(GIL_SWITCH_S)
    # At review time drafts are embedded directly: a user's text is never cached.
    return SemanticLayer(model, _direct(embeddings))


def _model_path(drafts, embedder_name: str, institutions, cache_dir: Path | None, clearing=()) -> Path | None:
    """The model's file, keyed by what training reads of the institutions
    (`cue_digest`), not by the institutions themselves: adding one that the
    labelled drafts never name reuses the trained model instead of training
    for minutes. The digest is remembered per set of institutions and per
    version of the review's code: a changed pattern changes the cues, so the
    remembered digest would name a model trained on the old ones."""
    from bot.core.review import RULE_IDS
    from bot.core.review.engine import Reviewer
    from bot.core.review.semantic import bank_fingerprint, cue_digest

    if cache_dir is None:
        return None
    key = cache_dir / f"review-cues-{bank_fingerprint(drafts, embedder_name, institutions)}-{review_code_digest()}.txt"
    try:
        digest = key.read_text().strip()
    except OSError:
        digest = ""
    if not digest:
        digest = cue_digest(drafts, RULE_IDS, Reviewer._hits, institutions)
        _save(key, digest.encode())
    return cache_dir / f"review-model-{bank_fingerprint(drafts, embedder_name, digest, clearing)}.pkl"


def review_code_digest(root: Path | None = None) -> str:
    """The review package's source (the patterns and everything the cues are
    read with). Only the remembered cue digest is keyed by it: a comment's
    change costs one cue digest (~20 s), and training again only when the
    cues themselves changed."""
    import hashlib

    import bot.core.review as review

    root = Path(root or Path(review.__file__).parent)
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def _save(path: Path, data: bytes) -> None:
    """Into the shared cache (a read-only cache is not an error: the file is made again next time)."""
    write_atomically(path, lambda tmp: tmp.write_bytes(data))


def _direct(embeddings):
    import numpy as np

    from bot.infra.embedders import embed_features

    def embed(texts):
        return np.asarray(embed_features(embeddings, texts), dtype=np.float32)

    return embed
