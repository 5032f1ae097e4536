"""Block Kit rendering for Slack: answers, reviews, help, App Home, the
welcome DM and the onboarding quiz. Pure functions of core objects; labels in
Dutch and English, quotes always verbatim from the knowledge base.

Slack limits kept here: at most 50 blocks per message (100 in a view),
section text at most 3,000 characters, context elements at most 10, button
text at most 75 and button values at most 2,000 characters.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Iterable, Sequence

from bot.channels.labels import (SEVERITY_MARK, VERDICT_LABELS, VERDICT_MARK, clip, example_questions,
                                 naming_hint, not_quoted, points, rule_label, verdict_key)
from bot.core.models import Answer, Citation, Review

MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION = 3000
MAX_CONTEXT_ELEMENT = 2000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK = 3000

# action ids: the contract between these blocks and app.py's listeners
SHARE = "share_answer"
FEEDBACK_UP = "feedback_up"
FEEDBACK_DOWN = "feedback_down"
QUIZ_START = "quiz_start"
QUIZ_ANSWER = "quiz_answer"      # quiz_answer_0, quiz_answer_1, …
SHOW_SOURCES = "show_sources"     # a finding's other quotes, in a modal
SOURCES_VIEW = "finding_sources"
SHOW_RULES = "show_rules"         # an organisation's rules, from App Home, in a modal
RULES_VIEW = "organisation_rules"
FEEDBACK_BLOCK = "feedback"


LABELS = {
    "en": {
        "verdict": VERDICT_LABELS["en"],
        "severity": {"high": "high", "medium": "medium", "low": "low"},
        "findings": "{n} point{s} to look at",
        "no_findings": "No points against the guidelines were found in this draft.",
        "suggestion": "Suggestion",
        "show_sources": "Show sources",
        "sources_title": "Sources",
        "related": "Related guidelines",
        "cao": "CAO",
        "contact": "Questions the guidelines do not answer",
        "share": "Share in channel",
        "up": "👍 Helpful",
        "down": "👎 Not helpful",
        "shared_by": "Shared by <@{user}>",
        "thanks": "Thanks for your feedback.",
        "question": "Question",
        "your_answer": "Your answer",
        "correct": "✅ *Correct!*",
        "incorrect": "❌ *Not quite.* The right answer is *{letter}.* {choice}",
        "done": "🎉 *You finished the quiz:* {score} of {total} correct.",
        "again": "Take the quiz again",
        "start": "Start the quiz",
        "start_for": "Start the quiz: {organisation}",
        "quiz_intro": "*Onboarding quiz: {organisation}.* {total} everyday situation{s}; pick what you would do.",
        "quiz_sent": "I've sent you the quiz in a direct message.",
        "quiz_lost": "That quiz isn't running any more. Start it again:",
        "modal_title": "Social media check",
        "close": "Close",
        "checking": "⏳ Checking this message against the social media guidelines…",
        "nothing_to_check": "This message has no text to check.",
        "review_empty": "Paste the draft after `review`, e.g. `/socialpolicy review My post…`",
        "error": "Sorry, something went wrong. Please try again later.",
        "not_in_channel": "I can't post in this channel. Invite me with `/invite @socialpolicy` and try again.",
        "home_title": "Social media assistant",
        "home_intro": ("I answer questions about your organisation's social media code of conduct and check "
                       "draft posts against it. Every answer quotes the guideline it rests on, word for word; "
                       "when the guidelines are silent, I say so and tell you whom to ask."),
        "home_ask": ("*Ask a question*\n• `/socialpolicy` followed by your question{example}\n"
                     "• Mention @socialpolicy in a channel: I answer in the thread\n"
                     "• Or send me a direct message (Messages tab)"),
        "example": ", for example `/socialpolicy {question}`",
        "examples": "*You can ask, for example*",
        "show_rules": "Show the rules",
        "rules_title": "The rules",
        "home_review": ("*Check a draft before you post it*\n• `/socialpolicy review` followed by your draft "
                        "(only you see the result)\n• Paste the draft in a direct message to me, or start it with `review:`\n"
                        "• On any message: ⋯ → *Check against social media policy*\nDrafts are never stored."),
        "key_rules": "{organisation}: key rules",
        "cao_binding": "Collective agreement",
        "home_contact": "*Questions?* Contact {contact}.",
        "welcome": ("👋 Welcome, <@{user}>! I'm the social media assistant{of}. Ask me anything about the social "
                    "media code of conduct, or paste a draft post and I'll check it before you publish."),
        "welcome_quiz": "New here? Take the short quiz: a few everyday situations, each answered with the guideline behind it.",
        "welcome_tip": "Tip: `/socialpolicy help` shows everything I can do.",
        "help": ("*What I do*\nI answer questions about the social media code of conduct and check drafts against it, "
                 "quoting the guidelines word for word.\n\n"
                 "*Commands*\n• `/socialpolicy QUESTION`: ask a question (only you see the answer; you can share it)"
                 "{example}\n"
                 "• `/socialpolicy review DRAFT`: check a draft (only you see the result)\n"
                 "• `/socialpolicy onboarding`: take the onboarding quiz\n• `/socialpolicy help`: this help\n\n"
                 "*Elsewhere*\n• Mention @socialpolicy in a channel and I answer in the thread{choose}\n"
                 "• Send me a direct message: a question, or a draft to check\n"
                 "• On any message: ⋯ → *Check against social media policy*"),
        "help_other": "Nederlands: `/socialpolicy hulp`",
        "choose": "; say {names} to choose the organisation",
        "org_switched": "From now on in this conversation I answer for {organisation}.",
    },
    "nl": {
        "verdict": VERDICT_LABELS["nl"],
        "severity": {"high": "hoog", "medium": "middel", "low": "laag"},
        "findings": "{n} aandachtspunt{s}",
        "no_findings": "In dit concept zijn geen punten gevonden die tegen de richtlijnen ingaan.",
        "suggestion": "Suggestie",
        "show_sources": "Toon bronnen",
        "sources_title": "Bronnen",
        "related": "Gerelateerde richtlijnen",
        "cao": "Cao",
        "contact": "Vragen die de richtlijnen niet beantwoorden",
        "share": "Deel in kanaal",
        "up": "👍 Nuttig",
        "down": "👎 Niet nuttig",
        "shared_by": "Gedeeld door <@{user}>",
        "thanks": "Bedankt voor je feedback.",
        "question": "Vraag",
        "your_answer": "Jouw antwoord",
        "correct": "✅ *Goed!*",
        "incorrect": "❌ *Niet helemaal.* Het juiste antwoord is *{letter}.* {choice}",
        "done": "🎉 *Je hebt de quiz afgerond:* {score} van de {total} goed.",
        "again": "Doe de quiz opnieuw",
        "start": "Start de quiz",
        "start_for": "Start de quiz: {organisation}",
        "quiz_intro": "*Onboardingquiz: {organisation}.* {total} situatie{s} uit de praktijk; kies wat jij zou doen.",
        "quiz_sent": "Ik heb je de quiz in een direct bericht gestuurd.",
        "quiz_lost": "Die quiz loopt niet meer. Begin opnieuw:",
        "modal_title": "Social-mediacheck",
        "close": "Sluiten",
        "checking": "⏳ Ik toets dit bericht aan de social media richtlijnen…",
        "nothing_to_check": "Dit bericht bevat geen tekst om te toetsen.",
        "review_empty": "Zet het concept na `review`, bijvoorbeeld `/socialpolicy review Mijn bericht…`",
        "error": "Sorry, er ging iets mis. Probeer het later nog eens.",
        "not_in_channel": "Ik kan niet in dit kanaal posten. Nodig me uit met `/invite @socialpolicy` en probeer het opnieuw.",
        "home_title": "Social media assistent",
        "home_intro": ("Ik beantwoord vragen over de social media gedragscode van je organisatie en toets conceptberichten "
                       "eraan. Elk antwoord citeert letterlijk de richtlijn waarop het rust; zeggen de richtlijnen niets, "
                       "dan zeg ik dat en vertel ik bij wie je terechtkunt."),
        "home_ask": ("*Stel een vraag*\n• `/socialpolicy` gevolgd door je vraag{example}\n"
                     "• Noem @socialpolicy in een kanaal: ik antwoord in de thread\n"
                     "• Of stuur me een direct bericht (tab Berichten)"),
        "example": ", bijvoorbeeld `/socialpolicy {question}`",
        "examples": "*Je kunt bijvoorbeeld vragen*",
        "show_rules": "Toon de regels",
        "rules_title": "De regels",
        "home_review": ("*Laat een concept toetsen voor je het plaatst*\n• `/socialpolicy review` gevolgd door je concept "
                        "(alleen jij ziet de uitkomst)\n• Plak het concept in een direct bericht aan mij, of begin met `review:`\n"
                        "• Bij elk bericht: ⋯ → *Check against social media policy*\nConcepten worden nooit bewaard."),
        "key_rules": "{organisation}: de belangrijkste regels",
        "cao_binding": "Cao",
        "home_contact": "*Vragen?* Neem contact op met {contact}.",
        "welcome": ("👋 Welkom, <@{user}>! Ik ben de social media assistent{of}. Vraag me alles over de social media "
                    "gedragscode, of plak een conceptbericht en ik toets het voordat je het plaatst."),
        "welcome_quiz": "Nieuw hier? Doe de korte quiz: een paar situaties uit de praktijk, elk beantwoord met de richtlijn erachter.",
        "welcome_tip": "Tip: `/socialpolicy hulp` laat alles zien wat ik kan.",
        "help": ("*Wat ik doe*\nIk beantwoord vragen over de social media gedragscode en toets concepten eraan, "
                 "met letterlijke citaten uit de richtlijnen.\n\n"
                 "*Commando's*\n• `/socialpolicy VRAAG`: stel een vraag (alleen jij ziet het antwoord; je kunt het delen)"
                 "{example}\n"
                 "• `/socialpolicy review CONCEPT`: toets een concept (alleen jij ziet de uitkomst)\n"
                 "• `/socialpolicy onboarding`: doe de onboardingquiz\n• `/socialpolicy hulp`: deze hulp\n\n"
                 "*Elders*\n• Noem @socialpolicy in een kanaal en ik antwoord in de thread{choose}\n"
                 "• Stuur me een direct bericht: een vraag, of een concept om te toetsen\n"
                 "• Bij elk bericht: ⋯ → *Check against social media policy*"),
        "help_other": "English: `/socialpolicy help`",
        "choose": "; zeg {names} om de organisatie te kiezen",
        "org_switched": "Vanaf nu antwoord ik in dit gesprek voor {organisation}.",
    },
}


def labels(language: str) -> dict:
    return LABELS["en" if language == "en" else "nl"]


# -- text helpers ------------------------------------------------------------

def esc(text: str) -> str:
    """Escape the three characters Slack mrkdwn reserves."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def blockquote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in esc(text).splitlines() or [""])


