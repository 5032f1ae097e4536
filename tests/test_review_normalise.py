"""Normalisation before matching (issue 12): ten obfuscation tricks on a
confidential and an offensive sentence of our own are caught, and findings
keep offsets into the ORIGINAL text. Fast: the catalogue is read from the
knowledge files, no model is loaded (patterns only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.catalogue import Catalogue
from bot.core.review import Reviewer
from bot.core.review.normalise import Normalised, fold_accents
from bot.core.review.text import Draft
from obfuscation import CASES, TRICKS

REPO = Path(__file__).resolve().parent.parent

@pytest.fixture(scope="module")
def reviewer():
    from bot.container import load_organisations
    from ingest.documents import load_knowledge

    knowledge = REPO / "knowledge"
    return Reviewer(Catalogue(load_knowledge(knowledge).passages, load_organisations(knowledge)))


@pytest.mark.parametrize("trick", TRICKS, ids=[t.__name__ for t in TRICKS])
@pytest.mark.parametrize("rule,template,word", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_obfuscated_words_are_caught(reviewer, trick, rule, template, word):
    hidden = trick(word)
    assert hidden != word
    text = template.format(w=hidden)
    plain = reviewer.review(template.format(w=word), ["leiden", "rocwb"])
    result = reviewer.review(text, ["leiden", "rocwb"])
    hits = [f for f in result.findings if f.rule == rule and f.severity == "high"]
    assert hits, (trick.__name__, text, result.findings)
    assert result.verdict == plain.verdict == "do_not_post"
    for f in result.findings:
        assert text[f.start:f.end] == f.excerpt
    # the finding covers the obfuscated word itself in the original text
    start = text.index(hidden)
    assert any(f.start <= start and f.end >= start + len(hidden) for f in hits), hits


def test_offsets_map_back_through_every_fold():
    text = "Ｈｉ! v e r t r o u w e l i j k en ver\u200btrou\u200dwelijk, 𝐯𝐞𝐫𝐭𝐫𝐨𝐮𝐰𝐞𝐥𝐢𝐣𝐤 vеrtrоuwеlijk v3rtr0uw3l1jk"
    d = Draft(text)
    assert d.text.count("vertrouwelijk") == 5
    pos = 0
    for _ in range(5):
        i = d.text.index("vertrouwelijk", pos)
        s, e = d.to_original(i, i + len("vertrouwelijk"))
        original = text[s:e]
        assert Draft(original).text == "vertrouwelijk", original
        pos = i + 1


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u2061", "\u2063", "\u206a", "\uffa0"])
def test_direction_marks_and_invisible_operators_do_not_split_a_word(mark):
    # The CLI now hands drafts over with them (sanitize.clean_text keep_invisible)
    text = f"strictly con{mark}fiden{mark}tial: the board cuts the programme"
    d = Draft(text)
    assert "confidential" in d.text
    i = d.text.index("confidential")
    s, e = d.to_original(i, i + len("confidential"))
    assert text[s:e] == f"con{mark}fiden{mark}tial"


def test_identifiers_and_ordinary_text_are_left_alone():
    text = ("Mail jan.devries@gmail.com of @sanne, IBAN NL91ABNA0417164300, studentnummer s1234567, "
            "BSN 111222333, tel 06-12345678, week5, COVID-19, B2.14, mp3, 4 you. A B C.")
    assert Draft(text).text == text
    assert Normalised("plain ascii text, nothing to do").identity


def test_accents_fold_but_words_keep_their_letters():
    assert fold_accents("privé geïrriteerd coördinator") == "prive geirriteerd coordinator"
    assert Draft("Ik ben zó geïrriteerd").text == "Ik ben zo geirriteerd"


def test_a_spaced_list_of_initials_stays_short():
    # Three single letters are not a hidden word; four or more are joined.
    assert Draft("groep a b c gaat eerst").text == "groep a b c gaat eerst"
    assert Draft("k u t school").text == "k u t school"
    assert Draft("dit is k u t s").text == "dit is kuts"


def test_a_spaced_sentence_is_read_as_words():
    # Words two spaces apart: each joined, one space between them, so short
    # words ("i s", "d e") are read too; offsets still point into the original.
    text = "tip: o p d r a c h t  4  i s  d e z e l f d e  a l s  i n  d e  o e f e n t o e t s 🤫"
    d = Draft(text)
    assert d.text == "tip: opdracht 4 is dezelfde als in de oefentoets 🤫"
    i = d.text.index("dezelfde")
    s, e = d.to_original(i, i + len("dezelfde"))
    assert text[s:e] == "d e z e l f d e"
    # single letters with gaps but no spaced word of four: not a hidden sentence
    assert Draft("groep a b c  gaat eerst").text == "groep a b c  gaat eerst"
    assert Draft("a  b  c  d").text == "a  b  c  d"
