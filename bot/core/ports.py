"""Ports: the small interfaces through which the core reaches infrastructure."""

from __future__ import annotations

from typing import Protocol, Sequence

from bot.core.models import Passage


class Embedder(Protocol):
    """Turns text into vectors. Queries and passages may be embedded differently
    (e5 models prefix them), so the two are separate calls."""

    name: str

    def embed_query(self, text: str) -> list[float]: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...


class PassageStore(Protocol):
    """The vector store holding ingested passages."""

    def search(
        self, vector: Sequence[float], k: int, orgs: Sequence[str] | None = None
    ) -> list[tuple[Passage, float]]:
        """Nearest passages with a similarity in [0, 1], best first."""
        ...

    def all(self) -> list[Passage]: ...

    def count(self) -> int: ...

    def ping(self) -> bool: ...


class LexicalIndex(Protocol):
    """Exact-term search (BM25) over the same passages."""

    def search(
        self, query: str, k: int, orgs: Sequence[str] | None = None
    ) -> list[tuple[Passage, float]]: ...


class LanguageModel(Protocol):
    """Optional LLM. When absent, answers are built from the knowledge base only."""

    def complete(self, prompt: str) -> str: ...


# ---------------------------------------------------------------- images
# A "picture" is whatever the codec decodes to; the core only reads its
# `width` and `height` and hands it back to the detectors and the codec.
Box = tuple[int, int, int, int]  # x, y, width, height in pixels


class ImageCodec(Protocol):
    """Decodes image bytes (within the limits, else InvalidImage) and writes
    safe copies: boxes blurred, no metadata."""

    def open(self, data: bytes): ...

    def safe_copy(self, picture, boxes: Sequence[Box], fmt: str = "JPEG") -> bytes: ...


class FaceDetector(Protocol):
    name: str

    def detect(self, picture) -> list[Box]: ...


class TextReader(Protocol):
    """OCR: the words in a picture with their boxes (bot.core.image.OcrWord)."""

    name: str

    def read(self, picture) -> list: ...


class MetadataReader(Protocol):
    """GPS position, date and owner fields of the original file (bot.core.image.ImageMetadata)."""

    def read(self, data: bytes): ...