def plain(text: str, limit: int = 75, emoji: bool = True) -> dict:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": emoji}


def section(text: str, block_id: str | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION)}}
    if block_id:
        block["block_id"] = block_id
    return block


def context(texts: Iterable[str]) -> dict | None:
    elements = [{"type": "mrkdwn", "text": clip(t, MAX_CONTEXT_ELEMENT)} for t in texts if t][:10]
    return {"type": "context", "elements": elements} if elements else None


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text, 150)}


def divider() -> dict:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str | None = None, style: str | None = None) -> dict:
    b = {"type": "button", "text": plain(text, MAX_BUTTON_TEXT), "action_id": action_id}
    if value is not None:
        b["value"] = value
    if style:
        b["style"] = style
    return b


def encode_value(data: dict) -> str:
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False, separators=(",", ":"))


def decode_value(value: str | None) -> dict:
    from bot.channels.sanitize import loads

    try:
        data = loads(value or "{}")  # depth-capped: a button value is user-controlled
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def fit(blocks: list[dict], limit: int = MAX_BLOCKS, keep_tail: int = 0) -> list[dict]:
    """At most `limit` blocks; the last `keep_tail` (e.g. the buttons) are kept."""
    blocks = [b for b in blocks if b]
    if len(blocks) <= limit:
        return blocks
    tail = blocks[len(blocks) - keep_tail:] if keep_tail else []
    head = blocks[: limit - len(tail) - 1]
    return head + [context(["…"])] + tail


