"""One conversation for every channel (bot/core/conversation.py): the same
message gets the same intent and the same organisation on Slack and Teams.

One table of messages, in Dutch and English, as staff type them, runs
through both adapters: Slack's translation (its message encoding) and
Teams' (the @mention), then the core. The real core runs over the port
fakes of tests/fakes.py: no model, no Chroma, no network."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.channels.slack.app import AssistantHandle, SlackAdapter, slack_to_plain
from bot.channels.slack.config import SlackConfig
from bot.channels.teams.bot import SocialPolicyBot, strip_recipient_mention
from bot.channels.teams.config import TeamsConfig
from bot.core.conversation import DRAFT_MIN_CHARS, looks_like_draft
from bot.infra.metrics import Metrics
from fakes import fake_assistant

REPO = Path(__file__).resolve().parent.parent

# The workspace (Slack) or tenant (Teams) a message comes from, and the organisation configured for it.
PLACES = {"none": None, "leiden": "leiden", "rocwb": "rocwb"}
SLACK_TEAMS = {"none": "TNONE", "leiden": "TLEIDEN", "rocwb": "TROC"}
TENANTS = {"none": "00000000-0000-4000-8000-000000000000", "leiden": "11111111-1111-4111-8111-111111111111",
           "rocwb": "22222222-2222-4222-8222-222222222222"}

LONG_DRAFT_NL = ("Vandaag hebben we met het hele team de open dag voorbereid en ik ben echt trots op iedereen die "
                 "heeft meegeholpen, van de collega's van communicatie tot de studenten die rondleidingen geven. "
                 "Kom zaterdag langs op de campus, er is koffie en taart en je kunt met docenten praten over de "
                 "opleidingen. Tot dan allemaal en deel dit bericht vooral met vrienden en familie!")
assert len(LONG_DRAFT_NL) > DRAFT_MIN_CHARS and "?" not in LONG_DRAFT_NL

# (message, where it comes from, intent, organisation). The first rows are the drift
# issue 14 found between the two adapters: review keywords, drafts, organisations by name.
TABLE = [
    # -- drift: review keywords (Slack knew five, Teams two)
    ("check: Op naar het weekend met het hele team!", "none", "review", None),
    ("controleer: Trots op onze studenten vandaag!", "leiden", "review", "leiden"),
    ("toets dit bericht: morgen open dag, kom langs", "rocwb", "review", "rocwb"),
    ("beoordeel: Nieuw onderzoek van onze vakgroep gepubliceerd", "none", "review", None),
    ("review: our new lab is open, come and visit", "leiden", "review", "leiden"),
    ("Toets: Onze student Jan de Vries (18) won de prijs, zie foto", "rocwb", "review", "rocwb"),
    # -- drift: drafts (Slack reviewed long text without a question mark, Teams did not)
    (LONG_DRAFT_NL, "none", "review", None),
    ("Trots op ons team!!\nVandaag de prijs gewonnen 🎉", "leiden", "review", "leiden"),
    ("So proud of our students today\nthey won the regional robotics cup", "none", "review", None),
    # -- drift: an organisation named in the text (only Slack looked)
    ("voor ROC: mag ik reageren op een boze ouder op facebook?", "none", "ask", "rocwb"),
    ("does this also apply at Leiden University?", "rocwb", "ask", "leiden"),
    ("Geldt dit ook bij ROC West-Brabant?", "leiden", "ask", "rocwb"),
    ("and for the ROC?", "leiden", "ask", "rocwb"),
    ("Kan een tweet leiden tot ontslag?", "none", "ask", None),              # the verb, not the city
    ("Verschilt dit tussen Leiden en het ROC?", "rocwb", "ask", "rocwb"),   # two named: the configured one
    # -- choosing an organisation for the conversation
    ("switch to ROC", "leiden", "org_switch", "rocwb"),
    ("voor Leiden", "none", "org_switch", "leiden"),
    ("gebruik ROC West-Brabant", "none", "org_switch", "rocwb"),
    ("organisatie: leiden", "rocwb", "org_switch", "leiden"),
    # -- quiz
    ("quiz", "leiden", "quiz", "leiden"),
    ("onboarding", "none", "quiz", None),
    ("quiz rocwb", "leiden", "quiz", "rocwb"),
    ("start de quiz", "rocwb", "quiz", "rocwb"),
    # -- help
    ("help", "none", "help", None),
    ("hulp", "leiden", "help", "leiden"),
    ("?", "none", "help", None),
    ("commando's", "rocwb", "help", "rocwb"),
    # -- questions, including neighbours that share a command word
    ("help, can I post a photo of my students?", "none", "ask", None),
    ("Check if I can share a screenshot of the teams chat?", "leiden", "ask", "leiden"),
    ("reviews of my team: are they allowed on linkedin?", "none", "ask", None),
    ("mag ik foto's van studenten op insta zetten", "rocwb", "ask", "rocwb"),
    ("can i tweet about the reorganisation at my faculty?", "leiden", "ask", "leiden"),
    ("ik wil iets posten over de staking, mag dat eigenlijk wel", "none", "ask", None),
    ("ask: what about whatsapp groups with students", "none", "ask", None),
    ("vraag: mag ik in een whatsappgroep met studenten zitten", "rocwb", "ask", "rocwb"),
    ("my colleague posted a pic of the staff party on insta, is that ok?", "leiden", "ask", "leiden"),
    ("Mijn collega zei dat de faculteit gaat reorganiseren, mag ik dat delen?", "none", "ask", None),
    ("hey bot wat zijn eigenlijk de regels voor linkedin & twitter", "rocwb", "ask", "rocwb"),
    ("Is it ok to use my work account for personal tweets? asking for a friend lol", "none", "ask", None),
    ("review", "leiden", "review", "leiden"),
]


def test_the_table_is_big_enough_and_bilingual():
    assert len(TABLE) >= 36
    assert {intent for _, _, intent, _ in TABLE} == {"ask", "review", "quiz", "help", "org_switch"}


@pytest.fixture(scope="module")
def assistant():
    return fake_assistant()


@pytest.fixture(scope="module")
def slack(assistant):
    config = SlackConfig(workspaces={SLACK_TEAMS[k]: v for k, v in PLACES.items() if v})
    return SlackAdapter(AssistantHandle(assistant), Metrics(), config)


@pytest.fixture(scope="module")
def teams(assistant):
    return SocialPolicyBot(assistant, TeamsConfig(tenants={TENANTS[k]: v for k, v in PLACES.items() if v}),
                           metrics=Metrics())


def as_slack_sends(text: str) -> str:
    """What Slack delivers for what the user typed: & < > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def via_slack(slack: SlackAdapter, text: str, place: str):
    team = SLACK_TEAMS[place]
    key = (team, "D" + uuid.uuid4().hex[:8].upper(), "")
    return asyncio.run(slack.understand(slack_to_plain(as_slack_sends(text)).strip(), team, key[1], key))


