"""Answers with the real model and store: the router on held-out bank
questions (the locked test split, which the router never trains on), quotes
that answer, CAO articles where they matter, and calibrated confidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.evaluate import is_hit, org_lookup
from bot.question_bank import load_bank

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def held_out(assistant):
    questions = load_bank(KNOWLEDGE, assistant.catalogue, splits=("test",))
    # Every third question: enough to measure, cheap enough for the suite.
    return questions[::3]


@pytest.fixture(scope="module")
def held_out_answers(assistant, held_out):
    return [(q, assistant.ask(q.text, q.org)) for q in held_out]


def test_held_out_questions_find_their_guideline(assistant, held_out_answers):
    lookup = org_lookup(assistant.organisations)
    inside = [(q, a) for q, a in held_out_answers if not q.out_of_scope]
    hits = [is_hit(a.citations, q.expect, 3, lookup) for q, a in inside]
    # A regression floor under the measured value (see the README), not the target.
    assert sum(hits) / len(hits) >= 0.85, [q.text for (q, _), h in zip(inside, hits) if not h][:10]
    assert sum(a.abstained for _, a in inside) / len(inside) <= 0.04


def test_held_out_out_of_scope_questions_abstain(held_out_answers):
    outside = [(q, a) for q, a in held_out_answers if q.out_of_scope]
    abstained = [a.abstained for _, a in outside]
    assert sum(abstained) / len(abstained) >= 0.85, [q.text for (q, a) in outside if not a.abstained]
    for _, a in outside:
        if a.abstained:
            assert a.citations == () and a.contacts


def test_confidence_is_in_scope_probability_and_orders_answers(held_out_answers):
    for _, a in held_out_answers:
        assert 0.0 <= a.confidence <= 1.0
    answered = [a.confidence for q, a in held_out_answers if not q.out_of_scope and not a.abstained]
    abstained = [a.confidence for q, a in held_out_answers if q.out_of_scope and a.abstained]
    assert sum(answered) / len(answered) > sum(abstained) / len(abstained)


def test_a_summary_only_when_sure(assistant):
    unsure = [assistant.ask(q) for q in (
        "I have a quick question about something a colleague did online, not sure where it fits",
        "is dit wel handig om te doen denk je?",
    )]
    for a in unsure:
        if not a.abstained and a.confidence < assistant.answerer.router.policy.confident_at:
            assert a.short_answer == ""
            assert "come closest" in a.answer or "dichtst bij" in a.answer


def test_who_to_contact_quotes_the_contact_not_just_the_question(assistant):
    answer = assistant.ask("who do I contact with questions about these social media rules?", "leiden")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "Neem contact op" in quotes or "contactpersoon" in quotes
    assert all(c.quote.strip() != "Vragen over deze richtlijnen en regels?" for c in answer.citations)


def test_a_rule_without_body_is_quoted_by_its_heading(assistant):
    answer = assistant.ask("mag ik interne info over de fusie van ons ROC op linkedin zetten?", "rocwb")
    assert not answer.abstained
    for c in answer.citations:
        assert c.quote != "Deze richtlijn behoeft geen nadere uitleg."
    assert any(c.section.startswith("5. Geef nooit vertrouwelijke") and c.quote == c.section
               for c in answer.citations)


def test_academic_freedom_is_reached_when_criticising_policy(assistant):
    answer = assistant.ask("As a researcher, may I publicly criticise the university's new policy in my own "
                           "field of expertise, in an op-ed and on LinkedIn?", "leiden")
    assert "CAO-NU art. 1.16 lid 4" in {a for c in answer.citations for a in c.cao}


def test_good_employeeship_is_named_once_not_on_every_citation(assistant):
    answer = assistant.ask("Can I post a photo of my students from this morning's lecture?", "leiden")
    assert not answer.abstained
    assert "CAO-NU art. 1.8 lid 2" in answer.answer
    assert not any("CAO-NU art. 1.8 lid 2" in c.cao for c in answer.citations if c.section == "Behoud Privacy")


def test_both_organisations_are_cited_when_both_are_in_scope(assistant):
    answer = assistant.ask("can I share confidential info about the reorganisation on twitter?")
    assert {c.org for c in answer.citations} == {"leiden", "rocwb"}