# -- citations ---------------------------------------------------------------

def citation_source(c: Citation) -> str:
    return f"*{esc(c.organisation)}* — {esc(c.document)} › _{esc(c.section)}_"


def citation_section(c: Citation) -> dict:
    return section(f"{citation_source(c)}\n{blockquote(c.quote)}")


def cao_context(citations: Sequence[Citation], language: str) -> dict | None:
    articles = list(OrderedDict.fromkeys(a for c in citations for a in c.cao))
    if not articles:
        return None
    return context([f"📜 {labels(language)['cao']}: " + " · ".join(esc(a) for a in articles)])


def citation_blocks(citations: Sequence[Citation], language: str) -> list[dict]:
    out = []
    for c in citations:
        out.append(citation_section(c))
        cao = cao_context([c], language)
        if cao:
            out.append(cao)
    return out


def citation_line(c: Citation, quote_limit: int = 600) -> str:
    """One context line: source, verbatim quote (clipped only when very long), CAO."""
    line = f"📖 {citation_source(c)}: “{esc(clip(c.quote, quote_limit))}”"
    if c.cao:
        line += "  📜 " + " · ".join(esc(a) for a in c.cao)
    return line


# -- answers -----------------------------------------------------------------

def feedback_actions(language: str, value: str) -> dict:
    t = labels(language)
    return {"type": "actions", "block_id": FEEDBACK_BLOCK, "elements": [
        button(t["up"], FEEDBACK_UP, value), button(t["down"], FEEDBACK_DOWN, value)]}