def via_teams(teams: SocialPolicyBot, text: str, place: str):
    tenant = TENANTS[place]
    activity = Activity().deserialize({
        "type": "message", "text": f"<at>Social Policy</at> {text}", "channelId": "msteams",
        "recipient": {"id": "28:bot", "name": "Social Policy"},
        "conversation": {"id": f"a:{uuid.uuid4().hex}", "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        "entities": [{"type": "mention", "mentioned": {"id": "28:bot", "name": "Social Policy"},
                      "text": "<at>Social Policy</at>"}]})
    return teams.understand(activity, strip_recipient_mention(activity))


@pytest.mark.parametrize("text, place, intent, org", TABLE, ids=[f"{i:02d}" for i in range(len(TABLE))])
def test_same_intent_and_organisation_on_slack_and_teams(slack, teams, text, place, intent, org):
    s_turn, s_org = via_slack(slack, text, place)
    t_turn, t_org = via_teams(teams, text, place)
    assert (s_turn.intent, s_org) == (intent, org)
    assert (t_turn.intent, t_org) == (intent, org)
    assert s_turn == t_turn


def test_a_named_organisation_holds_for_the_rest_of_the_thread(slack, teams):
    team, channel = SLACK_TEAMS["none"], "DTHREAD"
    key = (team, channel, "")
    asyncio.run(slack.understand("switch to ROC", team, channel, key))
    _, later = asyncio.run(slack.understand("mag ik foto's van studenten delen?", team, channel, key))
    assert later == "rocwb"

    tenant = TENANTS["leiden"]
    activity = Activity(type="message", channel_id="msteams",
                        conversation=ConversationAccount(id="a:thread", tenant_id=tenant),
                        channel_data={"tenant": {"id": tenant}})
    teams.understand(activity, "voor ROC")
    assert teams.understand(activity, "mag ik foto's van studenten delen?")[1] == "rocwb"
    assert teams.org(activity) == "rocwb"


def test_draft_heuristic_is_one_rule():
    assert looks_like_draft("regel een\nregel twee")
    assert looks_like_draft("x " * 200)
    assert not looks_like_draft("x " * 200 + "?")
    assert not looks_like_draft("Mag ik dit posten")


