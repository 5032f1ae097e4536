"""The Slack app end to end: the real Bolt app over HTTP on loopback, the
real Assistant, and a fake Slack platform (tests/slack/fake_slack.py) that
records what the app sends. Requests are signed as Slack signs them."""

from __future__ import annotations

import json
import logging
import statistics
import time

import pytest

from bot.channels.labels import VERDICT_MARK, verdict_key
from slack_testing import LEIDEN_TEAM, ROC_CHANNEL, TEAM
from fake_slack import BOT_USER, http

pytestmark = pytest.mark.timeout(120)

WAIT = 30.0
DRAFT = ('Ik hoorde dat de faculteit gaat reorganiseren, nog niet bekend maar mijn collega zei: '
         '"er gaan banen weg"!!!\nMail me op j.jansen@gmail.com')
# The same draft as Slack delivers it: links wrapped, & < > escaped.
DRAFT_AS_SLACK = DRAFT.replace("j.jansen@gmail.com", "<mailto:j.jansen@gmail.com|j.jansen@gmail.com>")


def all_text(node) -> str:
    """Every piece of text in a block tree."""
    if isinstance(node, dict):
        return "\n".join(all_text(v) for k, v in node.items() if k in ("text", "elements", "blocks", "fields")
                         or isinstance(v, (dict, list)))
    if isinstance(node, list):
        return "\n".join(all_text(x) for x in node)
    return node if isinstance(node, str) else ""


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def action_ids(blocks) -> list[str]:
    return [e.get("action_id") for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def button(blocks, action_id: str) -> dict:
    for b in blocks:
        for e in b.get("elements", []) if b.get("type") == "actions" else []:
            if e.get("action_id") == action_id:
                return e
    raise AssertionError(f"no {action_id} button in {action_ids(blocks)}")


def assert_cites(blocks, answer) -> None:
    """Every citation of the core's answer is shown with organisation,
    document and section, its quote verbatim, and its CAO articles."""
    text = unescape(all_text(blocks))
    assert answer.citations, "the question should be answered with citations"
    for c in answer.citations:
        assert c.organisation in text and c.document in text and c.section in text
        assert c.quote in text
        for article in c.cao:
            assert article in text
    cao = [b for b in blocks if b["type"] == "context" and "📜" in all_text(b)]
    assert bool(cao) == any(c.cao for c in answer.citations)


def assert_valid_blocks(blocks, limit: int = 50) -> None:
    assert 0 < len(blocks) <= limit
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "context":
            assert 0 < len(b["elements"]) <= 10
        if b["type"] == "actions":
            for e in b["elements"]:
                assert len(e["text"]["text"]) <= 75 and len(e.get("value", "")) <= 2000


# -- slash command ----------------------------------------------------------------

def test_slash_ask_acks_fast_and_answers_at_response_url(slack, fake_slack, assistant):
    question = "Mag ik foto's van studenten plaatsen?"
    sent = time.perf_counter()
    reply = slack.command(question, fake_slack.response_url("ask-1"))
    assert reply.status == 200 and reply.seconds < 3.0
    got = fake_slack.wait_for("response", "ask-1", timeout=WAIT)
    msg = got.data
    assert msg["response_type"] == "ephemeral"
    expected = assistant.ask(question)
    assert expected.answer in unescape(all_text(msg["blocks"]))
    assert msg["text"] == expected.answer
    assert_cites(msg["blocks"], expected)
    assert_valid_blocks(msg["blocks"])
    ids = action_ids(msg["blocks"])
    assert ids == ["share_answer", "feedback_up", "feedback_down"]
    # The question may ride in the share button; the feedback value holds no text.
    assert json.loads(button(msg["blocks"], "share_answer")["value"])["q"] == question
    assert question not in button(msg["blocks"], "feedback_up")["value"]
    print(f"\nslash ask: ack {reply.seconds * 1000:.0f} ms, answer delivered {(got.at - sent) * 1000:.0f} ms")


def test_slash_command_in_configured_channel_is_scoped(slack, fake_slack, assistant):
    question = "Mag ik op social media reageren op een vraag van een journalist?"
    reply = slack.command(question, fake_slack.response_url("ask-roc"), channel=ROC_CHANNEL)
    assert reply.status == 200
    blocks = fake_slack.wait_for("response", "ask-roc", timeout=WAIT).data["blocks"]
    expected = assistant.ask(question, "rocwb")
    assert expected.answer in unescape(all_text(blocks))
    assert "Universiteit Leiden" not in all_text(blocks)


def test_slash_review_is_ephemeral_with_verdict_and_findings(slack, fake_slack, assistant):
    reply = slack.command("review " + DRAFT_AS_SLACK, fake_slack.response_url("review-1"))
    assert reply.status == 200 and reply.seconds < 3.0 and reply.body == ""  # the draft is not echoed
    msg = fake_slack.wait_for("response", "review-1", timeout=WAIT).data
    assert msg["response_type"] == "ephemeral"
    expected = assistant.review(DRAFT)
    assert expected.findings
    blocks = msg["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"].startswith(VERDICT_MARK[verdict_key(expected)])
    text = unescape(all_text(blocks))
    sources = [json.loads(b["accessory"]["value"]) for b in blocks
               if b.get("accessory", {}).get("action_id") == "show_sources"]
    for f in expected.findings:
        assert f.excerpt[:100] in text and f.message in text
        # One quote per finding on the card; the others behind "Toon bronnen" (issue 14).
        assert f.citations[0].section in text
        for c in f.citations[1:]:
            assert any([c.org, c.section, c.quote[:60]] in v["c"] for v in sources)
    assert_valid_blocks(blocks)
    value = json.loads(button(blocks, "feedback_down")["value"])
    assert value == {"k": "review", "l": expected.language, "v": expected.verdict}
    assert "share_answer" not in action_ids(blocks)  # a draft is never shared
    # Never posted to a channel: only the author sees it.
    assert not fake_slack.find("api", "chat.postMessage", lambda d: "j.jansen" in json.dumps(d))


def test_slash_review_without_a_draft_explains(slack, fake_slack):
    slack.command("review", fake_slack.response_url("review-empty"))
    msg = fake_slack.wait_for("response", "review-empty", timeout=WAIT).data
    assert "/socialpolicy review" in msg["text"]


def test_slash_help_is_answered_in_the_ack(slack, fake_slack):
    for text, language_word in (("help", "Commands"), ("hulp", "Commando's"), ("", "Commando's")):
        reply = slack.command(text, fake_slack.response_url(f"help-{text}"))
        assert reply.status == 200 and reply.seconds < 3.0
        body = reply.json()
        assert language_word in all_text(body["blocks"])
        assert "/socialpolicy review" in all_text(body["blocks"])
        # The organisations' short names and an example question, from knowledge/.
        shown = unescape(all_text(body["blocks"]))
        assert ("“for Leiden” or “for ROC”" if language_word == "Commands" else "“voor Leiden” of “voor ROC”") in shown
        assert ("Can I post a photo of my students?" if language_word == "Commands"
                else "Mag ik een foto van mijn studenten plaatsen?") in shown
    time.sleep(0.2)
    assert not fake_slack.find("response", "help-help")


def test_ack_latency_over_twenty_commands(slack, fake_slack):
    questions = ["Mag ik foto's van studenten plaatsen?", "Can I share confidential information?",
                 "Mag ik namens de universiteit reageren?", "Can I post about a reorganisation?"]
    acks, delivered = [], []
    for i in range(20):
        sent = time.perf_counter()
        reply = slack.command(questions[i % len(questions)], fake_slack.response_url(f"loop-{i}"))
        assert reply.status == 200
        acks.append(reply.seconds)
        got = fake_slack.wait_for("response", f"loop-{i}", timeout=WAIT)
        delivered.append(got.at - sent)
    acks.sort()
    delivered.sort()
    print(f"\nack over 20 slash commands: p50 {statistics.median(acks) * 1000:.1f} ms, "
          f"max {acks[-1] * 1000:.1f} ms; command to answer at response_url: "
          f"p50 {statistics.median(delivered) * 1000:.0f} ms, max {delivered[-1] * 1000:.0f} ms")
    assert acks[-1] < 3.0
    assert statistics.median(acks) < 0.5


# -- mentions and threads -----------------------------------------------------------

def mention(text: str, ts: str, thread_ts: str | None = None, channel: str = "C1", user: str = "U1") -> dict:
    event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def test_mention_is_answered_in_its_thread(slack, fake_slack, assistant):
    question = "Mag ik foto's van studenten plaatsen?"
    reply = slack.event(mention(f"<@{BOT_USER}> {question}", "1711111111.000100"))
    assert reply.status == 200 and reply.seconds < 3.0
    post = fake_slack.wait_for("api", "chat.postMessage",
                               lambda d: d.get("thread_ts") == "1711111111.000100", timeout=WAIT)
    assert post.data["channel"] == "C1"
    expected = assistant.ask(question)   # the mention is stripped before asking
    assert post.data["text"] == expected.answer
    assert_cites(post.data["blocks"], expected)
    assert f"<@{BOT_USER}>" not in all_text(post.data["blocks"])
    assert "share_answer" not in action_ids(post.data["blocks"])


def test_thread_follow_up_keeps_the_organisation(slack, fake_slack, assistant):
    follow_up = "Mag ik vertrouwelijke informatie delen?"
    scoped, unscoped = assistant.ask(follow_up, "rocwb"), assistant.ask(follow_up)
    assert scoped.answer != unscoped.answer  # so the test can tell them apart
    root = "1712222222.000100"
    slack.event(mention(f"<@{BOT_USER}> voor ROC: mag ik reageren op een vraag van een journalist?", root))
    first = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("thread_ts") == root, timeout=WAIT)
    assert "ROC West-Brabant" in all_text(first.data["blocks"])
    assert "Universiteit Leiden" not in all_text(first.data["blocks"])
    # A follow-up in the thread names no organisation: the thread's scope holds.
    slack.event(mention(f"<@{BOT_USER}> {follow_up}", "1712222222.000900", thread_ts=root))
    second = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("thread_ts") == root,
                                 timeout=WAIT, count=2)
    assert second.data["text"] == scoped.answer
    # The same question in a new thread is not scoped.
    slack.event(mention(f"<@{BOT_USER}> {follow_up}", "1712222223.000100"))
    other = fake_slack.wait_for("api", "chat.postMessage",
                                lambda d: d.get("thread_ts") == "1712222223.000100", timeout=WAIT)
    assert other.data["text"] == unscoped.answer