def answer_blocks(answer: Answer, *, share_value: str | None = None, feedback_value: str | None = None,
                  shared_by: str | None = None) -> list[dict]:
    t = labels(answer.language)
    blocks: list[dict] = [section(("ℹ️ " if answer.abstained else "") + esc(answer.answer))]
    blocks += citation_blocks(answer.citations, answer.language)
    if answer.contacts and not answer.abstained:
        blocks.append(context([f"☎️ {t['contact']}: " + "; ".join(esc(c) for c in answer.contacts)]))
    if shared_by:
        blocks.append(context([t["shared_by"].format(user=shared_by)]))
    buttons = []
    if share_value and len(share_value) <= MAX_BUTTON_VALUE:
        buttons.append(button(t["share"], SHARE, share_value, style="primary"))
    if feedback_value:
        buttons += feedback_actions(answer.language, feedback_value)["elements"]
    if buttons:
        blocks.append({"type": "actions", "block_id": FEEDBACK_BLOCK, "elements": buttons})
    return fit(blocks, keep_tail=1 if buttons else 0)


def answer_text(answer: Answer) -> str:
    return clip(answer.answer, MAX_FALLBACK)


# -- reviews -----------------------------------------------------------------

def verdict_line(review: Review) -> str:
    t = labels(review.language)
    key = verdict_key(review)
    return f"{VERDICT_MARK[key]} {t['verdict'][key]}"


