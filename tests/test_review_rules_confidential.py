"""The confidential rule: information marked confidential, unannounced news, exam content, internal meetings and documents, salaries (all high).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

RULE = "confidential"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('high', 'nl', 'In het MT-overleg werd vanochtend besloten dat de locatie Breda dichtgaat.'),
    ('high', 'en', "Here are the exam questions for tomorrow's statistics exam, don't tell anyone!"),
    ('high', 'nl', 'Nog niet bekend, maar onze faculteit gaat volgend jaar reorganiseren.'),
    ('high', 'en', 'Strictly confidential: the new salary scales for support staff.'),
    ('high', 'en', 'Internal only: the draft budget for 2025 shows a deficit of 4 million.'),
    ('high', 'nl', 'Onder embargo tot maandag: we krijgen de Spinozapremie!'),
    ('high', 'en', 'In the staff meeting they told us that six lecturers will lose their jobs.'),
    ('high', 'nl', 'Mijn teamleider verdient €6.200 bruto per maand, weet je dat?'),
    ('high', 'en', "fun fact: my colleague's salary is way higher than mine, he earns 5400 a month"),
    ('high', 'nl', 'Tentamen statistiek morgen. Vraag 1 (10 punten): bereken de variantie. Vraag 2: toets de hypothese.'),
    ('high', 'nl', 'hou het even voor je, maar de opleiding Mediavormgeving stopt na dit jaar'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Tip voor studenten: oefententamens en oefenvragen vind je op Brightspace.'),
    ('en', "The opening date of the new library has not been announced yet; we'll post it here."),
    ('nl', 'Het programma van de open dag is nog niet bekend, houd de website in de gaten.'),
    ('nl', 'Morgen is er een personeelsvergadering om 15:00 in zaal 2.'),
    ('nl', 'Gesprekken met de vertrouwenspersoon zijn altijd vertrouwelijk.'),
    ('nl', 'Deel nooit tentamenvragen online, ook niet in een besloten groep.'),
    ('en', 'The secret to a good lecture? Preparation and coffee.'),
    ('nl', 'Het embargo is opgeheven: lees hier het persbericht over onze nieuwe campus.'),
    ('nl', 'Vacature docent Engels, salaris max. €4.800 (schaal 11 CAO mbo).'),
    ('nl', 'Lees het persbericht over de reorganisatie van de bibliotheek: https://example.org/nieuws'),
    ('en', 'Practice exam questions from last year are on the course page, good luck everyone.'),
]


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)


@pytest.mark.parametrize("draft, amount", [
    ("Wist je dat Pieter 4850 euro bruto verdient en Anja 5120?", "5120"),
    ("fun fact: he earns €4,850.50 a month", "€4,850.50"),
    ("Mark verdient 3.900 euro, schandalig", "3.900 euro"),
])
def test_a_salary_is_highlighted_up_to_the_end_of_the_amount(reviewer, draft, amount):
    # a span that stopped at the first digit showed "verdient en Anja 5"
    spans = [draft[f.start:f.end] for f in reviewer.review(draft).findings if f.rule == RULE]
    assert spans and any(s.endswith(amount) for s in spans), spans