# -- drift: feedback values are checked on both channels ----------------------------------

FEEDBACK = [
    ({"kind": "answer", "vote": "up", "org": "leiden", "language": "nl"}, True),
    ({"kind": "review", "vote": "down", "org": "rocwb", "language": "en", "verdict": "caution"}, True),
    ({"kind": "answer", "vote": "up", "org": "hogeschool-x"}, False),                  # unknown organisation
    ({"kind": "answer", "vote": "maybe", "org": "leiden"}, False),
    ({"kind": "review", "vote": "up", "verdict": "Mijn concept: we gaan reorganiseren"}, False),  # free text
    ({"kind": "answer", "vote": "up", "org": "leiden", "section": "mijn hele vraag staat hier"}, False),
    ({"kind": "draft", "vote": "up"}, False),
]


class FakeSlackClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def __getattr__(self, name):
        async def call(**kwargs):
            self.calls.append((name, kwargs))
            if name == "conversations_open":
                return {"channel": {"id": "DQUIZ"}}
            if name == "users_info":
                return {"user": {"locale": "nl-NL", "real_name": "Test"}}
            return {"ok": True, "ts": "1.0"}
        return call


async def _noop(*args, **kwargs):
    return None


class Ctx:
    team_id = "TNONE"
    bot_user_id = "UBOT"


@pytest.mark.parametrize("data, accepted", FEEDBACK)
def test_feedback_is_validated_the_same_on_both(assistant, slack, teams, data, accepted):
    from botbuilder.core import TurnContext
    from botbuilder.core.adapters import TestAdapter
    from bot.channels.slack import blocks as ui

    before = len(assistant.feedback.votes)
    value = ui.encode_value({"k": data["kind"], "o": data.get("org"), "l": data.get("language"),
                             "v": data.get("verdict"), "s": data.get("section")})
    action = {"action_id": ui.FEEDBACK_UP if data["vote"] == "up" else ui.FEEDBACK_DOWN, "value": value}
    if data["vote"] not in ("up", "down"):
        pass  # a Slack button id carries the vote: an unknown vote cannot be sent from Slack
    else:
        asyncio.run(slack.on_feedback(_noop, {"user": {"id": "U1"}}, action, FakeSlackClient(), _noop, Ctx()))
    slack_recorded = len(assistant.feedback.votes) - before

    before = len(assistant.feedback.votes)
    ctx = TurnContext(TestAdapter(), Activity(type="message", channel_id="test", locale="en-US",
                                              conversation=ConversationAccount(id="a:fb"),
                                              from_property=ChannelAccount(id="u1")))
    asyncio.run(teams.feedback(ctx, {"action": "feedback", **data}, "en"))
    teams_recorded = len(assistant.feedback.votes) - before

    # Slack maps a kind it does not know to "answer" (its buttons only carry the two).
    if data["kind"] in ("answer", "review") and data["vote"] in ("up", "down"):
        assert slack_recorded == teams_recorded == (1 if accepted else 0)
    assert teams_recorded == (1 if accepted else 0)


# -- drift: the quiz's step number comes from the core -----------------------------------

def test_quiz_step_numbers_come_from_the_core_even_out_of_order(assistant):
    progress, first = assistant.quiz_start("test:quiz-order", "test", "leiden", None, "en")
    scenarios = assistant.onboarding.quiz("leiden", "en").scenarios
    assert progress.total == len(scenarios) >= 3
    # Answering the second scenario first (an old card clicked): the next one is still number 1.
    step = assistant.quiz_answer("test:quiz-order", scenarios[1].id, 0, "en")
    assert (step.number, step.next.id, step.next_number) == (2, scenarios[0].id, 1)
    step = assistant.quiz_answer("test:quiz-order", scenarios[0].id, 0, "en")
    assert (step.number, step.next_number) == (1, 3)


