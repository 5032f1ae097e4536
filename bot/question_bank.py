"""The question bank: realistic staff questions per guideline, as data.

knowledge/questions/<document>.<split>.yaml holds questions grouped by the
guideline that answers them (`cite: {section, starts_with}` or `{cao: id}`,
the shape the quiz uses), plus `also` for other citations that answer them
too. out-of-scope.<split>.yaml holds neighbouring questions the guidelines
do not answer. `dev` files train and tune the router; `test` files are the
locked split, only ever measured.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from bot.core.catalogue import Catalogue, UnknownGuideline
from bot.core.routing import OUT_OF_SCOPE
from bot.knowledge import Knowledge
from bot.yamlio import read_yaml

SPLITS = ("dev", "test")


class BankError(ValueError):
    pass


@dataclass(frozen=True)
class BankQuestion:
    text: str
    language: str
    split: str
    org: str | None                 # the document's organisation; None out of scope
    guideline: str                  # guideline key, or OUT_OF_SCOPE
    also: tuple[str, ...] = ()      # other guideline keys that answer it too
    expect: tuple[dict, ...] = ()   # the citations that count as right: {org, section, quote_contains?}

    @property
    def out_of_scope(self) -> bool:
        return self.guideline == OUT_OF_SCOPE

    @property
    def accepted(self) -> tuple[str, ...]:
        return (self.guideline, *self.also)


def resolve(catalogue: Catalogue, org: str, cite: dict) -> tuple[str, dict]:
    """The guideline a citation spec points at (as the retriever groups
    passages) and the expectation a right citation meets."""
    if "cao" in cite:
        passage = catalogue.cao_article(cite["cao"])
        if passage is None:
            raise UnknownGuideline(f"no CAO article {cite['cao']!r}")
        return passage.guideline, {"org": passage.org, "section": passage.section}
    passage = catalogue.find(org, cite["section"], cite.get("starts_with"))
    expect = {"org": org, "section": cite["section"]}
    if cite.get("starts_with"):
        expect["quote_contains"] = cite["starts_with"]
    return passage.guideline, expect


def bank_files(knowledge_dir: Path) -> list[Path]:
    return Knowledge(knowledge_dir).question_files()


def load_bank(knowledge_dir: Path, catalogue: Catalogue, splits: Sequence[str] = SPLITS) -> list[BankQuestion]:
    out: list[BankQuestion] = []
    for path in bank_files(knowledge_dir):
        data = read_yaml(path) or {}
        split = data.get("split")
        if split not in SPLITS:
            raise BankError(f"{path.name}: split must be one of {SPLITS}, not {split!r}")
        if split not in splits:
            continue
        org = data.get("document")
        oos = bool(data.get("out_of_scope"))
        if not oos and org not in catalogue.organisations:
            continue  # a bank for a document that is not in the knowledge base
        for n, group in enumerate(data.get("groups") or ()):
            try:
                resolved = [] if oos else [resolve(catalogue, org, c)
                                           for c in [group["cite"], *(group.get("also") or ())]]
            except (UnknownGuideline, KeyError, TypeError) as exc:
                raise BankError(f"{path.name}, group {n + 1}: {exc}") from exc
            key = OUT_OF_SCOPE if oos else resolved[0][0]
            also = tuple(dict.fromkeys(k for k, _ in resolved[1:] if k != key))
            expect = tuple(e for _, e in resolved)
            for q in group.get("questions") or ():
                text = str((q or {}).get("q") or "").strip()
                if not text:
                    raise BankError(f"{path.name}, group {n + 1}: an empty question")
                out.append(BankQuestion(text, q.get("lang") or "nl", split, None if oos else org, key,
                                        also, expect))
    return out


def bank_fingerprint(questions: Iterable[BankQuestion], *extra: str) -> str:
    blob = json.dumps([[q.text, q.guideline, q.split] for q in questions] + list(extra), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def guideline_descriptions(catalogue: Catalogue, quiz: dict[str, dict]) -> list[tuple[str, str]]:
    """(text, guideline key) pairs that describe guidelines in their own
    words: the verbatim passages, their summaries and search words, and the
    onboarding quiz's scenarios. The router always trains on them, so a
    guideline has some examples even where the bank has few."""
    out: dict[tuple[str, str], None] = {}
    for p in catalogue.passages:
        for text in (p.topics if p.kind == "topics" else p.text, p.summary_en, p.summary_nl):
            if text:
                out[(text, p.guideline)] = None
    for org, data in quiz.items():
        for scenario in data.get("scenarios") or ():
            cites = scenario.get("cite") or ()
            if not cites or org not in catalogue.organisations:
                continue
            try:
                key, _ = resolve(catalogue, org, cites[0])
            except UnknownGuideline:
                continue
            for text in (scenario.get("text") or {}).values():
                out[(text, key)] = None
    return list(out)
