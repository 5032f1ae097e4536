"""The real aiohttp app on loopback: activities posted to /api/messages, the
replies received by a fake Bot Framework connector at the serviceUrl."""

from __future__ import annotations

import json
import logging
import statistics
import time

import pytest

from teams_testing import (
    BOT_ID, LEIDEN_TENANT, ROC_TENANT, WAIT_S, activity, card_of, new_conversation, post, submit_actions,
)

QUESTIONS = [
    "Can I post a photo of my students from today's lecture?",
    "Mag ik vertrouwelijke informatie over een reorganisatie op LinkedIn zetten?",
    "May I use the university logo on my personal Twitter account?",
    "Moet ik een disclaimer gebruiken op mijn persoonlijke blog?",
    "Who approves official posts on behalf of the university?",
    "Mag ik collega's citeren op Twitter?",
    "What should I do if my faculty account is hacked?",
    "Mag ik reageren op een journalist namens de universiteit?",
    "Can I share unpublished research news?",
    "Hoe vaak moet ik mijn wachtwoord veranderen?",
    "Can I post photos of a staff party on my public Instagram?",
    "Mag ik het logo van de universiteit als profielfoto gebruiken?",
    "Am I allowed to follow controversial people on Twitter?",
    "Mag ik een filmpje van een student doorsturen naar de afdeling communicatie?",
    "Can I advertise my side business in the LinkedIn group of the college?",
    "Wat moet ik doen als ik een fout heb gemaakt in een bericht?",
    "Should I check the facts before I post about my research?",
    "Mag ik namens het ROC reageren op een nieuwsbericht?",
    "Can I share exam questions with students on Facebook?",
    "Moet ik toestemming vragen voordat ik een merkaccount start?",
]


def test_question_gets_a_card_with_citations_at_the_service_url(teams_server, connector, http):
    conversation = new_conversation()
    sent = activity(connector.url, conversation, text="Can I post a photo of my students from today's lecture?")
    r = post(http, teams_server, sent)
    assert r.status_code == 200
    replies = connector.wait_for(conversation, 1)
    assert len(replies) == 1
    reply = replies[0]
    assert reply["reply_to"] == sent["id"]                 # a threaded reply to the question
    assert reply["authorization"] is None                  # authentication off: no token sent
    out = reply["activity"]
    assert out["type"] == "message" and out["from"]["id"] == BOT_ID
    card = card_of(reply)
    assert card["version"] == "1.5"
    quotes = [b["inlines"][0]["text"] for c in card["body"] if c["type"] == "Container"
              for b in c["items"][:1]]
    assert "“Verspreid geen informatie of foto's over individuen zonder toestemming te vragen. Deel geen " \
           "informatie als de aard van de informatie niet passend is voor een openbaar forum.”" in quotes
    text = card["fallbackText"]
    for part in ("Universiteit Leiden", "Universiteit Leiden, social media richtlijnen", "Behoud Privacy",
                 "CAO-NU art. 1.8 lid 2"):
        assert part in text
    assert out["summary"].startswith("Answer: ")


