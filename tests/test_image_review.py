"""The image check on real images: photographs shipped in the scikit-image
wheel and images rendered here with Pillow. Real components throughout: the
Pillow codec, OpenCV's bundled face cascade, Tesseract (nld+eng), the EXIF
reader and the draft Reviewer over the real knowledge base (its catalogue is
built from knowledge/ directly, so no embedding model is needed)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import image_samples as S
from bot.core.image import MAX_IMAGE_BYTES, InvalidImage, layout

REPO = Path(__file__).resolve().parent.parent
BOTH = ["leiden", "rocwb"]

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="tesseract-ocr is not installed (apt-get install tesseract-ocr tesseract-ocr-nld)")


@pytest.fixture(scope="module")
def reviewer():
    from bot.container import build_image_reviewer, load_organisations
    from bot.core.catalogue import Catalogue
    from bot.core.review import Reviewer
    from ingest.documents import load_knowledge

    knowledge = load_knowledge(REPO / "knowledge")
    catalogue = Catalogue(knowledge.passages, load_organisations(REPO / "knowledge"))
    return build_image_reviewer(Reviewer(catalogue))


def rules(result, kind=None):
    return [f for f in result.findings if kind is None or f.rule == kind]


def covers(box, target, slack=6):
    x, y, w, h = box
    tx, ty, tw, th = target
    return x - slack <= tx and y - slack <= ty and x + w + slack >= tx + tw and y + h + slack >= ty + th


# ---------------------------------------------------------------- faces

def test_astronaut_has_a_face_and_a_privacy_finding_citing_consent(reviewer):
    result = reviewer.review_image(S.encode(S.skimage_photo("astronaut")), BOTH)
    assert result.image.faces >= 1
    [face] = [f for f in rules(result, "privacy")]
    assert face.severity == "high"  # a prominent face
    assert any("zonder toestemming" in c.quote for c in face.citations)
    x, y, w, h = face.box
    assert 0 <= x and 0 <= y and x + w <= 512 and y + h <= 512 and w > 40
    assert result.verdict == "do_not_post"
    d = result.to_dict()
    assert "box" in d["findings"][0] and "start" not in d["findings"][0] and "end" not in d["findings"][0]


@pytest.mark.parametrize("name", ["coffee", "chelsea", "rocket"])
def test_photos_without_people_have_no_face_finding(reviewer, name):
    result = reviewer.review_image(S.encode(S.skimage_photo(name), "JPEG"), BOTH)
    assert result.image.faces == 0
    assert not [f for f in result.findings if f.rule == "privacy"]
    assert result.verdict == "ok"


def test_a_small_background_face_is_medium(reviewer):
    photo = S.skimage_photo("astronaut").resize((400, 400))  # face ~70 px: 4.5% of the height
    scene = Image.new("RGB", (2400, 1600), (120, 140, 160))
    scene.paste(photo, (1900, 100))
    result = reviewer.review_image(S.encode(scene, "JPEG"), BOTH)
    assert result.image.faces == 1
    assert [f.severity for f in rules(result, "privacy")] == ["medium"]
    assert result.verdict == "caution"


# ---------------------------------------------------------------- text in images

def test_class_list_gives_bsn_and_name_with_grade_with_covering_boxes(reviewer):
    img, lines = S.class_list()
    result = reviewer.review_image(S.encode(img), BOTH)
    assert result.image.text_found
    bsn = [f for f in rules(result, "personal_data") if "111222333" in f.excerpt]
    assert bsn and bsn[0].severity == "high"
    assert covers(bsn[0].box, _word_box(img, lines[6]))
    grades = rules(result, "privacy")
    assert grades and grades[0].severity == "high"
    for row in lines[2:6]:  # every name-with-grade row is inside the box
        assert covers(grades[0].box, row)
    assert result.verdict == "do_not_post"


def _word_box(img, line_box):
    """The BSN is the last word of its line: its box is the right end of the line."""
    x, y, w, h = line_box
    return x + w - 150, y, 150, h


def test_whiteboard_exam_question_is_confidential(reviewer):
    img, lines = S.whiteboard()
    result = reviewer.review_image(S.encode(img, "JPEG"), BOTH)
    exam = [f for f in rules(result, "confidential")]
    assert exam and exam[0].severity == "high"
    assert covers(exam[0].box, (lines[1][0], lines[1][1], 200, lines[1][3]))


def test_text_in_image_uses_the_caption_language(reviewer):
    img, _ = S.render_lines(["VERTROUWELIJK", "Reorganisatieplan faculteit 2027"], size=34, width=900)
    result = reviewer.review_image(S.encode(img), BOTH, caption="Look what I found on the printer!")
    assert result.review.language == "en"
    [conf] = [f for f in rules(result, "confidential") if f.box is not None]
    assert conf.message.startswith("The draft marks")


def test_caption_findings_keep_offsets_and_image_findings_boxes(reviewer):
    caption = "Mail me op j.jansen@gmail.com voor de foto's"
    result = reviewer.review_image(S.encode(S.skimage_photo("astronaut")), BOTH, caption=caption)
    text = [f for f in result.findings if f.box is None]
    assert any(caption[f.start:f.end] == "j.jansen@gmail.com" for f in text)
    assert any(f.box is not None and f.rule == "privacy" for f in result.findings)


def test_layout_joins_table_cells_on_one_row():
    from bot.core.image import OcrWord

    words = [OcrWord("Jan", (10, 10, 30, 12), (1, 1, 1)), OcrWord("Vries", (45, 10, 40, 12), (1, 1, 1)),
             OcrWord("7,5", (300, 11, 20, 12), (2, 1, 1)), OcrWord("Piet", (10, 40, 30, 12), (1, 1, 2))]
    text, boxes = layout(words)
    assert text == "Jan Vries  7,5\nPiet"
    assert [text[s:e] for s, e, _ in boxes] == ["Jan", "Vries", "7,5", "Piet"]


# ---------------------------------------------------------------- metadata and the safe copy

def test_gps_jpeg_gives_a_location_finding(reviewer):
    result = reviewer.review_image(S.with_gps(S.skimage_photo("coffee")), BOTH)
    assert result.image.location
    [loc] = [f for f in rules(result, "personal_data") if f.excerpt.startswith("GPS")]
    assert loc.severity == "medium" and loc.box == (0, 0, 600, 400)
    assert "52.16" in loc.excerpt
    clean = reviewer.review_image(S.encode(S.skimage_photo("coffee"), "JPEG"), BOTH)
    assert not clean.image.location and not clean.findings


def test_safe_copy_has_no_metadata_and_blurred_faces(reviewer):
    original = S.skimage_photo("astronaut")
    result = reviewer.review_image(S.with_gps(original), BOTH, safe_copy="JPEG")
    copy = Image.open(io.BytesIO(result.safe_copy))
    assert copy.size == original.size
    assert not copy.getexif() and "exif" not in copy.info and "xmp" not in copy.info
    assert reviewer.review_image(result.safe_copy, BOTH).image.location is False
    a, b = np.asarray(original, dtype=float), np.asarray(copy.convert("RGB"), dtype=float)
    for f in rules(result, "privacy"):
        x, y, w, h = f.box
        face_diff = np.abs(a[y:y + h, x:x + w] - b[y:y + h, x:x + w]).mean()
        assert face_diff > 12, face_diff  # the face is gone
    outside = np.abs(a[:, :100] - b[:, :100]).mean()
    assert outside < 4  # the rest is the photo (JPEG noise only)
    # No face is found in the safe copy.
    assert reviewer.review_image(result.safe_copy, BOTH).image.faces == 0


def test_safe_copy_blurs_flagged_text(reviewer):
    img, _ = S.class_list()
    result = reviewer.review_image(S.encode(img), BOTH, safe_copy="PNG")
    again = reviewer.review_image(result.safe_copy, BOTH)
    assert not [f for f in again.findings if f.severity == "high"]


# ---------------------------------------------------------------- formats and limits

@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_supported_formats(reviewer, fmt):
    result = reviewer.review_image(S.encode(S.skimage_photo("astronaut"), fmt), BOTH)
    assert result.image.faces >= 1


def test_heic_is_read():
    pillow_heif = pytest.importorskip("pillow_heif")
    from bot.infra.images import PillowCodec

    out = io.BytesIO()
    pillow_heif.from_pillow(S.skimage_photo("chelsea")).save(out, quality=80)
    picture = PillowCodec().open(out.getvalue())
    assert (picture.width, picture.height) == (451, 300)


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"hello, this is text", "not an image"),
    (S.encode(Image.new("RGB", (40, 40)), "GIF"), "not supported"),
    (S.encode(Image.new("RGB", (40, 40)), "BMP"), "not supported"),
    (S.encode(S.skimage_photo("coffee"), "JPEG")[:3000], "damaged"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "not an image"),
])
def test_bad_input_is_a_one_line_error(reviewer, data, message):
    with pytest.raises(InvalidImage) as info:
        reviewer.review_image(data, BOTH)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_limits_bytes_and_pixels(reviewer):
    with pytest.raises(InvalidImage, match="limit is 10 MB"):
        reviewer.review_image(b"\xff\xd8" + b"\x00" * MAX_IMAGE_BYTES, BOTH)
    # 8000 x 6000 = 48 MP of one colour: tiny as PNG, refused from the header.
    big = S.encode(Image.new("L", (8000, 6000)), "PNG")
    assert len(big) < 1_000_000
    with pytest.raises(InvalidImage, match="megapixels"):
        reviewer.review_image(big, BOTH)


def test_nothing_is_logged_or_written(reviewer, caplog, tmp_path, monkeypatch):
    import logging
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    caplog.set_level(logging.DEBUG)
    img, _ = S.class_list()
    reviewer.review_image(S.encode(img), BOTH, safe_copy="JPEG")
    assert "111222333" not in caplog.text and "Vries" not in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_ocr_finds_the_identifiers_in_rendered_dutch_and_english_text():
    """A sample of the bench's 20 images (bench/image_bench.py runs all 20)."""
    from bot.infra.images import PillowCodec
    from bot.infra.ocr import TesseractReader

    reader, codec = TesseractReader(), PillowCodec()
    found = total = 0
    for img, wanted in S.ocr_set(20)[:6]:
        text, _ = layout(reader.read(codec.open(S.encode(img))))
        total += len(wanted)
        found += sum(w in text for w in wanted)
    assert found / total >= 0.9, (found, total)


def test_nothing_is_downloaded_during_a_check(reviewer, monkeypatch):
    """The models are files inside installed packages: any connection other
    than loopback fails the check."""
    import socket

    real = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            raise AssertionError(f"network access to {host}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    from bot.infra.faces import HaarFaceDetector

    HaarFaceDetector()  # loading the model
    result = reviewer.review_image(S.encode(S.skimage_photo("astronaut")), BOTH, safe_copy="JPEG")
    assert result.image.faces == 1
