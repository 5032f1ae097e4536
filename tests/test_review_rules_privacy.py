"""The privacy rule: health, results and private life of an identifiable person, photos of people without consent (mocking one with a photo is high).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

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


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
