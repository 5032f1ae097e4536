"""Policy files to text lines, so one set of structure rules reads them all.

The output marks structure the way the plain-text documents do: `# `/`## `
headings (level 1 opens a group, deeper levels are sections under it), `• `
list items, and a blank line between blocks. The text itself stays verbatim.

* HTML: the standard library's parser (headings, list items, block tags).
* PDF: pdfplumber (characters with font size and weight, and their position
  on the page). Headings are lines set larger or bold; page furniture
  (headers, footers, page numbers) is the text in the top and bottom margin
  that repeats on most pages, or is only a page number.
* DOCX: python-docx. Headings by style (Title, Heading N) or outline level,
  list items by list style or numbering; headers and footers live in parts
  of their own and are never read.
"""

from __future__ import annotations

import html.parser
import re
import zipfile
from collections import Counter
from pathlib import Path


class FormatError(ValueError):
    """A file that cannot be read as the format its name says."""


# --------------------------------------------------------------------------- HTML

class _HtmlText(html.parser.HTMLParser):
    """Block-level HTML to lines: headings become markdown headings, list items
    bullets, so the same structure rules apply."""

    BLOCKS = {"p", "div", "br", "section", "article", "tr", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.prefix = ""
        self.skip = 0

    def flush(self) -> None:
        line = " ".join("".join(self.buf).split())
        if line:
            self.lines.append(self.prefix + line)
            self.lines.append("")
        self.buf, self.prefix = [], ""

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "nav", "footer"):
            self.skip += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.prefix = "#" * int(tag[1]) + " "
        elif tag == "li":
            self.flush()
            self.prefix = "• "
        elif tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in ("script", "style", "nav", "footer"):
            self.skip = max(0, self.skip - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag == "li" or tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.buf.append(data)


def html_to_text(source: str) -> str:
    parser = _HtmlText()
    parser.feed(source)
    parser.flush()
    return "\n".join(parser.lines)


# --------------------------------------------------------------------------- shared

# Bullet glyphs, including the private-use ones of Symbol and Wingdings and
# the "(cid:N)" pdfminer writes for a glyph without a Unicode mapping.
_BULLET = re.compile(r"^\s*(?:[•\-\*·▪◦‣–—○■□➢✓\uf0b7\uf0a7\uf076\uf0d8]|\(cid:\d+\))\s*(?P<text>\S.*)$")
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}|[a-z])[.)]\s+(?P<text>.+)$")


def _blocks_to_text(blocks: list[tuple[str, str]]) -> str:
    """(kind, text) blocks → lines: kind is "h<level>", "item" or "para"."""
    out: list[str] = []
    for kind, text in blocks:
        text = " ".join(text.split())
        if not text:
            continue
        if kind.startswith("h"):
            out.append("#" * int(kind[1:]) + " " + text)
        elif kind == "item":
            out.append("• " + text)
        else:
            out.append(text)
        out.append("")
    return "\n".join(out)


def _heading_levels(sizes: list[float], single_top: bool) -> dict[float, int]:
    """Heading font sizes, largest first, to levels. A largest size used only
    once (a title) is level 1 and so is the next size: a title is skipped or
    groups nothing, and the top-level headings still open groups."""
    ranked = sorted(set(sizes), reverse=True)
    levels = {}
    for n, size in enumerate(ranked):
        levels[size] = max(1, n if single_top and len(ranked) > 1 else n + 1)
    return levels


# --------------------------------------------------------------------------- PDF

MARGIN_SHARE = 0.12          # top and bottom share of the page where furniture lives
_PAGE_NUMBER = re.compile(r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–(\[]?\s*\d{1,4}\s*[-–)\]]?"
                          r"(?:\s*(?:van|of|/)\s*\d{1,4})?$", re.IGNORECASE)


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).casefold())


