"""The personal_data rule: the exact detectors: BSN (11-proof), IBAN (mod 97), e-mail, phone, student and staff numbers, home addresses.

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import BOTH, assert_cites_policy, assert_offsets, fake_reviewer, found, review, summary

RULE = "personal_data"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('high', 'nl', 'Voor de declaratie: mijn BSN is 111222333, graag snel verwerken.'),
    ('high', 'nl', 'Maak €5 over naar NL91 ABNA 0417 1643 00 voor het afscheidscadeau.'),
    ('medium', 'nl', 'Mail me gerust op j.jansen@gmail.com voor de slides.'),
    ('medium', 'nl', 'Vragen? Mail p.de.vries@student.leidenuniv.nl'),
    ('medium', 'en', 'Call or text me on 06-12345678 if you find my keys.'),
    ('medium', 'nl', 'Bel me op +31 6 1234 5678.'),
    ('medium', 'nl', 'Mijn nummer thuis is 071-5271234, bel gerust.'),
    ('medium', 'en', 'Found a wallet with student number s1234567 in room 1.12.'),
    ('medium', 'nl', 'Student met studentnummer 1234567 mag zich melden bij de balie.'),
    ('medium', 'nl', 'Mijn personeelsnummer is 123456, kan iemand het formulier invullen?'),
    ('medium', 'en', 'Her home address is Kerkstraat 12, 4811 AB Breda, send her a card!'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Vacature docent Nederlands! Solliciteren via werkenbij@rocwb.nl of de vacaturesite.'),
    ('en', "We're hiring a lecturer. Questions? Email info@leidenuniv.nl or pers@leidenuniv.nl."),
    ('nl', 'Vragen over de open dag? Mail communicatie@rocwb.nl.'),
    ('nl', 'Het tentamen duurt 180 minuten en telt voor 5 EC.'),
    ('nl', 'Ordernummer 123456789 is verzonden.'),
    ('en', 'The Student Service Desk is reachable at 071 527 8011 on weekdays.'),
    ('nl', 'Bestelling 123456789 is binnen, de laptops komen volgende week.'),
    ('nl', 'Maak €5 over naar NL92 ABNA 0417 1643 00 voor het afscheidscadeau.'),
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