def test_quiz_numbers_on_slack_and_teams_agree(assistant, slack, teams):
    """The next question's number shown on Slack and on Teams, after the same answers."""
    from bot.channels.slack import blocks as ui
    from botbuilder.core import TurnContext
    from botbuilder.core.adapters import TestAdapter

    scenarios = assistant.onboarding.quiz("rocwb", "nl").scenarios
    # Slack
    assistant.quiz_start("slack:TNONE:UQ", "slack", "rocwb", None, "nl")
    assistant.quiz_answer("slack:TNONE:UQ", scenarios[1].id, 0, "nl")
    client = FakeSlackClient()
    action = {"value": ui.encode_value({"s": scenarios[0].id, "c": 0, "l": "nl"})}
    asyncio.run(slack.on_quiz_answer(_noop, {"user": {"id": "UQ"}, "channel": {"id": "DQ"},
                                             "container": {"message_ts": "1.0"}}, action, client, Ctx()))
    posted = [kw for name, kw in client.calls if name == "chat_postMessage"]
    slack_number = re.search(r"(\d+)/\d+", posted[-1]["text"]).group(1)
    # Teams
    ctx = TurnContext(TestAdapter(), Activity(type="message", channel_id="test", locale="nl-NL",
                                              conversation=ConversationAccount(id="a:q"),
                                              from_property=ChannelAccount(id="u", aad_object_id="UQ2")))
    key = "teams:-:UQ2"
    assistant.quiz_start(key, "teams", "rocwb", None, "nl")
    assistant.quiz_answer(key, scenarios[1].id, 0, "nl")
    replies = asyncio.run(teams.quiz_answer(ctx, {"scenario": scenarios[0].id, "choice": 0}, "nl"))
    card = replies[-1].attachments[0].content
    teams_number = re.search(r"Vraag (\d+) van", card["fallbackText"]).group(1)
    assert slack_number == teams_number == "3"


# -- drift: adapters never reach past the facade -------------------------------------------

def test_adapters_only_call_the_facade():
    for path in (REPO / "bot" / "channels").rglob("*.py"):
        if path.name.startswith("terminal"):
            continue
        source = path.read_text(encoding="utf-8")
        assert "assistant.onboarding." not in source, path
        assert "quiz_data" not in source, path
        assert "OrgMatcher" not in source and "_EVERYDAY_WORDS" not in source, path


# -- cross-cutting: Slack middleware and the Teams turn wrapper ------------------------------

def _bolt_app(adapter):
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.authorization import AuthorizeResult

    async def authorize(**kwargs):
        return AuthorizeResult(enterprise_id=None, team_id="TNONE", bot_token="xoxb-test", bot_id="BSELF",
                               bot_user_id="UBOT")

    app = AsyncApp(signing_secret="x", authorize=authorize, request_verification_enabled=False,
                   process_before_response=True, ignoring_self_events_enabled=False)
    adapter.register(app)
    return app


def test_slack_middleware_drops_bots_and_retried_events_once_for_every_listener(assistant):
    import json as _json
    from slack_bolt.request.async_request import AsyncBoltRequest

    adapter = SlackAdapter(AssistantHandle(assistant), Metrics(), SlackConfig())
    seen = []

    async def converse(surface, text, *args, **kwargs):
        seen.append((surface, text))
    adapter.converse = converse
    app = _bolt_app(adapter)

    def deliver(event_id, **event):
        body = {"type": "event_callback", "team_id": "TNONE", "api_app_id": "A1", "event_id": event_id,
                "event": {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
                          "ts": "1.0", **event}}
        req = AsyncBoltRequest(body=_json.dumps(body), headers={"content-type": ["application/json"]})
        return asyncio.run(app.async_dispatch(req)).status

    assert deliver("Ev1", text="mag ik dit delen?") == 200
    assert deliver("Ev1", text="mag ik dit delen?") == 200          # the retry
    assert deliver("Ev2", text="posted by a bot", bot_id="B9") == 200
    assert deliver("Ev3", text="ours", subtype="bot_message", bot_id="BSELF") == 200
    assert seen == [("dm", "mag ik dit delen?")]
    assert "slack:Ev2" not in assistant.events.seen                 # bots are dropped before the ledger


def test_teams_turn_wrapper_drops_bots_and_retried_deliveries(assistant):
    from botbuilder.core import TurnContext
    from botbuilder.core.adapters import TestAdapter

    bot = SocialPolicyBot(assistant, TeamsConfig(), metrics=Metrics())
    handled = []

    async def message(turn_context, text):
        handled.append(text)
        return []
    bot.message = message

    def deliver(activity_id, role=None):
        activity = Activity(type="message", id=activity_id, channel_id="msteams", text="mag ik dit delen?",
                            conversation=ConversationAccount(id="a:wrap"),
                            from_property=ChannelAccount(id="29:u", role=role),
                            recipient=ChannelAccount(id="28:bot"))
        asyncio.run(bot.on_turn(TurnContext(TestAdapter(), activity)))

    deliver("1:a")
    deliver("1:a")                 # Teams delivering again
    deliver("1:b", role="bot")
    assert handled == ["mag ik dit delen?"]
