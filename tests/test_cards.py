"""Cards that read well, the same in meaning on Slack and Teams: findings by
severity, rule names instead of ids, one quote per finding with the others
behind "Show sources", readable colours, and a welcome that starts with how
to use the bot. Rendered from core objects: no model, no server.

Adaptive Cards are checked against the 1.5 element set structurally (no
offline validator is installable from PyPI: `adaptivecards` 3.x is the npm
renderer, the PyPI package of that name is an unrelated builder)."""

from __future__ import annotations

import json

import pytest

from bot.channels.labels import RULE_LABELS
from bot.channels.slack import blocks as ui
from bot.channels.teams import cards
from bot.core.models import Answer, Citation, Finding, Review
from fakes import fake_assistant

ORG_NAMES = {"leiden": "Universiteit Leiden", "rocwb": "ROC West-Brabant"}


def cite(n: int, org: str = "leiden") -> Citation:
    return Citation(ORG_NAMES[org], "Richtlijnen social media", f"Sectie {n}",
                    f"Citaat nummer {n} uit de richtlijnen.", ("CAO-NU art. 1.8",) if n == 1 else (), 0.9, org)


def finding(rule: str, severity: str, n: int, citations=3) -> Finding:
    return Finding(rule, severity, n, n + 5, f"fragment {n}", f"Bericht nummer {n}.", "Doe het anders.",
                   tuple(cite(n * 10 + k) for k in range(citations)))


SIX = (finding("quoting_colleagues", "medium", 1), finding("personal_data", "high", 2),
       finding("privacy", "low", 3), finding("confidential", "high", 4),
       finding("on_behalf", "medium", 5), finding("advertising", "low", 6))


def review(language="nl", findings=SIX) -> Review:
    return Review("do_not_post", language, findings, (cite(99),))


# -- an Adaptive Card 1.5, structurally -----------------------------------------------------

ELEMENTS = {
    "TextBlock": {"text"}, "RichTextBlock": {"inlines"}, "Container": {"items"}, "ActionSet": {"actions"},
    "ColumnSet": set(), "Column": set(), "FactSet": {"facts"}, "Image": {"url"},
}
ACTIONS = {"Action.Submit": {"title"}, "Action.ShowCard": {"title", "card"}, "Action.OpenUrl": {"url"},
           "Action.Execute": set()}