def review_blocks(review: Review, *, feedback_value: str | None = None, limit: int = MAX_BLOCKS) -> list[dict]:
    t = labels(review.language)
    listed = points(review.findings)
    n = len(listed)
    summary = t["findings"].format(n=n, s="" if n == 1 else ("s" if review.language == "en" else "en")) if n \
        else t["no_findings"]
    blocks: list[dict] = [header(verdict_line(review)), section(summary)]
    tail = [feedback_actions(review.language, feedback_value)] if feedback_value else []
    budget = limit - len(blocks) - len(tail) - 1
    shown, quoted = 0, []
    for i, point in enumerate(listed, 1):
        if budget < 2:
            break
        f = point.finding
        mark = SEVERITY_MARK.get(f.severity, "•")
        label = f"{t['severity'].get(f.severity, f.severity)} · {rule_label(f.rule, review.language)}"
        text = f"*{i}. {mark} {esc(label)}*\n{esc(f.message)}"
        if f.excerpt:
            text += "\n" + blockquote(point.excerpt(500))
        if f.suggestion:
            text += f"\n→ *{t['suggestion']}:* {esc(f.suggestion)}"
        block = section(text)
        # One quote per finding; the others open in a modal.
        more = sources_value(f.citations[1:], review.language)
        if more:
            block["accessory"] = button(t["show_sources"], SHOW_SOURCES, more)
        blocks.append(block)
        budget -= 1
        quoted += f.citations[:1]
        lines = [citation_line(c) for c in f.citations[:1]]
        if lines:
            blocks.append(context(lines))
            budget -= 1
        shown += 1
    if shown < n:
        blocks.append(context([f"… +{n - shown}"]))
        budget -= 1
    related = not_quoted(review.related, quoted)     # a quote already under a finding is not repeated
    if related and budget >= 3:
        blocks.append(section(f"*{t['related']}*"))
        budget -= 1
        for c in related:
            if budget < 1:
                break
            blocks.append(citation_section(c))
            budget -= 1
    return fit(blocks + tail, limit, keep_tail=len(tail))


def sources_value(citations: Sequence[Citation], language: str) -> str | None:
    """A button value naming quotes by organisation, section and their first
    words (the modal looks them up in the knowledge base): never a draft."""
    refs = [[c.org, c.section, c.quote[:60]] for c in citations if c.org]
    while refs:
        value = encode_value({"l": language, "c": refs})
        if len(value) <= MAX_BUTTON_VALUE:
            return value
        refs.pop()
    return None


def sources_modal(citations: Sequence[Citation], language: str) -> dict:
    t = labels(language)
    view = modal(citation_blocks(citations, language), language, SOURCES_VIEW)
    view["title"] = plain(t["sources_title"], 24)
    return view


def review_text(review: Review) -> str:
    return verdict_line(review)


# -- help, notices -----------------------------------------------------------

def help_text(language: str, organisations=None) -> str:
    """The help, with an example question and the organisations' names as
    the knowledge base gives them (`organisations`: id → OrganisationInfo)."""
    t = labels(language)
    examples = example_questions(organisations, language)
    names = naming_hint(organisations, language)
    return t["help"].format(example=t["example"].format(question=esc(examples[0])) if examples else "",
                            choose=t["choose"].format(names=esc(names)) if names else "")


def help_blocks(language: str, organisations=None) -> list[dict]:
    t = labels(language)
    return [section(help_text(language, organisations)), context([t["help_other"]])]


def notice_blocks(text: str) -> list[dict]:
    return [section(text)]


# -- App Home, welcome, quiz start buttons -------------------------------------

def quiz_buttons(orgs: Sequence[tuple[str, str]], language: str, block_id: str = "quiz_start") -> dict | None:
    """One "Start the quiz" button per organisation (org id, organisation name)."""
    t = labels(language)
    if not orgs:
        return None
    elements = []
    for org, name in orgs[:5]:
        text = t["start"] if len(orgs) == 1 else t["start_for"].format(organisation=name)
        elements.append(button(text, f"{QUIZ_START}_{org}" if len(orgs) > 1 else QUIZ_START,
                               encode_value({"o": org, "l": language}), style="primary"))
    return {"type": "actions", "block_id": block_id, "elements": elements}


