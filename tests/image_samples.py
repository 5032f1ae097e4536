"""Test images: real photographs shipped in the scikit-image wheel (no
download), and images rendered here with Pillow's bundled font."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def skimage_photo(name: str) -> Image.Image:
    from skimage import data

    return Image.fromarray(getattr(data, name)()).convert("RGB")


def render_lines(lines: list[str], size: int = 30, width: int = 1100, background=(255, 255, 255),
                 ink=(20, 20, 20), margin: int = 50, gap: float = 1.6, columns: tuple[int, ...] | None = None,
                 blur: float = 0.0, seed: int = 0) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """Text on a plain background; `columns` puts tab-separated cells at those x
    positions (a table). Returns the image and each line's box."""
    f = font(size)
    height = int(margin * 2 + len(lines) * size * gap)
    img = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(img)
    boxes = []
    for i, line in enumerate(lines):
        y = int(margin + i * size * gap)
        cells = line.split("\t")
        xs = columns or tuple(margin + j * 0 for j in range(len(cells)))
        x0 = y0 = 10 ** 9
        x1 = y1 = 0
        for cell, x in zip(cells, xs):
            l, t, r, b = draw.textbbox((x, y), cell, font=f)
            draw.text((x, y), cell, font=f, fill=ink)
            x0, y0, x1, y1 = min(x0, l), min(y0, t), max(x1, r), max(y1, b)
        boxes.append((x0, y0, x1 - x0, y1 - y0))
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    return img, boxes


CLASS_LIST = [
    "Klas 3B - cijfers wiskunde periode 2",
    "Naam\tCijfer",
    "Jan de Vries\t5,5",
    "Fatima El Amrani\t8,1",
    "Pieter Bakker\t4,2",
    "Sanne Jansen\t7,0",
    "BSN Pieter Bakker: 111222333",
]


def class_list() -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    return render_lines(CLASS_LIST, size=30, columns=(60, 600))


WHITEBOARD = [
    "Tentamen Statistiek 1 - 24 januari",
    "Vraag 3 (10 punten): Bereken de standaardafwijking",
    "van de steekproef en leg uit wat die betekent.",
]


def whiteboard() -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """Dark marker on an off-white, unevenly lit board, slightly out of focus."""
    img, boxes = render_lines(WHITEBOARD, size=36, width=1300, background=(236, 238, 232), ink=(30, 40, 110),
                              blur=0.8)
    shade = Image.linear_gradient("L").resize(img.size).point(lambda v: 255 - v // 6)
    img = Image.composite(img, Image.new("RGB", img.size, (200, 200, 196)), shade)
    return img, boxes


def with_gps(img: Image.Image, lat=(52, 9, 36.5), lon=(4, 29, 12.0), artist: str | None = "J. de Vries") -> bytes:
    exif = Image.Exif()
    exif[0x0132] = "2026:11:30 14:02:11"
    if artist:
        exif[0x013B] = artist
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: tuple(float(v) for v in lat), 3: "E", 4: tuple(float(v) for v in lon)})
    return encode(img, "JPEG", exif=exif, quality=92)


# ------------------------------------------------------------------ OCR set
FIRST = ["Jan", "Fatima", "Pieter", "Sanne", "Mohammed", "Eva", "Daan", "Lotte", "Yusuf", "Emma", "Bram", "Noor"]
LAST = ["de Vries", "Jansen", "El Amrani", "Bakker", "Visser", "Smit", "van Dijk", "Yilmaz", "Mulder", "de Boer"]
TEMPLATES = [
    ("Mail {name} via {email} voor de roosters.", "email"),
    ("Bel {name} op {phone} bij vragen over de stage.", "phone"),
    ("Contact {name}: {email} (please reply before Friday)", "email"),
    ("Student {name}, studentnummer {student}", "student"),
    ("BSN van {name}: {bsn}", "bsn"),
    ("Call {name} at {phone} about the internship", "phone"),
    ("VERTROUWELIJK - alleen voor het MT", "word:VERTROUWELIJK"),
    ("{name} heeft een {grade} voor het tentamen", "grade"),
]


def bsn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        last = total % 11
        if last < 10 and digits[0] != 0:
            return "".join(map(str, digits)) + str(last)


def ocr_set(n: int = 20, seed: int = 7) -> list[tuple[Image.Image, list[str]]]:
    """n rendered images, Dutch and English, each with 3 lines holding
    identifiers; returns the image and the identifiers OCR must find."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lines, wanted = [], []
        for _ in range(3):
            template, kind = rng.choice(TEMPLATES)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            values = {
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.replace(' ', '').lower()}@gmail.com",
                "phone": f"06-{rng.randint(10000000, 99999999)}",
                "student": f"s{rng.randint(1000000, 9999999)}",
                "bsn": bsn(rng),
                "grade": f"{rng.randint(1, 9)},{rng.randint(0, 9)}",
            }
            lines.append(template.format(**values))
            wanted.append(kind[5:] if kind.startswith("word:") else values[kind])
        size = rng.choice([22, 26, 30, 36])
        bg = rng.choice([(255, 255, 255), (245, 240, 225), (225, 235, 245)])
        img, _ = render_lines(lines, size=size, width=1200, background=bg, blur=rng.choice([0, 0, 0.6]))
        out.append((img, wanted))
    return out
