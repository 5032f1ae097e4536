"""Render a policy described as blocks (tests/fixtures/third-institution/
policy.yaml) as a real PDF (reportlab) or DOCX (python-docx), the way
institutions publish them: numbered headings set larger and bold, bulleted
and numbered lists, and a header and a footer with page numbers on every page."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "third-institution"


def load_spec() -> dict:
    return yaml.safe_load((FIXTURE / "policy.yaml").read_text(encoding="utf-8"))


def load_meta() -> dict:
    return yaml.safe_load((FIXTURE / "meta.yaml").read_text(encoding="utf-8"))


def headings(spec: dict) -> list[str]:
    return [b["h"] for b in spec["blocks"] if "h" in b]


def list_items(spec: dict) -> list[str]:
    return [x for b in spec["blocks"] for x in (b.get("bullets") or b.get("numbered") or ())]


def render_pdf(spec: dict, path: Path) -> Path:
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate, Spacer

    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=14)
    heading = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=10,
                             spaceAfter=4)
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, alignment=TA_LEFT)
    pages = 1 + sum(1 for b in spec["blocks"] if b.get("page_break"))

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        width, height = A4
        canvas.drawString(56, height - 36, spec["header"])
        canvas.drawString(56, 30, spec["footer"].format(page=doc.page, pages=pages))
        canvas.restoreState()

    story = [Paragraph(spec["title"], title)]
    for block in spec["blocks"]:
        if "h" in block:
            story.append(Paragraph(block["h"], heading))
        elif "p" in block:
            story.extend([Paragraph(block["p"], body), Spacer(1, 6)])
        elif "bullets" in block or "numbered" in block:
            numbered = "numbered" in block
            items = [ListItem(Paragraph(x, body)) for x in block.get("numbered") or block["bullets"]]
            story.append(ListFlowable(items, bulletType="1" if numbered else "bullet", start="1" if numbered else "•",
                                      bulletFormat="%s." if numbered else None,
                                      bulletFontName="Helvetica", bulletFontSize=10, leftIndent=18))
            story.append(Spacer(1, 6))
        elif block.get("page_break"):
            story.append(PageBreak())
    SimpleDocTemplate(str(path), pagesize=A4, topMargin=72, bottomMargin=72, leftMargin=56, rightMargin=56,
                      title=spec["title"]).build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path


def render_docx(spec: dict, path: Path) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = spec["header"]
    section.footer.paragraphs[0].text = spec["footer"].format(page=1, pages=1)
    document.add_heading(spec["title"], level=0)
    for block in spec["blocks"]:
        if "h" in block:
            document.add_heading(block["h"], level=1)
        elif "p" in block:
            document.add_paragraph(block["p"])
        elif "bullets" in block:
            for x in block["bullets"]:
                document.add_paragraph(x, style="List Bullet")
        elif "numbered" in block:
            for x in block["numbered"]:
                document.add_paragraph(x, style="List Number")
        elif block.get("page_break"):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.save(str(path))
    return path


def knowledge_with(base: Path, target: Path, fmt: str) -> tuple[Path, dict]:
    """A copy of the knowledge base at `target` with the third institution
    added as files only: its policy as `fmt` ("pdf" or "docx") and its metadata."""
    shutil.copytree(base, target)
    meta = load_meta()
    stem = f"{meta['id']}-social-media-protocol"
    render = render_pdf if fmt == "pdf" else render_docx
    render(load_spec(), target / "documents" / f"{stem}.{fmt}")
    shutil.copy(FIXTURE / "meta.yaml", target / "documents" / f"{stem}.yaml")
    return target, meta