def test_mention_with_a_draft_reviews_privately(slack, fake_slack, assistant):
    ts = "1713333333.000100"
    slack.event(mention(f"<@{BOT_USER}> review: {DRAFT_AS_SLACK}", ts, user="U7"))
    post = fake_slack.wait_for("api", "chat.postEphemeral", lambda d: d.get("thread_ts") == ts, timeout=WAIT)
    assert post.data["user"] == "U7"
    assert post.data["blocks"][0]["text"]["text"].startswith(VERDICT_MARK[verdict_key(assistant.review(DRAFT))])
    assert not fake_slack.find("api", "chat.postMessage", lambda d: d.get("thread_ts") == ts)


# -- direct messages -------------------------------------------------------------------

def dm(text: str, ts: str, user: str = "U1", **extra) -> dict:
    return {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user, "text": text,
            "ts": ts, "event_ts": ts, **extra}


def test_dm_question_is_answered(slack, fake_slack, assistant):
    question = "Can I share confidential information about students?"
    slack.event(dm(question, "1714444444.000100", user="U5"))
    post = fake_slack.wait_for("api", "chat.postMessage",
                               lambda d: d.get("channel") == "DU5" and "blocks" in d, timeout=WAIT)
    expected = assistant.ask(question)
    assert expected.language == "en"
    assert post.data["text"] == expected.answer
    assert_cites(post.data["blocks"], expected)


