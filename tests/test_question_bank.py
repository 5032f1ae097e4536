"""The question bank is data the router learns from: every citation must
resolve, every guideline must have enough questions, and the locked test
split must stay large and apart from dev."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.container import load_organisations
from bot.core.catalogue import Catalogue
from bot.question_bank import BankError, guideline_descriptions, load_bank
from ingest.documents import load_knowledge

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue(load_knowledge(KNOWLEDGE).passages, load_organisations(KNOWLEDGE))


@pytest.fixture(scope="module")
def bank(catalogue):
    return load_bank(KNOWLEDGE, catalogue)


def test_every_citation_resolves_to_a_guideline(bank, catalogue):
    for q in bank:
        if not q.out_of_scope:
            assert catalogue.guideline_passages(q.guideline), q.guideline
            assert q.org in catalogue.organisations


def test_every_guideline_and_cao_article_has_at_least_twelve_questions(bank, catalogue):
    counts = Counter(q.guideline for q in bank if not q.out_of_scope)
    covered = set(counts) | {a for q in bank for a in q.also}
    guidelines = {p.guideline for p in catalogue.passages if p.kind != "topics"}
    # A guideline is either asked about itself or only restates another (an `also`).
    assert guidelines <= covered, sorted(guidelines - covered)
    assert min(counts.values()) >= 12, [g for g, n in counts.items() if n < 12]
    assert {g for g in counts if g.startswith("cao:")} == {p.guideline for p in catalogue.passages if p.kind == "cao"}


def test_languages_are_balanced_and_out_of_scope_is_large(bank):
    inside = [q for q in bank if not q.out_of_scope]
    languages = Counter(q.language for q in inside)
    assert set(languages) == {"en", "nl"}
    assert 0.4 <= languages["en"] / len(inside) <= 0.6
    outside = [q for q in bank if q.out_of_scope]
    assert len(outside) >= 200
    assert Counter(q.language for q in outside)["nl"] >= 0.4 * len(outside)


def test_the_locked_test_split_is_at_least_thirty_percent_and_apart_from_dev(bank):
    test = [q for q in bank if q.split == "test"]
    assert len(test) >= 0.3 * len(bank)
    dev_texts = {q.text.lower() for q in bank if q.split == "dev"}
    assert not [q.text for q in test if q.text.lower() in dev_texts]
    # Every guideline the test split asks about is learnable from dev.
    dev_guidelines = {q.guideline for q in bank if q.split == "dev"}
    assert {q.guideline for q in test} <= dev_guidelines


def test_router_trains_on_dev_only(catalogue):
    dev = load_bank(KNOWLEDGE, catalogue, splits=("dev",))
    assert dev and {q.split for q in dev} == {"dev"}


def test_a_wrong_citation_is_a_clear_error(tmp_path, catalogue):
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "leiden.dev.yaml").write_text(
        'document: leiden\nsplit: dev\ngroups:\n  - cite: {section: "No such heading"}\n'
        '    questions: [{lang: en, q: "anything"}]\n', encoding="utf-8")
    with pytest.raises(BankError, match="leiden.dev.yaml, group 1"):
        load_bank(tmp_path, catalogue)


def test_guidelines_describe_themselves_in_their_own_words(catalogue):
    from bot.container import load_quiz_data

    described = guideline_descriptions(catalogue, load_quiz_data(KNOWLEDGE))
    keys = {key for _, key in described}
    assert "leiden:Behoud Privacy" in keys
    # Quiz scenarios count too, in both languages.
    assert any("journalist" in text.lower() for text, _ in described)
