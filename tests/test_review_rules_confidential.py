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


# A named person's pay in the forms staff paste it (rules/pay.py): found as
# `salary`, high, and highlighted on the row or clause that gives it.
PAY_ROWS = [
    ("Salarissen team: Pieter 4.850, Anja 5.120, Mark 3.900 bruto", "Pieter 4.850"),
    ("nieuw rooster is rond!\n- Yara (coördinator, schaal 11)\n- Bas (docent)\n- Emre (docent)", "- Yara (coördinator, schaal 11)"),
    ("| naam | functie | schaal |\n|---|---|---|\n| Dirk | docent | LB trede 7 |\n| Mila | docent | LC trede 7 |",
     "| Dirk | docent | LB trede 7 |"),
    ("pay thread, since nobody talks about it:\n- me: scale 10\n- my roommate Thijs: scale 11, step 2", "my roommate Thijs: scale 11"),
    ("Goed nieuws voor Ilse, die na zes jaar eindelijk naar schaal 10 gaat!", "Ilse, die na zes jaar eindelijk naar schaal 10"),
    ("so happy for Omar, he finally got his labour-market allowance approved", "Omar, he finally got his labour-market allowance"),
    ("Congrats Femke! She starts in scale 12, step 3 on Monday 🎉", "She starts in scale 12, step 3"),
]


@pytest.mark.parametrize("draft", [
    "Vacature: docent Bouwkunde (0,8 fte), schaal 11 cao mbo. Reageren kan tot 1 mei.",
    "Reminder: the CAO-NU salary tables are public, a postdoc is usually scale 10 and an assistant professor scale 11.",
    "Inzameling voor het afscheid van Wim: richtlijn €10, Anja haalt het op.",
    "Uitslag pubquiz: Tessa 48 punten, Joris 45, Lieke 39. Volgende keer beter!",
    "The successful candidate will be placed in scale 11; he or she starts on 1 September.",
    "ik zit zelf nu in schaal 11 trede 4, vraag gerust hoe ik onderhandeld heb",
    "Our project got €250.000 from NWO! Thanks Sanne and Ruben for the writing.",
])
def test_pay_near_misses_stay_clear(reviewer, draft):
    result = reviewer.review(draft)
    assert not [f for f in result.findings if f.rule == RULE and f.severity in ("medium", "high")], result.findings


def test_pay_rows_are_read_to_the_end_of_a_long_draft(reviewer):
    # lines past the rules' usual 64 matches: the pay row is the last one
    draft = "\n".join(f"regel {i}: niets bijzonders vandaag" for i in range(300)) + "\n- Joost: schaal 12 trede 4"
    spans = [draft[f.start:f.end] for f in reviewer.review(draft).findings if f.rule == RULE]
    assert any("Joost: schaal 12" in s for s in spans), spans


def test_the_pay_detector_on_the_drafts_it_was_written_on(reviewer):
    """knowledge/review/detectors/dev-r22-pay.yaml (dev): at least 55% of its
    pay problems found by the detector alone (27 of 45 when it was written: a
    floor under that) and no clean draft touched. On the locked test files it
    found 16 of 45 and 21 of 35 (bench/HISTORY.md, round 22): one signal
    beside the learned layer, not the whole of pay."""
    from bot.core.review import RULE_IDS
    from bot.core.review.bank import parse_bank
    from bot.core.review.rules import pay
    from bot.core.review.text import Draft
    from bot.yamlio import read_yaml
    from review_support import KNOWLEDGE

    path = KNOWLEDGE / "review" / "detectors" / "dev-r22-pay.yaml"
    drafts = parse_bank(read_yaml(path), RULE_IDS, source=str(path))
    found = {d.id for d in drafts if pay.check(Draft(d.text), reviewer.institutions)}
    problems = {d.id for d in drafts if not d.clean}
    assert not found - problems, sorted(found - problems)
    assert len(found & problems) >= 0.55 * len(problems), (len(found & problems), len(problems))


# Content the post marks confidential (rules/marking.py): high on the marked
# sentence, whatever the learned layer makes of it.
MARKED = [
    ("Vertrouwelijk: de afdeling gaat dicht.", "Vertrouwelijk: de afdeling gaat dicht."),
    ("V e r t r o u w e l i j k: de afdeling gaat dicht.", "de afdeling gaat dicht"),
    ("🔒 Vertrouwelijk - de reorganisatie wordt pas in maart bekend", "de reorganisatie wordt pas in maart bekend"),
    ("[intern] nieuwe roosters komen pas na de kerst", "[intern] nieuwe roosters"),
    ("Leuk weekend gehad!\nAlleen voor intern gebruik: de begroting 2027 gaat 4% omlaag", "Alleen voor intern gebruik"),
    ("STRICTLY CONFIDENTIAL - board minutes attached, enjoy", "STRICTLY CONFIDENTIAL"),
]


@pytest.mark.parametrize("draft, highlighted", PAY_ROWS + MARKED)
def test_pay_and_what_a_post_marks_confidential_are_high_where_they_stand(reviewer, draft, highlighted):
    result = reviewer.review(draft)
    # a tighter high hit of the patterns in the same place stands (engine.after_learning)
    spans = [draft[f.start:f.end] for f in result.findings if f.rule == RULE and f.severity == "high"]
    assert any(highlighted in s or s in highlighted for s in spans), (spans, highlighted)
    assert result.verdict == "do_not_post"


@pytest.mark.parametrize("draft", [
    "Book club pick: a box of confidential letters that were supposed to be destroyed after the war",
    "Confidential note to self: never again reorganising my bookshelf by colour 😂",
    "Lol, 'vertrouwelijk' staat nu op elke mail van het faculteitsbureau",
    "Hot take: 'confidential' has to mean something.",
    "Niet vertrouwelijk: de open dag is op 12 maart, iedereen welkom!",
    "Intern: Sarah from Avans, starting Monday! Say hi 👋",
    "Internal medicine: great guest lecture today",
])
def test_the_word_alone_is_no_marking(draft):
    from bot.core.review.rules import Institutions, marking
    from bot.core.review.text import Draft

    assert marking.check(Draft(draft), Institutions()) == []


def test_no_clean_dev_draft_is_marked():
    """The marking detector on the whole dev bank: no clean draft touched
    (when it was written it fired on 2 of 9,921, both labelled confidential high)."""
    from bot.core.review.rules import Institutions, marking
    from bot.core.review.text import Draft
    from bot.infra.review_model import read_bank
    from review_support import KNOWLEDGE

    bank = [d for _, d in read_bank(KNOWLEDGE)]
    marked = [d for d in bank if marking.check(Draft(d.text), Institutions())]
    assert marked and not [d.id for d in marked if d.clean]
    assert all("confidential" in d.rules for d in marked)