def _grouped(citations: Sequence[Citation]) -> "OrderedDict[str, list[Citation]]":
    groups: OrderedDict[str, list[Citation]] = OrderedDict()
    for c in citations:
        groups.setdefault(c.section, []).append(c)
    return groups


def _chunks(head: str, lines: Sequence[str]) -> list[dict]:
    """Sections of at most MAX_SECTION characters: a heading and its lines."""
    out, current = [], head
    for line in lines:
        if len(current) + 1 + len(line) > MAX_SECTION and current != head:
            out.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        out.append(section(current))
    return out


def org_rules_blocks(content, language: str) -> list[dict]:
    """Key rules, Do's and Don'ts, the CAO articles and the contact of one organisation."""
    t = labels(language)
    blocks: list[dict] = [header(t["key_rules"].format(organisation=content.organisation))]
    blocks.append(context([f"📄 {esc(content.document)}"]))
    shown = set()
    for name, items in _grouped(content.key_rules).items():
        if len(items) == 1:
            lines = [blockquote(items[0].quote)]
        else:
            lines = [f"• {esc(c.quote)}" for c in items]
        blocks += _chunks(f"*{esc(name)}*", lines)
        shown.update(c.quote for c in items)
    for marker, items in (("✅", content.dos), ("⛔", content.donts)):
        items = [c for c in items if c.quote not in shown]
        if items:
            blocks += _chunks(f"*{esc(items[0].section)}*", [f"{marker} {esc(c.quote)}" for c in items])
    if content.cao:
        name = content.cao[0].document
        blocks.append(context([f"📜 *{esc(name)}*"] + [f"*{esc(c.section)}*: “{esc(c.quote)}”" for c in content.cao][:9]))
    if content.contact:
        blocks.append(section(t["home_contact"].format(contact=esc(content.contact))))
    return blocks


def home_view(contents: Sequence, language: str, quiz_orgs: Sequence[tuple[str, str]],
              organisations=None) -> dict:
    """How to use the bot first; then each organisation in scope with its
    document, example questions and contact, its rules behind a button."""
    t = labels(language)
    orgs = [c.org for c in contents]
    examples = example_questions(organisations, language, orgs)
    example = t["example"].format(question=esc(examples[0])) if examples else ""
    blocks: list[dict] = [header(t["home_title"]), section(t["home_intro"]),
                          section(t["home_ask"].format(example=example)), section(t["home_review"])]
    start = quiz_buttons(quiz_orgs, language, block_id="home_quiz")
    if start:
        blocks.append(start)
    for content in contents:
        blocks.append(divider())
        blocks += organisation_blocks(content, language, organisations)
    return {"type": "home", "blocks": fit(blocks, MAX_VIEW_BLOCKS)}


def organisation_blocks(content, language: str, organisations=None) -> list[dict]:
    """An organisation on App Home: name, document, example questions,
    contact and a "Show the rules" button (the rules open in a modal)."""
    t = labels(language)
    text = f"*{esc(content.organisation)}*\n📄 {esc(content.document)}"
    examples = example_questions(organisations, language, [content.org], per_org=3)
    if examples:
        text += f"\n{t['examples']}\n" + "\n".join(f"• “{esc(q)}”" for q in examples)
    blocks = [section(text)]
    if content.contact:
        blocks.append(context([t["home_contact"].format(contact=esc(content.contact))]))
    if content.key_rules or content.dos or content.donts or content.cao:
        blocks.append({"type": "actions", "block_id": clip(f"rules:{content.org}", 255), "elements": [
            button(t["show_rules"], SHOW_RULES, encode_value({"o": content.org, "l": language}))]})
    return blocks


def rules_modal(content, language: str) -> dict:
    """One organisation's key rules, Do's and Don'ts, CAO articles and contact."""
    view = modal(org_rules_blocks(content, language), language, RULES_VIEW)
    view["title"] = plain(labels(language)["rules_title"], 24)
    return view


