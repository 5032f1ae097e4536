"""The core image check with fakes of its ports (fast): face severity, text
findings mapped to word boxes, metadata findings, verdicts, the caption, and
a missing OCR engine. The draft Reviewer is the real one over the real
knowledge base (no embedding model needed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.image import ImageMetadata, ImageReviewer, OcrWord, ReaderUnavailable

REPO = Path(__file__).resolve().parent.parent
BOTH = ["leiden", "rocwb"]


@dataclass
class FakePicture:
    width: int
    height: int


class FakeCodec:
    def __init__(self, width=1000, height=800):
        self.size = (width, height)
        self.blurred = None

    def open(self, data):
        return FakePicture(*self.size)

    def safe_copy(self, picture, boxes, fmt="JPEG"):
        self.blurred = list(boxes)
        return b"copy:" + fmt.encode()


class FakeFaces:
    name = "fake"

    def __init__(self, boxes=()):
        self.boxes = list(boxes)

    def detect(self, picture):
        return list(self.boxes)


class FakeReader:
    name = "fake"

    def __init__(self, lines=(), fail=False):
        self.lines, self.fail = lines, fail

    def read(self, picture):
        if self.fail:
            raise ReaderUnavailable("no OCR here")
        words = []
        for row, line in enumerate(self.lines):
            x = 10
            for word in line.split():
                words.append(OcrWord(word, (x, 20 + 40 * row, 12 * len(word), 30), (1, 1, row), 95.0))
                x += 12 * len(word) + 10
        return words


class FakeMetadata:
    def __init__(self, meta=ImageMetadata()):
        self.meta = meta

    def read(self, data):
        return self.meta


@pytest.fixture(scope="module")
def reviewer():
    from bot.container import load_organisations
    from bot.core.catalogue import Catalogue
    from bot.core.review import Reviewer
    from ingest.documents import load_knowledge

    knowledge = load_knowledge(REPO / "knowledge")
    return Reviewer(Catalogue(knowledge.passages, load_organisations(REPO / "knowledge")))


def check(reviewer, faces=(), lines=(), meta=ImageMetadata(), caption=None, fail=False, copy=None, orgs=BOTH):
    codec = FakeCodec()
    images = ImageReviewer(reviewer, codec, FakeFaces(faces), FakeReader(lines, fail), FakeMetadata(meta))
    return images.review_image(b"bytes", orgs, caption=caption, safe_copy=copy), codec


def test_prominent_face_is_high_and_background_face_medium(reviewer):
    result, _ = check(reviewer, faces=[(100, 100, 200, 200), (900, 700, 30, 30)])
    sev = sorted((f.box[2], f.severity) for f in result.findings if f.rule == "privacy")
    assert sev == [(30, "medium"), (200, "high")]
    assert result.verdict == "do_not_post" and result.image.faces == 2
    only_small, _ = check(reviewer, faces=[(900, 700, 30, 30)])
    assert only_small.verdict == "caution"


def test_no_faces_no_text_no_metadata_is_ok(reviewer):
    result, _ = check(reviewer)
    assert result.verdict == "ok" and not result.findings
    assert result.to_dict()["image"] == {"width": 1000, "height": 800, "faces": 0, "text_found": False,
                                         "location": False}


def test_text_findings_carry_the_box_of_their_words(reviewer):
    result, _ = check(reviewer, lines=["Contact", "mail piet.jansen@gmail.com graag"])
    [mail] = [f for f in result.findings if f.rule == "personal_data"]
    assert mail.excerpt == "piet.jansen@gmail.com"
    # "mail" is 4 letters at x=10; the address starts at 10 + 48 + 10 = 68 on the second row
    assert mail.box == (68, 60, 12 * 21, 30)
    d = mail.to_dict()
    assert d["box"] == [68, 60, 252, 30] and "start" not in d and "end" not in d


def test_gps_and_owner_metadata(reviewer):
    result, _ = check(reviewer, meta=ImageMetadata(location=(52.1, 4.5), taken="2026:01:01 10:00:00", owner=True))
    kinds = sorted((f.severity, f.excerpt) for f in result.findings)
    assert kinds == [("low", "EXIF"), ("medium", "GPS 52.1000, 4.5000")]
    assert all(f.box == (0, 0, 1000, 800) for f in result.findings)
    assert result.image.location and result.verdict == "caution"


def test_safe_copy_blurs_faces_and_flagged_text_only(reviewer):
    result, codec = check(reviewer, faces=[(100, 100, 200, 200)], lines=["BSN 111222333", "Welkom op de open dag"],
                          copy="PNG")
    assert result.safe_copy == b"copy:PNG"
    assert len(codec.blurred) == 2  # the face and the BSN, not the welcome line
    face = codec.blurred[0]
    assert face[0] < 100 and face[1] < 100 and face[2] > 200  # with a margin
    bsn = codec.blurred[1]
    assert bsn[1] < 60  # on the first row


def test_caption_sets_the_language_of_every_finding(reviewer):
    result, _ = check(reviewer, faces=[(100, 100, 200, 200)], lines=["VERTROUWELIJK concept"],
                      caption="Can I post this picture of my team?")
    assert result.review.language == "en"
    face = [f for f in result.findings if f.rule == "privacy" and f.box is not None][0]
    assert face.message.startswith("The photo shows")


def test_missing_ocr_still_checks_faces(reviewer):
    result, _ = check(reviewer, faces=[(100, 100, 200, 200)], fail=True)
    assert not result.text_read and result.image.faces == 1 and result.verdict == "do_not_post"


def test_one_organisation_cites_only_its_guidelines(reviewer):
    result, _ = check(reviewer, faces=[(100, 100, 200, 200)], orgs=["rocwb"])
    [face] = result.findings
    assert {c.organisation for c in face.citations} == {"ROC West-Brabant"}
