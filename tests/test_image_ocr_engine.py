"""Tesseract in process (tesserocr) and as a subprocess read the same words
in the same places: the in-process engine is only a faster way to run it."""

from __future__ import annotations

import shutil

import pytest

import image_samples as S
from bot.core.image import layout

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")


def test_in_process_and_subprocess_tesseract_agree_on_the_class_list():
    pytest.importorskip("tesserocr")
    from bot.infra.images import PillowCodec
    from bot.infra.ocr import TesseractReader

    img, lines = S.class_list()
    picture = PillowCodec().open(S.encode(img))
    in_process = TesseractReader()
    words = in_process.read(picture)
    assert in_process._api is not None, "tesserocr is installed but the subprocess was used"
    by_subprocess = TesseractReader(binary=shutil.which("tesseract")).read(picture)
    assert by_subprocess and in_process._tessdata is not None
    text, _ = layout(words)
    for wanted in ("111222333", "Pieter Bakker", "Jan de Vries"):
        assert wanted in text
    assert layout(by_subprocess)[0].split() == text.split()
    # Same boxes, to a pixel or two: the finding boxes cover the same text.
    for a, b in zip(words, by_subprocess):
        assert a.text == b.text and all(abs(p - q) <= 2 for p, q in zip(a.box, b.box))
    # A second image reuses the loaded models and gives the same words.
    assert [w.text for w in in_process.read(picture)] == [w.text for w in words]


def test_without_language_data_the_reader_says_so_instead_of_crashing(monkeypatch):
    from bot.core.image import ReaderUnavailable
    from bot.infra import ocr
    from bot.infra.images import PillowCodec

    monkeypatch.setattr(ocr, "tessdata_dir", lambda languages=ocr.LANGUAGES: None)
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    reader = ocr.TesseractReader()
    assert not reader.available()
    img, _ = S.class_list()
    with pytest.raises(ReaderUnavailable):
        reader.read(PillowCodec().open(S.encode(img)))
