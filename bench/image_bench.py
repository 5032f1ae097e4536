"""Image check benchmark: a 12-megapixel photo (scikit-image's astronaut,
scaled to 4000x3000 with a class list pasted in, saved as JPEG with GPS
EXIF), checked end to end with a safe copy, in a fresh process so peak RSS
is the check's own. Also OCR identifier recall on 20 rendered Dutch/English
images (tests/image_samples.py).

    python bench/image_bench.py [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def reviewer():
    from bot.container import build_image_reviewer, load_organisations
    from bot.core.catalogue import Catalogue
    from bot.core.review import Reviewer
    from ingest.documents import load_knowledge

    knowledge = load_knowledge(ROOT / "knowledge")
    return build_image_reviewer(Reviewer(Catalogue(knowledge.passages, load_organisations(ROOT / "knowledge"))))


def photo_12mp() -> bytes:
    from PIL import Image

    import image_samples as S

    img = S.skimage_photo("astronaut").resize((4000, 3000), Image.BICUBIC)
    sheet, _ = S.class_list()
    img.paste(sheet.resize((sheet.width * 2, sheet.height * 2)), (1800, 2000))
    return S.with_gps(img)


def ocr_recall(seed: int) -> dict:
    import image_samples as S
    from bot.core.image import layout
    from bot.infra.images import PillowCodec
    from bot.infra.ocr import TesseractReader

    reader, codec = TesseractReader(), PillowCodec()
    found = total = 0
    for img, wanted in S.ocr_set(20, seed=seed):
        text, _ = layout(reader.read(codec.open(S.encode(img))))
        total += len(wanted)
        found += sum(w in text for w in wanted)
    return {"images": 20, "identifiers": total, "found": found, "recall": round(found / total, 3)}


def face_accuracy() -> dict:
    """The detector on scikit-image's LFW subset (100 face crops, 100 non-face
    crops, 25x25, scaled to 100x100 on a grey canvas) and on its full photos
    (astronaut: one face; coffee, chelsea, rocket: none; camera: a man seen side-on behind a camera)."""
    import numpy as np
    from PIL import Image
    from skimage import data

    import image_samples as S
    from bot.infra.faces import HaarFaceDetector
    from bot.infra.images import Picture

    detector = HaarFaceDetector()
    crops = data.lfw_subset()
    hits = []
    for crop in crops:
        face = Image.fromarray((crop * 255).astype(np.uint8)).resize((100, 100), Image.BICUBIC)
        canvas = Image.new("L", (160, 160), 128)
        canvas.paste(face, (30, 30))
        hits.append(bool(detector.detect(Picture(canvas.convert("RGB"), "PNG"))))
    photos = {name: len(detector.detect(Picture(S.skimage_photo(name), "PNG")))
              for name in ("astronaut", "coffee", "chelsea", "rocket", "camera")}
    # Settings were chosen on the dev half (faces 0-49, non-faces 100-149); the test half was not looked at.
    return {"dev": {"faces_found": sum(hits[:50]), "of": 50, "nonfaces_flagged": sum(hits[100:150]), "of_nonfaces": 50},
            "test": {"faces_found": sum(hits[50:100]), "of": 50, "nonfaces_flagged": sum(hits[150:]), "of_nonfaces": 50},
            "photos_faces": photos}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-ocr-recall", action="store_true")
    args = parser.parse_args()
    data = photo_12mp()
    t0 = time.perf_counter()
    images = reviewer()
    load_s = time.perf_counter() - t0
    times, cpu = [], []
    result = None

    def cpu_now() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    for _ in range(args.runs):
        t, c = time.perf_counter(), cpu_now()
        result = images.review_image(data, ["leiden", "rocwb"], safe_copy="JPEG")
        times.append(time.perf_counter() - t)
        cpu.append(cpu_now() - c)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {
        "photo": {"pixels": result.image.width * result.image.height, "bytes": len(data)},
        "load_s": round(load_s, 2),
        "check_s": {"median": round(statistics.median(times), 2), "max": round(max(times), 2), "runs": len(times)},
        "cpu_s_per_check": round(statistics.median(cpu), 2),  # both cores together, load-independent
        "load_average_1m": round(os.getloadavg()[0], 1),  # the machine is shared: wall time depends on it
        "peak_rss_mb": round(peak_mb),  # Tesseract included when it runs in process (tesserocr)
        "ocr_engine": "tesserocr (in process)" if getattr(images.reader, "_api", None) is not None
                      else "tesseract subprocess",
        "found": {"faces": result.image.faces, "rules": sorted({f.rule for f in result.findings})},
    }
    if not args.skip_ocr_recall:
        # seed 7: the dev set (the confidence cut-off was chosen on it); seed 1234: held out, never tuned on.
        out["ocr_recall"] = {"dev": ocr_recall(7), "test": ocr_recall(1234)}
        out["face_accuracy"] = face_accuracy()
    print(json.dumps(out) if args.json else json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
