"""Read policy documents and their metadata from knowledge/ and cut them into
structure-aware passages.

A document is a policy file (.txt, .md, .html, .pdf or .docx) with a YAML file
of the same stem beside it (read by bot/knowledge.py; PDF and DOCX become
lines with `#` headings and `•` items in bot/infra/document_formats.py). Adding a document needs no code: drop both files into
knowledge/documents/ and run `socialpolicy ingest`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.models import OrganisationInfo, Passage
# The reader of knowledge/ (re-exported: older callers import them from here).
from bot.knowledge import (SUPPORTED_SUFFIXES, Knowledge, KnowledgeError, Source, load_meta,  # noqa: F401
                           organisation_info, read_text)

CITABLE_ROLES = {"policy"}

_BULLET = re.compile(r"^\s*[•\-\*·▪◦]\s+(?P<text>.+)$")
_NUMBERED = re.compile(r"^\s*(?P<num>\d{1,2})[.)]\s+(?P<text>.+)$")
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
# A sentence ends at . ! or ? (optionally closed by a bracket or quote) before
# whitespace and a capital, digit or opening quote.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][)\"'’”]))\s+(?=[A-Z0-9ÀÉÈÖÜ\"'‘“(])")


@dataclass
class Section:
    heading: str
    path: tuple[str, ...]
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class Document:
    path: Path
    meta: dict
    text: str
    sections: list[Section]

    @property
    def id(self) -> str:
        return self.meta["id"]

    def info(self) -> OrganisationInfo:
        return organisation_info(self.meta)


# --------------------------------------------------------------------------- structure

def line_roles(lines: list[str], regions: list[dict], name: str) -> list[str]:
    """The role of each line: regions run from their marker line to the next."""
    if not regions:
        return ["policy"] * len(lines)
    roles: list[str] = []
    pending = list(regions)
    role = "commentary"  # text before the first marker is never policy
    for line in lines:
        if pending and line.strip().startswith(pending[0]["from"]):
            role = pending.pop(0)["role"]
        roles.append(role)
    if pending:
        raise KnowledgeError(f"{name}: region marker not found: {pending[0]['from']!r}")
    return roles


def _clean_item(text: str) -> str:
    """Strip markdown emphasis that wraps a whole item; the rest stays verbatim."""
    text = text.strip()
    for mark in ("**", "__", "*", "_"):
        if len(text) > 2 * len(mark) and text.startswith(mark) and text.endswith(mark):
            return text[len(mark):-len(mark)].strip()
    return text


def _looks_like_heading(line: str, next_line: str | None) -> bool:
    words = line.split()
    if not words or len(words) > 10 or len(line) > 90 or next_line is None:
        return False
    if line.endswith((":", ",", ";")):
        return False
    if line[-1] in ".!":
        # Short sentence-like headings ("Begrijp uw persoonlijke verantwoordelijkheid.")
        # are headings only when a longer body or a list follows.
        return len(words) <= 8 and (
            len(next_line) > len(line) * 1.5 or bool(_NUMBERED.match(next_line) or _BULLET.match(next_line))
        )
    return True


def parse_structure(text: str, meta: dict, name: str = "") -> list[Section]:
    lines = text.split("\n")
    roles = line_roles(lines, meta.get("regions") or [], name)
    groups = set(meta.get("groups") or [])
    keep = [(i, ln.strip()) for i, ln in enumerate(lines) if ln.strip() and roles[i] in CITABLE_ROLES]

    sections: list[Section] = []
    group: str | None = None
    current: Section | None = None
    # A line right after a guideline heading is its body, never a heading;
    # after a group heading ("Algemene richtlijnen") a guideline may follow.
    prev_was_heading = False
    title = " ".join(str(meta["title"]).split()).casefold()
    for n, (idx, line) in enumerate(keep):
        prev_line = keep[n - 1][1] if n else None
        next_line = keep[n + 1][1] if n + 1 < len(keep) else None
        contiguous_next = next_line if n + 1 < len(keep) and roles[keep[n + 1][0]] == roles[idx] else None

        heading: str | None = None
        level = 2
        is_item: str | None = None
        md = _MD_HEADING.match(line)
        num = _NUMBERED.match(line)
        bullet = _BULLET.match(line)
        if md:
            heading, level = _clean_item(md["text"]), len(md["hashes"])
        elif bullet:
            is_item = bullet["text"]
        elif num:
            in_run = any(x is not None and _NUMBERED.match(x) for x in (prev_line, next_line))
            if in_run:
                is_item = num["text"]
            elif not prev_was_heading:
                heading = line
        elif not prev_was_heading and _looks_like_heading(line, contiguous_next):
            heading = line

        if heading is not None and n == 0 and " ".join(heading.split()).casefold() == title:
            continue  # the document's own title line, not a section
        if heading is not None:
            is_group = heading in groups or bool(md and level == 1)
            if is_group:
                group = heading
                path: tuple[str, ...] = (heading,)
            else:
                path = (group, heading) if group else (heading,)
            current = Section(heading=heading, path=path)
            sections.append(current)
            prev_was_heading = not is_group
            continue
        prev_was_heading = False
        if current is None:
            current = Section(heading=meta["title"], path=(meta["title"],))
            sections.append(current)
        if is_item is not None:
            current.items.append(_clean_item(is_item))
        else:
            current.paragraphs.append(line)
    return [s for s in sections if s.paragraphs or s.items]


def split_sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


# --------------------------------------------------------------------------- passages

@dataclass
class Annotations:
    basis_cao: tuple[str, ...]   # the articles every guideline of the document rests on
    sections: dict


def load_annotations(root: Path, doc_id: str) -> Annotations:
    data = Knowledge(root).guideline_notes().get(doc_id) or {}
    return Annotations(tuple(data.get("basis_cao") or ()), data.get("sections") or {})


def _part_note(note: dict, text: str) -> dict:
    for part in note.get("parts") or ():
        if text.startswith(part["match"]):
            return part
    return {}


def _stable_id(*parts: object) -> str:
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


def _passage(doc: Document, section: Section, kind: str, text: str, slot: str, order: int,
             note: dict, part: dict) -> Passage:
    # Articles are named per citation only where the mapping says so; the
    # article every guideline rests on (`basis_cao`) is named once per answer.
    cao = tuple(part.get("cao") or note.get("cao") or ())
    summary = part.get("summary") or ({} if kind != "guideline" and part else note.get("summary")) or {}
    if not summary and kind != "guideline":
        summary = note.get("summary") or {}
    fields = dict(
        org=doc.id,
        organisation=doc.meta["organisation"],
        document=doc.meta["title"],
        section=section.heading,
        path=section.path,
        kind=kind,
        text=text,
        # Each list item, and each sentence annotated as a rule of its own (a
        # guideline like "Wees bewust van aansprakelijkheid" holds several),
        # is cited on its own; other sentences count towards their guideline.
        guideline=(f"{doc.id}:{section.heading}:{slot}" if kind == "item"
                   else f"{doc.id}:{section.heading}#{part['match']}" if kind == "sentence" and part.get("summary")
                   else f"{doc.id}:{section.heading}"),
        slot=slot,
        order=order,
        cao=cao,
        summary_en=summary.get("en", ""),
        summary_nl=summary.get("nl", ""),
    )
    return Passage(id=_stable_id(fields), **fields)


def _topics_passage(base: Passage, topics: str, slot: str, order: int) -> Passage:
    fields = {k: v for k, v in base.__dict__.items() if k != "id"}
    fields.update(kind="topics", topics=topics, slot=slot, order=order)
    return Passage(id=_stable_id(fields), **fields)


def document_passages(doc: Document, annotations: Annotations) -> list[Passage]:
    """Cut one document into passages: a guideline (heading plus body) per
    section, each sentence of a longer guideline, each list item alone, and
    the annotated search words of a guideline or sentence as passages of
    their own that lead to it."""
    # CAO articles are only ever named for a document that cites an agreement.
    out: list[Passage] = []
    order = 0

    def add(p: Passage, topics: str) -> None:
        nonlocal order
        out.append(p)
        order += 1
        if topics:
            out.append(_topics_passage(p, topics, p.slot + "/t", order))
            order += 1

    for s_idx, section in enumerate(doc.sections):
        note = annotations.sections.get(section.heading) or {}
        if not doc.meta.get("collective_agreement"):
            note = {k: v for k, v in note.items() if k != "cao"}
        base = f"{doc.id}/{s_idx}"
        if section.paragraphs:
            body = "\n".join(section.paragraphs)
            add(_passage(doc, section, "guideline", body, f"{base}/g", order, note, {}),
                note.get("topics", ""))
            sentences = [s for p in section.paragraphs for s in split_sentences(p)]
            if len(sentences) > 1:
                for n, sentence in enumerate(sentences):
                    part = _part_note(note, sentence)
                    add(_passage(doc, section, "sentence", sentence, f"{base}/s{n}", order, note, part),
                        part.get("topics", ""))
        for n, item in enumerate(section.items):
            part = _part_note(note, item)
            topics = ", ".join(t for t in (part.get("topics", ""), "" if part else note.get("topics", "")) if t)
            add(_passage(doc, section, "item", item, f"{base}/i{n}", order, note, part), topics)
    return out


def cao_passages(root: Path, documents: dict[str, Document]) -> list[Passage]:
    out: list[Passage] = []
    for path, data in Knowledge(root).cao():
        doc = documents.get(data.get("document", ""))
        if doc is None:
            raise KnowledgeError(f"{path.name}: document {data.get('document')!r} is not in knowledge/documents")
        for n, art in enumerate(data.get("articles") or ()):
            fields = dict(
                org=doc.id,
                organisation=doc.meta["organisation"],
                document=data["agreement"],
                section=art["title"],
                path=(data["agreement"], art["title"]),
                kind="cao",
                text=art["text"],
                guideline=f"cao:{art['id']}",
                slot=f"cao/{path.stem}/{n}",
                order=10_000 + n,
                cao=(art["id"],),
                topics=f"{data.get('short', '')} {art['title']}",
            )
            out.append(Passage(id=_stable_id(fields), **fields))
    return out


def cao_articles(root: Path) -> dict[str, dict]:
    articles: dict[str, dict] = {}
    for _, data in Knowledge(root).cao():
        for art in data.get("articles") or ():
            articles[art["id"]] = {**art, "agreement": data["agreement"], "document": data.get("document")}
    return articles


@dataclass
class KnowledgeBase:
    root: Path
    documents: dict[str, Document]
    passages: list[Passage]

    def organisations(self) -> dict[str, OrganisationInfo]:
        return {d.id: d.info() for d in self.documents.values()}


def load_documents(root: Path) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    for source in Knowledge(root).sources():
        text = read_text(source.path)
        documents[source.id] = Document(source.path, source.meta, text,
                                        parse_structure(text, source.meta, source.path.name))
    return documents


def load_knowledge(root: Path) -> KnowledgeBase:
    documents = load_documents(root)
    passages: list[Passage] = []
    for doc in documents.values():
        passages.extend(document_passages(doc, load_annotations(root, doc.id)))
    passages.extend(cao_passages(root, documents))
    return KnowledgeBase(root, documents, passages)
