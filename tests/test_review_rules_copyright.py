"""The copyright rule: others' images, music, video, screenshots and marked works without permission (medium).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

RULE = "copyright"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('medium', 'en', 'Found this photo on Google, perfect for our newsletter.'),
    ('medium', 'nl', 'Ons filmpje van de open dag, met muziek van Coldplay eronder!'),
    ('medium', 'en', 'Screenshot of the NRC article about our research, behind a paywall.'),
    ('medium', 'nl', 'Mooie foto © Getty Images voor de nieuwsbrief.'),
    ('medium', 'nl', 'Fragment uit de film Oppenheimer als opening van mijn college.'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Foto: eigen werk.'),
    ('en', 'Photo used with permission of the photographer, Jan Vermeer.'),
    ('en', 'My own photo of the Academy Building at sunset.'),
    ('nl', 'Mooie klassieke muziek tijdens de diploma-uitreiking.'),
    ('en', 'Read the full article here: https://www.nrc.nl/nieuws/2024/onderzoek'),
    ('nl', 'Illustratie: Unsplash (gratis licentie).'),
    ('nl', '© 2024 Universiteit Leiden, foto van het Academiegebouw.'),
]


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