ENUMS = {
    "color": {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"},
    "size": {"Small", "Default", "Medium", "Large", "ExtraLarge"},
    "weight": {"Lighter", "Default", "Bolder"},
    "spacing": {"None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"},
    "style": {"default", "emphasis", "good", "attention", "warning", "accent"},
}
COMMON = {"type", "id", "spacing", "separator", "isVisible", "color", "size", "weight", "isSubtle", "wrap",
          "style", "horizontalAlignment", "fallback", "height", "requires", "maxLines", "fontType"}


def check_adaptive_card(card: dict, version: str = "1.5", top: bool = True) -> None:
    assert card["type"] == "AdaptiveCard"
    if top:
        assert card["version"] == version and card["$schema"].startswith("http://adaptivecards.io/schemas/")
        assert isinstance(card.get("fallbackText"), str) and card["fallbackText"].strip()
    for element in card.get("body", []):
        check_element(element)
    for action in card.get("actions", []):
        check_action(action)
    assert len(json.dumps(card)) < 28_000   # Teams' message size limit


def check_element(e: dict) -> None:
    kind = e.get("type")
    assert kind in ELEMENTS, kind
    assert ELEMENTS[kind] <= set(e), (kind, sorted(e))
    for key, allowed in ENUMS.items():
        if key in e and not (kind == "Container" and key == "style"):
            assert e[key] in allowed, (kind, key, e[key])
    if kind == "Container":
        assert e.get("style", "default") in ENUMS["style"]
        for item in e["items"]:
            check_element(item)
    elif kind == "RichTextBlock":
        for run in e["inlines"]:
            assert run["type"] == "TextRun" and isinstance(run["text"], str)
            assert set(run) <= {"type", "text", "weight", "size", "isSubtle", "italic", "color", "strikethrough",
                                "highlight", "underline", "fontType", "selectAction"}, sorted(run)
            for key in ("color", "size", "weight"):
                if key in run:
                    assert run[key] in ENUMS[key]
    elif kind == "ActionSet":
        for action in e["actions"]:
            check_action(action)
    elif kind == "TextBlock":
        assert set(e) <= COMMON | {"text"}, sorted(e)


def check_action(a: dict) -> None:
    assert a["type"] in ACTIONS and ACTIONS[a["type"]] <= set(a), a
    if a["type"] == "Action.ShowCard":
        check_adaptive_card(a["card"], top=False)


def texts_with_colour(node, inherited=None):
    """(text, colour, bold) of every TextBlock and TextRun."""
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            yield node["text"], node.get("color"), node.get("weight") == "Bolder"
        elif node.get("type") == "TextRun":
            yield node["text"], node.get("color"), node.get("weight") == "Bolder"
        for v in node.values():
            yield from texts_with_colour(v)
    elif isinstance(node, list):
        for v in node:
            yield from texts_with_colour(v)


def check_colours(card: dict) -> None:
    """Running text keeps the theme's colour; Good and Attention (the two
    that keep 4.5:1 on Teams' light and dark themes) only on short bold labels;
    Warning, Accent, Light and Dark never."""
    for text, colour, bold in texts_with_colour(card):
        if colour in (None, "Default"):
            continue
        assert colour in cards.LABEL_COLOURS, (colour, text)
        assert bold and len(text) <= cards.MAX_COLOURED_CHARS, (colour, text)


def check_slack(blocks: list[dict], limit: int = ui.MAX_BLOCKS) -> None:
    assert 0 < len(blocks) <= limit
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= ui.MAX_SECTION
            if "accessory" in b:
                assert len(b["accessory"]["text"]["text"]) <= ui.MAX_BUTTON_TEXT
                assert len(b["accessory"].get("value", "")) <= ui.MAX_BUTTON_VALUE
        if b["type"] == "context":
            assert 0 < len(b["elements"]) <= 10
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75 and len(e.get("value", "")) <= 2000
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150




def no_raw_rule_ids(rendered: str) -> None:
    for rule in RULE_LABELS["en"]:
        if "_" in rule:
            assert rule not in rendered, rule


# -- reviews ------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["nl", "en"])
def test_review_cards_sort_by_severity_and_name_rules(language):
    r = review(language)
    card = cards.review_card(r, "leiden")
    check_adaptive_card(card)
    check_colours(card)
    visible = json.dumps(card["body"], ensure_ascii=False)
    no_raw_rule_ids(json.dumps(card, ensure_ascii=False))
    order = [RULE_LABELS[language][f.rule] for f in SIX]
    positions = {label: visible.index(label) for label in order}
    severity = {RULE_LABELS[language][f.rule]: f.severity for f in SIX}
    ranked = sorted(order, key=positions.get)
    assert [severity[x] for x in ranked] == ["high", "high", "medium", "medium", "low", "low"]

    blocks = ui.review_blocks(r, feedback_value="{}")
    check_slack(blocks)
    text = json.dumps(blocks, ensure_ascii=False)
    no_raw_rule_ids(text)
    slack_ranked = sorted(order, key=lambda label: text.index(label))
    assert slack_ranked == ranked   # the same order on both


@pytest.mark.parametrize("language", ["nl", "en"])
def test_one_quote_per_finding_and_the_rest_behind_show_sources(language):
    r = review(language)
    card = cards.review_card(r, "leiden")
    shown = json.dumps(card["body"], ensure_ascii=False)
    label = "Toon bronnen" if language == "nl" else "Show sources"
    for f in SIX:
        first, *rest = f.citations
        assert first.quote in shown
        # the others only inside an Action.ShowCard titled Show sources
    show_cards = [a for a in _all(card) if a.get("type") == "Action.ShowCard" and a["title"] == label]
    assert len(show_cards) == len(SIX)
    hidden = json.dumps(show_cards, ensure_ascii=False)
    outside = json.dumps(_without_show_cards(card["body"]), ensure_ascii=False)
    for f in SIX:
        for c in f.citations[1:]:
            assert c.quote in hidden and c.quote not in outside

    blocks = ui.review_blocks(r)
    buttons = [b["accessory"] for b in blocks if b.get("accessory", {}).get("action_id") == ui.SHOW_SOURCES]
    assert len(buttons) == len(SIX) and all(b["text"]["text"] == label for b in buttons)
    slack_visible = json.dumps(_without(blocks, "value"), ensure_ascii=False)   # what the reader sees
    for f in SIX:
        assert f.citations[0].quote in slack_visible
        assert all(c.quote not in slack_visible for c in f.citations[1:])


def _without(node, key):
    if isinstance(node, dict):
        return {k: _without(v, key) for k, v in node.items() if k != key}
    if isinstance(node, list):
        return [_without(v, key) for v in node]
    return node


def _without_show_cards(node):
    return _without(node, "card")


def _all(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _all(v)
    elif isinstance(node, list):
        for v in node:
            yield from _all(v)


def test_show_sources_button_opens_the_quotes_from_the_knowledge_base():
    assistant = fake_assistant()
    passages = [p for p in assistant.catalogue.passages if p.kind == "sentence"][:3]
    from bot.core.catalogue import citation_for
    cited = tuple(citation_for(p, 1.0) for p in passages)
    f = Finding("personal_data", "high", 0, 3, "abc", "msg", "", cited)
    blocks = ui.review_blocks(Review("caution", "en", (f,), ()))
    button = next(b["accessory"] for b in blocks if "accessory" in b)
    value = ui.decode_value(button["value"])
    found = assistant.citations([tuple(r) for r in value["c"]])
    assert [c.quote for c in found] == [c.quote for c in cited[1:]]
    view = ui.sources_modal(found, "en")
    check_slack(view["blocks"], ui.MAX_VIEW_BLOCKS)
    assert all(c.quote in json.dumps(view, ensure_ascii=False) for c in cited[1:])


def test_unknown_rule_ids_read_as_words():
    f = finding("some_new_rule", "low", 1, citations=1)
    card = cards.review_card(review("en", (f,)), "leiden")
    assert "some_new_rule" not in json.dumps(card) and "Some new rule" in json.dumps(card)
    assert "some_new_rule" not in json.dumps(ui.review_blocks(review("en", (f,))))


# -- answers -------------------------------------------------------------------------------------

def test_answer_cards_keep_colours_readable_and_say_when_not_confident():
    confident = Answer("q", "en", False, "Ask first.", (cite(1),), short_answer="Ask first.", confidence=0.9)
    closest = Answer("q", "en", False, "These parts of the guidelines come closest to your question:",
                     (cite(1), cite(2)), short_answer="", confidence=0.3)
    abstained = Answer("q", "nl", True, "Dat kan ik niet vinden.", (), contacts=("x",))
    for a, heading in ((confident, "Answer"), (closest, "Closest guidelines"), (abstained, "Niet in de richtlijnen")):
        card = cards.answer_card(a, "leiden")
        check_adaptive_card(card)
        check_colours(card)
        assert card["body"][0]["text"] == heading
        check_slack(ui.answer_blocks(a, feedback_value="{}"))


# -- welcome -------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["nl", "en"])
def test_welcome_starts_with_how_to_use_the_bot_and_hides_the_rules_behind_a_button(language):
    assistant = fake_assistant()
    contents = [assistant.onboarding_content(o, language) for o in sorted(assistant.organisations)]
    card = cards.welcome_card(contents, language)
    check_adaptive_card(card)
    check_colours(card)
    body = json.dumps(card["body"], ensure_ascii=False)
    how = cards.labels(language)["how"]
    first_org = body.index(contents[0].organisation)
    assert body.index(how) < first_org
    rules = [a for a in _all(card) if a.get("type") == "Action.ShowCard"
             and a["title"] == cards.labels(language)["show_rules"]]
    assert len(rules) == len(contents)
    hidden = json.dumps(rules, ensure_ascii=False)
    for content in contents:
        for c in content.key_rules[:3]:
            assert c.quote in hidden
        assert content.organisation == assistant.organisation_name(content.org)
    assert card["fallbackText"].index(how) < card["fallbackText"].index(contents[0].organisation)


def test_organisation_names_are_the_knowledge_base_names_in_both_languages():
    assistant = fake_assistant()
    for language in ("nl", "en"):
        for org, name in assistant.quiz_orgs():
            assert name == assistant.catalogue.organisations[org].organisation
            assert cards.help_card(language, assistant.quiz_orgs())
