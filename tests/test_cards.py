"""Cards that read well, the same in meaning on Slack and Teams: findings by
severity, rule names instead of ids, one quote per finding with the others
behind "Show sources", readable colours, and a welcome that starts with how
to use the bot. Rendered from core objects: no model, no server.

Every Teams card is validated against the official Adaptive Cards 1.5 JSON
schema, and its text colours against the Teams light and dark host configs,
both vendored from github.com/microsoft/AdaptiveCards under
tests/fixtures/adaptivecards/ (see the README there). No offline validator
is installable from PyPI: `adaptivecards` 3.x is the npm renderer, the PyPI
package of that name is an unrelated builder. Slack blocks are checked
against Block Kit's documented limits."""

from __future__ import annotations

import functools
import io
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console

from bot.channels.labels import RULE_LABELS, VERDICT_LABELS, clip, points
from bot.channels.slack import blocks as ui
from bot.channels.teams import cards
from bot.channels.terminal import render_review
from bot.core.models import Answer, Citation, Finding, Review
from bot.core.review.rules import RULE_IDS
from fakes import fake_assistant

ORG_NAMES = {"leiden": "Universiteit Leiden", "rocwb": "ROC West-Brabant"}
REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "adaptivecards"


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


# -- an Adaptive Card 1.5: the official schema ---------------------------------------------------

@functools.cache
def card_schema() -> jsonschema.protocols.Validator:
    schema = json.loads((FIXTURES / "adaptive-card-1.5.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


# What Teams adds to the card format (Microsoft's "msteams" property, not in the schema).
TEAMS_EXTENSION = {"msteams": {"width": "Full"}}


def check_adaptive_card(card: dict, version: str = "1.5") -> None:
    assert card["type"] == "AdaptiveCard" and card["version"] == version
    assert card["$schema"].startswith("http://adaptivecards.io/schemas/")
    assert isinstance(card.get("fallbackText"), str) and card["fallbackText"].strip()
    extension = {k: card[k] for k in TEAMS_EXTENSION if k in card}
    assert extension == TEAMS_EXTENSION
    standard = {k: v for k, v in card.items() if k not in TEAMS_EXTENSION}
    errors = sorted(card_schema().iter_errors(standard), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]]
    # Only elements of version 1.5 or earlier (the schema also lists later ones).
    for node in _all(card):
        kind = node.get("type")
        if isinstance(kind, str) and kind in card_schema().schema["definitions"]:
            since = card_schema().schema["definitions"][kind].get("version", "1.0")
            assert tuple(map(int, since.split("."))) <= (1, 5), (kind, since)
    assert len(json.dumps(card)) < 28_000   # Teams' message size limit


def test_the_schema_check_can_fail():
    good = cards.help_card("en")
    check_adaptive_card(good)
    for broken in ({**good, "body": [{"type": "TextBlock"}]},                     # text is required
                   {**good, "body": [{"type": "TextBlock", "text": "x", "color": "Pink"}]},
                   {**good, "body": [{"type": "Carousel", "pages": []}]},        # not an element of 1.5
                   {**good, "actions": [{"type": "Action.ShowCard", "title": "x", "card": {"body": 1}}]}):
        with pytest.raises(AssertionError):
            check_adaptive_card(broken)


# -- text contrast on Teams' light and dark themes (WCAG 2.x) -------------------------------------

BODY_TEXT_CONTRAST = 4.5


def _rgb(colour: str, background: tuple[float, ...] | None = None) -> tuple[float, ...]:
    """#RRGGBB or #AARRGGBB (the host config's form), alpha blended over `background`."""
    h = colour.lstrip("#")
    alpha = int(h[:2], 16) / 255 if len(h) == 8 else 1.0
    rgb = tuple(int(h[-6:][i:i + 2], 16) for i in (0, 2, 4))
    if background is not None and alpha < 1:
        rgb = tuple(alpha * c + (1 - alpha) * b for c, b in zip(rgb, background))
    return rgb


def _luminance(rgb) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground, background) -> float:
    hi, lo = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@functools.cache
