"""The on_behalf rule: speaking for the institution without approval (medium); its names come from the policy files.

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import BOTH, assert_cites_policy, assert_offsets, fake_reviewer, found, review, summary

RULE = "on_behalf"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('medium', 'nl', 'Namens de Universiteit Leiden wil ik laten weten dat wij tegen de bezuinigingen zijn.'),
    ('medium', 'nl', 'Namens ROC West-Brabant: wij steunen de staking.'),
    ('medium', 'en', 'As ROC West-Brabant we think the new exam rules are a mistake.'),
    ('medium', 'en', 'On behalf of Leiden University, I condemn this decision.'),
    ('medium', 'nl', 'Het officiële standpunt van de faculteit is dat dit niet kan.'),
    ('medium', 'en', 'The university believes that this law will harm research.'),
    ('medium', 'nl', 'Het ROC vindt dat de minister het mbo tekortdoet.'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('en', 'I work at Leiden University and I love my job.'),
    ('nl', 'Trots om bij ROC West-Brabant te werken!'),
    ('nl', 'Ik schrijf dit op persoonlijke titel en niet namens de universiteit.'),
    ('en', 'This is my personal view, not on behalf of Leiden University.'),
    ('en', 'Leiden University published a press release about the new campus today.'),
    ('nl', 'Namens het hele team: bedankt voor jullie inzet dit jaar!'),
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
