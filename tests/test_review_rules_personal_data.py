"""The personal_data rule: the exact detectors: BSN (11-proof), IBAN (mod 97), e-mail, phone, student and staff numbers, home addresses.

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from bot.core.review.identifiers import is_valid_bsn, is_valid_iban
from review_support import fake_reviewer, found, review, shared_rule_tests

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
    ('medium', 'en', 'my student Fleur asked me to share her mail for the carpool: f.smit@umail.leidenuniv.nl'),
    ('medium', 'en', 'Call or text me on 06-12345678 if you find my keys.'),
    ('medium', 'nl', 'Bel me op +31 6 1234 5678.'),
    ('medium', 'nl', 'Mijn nummer thuis is 071-5271234, bel gerust.'),
    ('medium', 'en', 'Found a wallet with student number s1234567 in room 1.12.'),
    ('medium', 'nl', 'Student met studentnummer 1234567 mag zich melden bij de balie.'),
    ('medium', 'nl', 'Mijn personeelsnummer is 123456, kan iemand het formulier invullen?'),
    ('high', 'en', 'Her home address is Kerkstraat 12, 4811 AB Breda, send her a card!'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Vacature docent Nederlands! Solliciteren via werkenbij@rocwb.nl of de vacaturesite.'),
    ('en', "We're hiring a lecturer. Questions? Email info@leidenuniv.nl or pers@leidenuniv.nl."),
    ('nl', 'Vragen over de open dag? Mail communicatie@rocwb.nl.'),
    # work addresses and functional mailboxes at the institutions' own domains (knowledge/review/<org>.yaml)
    ('nl', 'stageplek nodig? mail ons stagebureau via bpv-zorg@rocwb.nl, wij helpen je verder'),
    ('en', 'Questions about the minor? My colleague Jan de Boer (j.de.boer@hum.leidenuniv.nl) coordinates it.'),
    ('nl', 'Het tentamen duurt 180 minuten en telt voor 5 EC.'),
    ('nl', 'Ordernummer 123456789 is verzonden.'),
    ('en', 'The Student Service Desk is reachable at 071 527 8011 on weekdays.'),
    ('nl', 'Bestelling 123456789 is binnen, de laptops komen volgende week.'),
    ('nl', 'Maak €5 over naar NL92 ABNA 0417 1643 00 voor het afscheidscadeau.'),
]


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)


# ---------------------------------------------------------------- the identifiers' checks

@pytest.mark.parametrize("number", ["111222333", "123456782", "999999990", "1112.22.333", "111 222 333"])
def test_bsn_eleven_proof_accepts_valid_numbers(number):
    assert is_valid_bsn(number)


@pytest.mark.parametrize("number", ["123456789", "111222334", "000000000", "12345678", "1234567890", "",
                                    "abcdefghi", "١١١٢٢٢٣٣٣"])
def test_bsn_eleven_proof_rejects_invalid_numbers(number):
    assert not is_valid_bsn(number)


@pytest.mark.parametrize("iban", ["NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "nl91abna0417164300",
                                  "NL20 INGB 0001 2345 67", "DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32"])
def test_iban_mod97_accepts_valid(iban):
    assert is_valid_iban(iban)


@pytest.mark.parametrize("iban", ["NL92 ABNA 0417 1643 00", "NL91 ABNA 0417 1643 01", "NL91ABNA041716430",
                                  "XX00", "", "NL91 ABNA 0417 1643 00 12"])
def test_iban_mod97_rejects_invalid(iban):
    assert not is_valid_iban(iban)


def test_valid_bsn_is_high_and_invalid_nine_digits_are_not_a_bsn(reviewer):
    for bsn in ("111222333", "123456782"):
        text = f"Voor de declaratie: mijn BSN is {bsn}, graag snel verwerken."
        result = review(reviewer, text)
        assert [f.excerpt for f in found(result, RULE, "high")] == [bsn] and result.verdict == "do_not_post"
    for number in ("123456789", "111222334"):
        assert not found(review(reviewer, f"Bestelling {number} is binnen, de laptops komen volgende week."), RULE)


def test_phone_numbers_are_not_mistaken_for_a_bsn(reviewer):
    # 612345678 alone would be nine digits; inside +31 612345678 it is a phone number.
    hits = found(review(reviewer, "Bel me op +31 612345678 als je vragen hebt."), RULE)
    assert [(f.excerpt, f.severity) for f in hits] == [("+31 612345678", "medium")]


def test_valid_iban_is_high_and_an_invalid_one_is_not(reviewer):
    result = review(reviewer, "Maak €5 over naar NL91 ABNA 0417 1643 00 voor het afscheidscadeau.")
    assert [f.excerpt for f in found(result, RULE, "high")] == ["NL91 ABNA 0417 1643 00"]
    assert not found(review(reviewer, "Maak €5 over naar NL92 ABNA 0417 1643 00 voor het afscheidscadeau."), RULE, "high")


def test_an_account_in_the_name_of_the_institution_is_not_a_persons(reviewer):
    # The institution's names come from the policy files (knowledge/review/<org>.yaml).
    for name in ("ROC West-Brabant", "de Universiteit Leiden"):
        text = f"Doneren kan op NL91 ABNA 0417 1643 00 t.n.v. {name}."
        assert [f.severity for f in found(review(reviewer, text), RULE)] == ["medium"], name


def test_a_generic_address_at_a_free_mail_domain_is_still_flagged(reviewer):
    assert found(review(reviewer, "Mail naar info@gmail.com voor kaartjes."), RULE, "medium")


@pytest.mark.parametrize("text, excerpt", [
    ("Dank aan Noor en haar ouders voor de bbq in hun tuin aan de Kastanjelaan 17 in Etten-Leur!", "Kastanjelaan 17"),
    ("Books for Mensah can go to Rembrandtstraat 9, she's staying with us this month.", "Rembrandtstraat 9"),
])
def test_a_street_and_number_nobody_calls_a_home_is_a_low_hint(reviewer, text, excerpt):
    # No postcode and no word saying whose it is: it may still be someone's
    # home, so the reader is asked to check, as with a bare postcode address.
    hits = found(review(reviewer, text), RULE)
    assert [(f.excerpt, f.severity) for f in hits] == [(excerpt, "low")]


@pytest.mark.parametrize("text", [
    "De open dag is op de locatie Kastanjelaan 17 in Etten-Leur, iedereen welkom!",
    "The conference venue is Rembrandtstraat 9, doors open at nine.",
])
def test_a_street_address_of_a_venue_is_no_finding(reviewer, text):
    assert not found(review(reviewer, text), RULE)


def test_a_street_address_called_a_home_stays_high(reviewer):
    hits = found(review(reviewer, "Ze woont op de Kastanjelaan 17, stuur haar een kaartje."), RULE)
    assert [(f.excerpt, f.severity) for f in hits] == [("Kastanjelaan 17", "high")]


@pytest.mark.parametrize("text, excerpt", [
    ("Carpool naar de open dag: Tim haalt Romy op bij haar thuis, Keizerstraat 41 in Oosterhout.", "Keizerstraat 41"),
    ("Carpool naar de open dag: Tim haalt Romy op bij haar thuis, Keizerstraat 41, 4901 AB Oosterhout.",
     "Keizerstraat 41, 4901 AB"),
])
def test_a_home_on_the_way_to_a_venue_is_still_a_home(reviewer, text, excerpt):
    # A word saying whose home it is wins over a venue in the same sentence,
    # with or without a postcode.
    hits = found(review(reviewer, text), RULE)
    assert [(f.excerpt, f.severity) for f in hits] == [(excerpt, "high")]