def host_config(theme: str) -> dict:
    return json.loads((FIXTURES / f"microsoft-teams-{theme}.json").read_text(encoding="utf-8"))


def text_contrast(theme: str, style: str, colour: str | None, subtle: bool) -> float:
    """The contrast of a text colour on a container style's background."""
    styles = host_config(theme)["containerStyles"]
    page = _rgb(styles["default"]["backgroundColor"])
    background = _rgb(styles[style]["backgroundColor"], page)
    colours = styles[style]["foregroundColors"][(colour or "Default").lower()]
    return contrast(_rgb(colours["subtle" if subtle else "default"], background), background)


def texts_in_context(node, style: str = "default"):
    """(text, colour, subtle, container style) of every TextBlock and TextRun."""
    if isinstance(node, list):
        for v in node:
            yield from texts_in_context(v, style)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in ("TextBlock", "TextRun"):
        yield node["text"], node.get("color"), bool(node.get("isSubtle")), style
        return
    if kind in ("Container", "Column", "ColumnSet") and node.get("style"):
        style = node["style"]
    if kind == "Action.ShowCard":   # the shown card sits in the host config's show-card style
        style = host_config("light")["actions"]["showCard"].get("style", "emphasis")
    for v in node.values():
        yield from texts_in_context(v, style)


def check_colours(card: dict) -> None:
    """Every text, subtle or not, at least 4.5:1 on Teams' light and dark
    themes in the container it sits in; only the colours the card module allows."""
    for text, colour, subtle, style in texts_in_context(card):
        assert (colour or "Default") in cards.TEXT_COLOURS, (colour, text)
        for theme in ("light", "dark"):
            ratio = text_contrast(theme, style, colour, subtle)
            assert ratio >= BODY_TEXT_CONTRAST, (theme, style, colour, subtle, round(ratio, 2), text)


def test_contrast_is_computed_from_the_teams_host_configs():
    # The measurements: Warning yellow 1.47:1 and Good green 2.07:1 on the light theme.
    assert round(text_contrast("light", "default", "Warning", False), 2) == 1.47
    assert round(text_contrast("light", "default", "Good", False), 2) == 2.07
    assert text_contrast("dark", "default", "Attention", False) < BODY_TEXT_CONTRAST
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    # The colours the card module allows are readable everywhere the cards put text.
    for colour in cards.TEXT_COLOURS:
        for theme in ("light", "dark"):
            for style in ("default", "emphasis"):
                for subtle in (False, True):
                    assert text_contrast(theme, style, colour, subtle) >= BODY_TEXT_CONTRAST
    red = {"type": "AdaptiveCard", "version": "1.5", "body": [
        {"type": "TextBlock", "text": "Niet plaatsen", "color": "Attention", "weight": "Bolder"}]}
    with pytest.raises(AssertionError):
        check_colours(red)


# -- Slack: Block Kit's limits ----------------------------------------------------------------------

def check_slack(blocks: list[dict], limit: int = ui.MAX_BLOCKS) -> None:
    assert 0 < len(blocks) <= limit
    for b in blocks:
        assert len(b.get("block_id", "")) <= 255
        if b["type"] == "section":
            assert 0 < len(b["text"]["text"]) <= ui.MAX_SECTION
            if "accessory" in b:
                assert len(b["accessory"]["text"]["text"]) <= ui.MAX_BUTTON_TEXT
                assert len(b["accessory"].get("value", "")) <= ui.MAX_BUTTON_VALUE
        if b["type"] == "context":
            assert 0 < len(b["elements"]) <= 10
            assert all(len(e["text"]) <= ui.MAX_CONTEXT_ELEMENT for e in b["elements"])
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75 and len(e.get("value", "")) <= 2000
                assert len(e["action_id"]) <= 255
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150


def check_view(view: dict) -> None:
    check_slack(view["blocks"], ui.MAX_VIEW_BLOCKS)
    for key in ("title", "close"):
        if key in view:
            assert len(view[key]["text"]) <= 24