def test_reply_latency_over_twenty_questions(teams_server, connector, http, record_property):
    """Time from posting an activity to the reply arriving at the connector."""
    latencies = []
    for question in QUESTIONS:
        conversation = new_conversation()
        started = time.perf_counter()
        r = post(http, teams_server, activity(connector.url, conversation, text=question))
        assert r.status_code == 200
        reply = connector.wait_for(conversation, 1)[0]
        latencies.append(reply["at"] - started)
        assert card_of(reply)["body"]
    p50, worst = statistics.median(latencies), max(latencies)
    record_property("reply_latency_p50_ms", round(p50 * 1000, 1))
    record_property("reply_latency_max_ms", round(worst * 1000, 1))
    print(f"\nreply latency over {len(latencies)} questions: p50 {p50 * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    assert worst < 10.0


def test_review_gets_the_verdict_and_findings_and_the_draft_is_not_logged(teams_server, connector, http,
                                                                          caplog):
    marker = "Zwartekater"
    draft = (f"Ik hoorde dat de faculteit gaat reorganiseren, nog niet bekend maar {marker} zei: "
             '"er gaan banen weg"!!! Mail me op j.jansen@gmail.com')
    conversation = new_conversation()
    with caplog.at_level(logging.DEBUG):
        r = post(http, teams_server, activity(connector.url, conversation, text=f"review {draft}", locale="nl-NL"))
        assert r.status_code == 200
        reply = connector.wait_for(conversation, 1)[0]
    typing, shown = connector.replies(conversation, typing=True)
    assert typing["activity"]["type"] == "typing" and shown is reply     # "…is typing" while reviewing
    card = card_of(reply)
    assert card["body"][0]["text"] in ("Niet plaatsen", "Pas aan voor plaatsen")
    findings = [c for c in card["body"] if c["type"] == "Container" and c.get("separator")]
    assert findings, card
    text = card["fallbackText"]
    assert "j.jansen@gmail.com" in text
    assert "Behoud" in text                                 # a cited Leiden guideline (tenant scope)
    for action in submit_actions(card):
        assert marker not in json.dumps(action) and "j.jansen" not in json.dumps(action)
    logged = " ".join(json.dumps({**r.__dict__, "msg": r.getMessage()}, default=str) for r in caplog.records)
    assert marker not in logged and "j.jansen" not in logged
    assert any(r.getMessage() == "teams draft reviewed" for r in caplog.records)


def test_welcome_on_members_added(teams_server, connector, http):
    conversation = new_conversation()
    update = activity(connector.url, conversation, type="conversationUpdate", tenant=ROC_TENANT,
                      conversation_type="channel", locale="nl-NL",
                      membersAdded=[{"id": "29:new-colleague", "aadObjectId": "aad-new"}])
    update["channelData"]["eventType"] = "teamMemberAdded"
    update["channelData"]["team"] = {"id": "19:team@thread.skype"}
    r = post(http, teams_server, update)
    assert r.status_code == 200
    card = card_of(connector.wait_for(conversation, 1)[0])
    text = json.dumps(card, ensure_ascii=False)
    assert "Welkom" in card["fallbackText"] and "ROC West-Brabant" in text
    assert "Plaats geen vulgair materiaal" in text and "Marketing & Communicatie" in text
    assert [a["data"] for a in submit_actions(card)] == [{"action": "start_quiz", "org": "rocwb", "language": "nl"}]


def test_feedback_action_is_recorded(teams_server, connector, http, teams_assistant):
    conversation = new_conversation()
    post(http, teams_server, activity(connector.url, conversation, text="Mag ik collega's citeren op Twitter?",
                                      tenant=ROC_TENANT, locale="nl-NL"))
    answer = connector.wait_for(conversation, 1)[0]
    thumbs_up = next(a["data"] for a in submit_actions(card_of(answer)) if a["data"]["vote"] == "up")
    before = len(teams_assistant.feedback.rows())
    click = activity(connector.url, conversation, value=thumbs_up, tenant=ROC_TENANT, locale="nl-NL",
                     replyToId="reply-card-id")
    r = post(http, teams_server, click)
    assert r.status_code == 200
    thanks = connector.wait_for(conversation, 2)[1]["activity"]
    assert thanks["text"] == "Bedankt voor je feedback."
    rows = teams_assistant.feedback.rows()[before:]
    assert len(rows) == 1
    row = rows[0]
    assert (row["channel"], row["kind"], row["vote"], row["org"], row["language"]) == (
        "teams", "answer", "up", "rocwb", "nl")
    assert row["section"] == thumbs_up["section"] and row["verdict"] is None


def test_whole_quiz_through_card_actions(teams_server, connector, http, teams_assistant):
    aad = "aad-quiz-taker"
    conversation = new_conversation()
    key = f"teams:{LEIDEN_TENANT}:{aad}"
    post(http, teams_server, activity(connector.url, conversation, text="quiz", aad=aad))
    replies = connector.wait_for(conversation, 1)
    card = card_of(replies[-1])
    quiz = teams_assistant.onboarding.quiz("leiden", "en")
    total = len(quiz.scenarios)
    assert "Question 1 of" in card["fallbackText"]
    answered, wrong = 0, 0
    seen = 1
    while True:
        choices = [a["data"] for a in submit_actions(card)]
        assert choices and all(c["action"] == "quiz_answer" for c in choices)
        scenario = quiz.scenario(choices[0]["scenario"])
        pick = scenario.answer if answered != 1 else (scenario.answer + 1) % len(scenario.choices)  # one wrong
        wrong += answered == 1
        r = post(http, teams_server, activity(connector.url, conversation, value=choices[pick], aad=aad))
        assert r.status_code == 200
        answered += 1
        replies = connector.wait_for(conversation, seen + 2)
        seen += 2
        result, card = card_of(replies[-2]), card_of(replies[-1])
        assert result["body"][0]["text"] == ("✅ Correct" if pick == scenario.answer else "❌ Not quite")
        assert scenario.citations[0].quote in result["fallbackText"]     # the cited quote
        assert scenario.explanation in result["fallbackText"]
        if card["fallbackText"].startswith("🎉 Quiz complete"):
            break
        assert answered < total, "the quiz did not end"
    assert answered == total
    assert f"You answered {total - wrong} of {total} questions correctly." in card["fallbackText"]
    row = next(r for r in teams_assistant.onboarding.report_rows() if r["user"] == key)
    assert row["completed_at"] and row["channel"] == "teams" and row["organisation"] == "leiden"
    assert (row["answered"], row["score"], row["total"]) == (total, total - wrong, total)
    assert row["name"] == "Test User"


def test_invoke_gets_an_invoke_response_over_http(teams_server, connector, http):
    conversation = new_conversation()
    invoke = activity(connector.url, conversation, type="invoke", name="adaptiveCard/action",
                      value={"action": {"type": "Action.Execute", "verb": "feedback",
                                        "data": {"kind": "review", "vote": "up", "verdict": "ok",
                                                 "org": "leiden", "language": "en"}}})
    r = post(http, teams_server, invoke)
    assert r.status_code == 200
    assert r.json() == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                        "value": "Thank you for your feedback."}