def pdf_to_text(path: Path) -> str:
    try:
        import pdfplumber
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfplumber.utils.exceptions import PdfminerException
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise FormatError(f"reading PDF needs pdfplumber ({exc})") from exc
    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [(float(p.height), p.extract_text_lines(return_chars=True, strip=True)) for p in pdf.pages]
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise FormatError(f"not a readable PDF ({type(exc).__name__})") from exc

    # Page furniture: margin lines repeated on most pages, or a bare page number.
    in_margin = [[ln["top"] < h * MARGIN_SHARE or ln["bottom"] > h * (1 - MARGIN_SHARE) for ln in lines]
                 for h, lines in pages]
    repeats = Counter(k for (h, lines), margin in zip(pages, in_margin)
                      for k in {_furniture_key(ln["text"]) for ln, m in zip(lines, margin) if m})
    needed = max(2, (len(pages) + 1) // 2)
    body: list[tuple[int, dict]] = []
    for n, ((h, lines), margin) in enumerate(zip(pages, in_margin)):
        for ln, m in zip(lines, margin):
            text = ln["text"].strip()
            if not text:
                continue
            if m and (repeats[_furniture_key(text)] >= needed and len(pages) > 1 or _PAGE_NUMBER.match(text)):
                continue
            body.append((n, ln))
    if not body:
        raise FormatError("no text found (a scanned PDF needs OCR first)")

    def size(ln) -> float:
        chars = [c for c in ln["chars"] if c["text"].strip()]
        return round(max((c["size"] for c in chars), default=0.0), 1)

    def bold(ln) -> bool:
        chars = [c for c in ln["chars"] if c["text"].strip()]
        return bool(chars) and all(re.search(r"bold|black|heavy|semibold", c["fontname"], re.I) for c in chars)

    counts = Counter()
    for _, ln in body:
        for c in ln["chars"]:
            if c["text"].strip():
                counts[round(c["size"], 1)] += 1
    body_size = counts.most_common(1)[0][0]

    def is_heading(ln) -> bool:
        text = ln["text"].strip()
        if len(text.split()) > 14 or _BULLET.match(text):
            return False
        return size(ln) >= body_size * 1.15 or (bold(ln) and not text.endswith((",", ";")))

    heading_sizes = [size(ln) for _, ln in body if is_heading(ln) and size(ln) >= body_size * 1.15]
    per_size = Counter(heading_sizes)
    top = max(per_size) if per_size else None
    levels = _heading_levels(heading_sizes, single_top=top is not None and per_size[top] == 1)
    bold_level = max(levels.values(), default=0) + 1

    blocks: list[tuple[str, str]] = []
    prev = None  # (page, line) of the previous body line
    item_x0 = 0.0  # where the current list item's first line starts
    for n, ln in body:
        text = ln["text"].strip()
        if is_heading(ln):
            kind = f"h{levels.get(size(ln), bold_level)}"
            if blocks and prev is not None and blocks[-1][0] == kind and prev[0] == n \
                    and ln["top"] - prev[1]["bottom"] < body_size * 0.6:
                blocks[-1] = (kind, blocks[-1][1] + " " + text)  # a heading set on two lines
            else:
                blocks.append((kind, text))
            prev = (n, ln)
            continue
        bullet, numbered = _BULLET.match(text), _NUMBERED.match(text)
        if bullet or numbered:
            blocks.append(("item", (bullet or numbered)["text"]))
            item_x0 = ln["x0"]
        elif prev is not None and blocks and blocks[-1][0] in ("para", "item") and _continues(prev, (n, ln), body_size) \
                and (blocks[-1][0] == "para" or ln["x0"] > item_x0 + 2):
            blocks[-1] = (blocks[-1][0], blocks[-1][1] + " " + text)
        else:
            blocks.append(("para", text))
        prev = (n, ln)
    return _blocks_to_text(blocks)


def _continues(prev: tuple[int, dict], cur: tuple[int, dict], body_size: float) -> bool:
    """Does a line continue the paragraph or item above it (a wrapped line)?"""
    (p_page, p), (c_page, c) = prev, cur
    if p_page != c_page:
        return not p["text"].rstrip().endswith((".", "!", "?", ":"))
    return c["top"] - p["bottom"] < body_size * 0.6


# --------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _style_chain(style):
    while style is not None:
        yield style
        style = style.base_style


def _docx_kind(paragraph) -> str:
    """"h<level>", "item" or "para" for a python-docx paragraph."""
    style = paragraph.style
    for s in _style_chain(style):
        name = (s.name or "").lower()
        if name == "title":
            return "h1"
        m = re.fullmatch(r"(?:heading|kop) ([1-9])", name)
        if m:
            return f"h{int(m.group(1)) + 1}"
    for s in [paragraph, *_style_chain(style)]:
        ppr = s._element.pPr
        if ppr is None:
            continue
        outline = ppr.find(f"{_W}outlineLvl")
        if outline is not None and outline.get(f"{_W}val", "9").isdigit() and int(outline.get(f"{_W}val")) < 9:
            return f"h{int(outline.get(f'{_W}val')) + 2}"
        if ppr.find(f"{_W}numPr") is not None:
            return "item"
    if any((s.name or "").lower().startswith(("list", "lijst")) for s in _style_chain(style)):
        return "item"
    text = paragraph.text.strip()
    runs = [r for r in paragraph.runs if r.text.strip()]
    if runs and all(r.bold for r in runs) and len(text.split()) <= 14 and not text.endswith((".", ",", ";", ":")):
        return "h9"  # a bold line standing alone: a heading below the styled ones
    return "para"


def docx_to_text(path: Path) -> str:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise FormatError(f"reading DOCX needs python-docx ({exc})") from exc
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise FormatError(f"not a readable DOCX ({type(exc).__name__})") from exc

    paragraphs = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            paragraphs.append(Paragraph(child, document))
        elif child.tag == f"{_W}tbl":
            for row in Table(child, document).rows:
                for cell in row.cells:
                    paragraphs.extend(cell.paragraphs)
    kinds = [(_docx_kind(p), p.text) for p in paragraphs if p.text.strip()]
    # Heading levels as used: the styled levels in order, a Title and the
    # first heading level both level 1 (see _heading_levels), bold lines last.
    used = sorted({int(k[1:]) for k, _ in kinds if k.startswith("h")})
    styled = [lv for lv in used if lv != 9]
    has_title = 1 in styled and sum(1 for k, _ in kinds if k == "h1") == 1
    rank = {lv: max(1, i if has_title and len(styled) > 1 else i + 1) for i, lv in enumerate(styled)}
    rank[9] = max(rank.values(), default=0) + 1
    blocks = [(f"h{rank[int(k[1:])]}" if k.startswith("h") else k, text) for k, text in kinds]
    for n, (kind, text) in enumerate(blocks):
        m = _BULLET.match(text)
        if kind == "para" and m:
            blocks[n] = ("item", m["text"])
    return _blocks_to_text(blocks)