def no_raw_rule_ids(rendered) -> None:
    """No rule id with an underscore (`quoting_colleagues`, `personal_data`) in what a card shows."""
    text = rendered if isinstance(rendered, str) else json.dumps(rendered, ensure_ascii=False)
    for rule in set(RULE_IDS) | set(RULE_LABELS["en"]):
        if "_" in rule:
            assert rule not in text, rule


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


def angry_review(language: str) -> Review:
    """An angry post: "furious" and three "!!!" are four findings that say the
    same thing, beside one that says something else."""
    sources = (cite(7), cite(8))
    same = [Finding("emotional", "medium", start, start + len(text), text, "Geschreven in boosheid.",
                    "Wacht tot je rustig bent.", sources)
            for start, text in ((3, "furious"), (18, "!!!"), (49, "!!!"), (68, "!!!"))]
    other = Finding("offensive", "high", 30, 40, "a disgrace", "Kwetsend.", "Laat het weg.", (cite(9),))
    return Review("do_not_post", language, (*same, other), ())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_findings_that_say_the_same_thing_are_one_point_with_each_passage(language):
    r = angry_review(language)
    card = cards.review_card(r, "leiden")
    check_adaptive_card(card)
    body = json.dumps(card["body"], ensure_ascii=False)
    assert ("2 point(s)" if language == "en" else "2 punt(en)") in body
    assert body.count("Geschreven in boosheid.") == 1 and body.count("Wacht tot je rustig bent.") == 1
    assert "\u201cfurious\u201d \u00b7 \u201c!!!\u201d (3\u00d7)" in body
    assert body.index("Kwetsend.") < body.index("Geschreven in boosheid.")    # most severe first still

    blocks = ui.review_blocks(r)
    check_slack(blocks)
    text = json.dumps(blocks, ensure_ascii=False)
    assert ("2 points" if language == "en" else "2 aandachtspunten") in text
    assert text.count("Geschreven in boosheid.") == 1
    assert "\u201cfurious\u201d \u00b7 \u201c!!!\u201d (3\u00d7)" in text
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(render_review(r, "So furious!!! this is a disgrace!!! why!!!"))
    shown = console.export_text()
    assert shown.count("Geschreven in boosheid.") == 1 and "\u201cfurious\u201d \u00b7 \u201c!!!\u201d (3\u00d7)" in shown
    # the machine-readable review keeps every finding and its offsets
    assert [f["start"] for f in r.to_dict()["findings"]] == [3, 18, 49, 68, 30]


def test_findings_citing_other_guidelines_or_at_another_severity_stay_apart():
    base = Finding("emotional", "medium", 0, 3, "!!!", "Boos.", "Wacht.", (cite(7),))
    others = [replace(base, start=5, end=8, severity="low"), replace(base, start=10, end=13, citations=(cite(8),)),
              replace(base, start=15, end=18, box=(1, 2, 3, 4), excerpt=""),
              replace(base, start=20, end=23, box=(5, 6, 7, 8), excerpt="")]
    listed = points([base, *others])
    assert [(p.finding.start, p.single) for p in listed] == [(0, True), (10, True), (15, True), (20, True), (5, True)]


def test_a_long_list_of_passages_is_cut_to_the_room_it_has():
    many = [Finding("emotional", "medium", k, k + 1, f"passage number {k} " * 5, "Boos.", "Wacht.", (cite(7),))
            for k in range(30)]
    point, = points(many)
    line = point.excerpt(300)
    assert len(line) <= 300 and line.startswith("\u201cpassage number 0 passage number 0")
    shown = line.count("\u201cpassage")
    assert 2 <= shown < 30 and line.endswith(f" (+{30 - shown})")


def test_long_texts_are_cut_at_a_word_alike_on_every_channel():
    words = "wacht even met posten tot je rustig bent " * 80
    assert clip(words, 50) == "wacht even met posten tot je rustig bent wacht\u2026"
    assert clip("x" * 80, 50) == "x" * 49 + "\u2026" and clip(None, 5) == ""   # no word to cut at
    assert ui.clip is clip
    # the Teams summary (notifications) and a single finding's excerpt use the same cut
    summary = cards.message({"fallbackText": words}).summary
    assert len(summary) <= 200 and summary.endswith(" tot je\u2026")
    point, = points([Finding("emotional", "medium", 0, len(words), words, "Boos.", "Wacht.", (cite(7),))])
    assert point.excerpt(120) == clip(words, 120) and point.excerpt(120).endswith(" je rustig\u2026")


