"""Image review: "can I post this photo?" checked on the photo itself.

Faces, text in the image and the file's metadata are found by detectors
behind ports (bot.core.ports); the recognised text goes through the same
draft review as a typed draft, and every finding is cited like one. Image
findings carry a pixel box instead of character offsets.

The image and its text are data: never stored, never logged.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

from bot.core.models import Finding, Language, Review
from bot.core.review.engine import MAX_DRAFT_CHARS, InvalidDraft, verdict_of

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000

# A face is "prominent" (high) when its box is at least this share of the
# image's shorter side; smaller ones are background faces (medium).
PROMINENT_FACE = 0.08
MAX_FACE_FINDINGS = 8
FACE_MARGIN = 0.25     # blur a little beyond the detected box: hair, ears, chin
TEXT_MARGIN = 0.15

Box = tuple[int, int, int, int]


class InvalidImage(ValueError):
    """Unreadable, oversized, corrupt or unsupported: one line, for the user."""


class ReaderUnavailable(RuntimeError):
    """The OCR engine is missing or failed; the rest of the check still runs."""


@dataclass(frozen=True)
class ImageMetadata:
    location: tuple[float, float] | None = None
    taken: str | None = None
    owner: bool = False


@dataclass(frozen=True)
class OcrWord:
    text: str
    box: Box
    line: tuple  # the reader's line key: words with the same key are one line
    confidence: float = 100.0


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    faces: int
    text_found: bool
    location: bool

    def to_dict(self) -> dict:
        return {"width": self.width, "height": self.height, "faces": self.faces,
                "text_found": self.text_found, "location": self.location}


@dataclass(frozen=True)
class ImageReview:
    review: Review
    image: ImageInfo
    safe_copy: bytes | None = None     # the blurred, metadata-free copy, when asked for
    text_read: bool = True             # False when OCR was unavailable

    @property
    def verdict(self) -> str:
        return self.review.verdict

    @property
    def findings(self):
        return self.review.findings

    def to_dict(self) -> dict:
        out = self.review.to_dict()
        out["image"] = self.image.to_dict()
        return out


# ---------------------------------------------------------------- OCR text

def layout(words: Sequence[OcrWord]) -> tuple[str, list[tuple[int, int, Box]]]:
    """The recognised words as text, one visual row per line, and each word's
    (start, end, box) in it. Lines the reader split into blocks (the columns
    of a table) but that sit at the same height are one row, so "Jan de Vries"
    and "7,5" stay on one line as on the page."""
    lines: dict[tuple, list[OcrWord]] = {}
    for w in words:
        lines.setdefault(w.line, []).append(w)
    spans = []
    for ws in lines.values():
        ws.sort(key=lambda w: w.box[0])
        top = min(w.box[1] for w in ws)
        bottom = max(w.box[1] + w.box[3] for w in ws)
        spans.append((top, bottom, min(w.box[0] for w in ws), ws))
    spans.sort(key=lambda s: (s[0], s[2]))
    rows: list[list] = []
    for top, bottom, left, ws in spans:
        height = bottom - top
        for row in rows:
            r_top, r_bottom = row[0], row[1]
            overlap = min(bottom, r_bottom) - max(top, r_top)
            if overlap >= 0.5 * min(height, r_bottom - r_top):
                row[2].append((left, ws))
                row[0], row[1] = min(top, r_top), max(bottom, r_bottom)
                break
        else:
            rows.append([top, bottom, [(left, ws)]])
    parts: list[str] = []
    boxes: list[tuple[int, int, Box]] = []
    pos = 0
    for r, (_, _, segments) in enumerate(rows):
        if r:
            parts.append("\n")
            pos += 1
        for s, (_, ws) in enumerate(sorted(segments, key=lambda seg: seg[0])):
            if s:
                parts.append("  ")
                pos += 2
            for i, w in enumerate(ws):
                if i:
                    parts.append(" ")
                    pos += 1
                parts.append(w.text)
                boxes.append((pos, pos + len(w.text), w.box))
                pos += len(w.text)
    return "".join(parts), boxes


def union(boxes: Sequence[Box]) -> Box:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def box_of(start: int, end: int, words: Sequence[tuple[int, int, Box]]) -> Box | None:
    hit = [b for s, e, b in words if s < end and start < e]
    return union(hit) if hit else None


def grow(box: Box, margin: float, width: int, height: int) -> Box:
    x, y, w, h = box
    dx, dy = round(w * margin), round(h * margin)
    x0, y0 = max(0, x - dx), max(0, y - dy)
    x1, y1 = min(width, x + w + dx), min(height, y + h + dy)
    return x0, y0, x1 - x0, y1 - y0


TEXT_CONFIDENCE = 60   # a word the reader is this sure of is text, not texture


def has_text(words: Sequence[OcrWord]) -> bool:
    """Real text, not OCR noise on texture: a confident word of 3+ letters or digits."""
    return any(w.confidence >= TEXT_CONFIDENCE and sum(c.isalnum() for c in w.text) >= 3 for w in words)


# ---------------------------------------------------------------- the check

class ImageReviewer:
    def __init__(self, reviewer, codec, faces, reader, metadata) -> None:
        self.reviewer = reviewer      # the draft Reviewer: text findings and citations
        self.codec = codec            # ImageCodec port
        self.faces = faces            # FaceDetector port
        self.reader = reader          # TextReader port (OCR)
        self.metadata = metadata      # MetadataReader port
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr")

    def review_image(self, data: bytes, orgs: Sequence[str], caption: str | None = None,
                     safe_copy: str | None = None, language: Language | None = None) -> ImageReview:
        """Check an image (and its caption). `safe_copy` is a format ("JPEG",
        "PNG", "WEBP") for the blurred copy, or None for no copy."""
        picture = self.codec.open(data)      # InvalidImage on bad input
        meta = self.metadata.read(data)
        # OCR (a subprocess) on the other core while the faces are found here.
        ocr = self._pool.submit(self._read, picture)
        faces = sorted(self.faces.detect(picture), key=lambda b: -(b[2] * b[3]))
        words, text_read = ocr.result()
        width, height = picture.width, picture.height

        caption_review = None
        if caption and caption.strip():
            caption_review = self.reviewer.review(caption[:MAX_DRAFT_CHARS], orgs, language)
            language = caption_review.language
        text, word_boxes = layout(words)
        text_review = None
        if text.strip():
            try:
                text_review = self.reviewer.review(text[:MAX_DRAFT_CHARS], orgs, language)
                language = language or text_review.language
            except InvalidDraft:
                text_review = None  # only characters the review drops: nothing to check
        language = language or "nl"

        findings: list[Finding] = []
        if caption_review is not None:
            findings.extend(caption_review.findings)
        blur: list[Box] = []
        for box in faces:
            blur.append(grow(box, FACE_MARGIN, width, height))
        shorter = min(width, height)
        for box in faces[:MAX_FACE_FINDINGS]:
            prominent = max(box[2], box[3]) >= PROMINENT_FACE * shorter
            f = self.reviewer.image_finding("privacy", "face", "high" if prominent else "medium", box, "",
                                            orgs, language)
            if f is not None:
                findings.append(f)
        if text_review is not None:
            for f in text_review.findings:
                box = box_of(f.start, f.end, word_boxes)
                if box is None:
                    continue
                findings.append(Finding(rule=f.rule, severity=f.severity, start=0, end=0, excerpt=f.excerpt,
                                        message=f.message, suggestion=f.suggestion, citations=f.citations,
                                        box=box))
                blur.append(grow(box, TEXT_MARGIN, width, height))
        whole = (0, 0, width, height)
        if meta.location is not None:
            lat, lon = meta.location
            f = self.reviewer.image_finding("personal_data", "location", "medium", whole,
                                            f"GPS {lat:.4f}, {lon:.4f}", orgs, language)
            if f is not None:
                findings.append(f)
        if meta.owner or meta.taken:
            f = self.reviewer.image_finding("personal_data", "metadata", "low", whole, "EXIF", orgs, language)
            if f is not None:
                findings.append(f)

        related = (caption_review.related if caption_review and caption_review.related
                   else text_review.related if text_review else ())
        review = Review(verdict=verdict_of(findings), language=language, findings=tuple(findings),
                        related=tuple(related))
        info = ImageInfo(width=width, height=height, faces=len(faces), text_found=has_text(words),
                         location=meta.location is not None)
        copy = self.codec.safe_copy(picture, blur, safe_copy) if safe_copy else None
        return ImageReview(review=review, image=info, safe_copy=copy, text_read=text_read)

    def _read(self, picture) -> tuple[list[OcrWord], bool]:
        try:
            return list(self.reader.read(picture)), True
        except ReaderUnavailable:
            return [], False