def test_dm_draft_is_reviewed(slack, fake_slack, assistant):
    slack.event(dm(DRAFT_AS_SLACK, "1714444445.000100", user="U6"))
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DU6", timeout=WAIT)
    expected = assistant.review(DRAFT)
    assert post.data["blocks"][0]["text"]["text"].startswith(VERDICT_MARK[verdict_key(expected)])
    assert "feedback_up" in action_ids(post.data["blocks"])


def test_dm_edits_and_bot_messages_are_ignored(slack, fake_slack):
    before = len(fake_slack.find("api", "chat.postMessage", lambda d: d.get("channel") == "DU8"))
    slack.event(dm("Mag ik foto's plaatsen?", "1714444446.000100", user="U8", subtype="message_changed"))
    slack.event(dm("Mag ik foto's plaatsen?", "1714444446.000200", user="U8", bot_id="BOTHER"))
    slack.event(dm("help", "1714444446.000300", user="U8"))  # then something that is answered
    fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DU8", timeout=WAIT,
                        count=before + 1)
    time.sleep(0.3)
    posts = fake_slack.find("api", "chat.postMessage", lambda d: d.get("channel") == "DU8")
    assert len(posts) == before + 1 and "/socialpolicy" in all_text(posts[-1].data["blocks"])


# -- message shortcut -----------------------------------------------------------------