def test_a_review_with_more_points_than_a_card_holds_says_how_many_are_left_out():
    many = tuple(Finding("privacy", "medium", k, k + 5, "x" * 400, f"Bericht {k}.", "Doe het anders.",
                         (cite(k % 5 + 1), cite(k % 5 + 2))) for k in range(14))
    card = cards.review_card(Review("caution", "en", many, ()), "leiden")
    check_adaptive_card(card)
    assert len(json.dumps(card).encode("utf-8")) < 26_000
    body = json.dumps(card["body"], ensure_ascii=False)
    shown = sum(f"Bericht {k}." in body for k in range(14))
    assert shown <= cards.MAX_FINDINGS and f"… and {14 - shown} more point(s)" in body


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_related_guideline_already_quoted_under_a_finding_is_not_repeated(language):
    f = Finding("emotional", "medium", 0, 3, "!!!", "Boos.", "Wacht.", (cite(7), cite(8)))
    again, other = replace(cite(7), score=0.42), cite(12)     # the same quote, found again by retrieval
    r = Review("caution", language, (f,), (again, other))
    card = json.dumps(cards.review_card(r, "leiden")["body"], ensure_ascii=False)
    slack = json.dumps(_without(ui.review_blocks(r), "value"), ensure_ascii=False)
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(render_review(r, "!!!"))
    for shown in (card, slack, console.export_text()):
        assert shown.count(cite(7).quote) == 1 and cite(12).quote in shown


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
    card = cards.welcome_card(contents, language, assistant.organisations)
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


@pytest.mark.parametrize("language", ["nl", "en"])
def test_app_home_starts_with_how_to_use_the_bot_and_opens_the_rules_on_a_button(language):
    assistant = fake_assistant()
    orgs = sorted(assistant.organisations)
    contents = [assistant.onboarding_content(o, language) for o in orgs]
    view = ui.home_view(contents, language, assistant.quiz_orgs(), assistant.organisations)
    check_view(view)
    shown = json.dumps(view, ensure_ascii=False)
    t = ui.labels(language)
    assert shown.index("/socialpolicy") < shown.index(contents[0].organisation)
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
               if e["action_id"] == ui.SHOW_RULES]
    assert [ui.decode_value(b["value"])["o"] for b in buttons] == orgs
    assert all(b["text"]["text"] == t["show_rules"] for b in buttons)
    for content in contents:
        info = assistant.organisations[content.org]
        assert content.organisation in shown and info.examples(language)[0] in shown
        # The rules are behind the button, not listed ...
        assert not any(c.quote in shown for c in content.key_rules + content.dos + content.donts)
        # ... and the button's modal lists them.
        modal = json.dumps(ui.rules_modal(content, language), ensure_ascii=False)
        assert all(ui.esc(c.quote)[:80] in modal for c in content.key_rules)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_help_texts_name_the_organisations_and_examples_of_the_knowledge_base(language):
    assistant = fake_assistant()
    orgs = assistant.organisations
    slack = ui.help_text(language, orgs)
    teams_card = cards.help_card(language, assistant.quiz_orgs(), orgs)
    teams = json.dumps(teams_card, ensure_ascii=False)
    welcome = cards.welcome_card([assistant.onboarding_content(o, language) for o in sorted(orgs)], language, orgs)
    for info in orgs.values():
        for text in (slack, teams):
            assert info.short_name in text
        assert info.examples(language)[0] in json.dumps(welcome, ensure_ascii=False)
    first = orgs[sorted(orgs)[0]].examples(language)[0]
    assert first in slack and first in teams
    assert "{" not in slack and "{" not in teams_card["fallbackText"]


