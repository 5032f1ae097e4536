"""The privacy rule: health, results and private life of an identifiable person, photos of people without consent (mocking one with a photo is high).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import BOTH, assert_cites_policy, assert_offsets, fake_reviewer, found, review, summary

RULE = "privacy"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('high', 'nl', 'Mijn collega Els heeft borstkanker en begint volgende week met chemo.'),
    ('high', 'en', 'My student Anna failed the exam again, third time this year.'),
    ('high', 'nl', 'Helaas is Kevin uit 2B weer gezakt voor Engels.'),
    ('high', 'en', 'Our colleague Mark is on sick leave with a burnout.'),
    ('medium', 'en', "Here's a photo of Sanne and Ahmed at the open day!"),
    ('medium', 'nl', 'Foto van mijn studenten tijdens het practicum, kijk ze eens hard werken.'),
    ('high', 'en', 'Look at this photo of my colleague Mark asleep in the meeting, what a loser'),
    ('high', 'nl', 'haha kijk hoe dom Jeroen erbij staat op deze foto van de teamdag'),
    ('high', 'nl', 'Cijfers hertentamen: Jan 4,5 / Fatima 7,8 / Tim 3,2'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Gefeliciteerd Sanne met je promotie! Een prachtig proefschrift.'),
    ('en', 'Symposium on cancer research and mental health today, with great talks.'),
    ('nl', 'Gefeliciteerd aan alle 112 geslaagde studenten van Verpleegkunde!'),
    ('nl', 'Foto: eigen werk. Zonsopkomst boven het Lipsiusgebouw.'),
    ('nl', 'Foto van de nieuwe aula, klaar voor het academisch jaar.'),
    ('nl', "Foto's van de diploma-uitreiking staan online, met toestemming van de studenten."),
    ('nl', 'Het is echt ziek goed dat we de finale hebben gewonnen!'),
    ('nl', 'Zij heeft jarenlang onderzoek gedaan naar kanker bij kinderen.'),
    ('en', "Photos of the graduation ceremony are online, shared with the students' permission."),
]


@pytest.mark.parametrize("severity, language, text", POSITIVES, ids=[f"{n}-{lang}" for n, (_, lang, _) in enumerate(POSITIVES)])
def test_positive(reviewer, severity, language, text):
    result = review(reviewer, text)
    hits = found(result, RULE, severity)
    assert hits, summary(result)
    assert_offsets(text, result)
    for f in hits:
        assert f.citations and f.message and f.suggestion, f


@pytest.mark.parametrize("language, text", NEAR_MISSES, ids=[f"{n}-{lang}" for n, (lang, _) in enumerate(NEAR_MISSES)])
def test_near_miss_is_not_medium_or_high(reviewer, language, text):
    result = review(reviewer, text)
    assert not found(result, RULE, "medium"), summary(result)


def test_cases_are_dutch_and_english():
    assert {lang for _, lang, _ in POSITIVES} == {"nl", "en"}
    assert {lang for lang, _ in NEAR_MISSES} == {"nl", "en"}


@pytest.mark.parametrize("org", BOTH)
def test_citations_are_the_policy_files(reviewer, org):
    """Reviewed for one organisation, every finding cites that organisation
    only, and what knowledge/review/<org>.yaml names for the rule."""
    seen = 0
    for _, _, text in POSITIVES:
        for f in found(review(reviewer, text, [org]), RULE):
            assert {c.org for c in f.citations} == {org}, f.citations
            assert_cites_policy(f, org)
            seen += 1
    assert seen >= len(POSITIVES) // 2