def test_message_shortcut_reviews_in_a_modal(slack, fake_slack, assistant):
    payload = {"type": "message_action", "callback_id": "check_policy", "trigger_id": "trig-shortcut-1",
               "user": {"id": "U9", "team_id": TEAM}, "channel": {"id": "C1", "name": "general"},
               "message": {"type": "message", "user": "U2", "ts": "1715555555.000100", "text": DRAFT_AS_SLACK},
               "message_ts": "1715555555.000100", "response_url": fake_slack.response_url("shortcut-1")}
    reply = slack.interactive(payload)
    assert reply.status == 200 and reply.seconds < 3.0
    opened = fake_slack.wait_for("api", "views.open", lambda d: d.get("trigger_id") == "trig-shortcut-1",
                                 timeout=WAIT)
    assert opened.data["view"]["type"] == "modal"
    updated = fake_slack.wait_for("api", "views.update", lambda d: d.get("view_id") and any(
        b.get("type") == "header" for b in d["view"]["blocks"]), timeout=WAIT)
    expected = assistant.review(DRAFT)
    view = updated.data["view"]
    assert view["blocks"][0]["text"]["text"].startswith(VERDICT_MARK[verdict_key(expected)])
    assert len(view["title"]["text"]) <= 24
    assert_valid_blocks(view["blocks"], 100)
    # A 👍 in the modal is recorded and the buttons give way to a thank-you.
    before = len(assistant.feedback.rows())
    slack.interactive({"type": "block_actions", "user": {"id": "U9"}, "trigger_id": "t",
                       "container": {"type": "view", "view_id": opened.data["view"].get("id", "V1")},
                       "view": {"id": "V0001", "hash": "h1", "callback_id": "check_policy_result",
                                "blocks": view["blocks"]},
                       "actions": [button(view["blocks"], "feedback_up") | {"block_id": "feedback"}]})
    thanked = fake_slack.wait_for("api", "views.update", lambda d: d.get("view_id") == "V0001" and
                                  "feedback_up" not in action_ids(d["view"]["blocks"]), timeout=WAIT)
    assert "Bedankt" in all_text(thanked.data["view"]["blocks"]) or "Thanks" in all_text(thanked.data["view"]["blocks"])
    rows = assistant.feedback.rows()
    assert len(rows) == before + 1 and rows[-1]["kind"] == "review" and rows[-1]["verdict"] == expected.verdict


# -- App Home and joining -------------------------------------------------------------