def test_a_third_institution_added_as_files_is_shown_in_app_home_and_the_teams_welcome(tmp_path):
    from policy_files import knowledge_with

    knowledge, meta = knowledge_with(REPO / "knowledge", tmp_path / "knowledge", "pdf")
    assistant = fake_assistant(knowledge)
    assert meta["id"] in assistant.organisations
    for language in ("nl", "en"):
        contents = [assistant.onboarding_content(o, language) for o in sorted(assistant.organisations)]
        home = json.dumps(ui.home_view(contents, language, assistant.quiz_orgs(), assistant.organisations),
                          ensure_ascii=False)
        welcome = cards.welcome_card(contents, language, assistant.organisations)
        check_adaptive_card(welcome)
        check_colours(welcome)
        shown = json.dumps(welcome, ensure_ascii=False)
        for text in (home, shown):
            assert meta["organisation"] in text and meta["examples"][language][0] in text
        assert meta["short_name"] in ui.help_text(language, assistant.organisations)


def test_organisation_names_are_the_knowledge_base_names_in_both_languages():
    assistant = fake_assistant()
    for language in ("nl", "en"):
        for org, name in assistant.quiz_orgs():
            assert name == assistant.catalogue.organisations[org].organisation
            assert cards.help_card(language, assistant.quiz_orgs())


# -- every card the bot sends, on both platforms --------------------------------------------------

def _real_citations(assistant, n: int, org: str) -> tuple[Citation, ...]:
    from bot.core.catalogue import citation_for

    passages = [p for p in assistant.catalogue.passages if p.kind == "sentence" and p.org == org]
    return tuple(citation_for(p, 0.8) for p in passages[:n])


def rendered(language: str):
    """(name, Teams card or None, Slack blocks or view or None) for every kind of message."""
    assistant = fake_assistant()
    orgs = sorted(assistant.organisations)
    quotes = {org: _real_citations(assistant, 40, org) for org in orgs}
    leiden = quotes[orgs[0]]
    severities = ("high", "medium", "low")
    every_rule = tuple(
        Finding(rule, severities[i % 3], i, i + 9, f"passage {i} of the draft", f"Message {i}.",
                "Schrijf het anders." if i % 2 else "", leiden[i % 10:i % 10 + 3])
        for i, rule in enumerate(RULE_IDS))
    image = (Finding("privacy", "high", 0, 0, "", "A recognisable face.", "Blur it.", leiden[:3], box=(1, 2, 30, 40)),
             Finding("personal_data", "medium", 0, 0, "GPS 52.1601, 4.4970", "Location.", "", leiden[3:4],
                     box=(0, 0, 640, 480)),
             Finding("personal_data", "low", 0, 0, "EXIF", "Camera owner.", "", (), box=(0, 0, 640, 480)))
    reviews = {
        "review": Review("do_not_post", language, every_rule, leiden[20:23]),
        "review, long": Review("do_not_post", language, every_rule * 3, leiden[20:23]),
        "review, nothing found": Review("ok", language, (), leiden[:2]),
        "image review": Review("caution", language, image, ()),
    }
    out = []
    for question in ("Mag ik een foto van mijn studenten plaatsen?", "Can I use the logo as my profile picture?",
                     "Wat is de hoofdstad van Frankrijk?"):
        answer = assistant.ask(question)
        answer = Answer(answer.question, language, answer.abstained, answer.answer, answer.citations,
                        contacts=answer.contacts, short_answer=answer.short_answer, confidence=answer.confidence)
        out.append((f"answer: {question}", cards.answer_card(answer, orgs[0]),
                    ui.answer_blocks(answer, share_value="{}", feedback_value="{}")))
    for name, r in reviews.items():
        out.append((name, cards.review_card(r, orgs[0]), ui.review_blocks(r, feedback_value="{}")))
        more = [f.citations[1:] for f in r.findings if len(f.citations) > 1]
        if more:
            out.append((f"{name}: sources", None, ui.sources_modal(more[0], language)))
    contents = [assistant.onboarding_content(org, language) for org in orgs]
    quiz_orgs = assistant.quiz_orgs()
    out.append(("welcome", cards.welcome_card(contents, language, assistant.organisations),
                ui.welcome_blocks("U1", language, contents[0].organisation, quiz_orgs)))
    out.append(("help", cards.help_card(language, quiz_orgs, assistant.organisations),
                ui.help_blocks(language, assistant.organisations)))
    out.append(("App Home", None, ui.home_view(contents, language, quiz_orgs, assistant.organisations)))
    for content in contents:
        out.append((f"rules {content.org}", None, ui.rules_modal(content, language)))
    out.append(("choose organisation", cards.choose_org_card(quiz_orgs, language), None))
    for org, name in quiz_orgs:
        progress, first = assistant.quiz_start(f"u-{org}-{language}", "teams", org, language=language)
        out.append((f"quiz {org}", cards.scenario_card(first, 1, progress.total, name, language),
                    ui.quiz_intro_blocks(name, progress.total, language)
                    + ui.scenario_blocks(first, 1, progress.total, language)))
        scenario, step = first, None
        for i in range(progress.total):
            pick = scenario.answer if i % 2 == 0 else (scenario.answer + 1) % len(scenario.choices)
            step = assistant.quiz_answer(f"u-{org}-{language}", scenario.id, pick, language)
            out.append((f"quiz {org} step {step.number}", cards.quiz_result_card(step, language),
                        ui.quiz_step_blocks(step, progress.total, language)))
            if step.next is None:
                break
            scenario = step.next
        out.append((f"quiz {org} done", cards.quiz_done_card(step.progress, language),
                    ui.quiz_done_blocks(step.progress, language)))
    # Errors and notices: plain text on Teams; a section on Slack.
    t = ui.labels(language)
    for key in ("error", "not_in_channel", "review_empty", "nothing_to_check", "quiz_lost"):
        out.append((key, None, ui.notice_blocks(t[key])))
    out.append(("checking", None, ui.loading_modal(language)))
    return out


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_card_is_valid_readable_and_shows_no_rule_ids(language):
    seen_teams = seen_slack = 0
    for name, card, slack in rendered(language):
        if card is not None:
            try:
                check_adaptive_card(card)
                check_colours(card)
                no_raw_rule_ids(card)
            except AssertionError as exc:
                raise AssertionError(f"Teams card {name!r}: {exc}") from exc
            seen_teams += 1
        if slack is not None:
            try:
                check_view(slack) if isinstance(slack, dict) else check_slack(slack)
                no_raw_rule_ids(slack)
            except AssertionError as exc:
                raise AssertionError(f"Slack blocks {name!r}: {exc}") from exc
            seen_slack += 1
    assert seen_teams >= 15 and seen_slack >= 20


