"""The golden question set (tests/golden/questions.yaml) against the real
store and model: retrieval, CAO citations, abstention, no commentary, and
verbatim quotes. The held-out set is a regression floor, never tuned on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

GOLDEN = Path(__file__).resolve().parent / "golden"
KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
COMMENTARY = ["Onthul alle informatie", "offensief", "Erwin Blom", "handig je do's", "BeantwoordenVerwijderen",
              "Managementconferentie", "Download het document", "mbo.kennisnet.nl"]


def load(name):
    return yaml.safe_load((GOLDEN / name).read_text(encoding="utf-8"))


def matches(citation, expected, names) -> bool:
    return (citation.organisation == names[expected["org"]] and citation.section == expected["section"]
            and expected.get("quote_contains", "") in citation.quote)


@pytest.fixture(scope="module")
def answers(assistant):
    out = {}
    for name in ("questions.yaml", "questions_holdout.yaml"):
        for q in load(name):
            out[q["id"]] = (q, assistant.ask(q["question"], q.get("org")))
    return out


@pytest.fixture(scope="module")
def names(assistant):
    return {org: info.organisation for org, info in assistant.organisations.items()}


def recall_at(answers, names, prefix_filter, language, k):
    rows = [(q, a) for q, a in answers.values()
            if prefix_filter(q["id"]) and q["language"] == language and not q.get("out_of_scope")]
    hits = [any(matches(c, e, names) for c in a.citations[:k] for e in q["expect"]) for q, a in rows]
    return sum(hits) / len(hits), [q["id"] for (q, _), h in zip(rows, hits) if not h]


def test_golden_set_shape():
    questions = load("questions.yaml")
    assert len(questions) >= 40
    for lang in ("en", "nl"):
        assert sum(q["language"] == lang for q in questions) >= 20
    assert sum(bool(q.get("out_of_scope")) for q in questions) >= 5


@pytest.mark.parametrize("language", ["en", "nl"])
def test_recall_at_3_is_at_least_95_percent(answers, names, language):
    recall, misses = recall_at(answers, names, lambda i: not i.startswith("h-"), language, 3)
    assert recall >= 0.95, misses


@pytest.mark.parametrize("language", ["en", "nl"])
def test_held_out_recall_does_not_regress(answers, names, language):
    # Measured 15/15 (en) and 12/15 (nl) when first run; a floor, not a target.
    recall, misses = recall_at(answers, names, lambda i: i.startswith("h-"), language, 3)
    assert recall >= 0.75, misses


def test_out_of_scope_questions_abstain_with_a_contact(answers):
    outside = [(q, a) for q, a in answers.values() if q.get("out_of_scope")]
    # The golden dev set abstains fully; the held-out set (never tuned on) is
    # held to a floor under its measured 8 of 10 (README, "Measured").
    assert [q["id"] for q, a in outside if not a.abstained and not q["id"].startswith("h-")] == []
    held = [a.abstained for q, a in outside if q["id"].startswith("h-")]
    assert sum(held) >= 0.8 * len(held)
    for q, a in outside:
        if a.abstained:
            assert a.citations == ()
            assert ("can't find" in a.answer) if a.language == "en" else ("niet vinden" in a.answer)
            assert a.contacts


def test_no_in_scope_question_abstains(answers):
    assert [q["id"] for q, a in answers.values() if not q.get("out_of_scope") and a.abstained] == []


def test_cao_articles_are_cited_where_they_apply(answers):
    for q, a in answers.values():
        if q.get("cao") and not q["id"].startswith("h-"):
            cited = {art for c in a.citations for art in c.cao}
            assert set(q["cao"]) <= cited, (q["id"], cited)
        for c in a.citations:
            if c.organisation == "ROC West-Brabant":
                assert c.cao == (), q["id"]  # ROC cites no collective agreement


def test_commentary_is_never_cited_and_quotes_are_verbatim(answers):
    documents = {p.stem.split("-")[0]: p.read_text(encoding="utf-8") for p in (KNOWLEDGE / "documents").glob("*.txt")}
    everything = "\n".join(documents.values())
    for q, a in answers.values():
        for c in a.citations:
            assert not any(m in c.quote for m in COMMENTARY), (q["id"], c.quote)
            assert c.quote in everything, (q["id"], c.quote)


def test_answers_follow_the_askers_language(answers):
    for q, a in answers.values():
        assert a.language == q["language"], q["id"]


def test_photo_question_short_answer(assistant):
    answer = assistant.ask("Can I post this photo?")
    assert not answer.abstained
    assert "consent" in answer.answer.lower()
    assert any(c.section == "Behoud Privacy" for c in answer.citations)
    # In Dutch, with both organisations in scope, the router's confidence in
    # "Behoud Privacy" sits at the summary's threshold (0.73 with converter
    # v3's vectors, 0.59 with v4's, which give Leiden's "Plaats alleen
    # persoonlijke foto's" more): whether the one-line summary shows is the
    # router's call. That the consent rule reaches the asker is not.
    dutch = assistant.ask("Mag ik deze foto posten?")
    assert not dutch.abstained
    privacy = [c for c in dutch.citations if c.section == "Behoud Privacy"]
    assert privacy
    shown = dutch.short_answer or privacy[0].quote
    assert "toestemming" in shown.lower()


@pytest.mark.parametrize("question, org, cited_org, section", [
    ("Mag ik vertrouwelijke informatie delen?", "rocwb", "rocwb", "5. Geef nooit vertrouwelijke informatie van ROC West-Brabant"),
    ("Mag ik deze foto posten?", None, "leiden", "Behoud Privacy"),
    ("My faculty account was hacked, what now?", "leiden", "leiden", "Vervanging wachtwoorden"),
])
def test_canonical_questions_cite_the_obvious_guideline_first(assistant, names, question, org, cited_org, section):
    """The organisation's first citation. With no organisation given, each one
    in scope is cited; which comes first is a near tie between their routers'
    shares (the bare photo question put Leiden first on one CPU and ROC's
    "Plaats geen dingen die je in verlegenheid..." first on another, before
    the embedder's vectors were made CPU-independent), not a property of
    either answer."""
    answer = assistant.ask(question, org)
    assert not answer.abstained
    own = [c for c in answer.citations if c.organisation == names[cited_org]]
    assert own and own[0].section == section


@pytest.mark.parametrize("question", ["Can I share confidential information?", "Mag ik vertrouwelijke informatie delen?"])
def test_confidentiality_cites_both_organisations_rules(assistant, question):
    # Known weakness (closing note): the router ranks CAO-NU art. 1.16 lid 2
    # (no secrecy towards those who share the work) above "Behoud
    # vertrouwelijkheid" for a bare "share"; both are cited.
    answer = assistant.ask(question)
    sections = [c.section for c in answer.citations]
    assert "Behoud vertrouwelijkheid" in sections
    assert "5. Geef nooit vertrouwelijke informatie van ROC West-Brabant" in sections
