"""Shared by the fast rule tests (tests/test_review_rules_*.py): the real
review core (rules, engine, review policies, Catalogue, Retriever) over the
real knowledge/ directory, with fakes of the core's ports (a hashing
embedder, an in-memory passage store) and no semantic layer, so a whole
module runs in about a second. The learned layer and the real model are
tested in test_review_semantic*.py and test_review_golden.py."""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from fakes import FAKE_ABSTAIN_BELOW, HashingEmbedder, InMemoryPassageStore

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
BOTH = ["leiden", "rocwb"]
RANK = {"low": 1, "medium": 2, "high": 3}


def fake_reviewer(knowledge_dir: Path = KNOWLEDGE):
    """A Reviewer over a knowledge directory, its retriever on fake vectors.
    The repository's own is built once and shared (a review changes
    nothing in it); any other directory is read afresh."""
    return _shared() if Path(knowledge_dir) == KNOWLEDGE else _build(Path(knowledge_dir))


@lru_cache(maxsize=1)
def _shared():
    return _build(KNOWLEDGE)


def _build(knowledge_dir: Path):
    from bot.core.answering import RetrievalConfig, Retriever
    from bot.core.catalogue import Catalogue
    from bot.core.review import Reviewer
    from bot.knowledge import load_organisations
    from ingest.documents import load_knowledge

    passages, organisations = load_knowledge(knowledge_dir).passages, load_organisations(knowledge_dir)
    store = InMemoryPassageStore(HashingEmbedder(), passages)
    retriever = Retriever(store.embeddings, store, None, RetrievalConfig(abstain_below=FAKE_ABSTAIN_BELOW),
                          all_orgs=organisations)
    return Reviewer(Catalogue(passages, organisations), retriever)


def review(reviewer, text, orgs=None):
    return reviewer.review(text, list(orgs or BOTH))


def found(result, rule, at_least="low"):
    return [f for f in result.findings if f.rule == rule and RANK[f.severity] >= RANK[at_least]]


def summary(result):
    return [(f.rule, f.severity, f.excerpt) for f in result.findings]


def assert_offsets(text, result):
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text), f
        assert text[f.start:f.end] == f.excerpt, f


def policy_cites(org: str, rule: str) -> list[set[tuple[str, str | None]]]:
    """What knowledge/review/<org>.yaml says a finding of the rule may cite,
    read here straight from the file: the rule's list and each kind's."""
    data = yaml.safe_load((KNOWLEDGE / "review" / f"{org}.yaml").read_text(encoding="utf-8"))
    body = data["rules"][rule]
    lists = [body["cite"], *((k.get("cite") or body["cite"]) for k in (body.get("kinds") or {}).values())]
    return [{(c["section"], c.get("starts_with")) for c in cites} for cites in lists]


def assert_cites_policy(finding, org: str) -> None:
    """The finding's citations of `org` are one of the lists its policy file gives for the rule."""
    got = [c for c in finding.citations if c.org == org]
    assert got, (finding.rule, org, finding.citations)
    options = policy_cites(org, finding.rule)
    for option in options:
        if len(option) == len(got) and all(
                any(c.section == section and (starts is None or c.quote.startswith(starts))
                    for section, starts in option) for c in got):
            return
    raise AssertionError(f"{finding.rule}/{org}: cites {[(c.section, c.quote[:40]) for c in got]}, "
                         f"the policy file says one of {options}")


def copy_knowledge(target: Path) -> Path:
    """The knowledge files a reviewer reads (documents, guideline notes, CAO,
    review policies), copied for a test that edits one."""
    for folder in ("documents", "guidelines", "cao"):
        shutil.copytree(KNOWLEDGE / folder, target / folder)
    (target / "review").mkdir(parents=True)
    for path in (KNOWLEDGE / "review").glob("*.yaml"):
        shutil.copy(path, target / "review" / path.name)
    return target


def shared_rule_tests(rule: str, positives, near_misses):
    """The four tests every rule module runs on its own cases, bound by the
    module as `test_positive, ... = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)`:
    positives found (offsets, citations, message), near misses never medium or
    high, both languages covered, citations from knowledge/review/<org>.yaml."""

    @pytest.mark.parametrize("severity, language, text", positives,
                             ids=[f"{n}-{lang}" for n, (_, lang, _) in enumerate(positives)])
    def test_positive(reviewer, severity, language, text):
        result = review(reviewer, text)
        hits = found(result, rule, severity)
        assert hits, summary(result)
        assert_offsets(text, result)
        for f in hits:
            assert f.citations and f.message and f.suggestion, f

    @pytest.mark.parametrize("language, text", near_misses,
                             ids=[f"{n}-{lang}" for n, (lang, _) in enumerate(near_misses)])
    def test_near_miss_is_not_medium_or_high(reviewer, language, text):
        result = review(reviewer, text)
        assert not found(result, rule, "medium"), summary(result)

    def test_cases_are_dutch_and_english():
        assert {lang for _, lang, _ in positives} == {"nl", "en"}
        assert {lang for lang, _ in near_misses} == {"nl", "en"}

    @pytest.mark.parametrize("org", BOTH)
    def test_citations_are_the_policy_files(reviewer, org):
        """Reviewed for one organisation, every finding cites that organisation
        only, and what knowledge/review/<org>.yaml names for the rule."""
        seen = 0
        for _, _, text in positives:
            for f in found(review(reviewer, text, [org]), rule):
                assert {c.org for c in f.citations} == {org}, f.citations
                assert_cites_policy(f, org)
                seen += 1
        assert seen >= len(positives) // 2

    return test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english, \
        test_citations_are_the_policy_files