def welcome_blocks(user: str, language: str, organisation: str | None,
                   quiz_orgs: Sequence[tuple[str, str]]) -> list[dict]:
    t = labels(language)
    of = (f" of {esc(organisation)}" if language == "en" else f" van {esc(organisation)}") if organisation else ""
    blocks = [section(t["welcome"].format(user=user, of=of)), section(t["welcome_quiz"])]
    start = quiz_buttons(quiz_orgs, language, block_id="welcome_quiz")
    if start:
        blocks.append(start)
    blocks.append(context([t["welcome_tip"]]))
    return blocks


# -- quiz --------------------------------------------------------------------

def letter(i: int) -> str:
    return chr(65 + i)


def quiz_intro_blocks(organisation: str, total: int, language: str) -> list[dict]:
    t = labels(language)
    s = "" if total == 1 else ("s" if language == "en" else "s")
    return [section(t["quiz_intro"].format(organisation=esc(organisation), total=total, s=s))]


def _scenario_text(scenario, number: int, total: int, language: str) -> str:
    t = labels(language)
    return f"*{t['question']} {number}/{total}*\n{esc(scenario.text)}"


def scenario_blocks(scenario, number: int, total: int, language: str) -> list[dict]:
    choices = "\n".join(f"*{letter(i)}.* {esc(c)}" for i, c in enumerate(scenario.choices))
    buttons = [button(letter(i), f"{QUIZ_ANSWER}_{i}", encode_value({"s": scenario.id, "c": i, "l": language}))
               for i in range(len(scenario.choices))][:25]
    return [section(_scenario_text(scenario, number, total, language) + "\n\n" + choices),
            {"type": "actions", "block_id": clip(f"quiz:{scenario.id}", 255), "elements": buttons}]


def scenario_text(scenario, number: int, total: int, language: str) -> str:
    return clip(f"{labels(language)['question']} {number}/{total}: {scenario.text}", MAX_FALLBACK)


def quiz_step_blocks(step, total: int, language: str) -> list[dict]:
    """The answered scenario: the choice, right or wrong, the explanation and its citations."""
    t = labels(language)
    s = step.scenario
    blocks = [section(_scenario_text(s, step.number, total, language)),
              section(f"{t['your_answer']}: *{letter(step.choice)}.* {esc(s.choices[step.choice])}")]
    verdict = t["correct"] if step.correct else t["incorrect"].format(letter=letter(s.answer),
                                                                       choice=esc(s.choices[s.answer]))
    blocks.append(section(f"{verdict}\n{esc(s.explanation)}"))
    blocks += citation_blocks(s.citations, language)
    return fit(blocks)


def quiz_done_blocks(progress, language: str) -> list[dict]:
    t = labels(language)
    blocks = [section(t["done"].format(score=progress.score, total=progress.total))]
    again = {"type": "actions", "block_id": "quiz_again", "elements": [
        button(t["again"], QUIZ_START, encode_value({"o": progress.org, "l": language}))]}
    return blocks + [again]


# -- modals ------------------------------------------------------------------

def modal(blocks: list[dict], language: str, callback_id: str = "check_policy_result") -> dict:
    t = labels(language)
    return {"type": "modal", "callback_id": callback_id, "title": plain(t["modal_title"], 24),
            "close": plain(t["close"], 24), "blocks": fit(blocks, MAX_VIEW_BLOCKS)}


def loading_modal(language: str) -> dict:
    return modal([section(labels(language)["checking"])], language)


def replace_feedback(blocks: Sequence[dict], language: str) -> list[dict]:
    """The same blocks with the 👍/👎 buttons replaced by a thank-you note."""
    out = []
    for b in blocks:
        if b.get("type") == "actions" and any(
                e.get("action_id") in (FEEDBACK_UP, FEEDBACK_DOWN) for e in b.get("elements", [])):
            rest = [e for e in b["elements"] if e.get("action_id") not in (FEEDBACK_UP, FEEDBACK_DOWN)]
            if rest:
                out.append({**b, "elements": rest})
            out.append(context([labels(language)["thanks"]]))
        else:
            out.append(b)
    return out