def test_app_home_shows_the_configured_organisation(slack, fake_slack, assistant):
    slack.event({"type": "app_home_opened", "user": "UEN", "channel": "DUEN", "tab": "home",
                 "event_ts": "1716666666.000100"}, team=LEIDEN_TEAM)
    pub = fake_slack.wait_for("api", "views.publish", lambda d: d.get("user_id") == "UEN", timeout=WAIT)
    view = pub.data["view"]
    assert view["type"] == "home"
    assert_valid_blocks(view["blocks"], 100)
    text = unescape(all_text(view["blocks"]))
    content = assistant.onboarding.content("leiden", "en")   # UEN's Slack locale is en-US
    info = assistant.organisations["leiden"]
    # How to use the bot first; then the organisation, its examples and contact.
    assert text.index("/socialpolicy") < text.index(content.organisation)
    assert info.examples("en")[0] in text and content.contact in text and "ROC West-Brabant" not in text
    assert "review" in text
    assert "quiz_start" in action_ids(view["blocks"])
    assert fake_slack.find("api", "users.info", lambda d: d.get("user") == "UEN")
    # The rules are behind "Show the rules", not listed ...
    assert not any(rule.quote in text for rule in content.key_rules)
    show = button(view["blocks"], "show_rules")
    assert show["text"]["text"] == "Show the rules"
    # ... and the button opens them in a modal.
    reply = slack.interactive({"type": "block_actions", "user": {"id": "UEN", "team_id": LEIDEN_TEAM},
                               "trigger_id": "trig-rules-1", "container": {"type": "view", "view_id": "VHOME"},
                               "view": {"id": "VHOME", "type": "home", "blocks": []},
                               "actions": [{**show, "block_id": "rules:leiden"}]})
    assert reply.status == 200
    opened = fake_slack.wait_for("api", "views.open", lambda d: d.get("trigger_id") == "trig-rules-1", timeout=WAIT)
    modal = opened.data["view"]
    assert modal["type"] == "modal"
    assert_valid_blocks(modal["blocks"], 100)
    rules = unescape(all_text(modal["blocks"]))
    for rule in content.key_rules:
        assert rule.quote in rules
    assert content.contact in rules


def test_app_home_without_configuration_shows_both_organisations(slack, fake_slack, assistant):
    slack.event({"type": "app_home_opened", "user": "U10", "channel": "DU10", "tab": "home",
                 "event_ts": "1716666667.000100"})
    view = fake_slack.wait_for("api", "views.publish", lambda d: d.get("user_id") == "U10", timeout=WAIT).data["view"]
    text = unescape(all_text(view["blocks"]))
    for org in ("leiden", "rocwb"):
        content = assistant.onboarding.content(org, "nl")
        assert content.organisation in text and content.contact in text
        assert assistant.organisations[org].examples("nl")[0] in text
        assert content.key_rules[0].quote not in text
    assert {"quiz_start_leiden", "quiz_start_rocwb"} <= set(action_ids(view["blocks"]))
    shows = [json.loads(e["value"])["o"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
             if e["action_id"] == "show_rules"]
    assert shows == ["leiden", "rocwb"]


def test_team_join_sends_a_welcome_dm_with_the_quiz(slack, fake_slack):
    slack.event({"type": "team_join", "user": {"id": "UNEW", "team_id": LEIDEN_TEAM, "name": "new",
                                               "is_bot": False}, "event_ts": "1717777777.000100"},
                team=LEIDEN_TEAM)
    opened = fake_slack.wait_for("api", "conversations.open", lambda d: d.get("users") == "UNEW", timeout=WAIT)
    assert opened
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DUNEW", timeout=WAIT)
    assert "<@UNEW>" in all_text(post.data["blocks"]) and "Universiteit Leiden" in all_text(post.data["blocks"])
    start = button(post.data["blocks"], "quiz_start")
    assert json.loads(start["value"]) == {"o": "leiden", "l": "nl"}
    # Bots joining get nothing.
    slack.event({"type": "team_join", "user": {"id": "UBOT2", "is_bot": True}, "event_ts": "1717777778.0001"})
    time.sleep(0.3)
    assert not fake_slack.find("api", "conversations.open", lambda d: d.get("users") == "UBOT2")


# -- the onboarding quiz -------------------------------------------------------------

def click(slack, user: str, channel: str, message: dict, action: dict) -> None:
    reply = slack.interactive({
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": "t",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "directmessage"}, "message": message,
        "response_url": "http://127.0.0.1:9/unused", "actions": [action | {"block_id": "b", "type": "button"}]})
    assert reply.status == 200 and reply.seconds < 3.0


def test_quiz_from_app_home_to_completion(slack, fake_slack, assistant):
    user, channel = "UQUIZ", "DUQUIZ"
    quiz = assistant.onboarding.quiz("rocwb", "nl")
    # "Start the quiz" on App Home (a view: no channel, no response_url).
    reply = slack.interactive({"type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": "t",
                               "container": {"type": "view", "view_id": "VHOME"},
                               "view": {"id": "VHOME", "type": "home", "blocks": []},
                               "actions": [{"action_id": "quiz_start_rocwb", "block_id": "home_quiz",
                                            "type": "button", "value": json.dumps({"o": "rocwb", "l": "nl"})}]})
    assert reply.status == 200
    fake_slack.wait_for("api", "conversations.open", lambda d: d.get("users") == user, timeout=WAIT)
    seen = 0
    for number, scenario in enumerate(quiz.scenarios, 1):
        posted = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == channel,
                                     timeout=WAIT, count=number)
        blocks = posted.data["blocks"]
        assert scenario.text in unescape(all_text(blocks))
        assert f"{number}/{len(quiz.scenarios)}" in all_text(blocks)
        message = {"ts": f"17188888{number:02d}.000100", "blocks": blocks, "text": posted.data["text"]}
        choice = (scenario.answer + 1) % len(scenario.choices) if number == 1 else scenario.answer
        click(slack, user, channel, message, button(blocks, f"quiz_answer_{choice}"))
        updated = fake_slack.wait_for("api", "chat.update", lambda d: d.get("ts") == message["ts"], timeout=WAIT)
        result = unescape(all_text(updated.data["blocks"]))
        assert ("❌" in result) if number == 1 else ("✅" in result)
        assert scenario.explanation in result
        for c in scenario.citations:
            assert c.quote in result and c.section in result
        seen += 1
    assert seen == len(quiz.scenarios)
    done = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == channel and
                               "🎉" in all_text(d.get("blocks", [])), timeout=WAIT)
    score = len(quiz.scenarios) - 1
    assert f"{score} van de {len(quiz.scenarios)}" in all_text(done.data["blocks"])
    rows = {r["user"]: r for r in assistant.onboarding.report_rows()}
    row = rows[f"slack:{TEAM}:{user}"]
    assert row["completed_at"] and row["answered"] == len(quiz.scenarios) and row["score"] == score
    assert row["organisation"] == "rocwb" and row["channel"] == "slack" and row["name"] == f"Test {user}"


