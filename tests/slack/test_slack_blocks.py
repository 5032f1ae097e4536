"""Rendering and translation without a server: Block Kit limits, Slack text
decoding, how a message is routed, and organisation names in questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.slack import blocks as ui
from bot.channels.slack.app import LRU, slack_to_plain
from bot.container import load_organisations
from bot.core.conversation import Conversation, OrgMatcher
from bot.core.models import Answer, Citation, Finding, Review

REPO = Path(__file__).resolve().parents[2]


def cite(n: int, quote: str = "Verspreid geen informatie of foto's over individuen zonder toestemming te vragen.",
         cao=("CAO-NU art. 1.8 lid 2",)) -> Citation:
    return Citation("Universiteit Leiden", "Universiteit Leiden, social media richtlijnen", f"Behoud Privacy {n}",
                    quote, cao, 0.9, org="leiden")


def check_limits(blocks, limit=50):
    assert len(blocks) <= limit
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "context":
            assert len(b["elements"]) <= 10 and all(len(e["text"]) <= 3000 for e in b["elements"])
        if b["type"] == "actions":
            assert all(len(e["text"]["text"]) <= 75 and len(e.get("value", "")) <= 2000 for e in b["elements"])


def test_a_huge_review_stays_within_slack_limits():
    findings = tuple(Finding("personal_data", ["high", "medium", "low"][i % 3], i, i + 5, "x" * 4000,
                             "Persoonsgegevens " * 300, "Haal het weg. " * 300, (cite(i, "q" * 5000), cite(i + 1)))
                     for i in range(80))
    review = Review("do_not_post", "nl", findings, tuple(cite(i) for i in range(10)))
    blocks = ui.review_blocks(review, feedback_value=ui.encode_value({"k": "review", "v": "do_not_post"}))
    check_limits(blocks)
    assert blocks[0]["text"]["text"] == "⛔ Niet plaatsen"
    assert blocks[-1]["type"] == "actions" and blocks[-1]["block_id"] == "feedback"   # buttons survive
    assert any(b["type"] == "context" and b["elements"][0]["text"].startswith("… +") for b in blocks)
    view = ui.modal(blocks, "nl")
    assert len(view["title"]["text"]) <= 24 and len(view["blocks"]) <= 100


def test_verdict_markers_and_labels():
    for verdict, mark in (("ok", "✅"), ("caution", "⚠️"), ("do_not_post", "⛔")):
        for language in ("nl", "en"):
            head = ui.review_blocks(Review(verdict, language, (), ()))[0]["text"]["text"]
            assert head.startswith(mark)
    assert ui.review_blocks(Review("ok", "en", (), ()))[0]["text"]["text"] == "✅ OK to post"


def test_answer_blocks_quote_verbatim_with_cao_context_and_limits():
    quote = "Plaats geen vertrouwelijke of geheime informatie over de Universiteit Leiden <en> haar studenten & alumni."
    answer = Answer("q?", "en", False, "Do not post confidential information.",
                    tuple(cite(i, quote) for i in range(60)), contacts=("Leiden University: x",))
    share = ui.encode_value({"q": "q?" * 2000})
    blocks = ui.answer_blocks(answer, share_value=share, feedback_value="{}")
    check_limits(blocks)
    text = blocks[1]["text"]["text"]
    assert "&lt;en&gt;" in text and "&amp; alumni" in text         # escaped for mrkdwn, otherwise verbatim
    assert "*Universiteit Leiden* — Universiteit Leiden, social media richtlijnen › _Behoud Privacy 0_" in text
    assert blocks[2]["type"] == "context" and "CAO-NU art. 1.8 lid 2" in blocks[2]["elements"][0]["text"]
    ids = [e["action_id"] for e in blocks[-1]["elements"]]
    assert ids == ["feedback_up", "feedback_down"]                  # the share value was too long to carry


def test_feedback_buttons_give_way_to_thanks():
    blocks = [ui.section("a"), ui.feedback_actions("en", "{}")]
    out = ui.replace_feedback(blocks, "en")
    assert out[0] == blocks[0] and out[1]["type"] == "context" and "Thanks" in out[1]["elements"][0]["text"]


def test_clip_and_values():
    assert ui.clip("abc", 5) == "abc"
    clipped = ui.clip("word " * 1000, 3000)
    assert len(clipped) <= 3000 and clipped.endswith("…")
    assert ui.decode_value(ui.encode_value({"a": "é", "b": None})) == {"a": "é"}
    assert ui.decode_value("not json") == {} and ui.decode_value(json.dumps([1])) == {}


# How a slash command's text or a DM is read: the core's one classifier
# (bot/core/conversation.py; the cross-channel table is tests/test_conversation.py).
@pytest.mark.parametrize("text, kind, payload", [
    ("help", "help", ""),
    ("hulp", "help", ""),
    ("", "help", ""),
    ("onboarding", "quiz", ""),
    ("review Mijn post\nover de reorganisatie", "review", "Mijn post\nover de reorganisatie"),
    ("review\nMijn post", "review", "Mijn post"),
    ("Mag ik dit posten?", "ask", "Mag ik dit posten?"),
    ("reviews of my team: are they allowed?", "ask", "reviews of my team: are they allowed?"),
    ("Mag ik foto's van studenten plaatsen?", "ask", "Mag ik foto's van studenten plaatsen?"),
    ("review: Op naar het weekend!", "review", "Op naar het weekend!"),
    ("Check: Op naar het weekend!", "review", "Op naar het weekend!"),
    ("Op naar het weekend!\nGroetjes", "review", "Op naar het weekend!\nGroetjes"),   # several lines: a draft
    ("quiz", "quiz", ""),
])
def test_command_and_message_intents(text, kind, payload):
    turn = Conversation(load_organisations(REPO / "knowledge")).understand(text)
    assert (turn.intent, turn.payload) == (kind, payload)


@pytest.mark.parametrize("text, kind", [
    ("Dit is een lang bericht " * 15, "review"),                     # long, no question mark
    ("Is dit een lang bericht dat ik mag plaatsen " * 8 + "?", "ask"),
])
def test_draft_heuristic(text, kind):
    assert Conversation(load_organisations(REPO / "knowledge")).understand(text).intent == kind


def test_slack_markup_becomes_plain_text():
    raw = ("Mail <mailto:j.jansen@gmail.com|j.jansen@gmail.com> of zie <https://x.nl/a|de site> en "
           "<https://y.nl>, met <@U123> in <#C1|algemeen> &amp; <!here> &lt;3")
    assert slack_to_plain(raw) == ("Mail j.jansen@gmail.com of zie de site (https://x.nl/a) en https://y.nl, "
                                   "met @U123 in #algemeen & @here <3")


def test_organisation_named_in_a_question():
    match = OrgMatcher(load_organisations(REPO / "knowledge"))
    assert match.find("voor ROC: mag ik reageren?") == "rocwb"
    assert match.find("Geldt dit ook bij ROC West-Brabant?") == "rocwb"
    assert match.find("and for Leiden University?") == "leiden"
    assert match.find("voor leiden, mag ik dit delen?") == "leiden"
    assert match.find("Kan een tweet leiden tot ontslag?") is None    # the verb, not the city
    assert match.find("Verschilt dit tussen Leiden en het ROC?") is None
    assert match.find("Mag ik foto's delen?") is None
    assert match.find("Mag ik de procedure volgen?") is None          # 'roc' inside a word


def test_lru_is_bounded():
    lru = LRU(size=3)
    for i in range(10):
        lru.set(i, i)
    assert len(lru) == 3 and lru.get(0) is None and lru.get(9) == 9
