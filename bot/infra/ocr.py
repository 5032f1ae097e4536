"""Text in images: Tesseract OCR (Debian's tesseract-ocr with the nld and eng
language data), run as a subprocess over pipes.

The image goes to Tesseract on stdin and the words come back on stdout, so
nothing touches the disk. Tesseract is limited to one thread: the face
detector runs beside it on the other core.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess

from bot.core.image import OcrWord, ReaderUnavailable

LANGUAGES = "nld+eng"
OCR_SIDE = 2400        # long side Tesseract sees; larger photos are scaled down
MIN_CONFIDENCE = 0     # Tesseract word confidence; -1 marks non-words. Correct all-caps words
                       # ("VERTROUWELIJK") come back with confidence ~15, so the rules see every word
TIMEOUT_S = 20


class TesseractReader:
    """The TextReader port."""

    def __init__(self, binary: str | None = None, languages: str = LANGUAGES, psm: int = 3) -> None:
        self.binary = binary or shutil.which("tesseract")
        self.languages = languages
        self.psm = psm
        self.name = f"tesseract:{languages}"

    def available(self) -> bool:
        return self.binary is not None

    def read(self, picture) -> list[OcrWord]:
        if self.binary is None:
            raise ReaderUnavailable("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-nld)")
        img = picture.image
        scale = min(1.0, OCR_SIDE / max(img.width, img.height))
        if scale < 1.0:
            img = img.resize((round(img.width * scale), round(img.height * scale)))
        buf = io.BytesIO()
        img.convert("L").save(buf, "PPM")  # raw greyscale (PGM): no time spent compressing
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(
                [self.binary, "stdin", "stdout", "-l", self.languages, "--psm", str(self.psm), "tsv"],
                input=buf.getvalue(), capture_output=True, timeout=TIMEOUT_S, env=env, check=False,
            )
        except subprocess.TimeoutExpired:
            raise ReaderUnavailable("text recognition took too long") from None
        if done.returncode != 0:
            # stderr may echo nothing of the image; still, keep only its first line's kind
            raise ReaderUnavailable(f"tesseract failed (exit {done.returncode})")
        return parse_tsv(done.stdout.decode("utf-8", errors="replace"), scale)


def parse_tsv(tsv: str, scale: float = 1.0) -> list[OcrWord]:
    words: list[OcrWord] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        if not text or conf < MIN_CONFIDENCE:
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        line = (int(cols[2]), int(cols[3]), int(cols[4]))
        words.append(OcrWord(text=text, box=(round(left / scale), round(top / scale), round(width / scale),
                                             round(height / scale)), line=line, confidence=conf))
    return words