def test_quiz_answer_without_a_started_quiz_offers_a_restart(slack, fake_slack, assistant):
    scenario = assistant.onboarding.quiz("leiden", "nl").scenarios[0]
    message = {"ts": "1719999999.000100", "blocks": [], "text": ""}
    click(slack, "UNOQUIZ", "DUNOQUIZ", message,
          {"action_id": "quiz_answer_0", "value": json.dumps({"s": scenario.id, "c": 0, "l": "nl"})})
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DUNOQUIZ", timeout=WAIT)
    assert any(a.startswith("quiz_start") for a in action_ids(post.data["blocks"]))


def test_slash_onboarding_starts_the_quiz_in_a_dm(slack, fake_slack, assistant):
    slack.command("onboarding", fake_slack.response_url("onboarding-1"), user="UONB", team=LEIDEN_TEAM)
    note = fake_slack.wait_for("response", "onboarding-1", timeout=WAIT)
    assert note.data["response_type"] == "ephemeral"
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DUONB", timeout=WAIT)
    first = assistant.onboarding.quiz("leiden", "nl").scenarios[0]
    assert first.text in unescape(all_text(post.data["blocks"]))
    assert "quiz_answer_0" in action_ids(post.data["blocks"])


# -- feedback and sharing ---------------------------------------------------------------

def test_feedback_click_is_recorded_without_text(slack, fake_slack, assistant):
    question = "Mag ik vertrouwelijke informatie over een reorganisatie delen?"
    slack.event(dm(question, "1720000000.000100", user="UFB"))
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DUFB", timeout=WAIT)
    before = len(assistant.feedback.rows())
    message = {"ts": "1720000000.000200", "blocks": post.data["blocks"], "text": post.data["text"]}
    click(slack, "UFB", "DUFB", message, button(post.data["blocks"], "feedback_down"))
    fake_slack.wait_for("api", "chat.update", lambda d: d.get("ts") == "1720000000.000200", timeout=WAIT)
    rows = assistant.feedback.rows()
    assert len(rows) == before + 1
    row = rows[-1]
    expected = assistant.ask(question)
    assert (row["channel"], row["kind"], row["vote"], row["language"]) == ("slack", "answer", "down", "nl")
    assert row["section"] == expected.citations[0].section and row["org"] == expected.citations[0].org
    stored = " ".join(str(v) for v in row.values())
    assert question not in stored and "reorganisatie" not in stored
    updated = fake_slack.wait_for("api", "chat.update", lambda d: d.get("ts") == "1720000000.000200").data
    assert "feedback_up" not in action_ids(updated["blocks"]) and "Bedankt" in all_text(updated["blocks"])