def test_authentication_off_accepts_requests_without_a_token(teams_server, connector, http):
    conversation = new_conversation()
    r = post(http, teams_server, activity(connector.url, conversation, text="help"))
    assert r.status_code == 200
    assert "quiz" in card_of(connector.wait_for(conversation, 1)[0])["fallbackText"]


@pytest.mark.parametrize("name, kwargs, expected", [
    ("not json", {"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
    ("json array", {"json": [1, 2, 3]}, 400),
    ("json string", {"json": "message"}, 400),
    ("no type", {"json": {"text": "hello"}}, 400),
    ("wrong content type", {"data": b'{"type": "message"}', "headers": {"Content-Type": "text/plain"}}, 415),
    ("no content type", {"data": b'{"type": "message"}'}, 415),
    ("huge body", {"data": b'{"type": "message", "text": "' + b"x" * 700_000 + b'"}',
                   "headers": {"Content-Type": "application/json"}}, 413),
    ("not utf-8", {"data": b'{"type": "message", "text": "\xff\xfe"}', "headers": {"Content-Type": "application/json"}},
     400),
    ("deeply nested", {"data": b"[" * 200_000 + b"]" * 200_000, "headers": {"Content-Type": "application/json"}},
     400),
    ("no serviceUrl", {"json": {"type": "message", "text": "hi", "conversation": {"id": "c"}}}, 400),
    ("bad serviceUrl", {"json": {"type": "message", "text": "hi", "serviceUrl": "file:///etc/passwd",
                                 "conversation": {"id": "c"}}}, 400),
    ("no conversation", {"json": {"type": "message", "text": "hi", "serviceUrl": "http://127.0.0.1:9"}}, 400),
    ("conversation not an object", {"json": {"type": "message", "serviceUrl": "http://127.0.0.1:9",
                                             "conversation": "c"}}, 400),
    ("text not a string", {"json": {"type": "message", "serviceUrl": "http://127.0.0.1:9",
                                    "conversation": {"id": "c"}, "text": {"$ne": 1}}}, 400),
])
def test_malformed_requests_get_a_4xx_and_the_server_keeps_serving(teams_server, connector, http,
                                                                    name, kwargs, expected):
    r = http.post(f"{teams_server.url}/api/messages", timeout=WAIT_S, **kwargs)
    assert r.status_code == expected, (name, r.status_code, r.text[:200])
    conversation = new_conversation()
    ok = post(http, teams_server, activity(connector.url, conversation, text="help"))
    assert ok.status_code == 200
    assert connector.wait_for(conversation, 1)


def test_connector_refusing_the_reply_is_survived(teams_server, connector, http):
    # (An unreachable serviceUrl is survived too, after botbuilder's retries: ~10 s.)
    r = post(http, teams_server, activity(f"{connector.url}/no-such-connector", new_conversation(), text="help"))
    assert r.status_code == 200                          # the activity was handled; the reply was refused (404)
    assert 'socialpolicy_errors_total{channel="teams",kind="turn"}' in http.get(
        f"{teams_server.url}/metrics", timeout=WAIT_S).text
    conversation = new_conversation()
    assert post(http, teams_server, activity(connector.url, conversation, text="help")).status_code == 200
    assert connector.wait_for(conversation, 1)


def test_other_methods_and_paths(teams_server, http):
    assert http.get(f"{teams_server.url}/api/messages", timeout=WAIT_S).status_code == 405
    assert http.get(f"{teams_server.url}/nope", timeout=WAIT_S).status_code == 404


def test_unknown_activity_types_are_accepted_quietly(teams_server, connector, http):
    conversation = new_conversation()
    for kind in ("typing", "messageReaction", "installationUpdate", "somethingNew"):
        assert post(http, teams_server, activity(connector.url, conversation, type=kind)).status_code == 200
    assert connector.replies(conversation) == []


def test_health_readiness_and_metrics(teams_server, connector, http):
    assert http.get(f"{teams_server.url}/healthz", timeout=WAIT_S).json() == {"status": "ok"}
    ready = http.get(f"{teams_server.url}/readyz", timeout=WAIT_S)
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}
    conversation = new_conversation()
    post(http, teams_server, activity(connector.url, conversation, text="How do I bake sourdough bread?"))
    connector.wait_for(conversation, 1)
    post(http, teams_server, activity(connector.url, conversation, text="review Mail me op a.b@example.com"))
    connector.wait_for(conversation, 2)
    metrics = http.get(f"{teams_server.url}/metrics", timeout=WAIT_S)
    assert metrics.status_code == 200 and metrics.headers["Content-Type"].startswith("text/plain")
    text = metrics.text
    for line in ('socialpolicy_requests_total{channel="teams",kind="ask"}',
                 'socialpolicy_requests_total{channel="teams",kind="review"}',
                 'socialpolicy_abstentions_total{channel="teams"}',
                 'socialpolicy_review_verdicts_total{channel="teams",verdict=',
                 'socialpolicy_request_seconds_bucket{channel="teams",kind="ask"'):
        assert line in text, line
    assert "bread" not in text and "a.b@example.com" not in text


def test_readyz_is_503_when_the_assistant_is_not_ready(settings, teams_assistant, http):
    from bot.channels.teams.config import TeamsConfig
    from bot.channels.teams.server import build_app
    from teams_testing import ServerThread

    class NotReady:
        def __getattr__(self, name):
            return getattr(teams_assistant, name)

        def ready(self):
            raise ConnectionError("store unreachable")

    server = ServerThread(build_app(settings, NotReady(), teams_config=TeamsConfig(), dev=True)).start()
    try:
        r = http.get(f"{server.url}/readyz", timeout=WAIT_S)
        assert r.status_code == 503 and r.json() == {"status": "not ready"}
        assert http.get(f"{server.url}/healthz", timeout=WAIT_S).status_code == 200
    finally:
        server.stop()
