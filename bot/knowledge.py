"""The one reader of knowledge/: which files hold what, and what their
metadata says. Ingest, the container, the question bank, eval and the
baseline all read knowledge/ through here.

    knowledge/documents/<doc>.{txt,md,html,htm,pdf,docx} + <doc>.yaml   a policy and its metadata
    knowledge/guidelines/<doc>.yaml   annotations per section (topics, summaries, CAO articles)
    knowledge/cao/*.yaml              collective-agreement articles
    knowledge/quiz/<doc>.yaml         onboarding: key rules and the scenario quiz
    knowledge/review/<org>.yaml       draft review: what each rule cites and advises, the
                                      institution's names (bot/core/review/policy.py)
    knowledge/questions/*.yaml        the question bank (bot/question_bank.py)

An organisation is its document's metadata: id, names in both languages,
contact, and for the chat channels its short name, the words of its name
that are also everyday words, and example questions. Adding an institution
is adding files here, never code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core.models import OrganisationInfo
from bot.yamlio import read_yaml

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".docx")


class KnowledgeError(ValueError):
    """The knowledge base is inconsistent (bad metadata, a missing marker…)."""


@dataclass(frozen=True)
class Source:
    """A policy file and its metadata."""

    path: Path
    meta: dict

    @property
    def id(self) -> str:
        return self.meta["id"]


def load_meta(path: Path) -> dict:
    meta_path = path.with_suffix(".yaml")
    if not meta_path.exists():
        raise KnowledgeError(f"{path.name}: metadata file {meta_path.name} is missing")
    meta = read_yaml(meta_path) or {}
    for key in ("id", "organisation", "title", "language"):
        if not meta.get(key):
            raise KnowledgeError(f"{meta_path.name}: '{key}' is required")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(meta["id"])):
        raise KnowledgeError(f"{meta_path.name}: id must be lower-case letters, digits, - or _")
    return meta


def read_text(path: Path) -> str:
    """A policy file as text lines: markdown-style `#` headings and `•`/`1.`
    items for the structured formats, so one set of structure rules applies."""
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx"):
        from bot.infra import document_formats

        try:
            return document_formats.pdf_to_text(path) if suffix == ".pdf" else document_formats.docx_to_text(path)
        except document_formats.FormatError as exc:
            raise KnowledgeError(f"{path.name}: {exc}") from exc
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"{path}: not UTF-8 text ({exc})") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if suffix in (".html", ".htm"):
        from bot.infra.document_formats import html_to_text

        text = html_to_text(text)
    return text


def organisation_info(meta: dict) -> OrganisationInfo:
    contact = meta.get("contact") or {}
    examples = meta.get("examples") or {}
    return OrganisationInfo(
        org=meta["id"],
        organisation=meta["organisation"],
        organisation_en=meta.get("organisation_en", meta["organisation"]),
        document=meta["title"],
        collective_agreement=meta.get("collective_agreement"),
        contact_nl=contact.get("nl", ""),
        contact_en=contact.get("en", contact.get("nl", "")),
        short_name=meta.get("short_name") or meta["organisation"],
        everyday_words=tuple(str(w).casefold() for w in meta.get("everyday_words") or ()),
        examples_nl=tuple(examples.get("nl") or ()),
        examples_en=tuple(examples.get("en") or ()),
    )


def everyday_words(organisations: dict[str, OrganisationInfo]) -> frozenset[str]:
    """Words of organisation names that are also everyday words ("dit kan
    leiden tot…"): they name an organisation only when capitalised or after
    "voor", "for", "bij"…"""
    return frozenset(w for info in organisations.values() for w in info.everyday_words)


class Knowledge:
    """knowledge/ on disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def sources(self) -> list[Source]:
        """Every policy file with its metadata, in file-name order."""
        docs_dir = self.root / "documents"
        if not docs_dir.is_dir():
            raise KnowledgeError(f"{docs_dir}: no documents folder")
        out: list[Source] = []
        seen: set[str] = set()
        for path in sorted(docs_dir.iterdir()):
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            meta = load_meta(path)
            if meta["id"] in seen:
                raise KnowledgeError(f"{path.name}: id {meta['id']!r} is used twice")
            seen.add(meta["id"])
            out.append(Source(path, meta))
        if not out:
            raise KnowledgeError(f"{docs_dir}: no documents ({', '.join(SUPPORTED_SUFFIXES)})")
        return out

    def organisations(self) -> dict[str, OrganisationInfo]:
        """Organisation id → what the documents' metadata says of it (no
        document text is read), with its review policy when it has one."""
        organisations = {s.id: organisation_info(s.meta) for s in self.sources()}
        for org, policy in self.review_policies(organisations).items():
            organisations[org] = replace(organisations[org], review=policy)
        return organisations

    def review_policies(self, organisations: dict[str, OrganisationInfo]) -> dict:
        """knowledge/review/<org>.yaml, checked: org id → ReviewPolicy. A
        malformed file stops start-up with its name and the problem."""
        import yaml

        from bot.core.review.guidance import KINDS
        from bot.core.review.policy import PolicyError, parse_policy
        from bot.core.review.rules import RULE_IDS

        out = {}
        for path in self._yaml_files("review"):
            try:
                policy = parse_policy(read_yaml(path), RULE_IDS, KINDS)
            except PolicyError as exc:
                raise KnowledgeError(f"{path}: {exc}") from exc
            except yaml.YAMLError as exc:
                raise KnowledgeError(f"{path}: not valid YAML ({exc})") from exc
            if policy.org not in organisations:
                raise KnowledgeError(f"{path}: organisation {policy.org!r} has no document "
                                     f"(known: {', '.join(sorted(organisations))})")
            if policy.org in out:
                raise KnowledgeError(f"{path}: a second review policy for {policy.org!r}")
            out[policy.org] = policy
        return out

    def guideline_notes(self) -> dict[str, dict]:
        """knowledge/guidelines/<document>.yaml, by document id."""
        out = {}
        for path in self._yaml_files("guidelines"):
            data = read_yaml(path) or {}
            out[data.get("document", path.stem)] = data
        return out

    def quiz(self) -> dict[str, dict]:
        """knowledge/quiz/<document>.yaml, by organisation id."""
        out: dict[str, dict] = {}
        for path in self._yaml_files("quiz"):
            data = read_yaml(path) or {}
            out[data.get("organisation", path.stem)] = data
        return out

    def cao(self) -> list[tuple[Path, dict]]:
        """The collective-agreement files, each with its content."""
        return [(path, read_yaml(path) or {}) for path in self._yaml_files("cao")]

    def question_files(self) -> list[Path]:
        return self._yaml_files("questions")

    def _yaml_files(self, folder: str) -> list[Path]:
        return sorted((self.root / folder).glob("*.yaml"))


def load_organisations(knowledge_dir: Path) -> dict[str, OrganisationInfo]:
    return Knowledge(knowledge_dir).organisations()