def test_share_in_channel_posts_the_answer(slack, fake_slack, assistant):
    question = "Mag ik foto's van studenten plaatsen?"
    slack.command(question, fake_slack.response_url("share-src"), channel="CSHARE", user="USH")
    blocks = fake_slack.wait_for("response", "share-src", timeout=WAIT).data["blocks"]
    share = button(blocks, "share_answer")
    slack.interactive({"type": "block_actions", "user": {"id": "USH", "team_id": TEAM}, "trigger_id": "t",
                       "container": {"type": "message", "message_ts": "1721.0001", "channel_id": "CSHARE",
                                     "is_ephemeral": True},
                       "channel": {"id": "CSHARE", "name": "general"},
                       "response_url": fake_slack.response_url("share-click"),
                       "actions": [share | {"block_id": "feedback"}]})
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "CSHARE", timeout=WAIT)
    assert post.data["text"] == assistant.ask(question).answer
    assert "<@USH>" in all_text(post.data["blocks"]) and "share_answer" not in action_ids(post.data["blocks"])
    assert fake_slack.wait_for("response", "share-click", timeout=WAIT).data.get("delete_original") is True


def test_share_where_the_bot_cannot_post_explains(slack, fake_slack):
    fake_slack.errors[("chat.postMessage", "CPRIVATE")] = "channel_not_found"
    value = json.dumps({"q": "Mag ik foto's van studenten plaatsen?"})
    slack.interactive({"type": "block_actions", "user": {"id": "USH"}, "trigger_id": "t",
                       "container": {"type": "message", "message_ts": "1", "channel_id": "CPRIVATE",
                                     "is_ephemeral": True},
                       "channel": {"id": "CPRIVATE"}, "response_url": fake_slack.response_url("share-fail"),
                       "actions": [{"action_id": "share_answer", "block_id": "feedback", "type": "button",
                                    "value": value}]})
    msg = fake_slack.wait_for("response", "share-fail", timeout=WAIT).data
    assert "/invite" in msg["text"]


# -- retries and request verification ----------------------------------------------------

def test_retried_event_is_answered_once(slack, fake_slack, caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.slack")
    ts = "1722222222.000100"
    event = mention(f"<@{BOT_USER}> Mag ik foto's van studenten plaatsen?", ts)
    assert slack.event(event, event_id="EvRETRY1").status == 200
    assert slack.event(event, event_id="EvRETRY1", retry=1).status == 200
    assert slack.event(event, event_id="EvRETRY1", retry=2).status == 200
    fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("thread_ts") == ts, timeout=WAIT)
    deadline = time.monotonic() + WAIT
    while sum(r.getMessage() == "slack.retry_ignored" for r in caplog.records) < 2:
        assert time.monotonic() < deadline, "the retries were not handled"
        time.sleep(0.05)
    time.sleep(0.2)
    assert len(fake_slack.find("api", "chat.postMessage", lambda d: d.get("thread_ts") == ts)) == 1


def test_forged_signature_is_rejected(slack, fake_slack):
    before = len(fake_slack.calls)
    reply = slack.command("Mag ik foto's plaatsen?", fake_slack.response_url("forged"), secret="not-the-secret")
    assert reply.status == 401
    reply = slack.event(mention(f"<@{BOT_USER}> hoi", "1723.0001"), secret="not-the-secret")
    assert reply.status == 401
    time.sleep(0.2)
    assert not fake_slack.find("response", "forged")
    assert len(fake_slack.calls) == before


def test_stale_timestamp_is_rejected(slack, fake_slack):
    reply = slack.command("Mag ik foto's plaatsen?", fake_slack.response_url("stale"),
                          timestamp=int(time.time()) - 10 * 60)
    assert reply.status == 401
    time.sleep(0.2)
    assert not fake_slack.find("response", "stale")