def test_every_rule_has_a_name_in_both_languages():
    for language in ("nl", "en"):
        assert set(RULE_IDS) <= set(RULE_LABELS[language]), set(RULE_IDS) - set(RULE_LABELS[language])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_ok_with_hints_is_not_headed_ok_to_post_on_any_channel(language):
    """A `low` hint may advise taking something out, so an `ok` that carries
    one is headed "check the points", alike on every channel; a bare `ok`
    stays "OK to post", and the verdict in the data stays `ok`."""
    hint = Finding("confidential", "low", 0, 12, "verdient €", "Salaris.", "Haal het weg.", (cite(3),))
    for findings, key in (((hint,), "ok_hints"), ((), "ok")):
        r = Review("ok", language, findings, ())
        console = Console(width=300, record=True, file=io.StringIO(), force_terminal=True, color_system="standard")
        console.print(render_review(r, "Jan verdient € 5.200"))
        heading = VERDICT_LABELS[language][key]
        # the terminal's headline is not green above a hint (ANSI 32: green)
        headline = next(line for line in console.export_text(styles=True, clear=False).splitlines() if heading in line)
        assert ("\x1b[1;32m" in headline) == (key == "ok"), headline
        assert cards.review_card(r, "leiden")["body"][0]["text"] == heading
        assert heading in ui.review_blocks(r)[0]["text"]["text"]
        assert heading in console.export_text()
        assert r.to_dict()["verdict"] == "ok"
    assert VERDICT_LABELS[language]["ok_hints"] != VERDICT_LABELS[language]["ok"]
