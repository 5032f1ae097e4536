"""Text in images: Tesseract OCR (Debian's tesseract-ocr with the nld and eng
language data).

In process through tesserocr where it is installed: the language models load
once per process (a Tesseract subprocess spends ~0.3 s CPU reloading them on
every image) and the greyscale pixels are handed over as raw bytes. Without
tesserocr, Tesseract runs as a subprocess over pipes. Either way nothing
touches the disk, and Tesseract uses one thread: the face detector runs beside
it on the other core.
"""

from __future__ import annotations

import glob
import io
import os
import shutil
import subprocess
import threading

from bot.core.image import OcrWord, ReaderUnavailable

LANGUAGES = "nld+eng"
OCR_SIDE = 2400        # long side Tesseract sees; larger photos are scaled down
MIN_CONFIDENCE = 0     # Tesseract word confidence; -1 marks non-words. Correct all-caps words
                       # ("VERTROUWELIJK") come back with confidence ~15, so the rules see every word
TIMEOUT_S = 20


def tessdata_dir(languages: str = LANGUAGES) -> str | None:
    """Where the installed language data is: $TESSDATA_PREFIX, else Debian's
    /usr/share/tesseract-ocr/<version>/tessdata (the one holding every language)."""
    wanted = languages.split("+")
    candidates = [os.environ.get("TESSDATA_PREFIX", "")] + sorted(glob.glob("/usr/share/tesseract-ocr/*/tessdata"),
                                                                  reverse=True)
    for path in filter(None, candidates):
        if all(os.path.isfile(os.path.join(path, f"{lang}.traineddata")) for lang in wanted):
            return path
    return None


class TesseractReader:
    """The TextReader port."""

    def __init__(self, binary: str | None = None, languages: str = LANGUAGES, psm: int = 3,
                 in_process: bool = True) -> None:
        self.binary = binary or shutil.which("tesseract")
        self.languages = languages
        self.psm = psm
        self.name = f"tesseract:{languages}"
        self._tessdata = tessdata_dir(languages) if in_process and binary is None else None
        self._api = None
        self._lock = threading.Lock()  # one TessBaseAPI, one image at a time

    def available(self) -> bool:
        return self.binary is not None or self._tessdata is not None

    def read(self, picture) -> list[OcrWord]:
        if not self.available():
            raise ReaderUnavailable("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-nld)")
        img = picture.image
        scale = min(1.0, OCR_SIDE / max(img.width, img.height))
        gray = img.convert("L")  # before scaling: a third of the pixels to resample
        if scale < 1.0:
            gray = gray.resize((round(img.width * scale), round(img.height * scale)))
        if self._tessdata is not None:
            api = self._loaded()
            if api is not None:
                with self._lock:
                    # Raw 8-bit pixels: no encoding; Recognize releases the GIL.
                    api.SetImageBytes(gray.tobytes(), gray.width, gray.height, 1, gray.width)
                    ok = api.Recognize()
                    tsv = api.GetTSVText(0) if ok else None
                    api.Clear()
                if tsv is None:
                    raise ReaderUnavailable("tesseract failed")
                return parse_tsv(tsv, scale, header=False)
        return self._run(gray, scale)

    def _loaded(self):
        """The in-process API, loaded on first use (None: use the subprocess)."""
        with self._lock:
            if self._api is None:
                try:
                    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
                    import tesserocr

                    self._api = tesserocr.PyTessBaseAPI(path=self._tessdata, lang=self.languages,
                                                        psm=self.psm)
                except (ImportError, RuntimeError):
                    self._tessdata = None  # not installed or the data is unusable: the subprocess
                    return None
            return self._api

    def _run(self, gray, scale: float) -> list[OcrWord]:
        if self.binary is None:
            raise ReaderUnavailable("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-nld)")
        buf = io.BytesIO()
        gray.save(buf, "PPM")  # raw greyscale (PGM): no time spent compressing
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


def parse_tsv(tsv: str, scale: float = 1.0, header: bool = True) -> list[OcrWord]:
    """Words from Tesseract's TSV (the CLI's has a header row, the API's none)."""
    words: list[OcrWord] = []
    for row in tsv.splitlines()[1 if header else 0:]:
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