def test_url_verification_challenge(slack):
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    reply = slack.post(body, "application/json")
    assert reply.status == 200 and "c-123" in reply.body


# -- health, readiness, metrics -----------------------------------------------------------

def test_health_ready_and_metrics(base_url, slack, fake_slack):
    assert http("GET", base_url + "/healthz").status == 200
    ready = http("GET", base_url + "/readyz")
    assert ready.status == 200 and ready.json()["status"] == "ready"
    slack.command("Mag ik foto's van studenten plaatsen?", fake_slack.response_url("metrics-1"))
    fake_slack.wait_for("response", "metrics-1", timeout=WAIT)
    metrics = http("GET", base_url + "/metrics")
    assert metrics.status == 200 and metrics.headers["Content-Type"].startswith("text/plain")
    text = metrics.body
    assert 'socialpolicy_requests_total{channel="slack",kind="ask"}' in text
    assert 'socialpolicy_review_verdicts_total{channel="slack",verdict=' in text
    assert 'socialpolicy_requests_total{channel="slack",kind="help"}' in text
    assert "U1" not in text and "Mag ik" not in text


def test_not_ready_until_the_models_are_loaded(slack_settings, app_loop):
    from bot.channels.slack.server import SlackServer

    async def start():
        server = SlackServer(slack_settings, host="127.0.0.1")   # no assistant: still "loading"
        await server.start()
        return server

    server = app_loop.run(start())
    try:
        url = f"http://127.0.0.1:{server.bound_port}"
        assert http("GET", url + "/healthz").status == 200
        ready = http("GET", url + "/readyz")
        assert ready.status == 503 and ready.json()["models_loaded"] is False
    finally:
        app_loop.run(server.stop())


# -- privacy and failures -------------------------------------------------------------------

def test_no_question_or_draft_text_in_logs_even_at_debug(slack, fake_slack, caplog):
    caplog.set_level(logging.DEBUG)
    question = "Mag ik de zebrapaardquiz van vandaag delen?"
    draft = "Zebrapaardconcept: de reorganisatie is geheim\nmaar ik deel het toch, mail z.paard@gmail.com"
    slack.command(question, fake_slack.response_url("private-q"))
    slack.command("review " + draft, fake_slack.response_url("private-d"))
    slack.event(dm(draft, "1724444444.000100", user="UPRIV"))
    fake_slack.wait_for("response", "private-q", timeout=WAIT)
    fake_slack.wait_for("response", "private-d", timeout=WAIT)
    fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DUPRIV", timeout=WAIT)
    assert any(r.name.startswith("bot.channels.slack") for r in caplog.records)
    for record in caplog.records:
        dumped = record.getMessage() + " " + " ".join(str(v) for v in record.__dict__.values())
        assert "ebrapaard" not in dumped and "z.paard" not in dumped, (record.name, record.getMessage()[:200])


def test_a_failed_delivery_is_counted_and_explained(slack, fake_slack, base_url):
    fake_slack.errors[("chat.postMessage", "CERR")] = "not_in_channel"
    ts = "1725555555.000100"
    slack.event(mention(f"<@{BOT_USER}> Mag ik foto's van studenten plaatsen?", ts, channel="CERR", user="UERR"))
    note = fake_slack.wait_for("api", "chat.postEphemeral", lambda d: d.get("channel") == "CERR", timeout=WAIT)
    assert note.data["user"] == "UERR" and "Sorry" in all_text(note.data["blocks"])
    metrics = http("GET", base_url + "/metrics").body
    line = next(x for x in metrics.splitlines() if x.startswith('socialpolicy_errors_total{channel="slack",kind="ask"}'))
    assert float(line.split()[-1]) >= 1


def test_too_long_a_question_is_explained(slack, fake_slack):
    slack.command("Mag ik " + "heel " * 500 + "lang vragen?", fake_slack.response_url("too-long"))
    msg = fake_slack.wait_for("response", "too-long", timeout=WAIT).data
    assert msg["text"].startswith("⚠️") and "2000" in msg["text"].replace(",", "")
