"""The offensive rule: insults, obscenity, vulgarity, slurs and discriminatory generalisations (all high).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import BOTH, assert_cites_policy, assert_offsets, fake_reviewer, found, review, summary

RULE = "offensive"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('high', 'nl', 'Wat een kutschool is dit.'),
    ('high', 'en', 'Those idiots from facilities broke the heating again.'),
    ('high', 'en', 'Who the fuck schedules a meeting at 8 on a Friday?'),
    ('high', 'nl', 'Al die buitenlanders zijn gewoon lui.'),
    ('high', 'nl', 'Die stomme studenten lezen nooit de mail.'),
    ('high', 'nl', 'Wat een f*cking chaos vandaag.'),
    ('high', 'en', "honestly students from Freedonia all cheat, it's their culture"),
    ('high', 'nl', 'die mensen uit dat land zijn allemaal lui, dat zit in hun cultuur'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Mooi klassiek concert in de aula.'),
    ('en', 'The assessment team visited Scunthorpe and Middlesex.'),
    ('nl', 'Dank aan het KWF voor de gastles over kanker\xadonderzoek en kankerpreventie.'),
    ('en', 'Great progress in cancer research at our medical centre.'),
    ('nl', 'Hoi, ik ben Dick en ik begin maandag als docent wiskunde.'),
    ('nl', 'Vandaag een les over discriminatie en racisme in de media.'),
    ('nl', "Analyse van Shakespeare's Hamlet en Dickens in het werkcollege."),
    ('en', 'Our exchange students from Freedonia taught us so much about their culture this week.'),
    ('nl', 'Studenten uit Freedonia zijn altijd welkom bij onze open dag.'),
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
