"""The Teams activity handler: it translates activities into Assistant calls
and renders the results as Adaptive Cards. No policy logic lives here.

Messages: a question gets an answer; "review …" or a pasted draft of several
lines gets a review; "help" explains the commands; "quiz" / "onboarding"
starts the scenario quiz. Card buttons arrive as Action.Submit messages (or
Action.Execute invokes) whose data says what to do: feedback, start_quiz or
quiz_answer. The Assistant is synchronous, so it runs in a thread executor.

Logs carry event names, kinds and timings only: never text, names or ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import time
from concurrent.futures import Executor
from http import HTTPStatus
from typing import Sequence

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from collections import OrderedDict

from bot.channels.guards import rate_limited_text
from bot.channels.sanitize import clean_text
from bot.channels.teams import cards
from bot.channels.teams.config import TeamsConfig
from bot.channels.teams.images import TeamsImages, image_attachments
from bot.core.answering import InvalidQuestion
from bot.core.language import detect_language
from bot.core.conversation import LANGUAGES
from bot.core.onboarding import OnboardingError
from bot.core.review import InvalidDraft

log = logging.getLogger(__name__)

CHANNEL = "teams"
MAX_REMEMBERED = 4096   # conversations whose chosen organisation is kept in memory

_TEXT = {
    "en": {
        "review_usage": "To have a draft reviewed, type “review” followed by the text of your draft.",
        "review_off": "Draft review is not available yet. You can still ask questions about the guidelines.",
        "too_long_question": "That is too long for a question. To have a draft reviewed, start your message with “review”.",
        "not_started": "That quiz is not running for you. Type “quiz” to start it.",
        "thanks": "Thank you for your feedback.",
        "already": "You already rated this message: thank you.",
        "bad_feedback": "That feedback could not be recorded.",
        "unknown_action": "I do not know that button. Type “help” to see what I can do.",
        "error": "Sorry, something went wrong on my side. Please try again in a moment.",
        "org_switched": "From now on in this conversation I answer for {organisation}.",
    },
    "nl": {
        "review_usage": "Typ “review” gevolgd door de tekst van je concept om het te laten beoordelen.",
        "review_off": "Concepten beoordelen kan nog niet. Je kunt wel vragen stellen over de richtlijnen.",
        "too_long_question": "Dat is te lang voor een vraag. Begin je bericht met “review” om een concept te laten beoordelen.",
        "not_started": "Die quiz loopt niet voor jou. Typ “quiz” om te beginnen.",
        "thanks": "Bedankt voor je feedback.",
        "already": "Je hebt dit bericht al beoordeeld: bedankt.",
        "bad_feedback": "Die feedback kon niet worden vastgelegd.",
        "unknown_action": "Die knop ken ik niet. Typ “help” om te zien wat ik kan.",
        "error": "Sorry, er ging bij mij iets mis. Probeer het zo nog eens.",
        "org_switched": "Vanaf nu antwoord ik in dit gesprek voor {organisation}.",
    },
}


def texts(language: str) -> dict:
    return _TEXT["en" if language == "en" else "nl"]


# -- reading activities --------------------------------------------------------

def tenant_id(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]:
        return tenant["id"]
    conversation = activity.conversation
    return getattr(conversation, "tenant_id", None) or None


def user_key(activity: Activity) -> str:
    """teams:TENANT:AAD-OBJECT-ID (or the channel's user id without one)."""
    user = activity.from_property
    who = (getattr(user, "aad_object_id", None) or getattr(user, "id", None) or "anonymous")
    return f"teams:{tenant_id(activity) or '-'}:{who}"


def locale_language(activity: Activity, default: str = "en") -> str:
    """The language of the user's Teams client; English when nothing tells."""
    locale = (activity.locale or "").lower()
    if locale.startswith("en"):
        return "en"
    if locale.startswith("nl"):
        return "nl"
    return default


def strip_recipient_mention(activity: Activity) -> str:
    """The message text without the @mention of the bot.

    Equivalent to TurnContext.remove_recipient_mention, which uses the bot's
    display name as a regular expression (a name with "(" or "&" is never
    removed) and fails on a mention entity without "mentioned"."""
    text = activity.text or ""
    recipient = getattr(activity.recipient, "id", None)
    for entity in activity.entities or []:
        if (getattr(entity, "type", None) or "").lower() != "mention":
            continue
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned") if isinstance(props.get("mentioned"), dict) else {}
        if not recipient or mentioned.get("id") != recipient:
            continue
        mention = props.get("text") if isinstance(props.get("text"), str) else ""
        if not mention and isinstance(mentioned.get("name"), str):
            mention = f"<at>{mentioned['name']}</at>"
        if mention:
            text = text.replace(mention, " ")
    return clean_text(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def _key(*parts: str | None) -> str:
    return hashlib.sha256("|".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:40]


# -- the handler -------------------------------------------------------------

class SocialPolicyBot(TeamsActivityHandler):
    def __init__(self, assistant, teams_config: TeamsConfig | None = None, metrics=None,
                 executor: Executor | None = None, limiter=None) -> None:
        super().__init__()
        self.assistant = assistant
        self.limiter = limiter  # guards.RateLimiter, or None: no limit
        self.teams_config = teams_config or TeamsConfig()
        self.metrics = metrics
        self.executor = executor
        self.images = TeamsImages(self)
        self.chosen: OrderedDict[str, str] = OrderedDict()   # conversation id -> organisation named there

    # -- plumbing
    async def _call(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    def _track(self, kind: str):
        if self.metrics is None:
            return contextlib.nullcontext()
        return self.metrics.track(CHANNEL, kind)

    def configured_org(self, activity: Activity) -> str | None:
        return self.teams_config.org_for(tenant_id(activity))

    def org(self, activity: Activity) -> str | None:
        """The organisation chosen in this conversation, else the tenant's,
        else the configured default (else None: all)."""
        return self.assistant.organisation_for(None, self._remembered(activity), self.configured_org(activity))

    def _remembered(self, activity: Activity) -> str | None:
        return self.chosen.get(getattr(activity.conversation, "id", None))

    def _remember(self, activity: Activity, org: str) -> None:
        key = getattr(activity.conversation, "id", None)
        if key:
            self.chosen[key] = org
            self.chosen.move_to_end(key)
            while len(self.chosen) > MAX_REMEMBERED:
                self.chosen.popitem(last=False)

    def understand(self, activity: Activity, text: str):
        """(turn, organisation) as the core reads the message; a named
        organisation is remembered for the conversation."""
        turn = self.assistant.understand(text)
        org = self.assistant.organisation_for(turn, self._remembered(activity), self.configured_org(activity))
        if turn.org and turn.intent in ("ask", "org_switch"):
            self._remember(activity, turn.org)
        return turn, org

    def _quiz_orgs(self, activity: Activity, language: str | None = None) -> list[tuple[str, str]]:
        return self.assistant.quiz_orgs(self.org(activity))

    async def _first_delivery(self, activity: Activity) -> bool:
        """Teams may deliver an activity again when the first delivery timed out."""
        if activity.channel_id != "msteams" or not activity.id:
            return True
        conversation = getattr(activity.conversation, "id", None)
        return await self._call(self.assistant.first_delivery, "teams:" + _key(conversation, activity.id))

    # -- cross-cutting: one wrapper around the turn handler
    async def on_turn(self, turn_context: TurnContext) -> None:
        """Messages from bots are dropped, and so are retried deliveries (once,
        here, before any handler); everything else goes to the handlers."""
        activity = turn_context.activity
        if activity.type == ActivityTypes.message:
            if getattr(activity.from_property, "role", None) == "bot":
                return
            if not await self._first_delivery(activity):
                log.info("teams retry ignored", extra={"channel": CHANNEL})
                return
        await super().on_turn(turn_context)

    # -- messages
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if isinstance(activity.value, dict) and activity.value.get("action"):
            replies = await self.card_action(turn_context, activity.value)
        elif image_attachments(activity):  # a photo in a personal chat: bot/channels/teams/images.py
            text = strip_recipient_mention(activity)
            language = detect_language(text, default=locale_language(activity)) if text else locale_language(activity)
            replies = await self.images.check(turn_context, text, language)
        else:
            replies = await self.message(turn_context, strip_recipient_mention(activity))
        if replies:
            await turn_context.send_activities(replies)

    async def message(self, turn_context: TurnContext, text: str) -> list[Activity]:
        """translate → conversation/Assistant → render."""
        activity = turn_context.activity
        turn, org = self.understand(activity, text)
        kind = turn.intent
        language = detect_language(text, default=locale_language(activity)) if text else locale_language(activity)
        if kind == "help":
            language = turn.language or locale_language(activity)
            with self._track("help"):
                return [cards.message(cards.help_card(language, self._quiz_orgs(activity), self.assistant.organisations))]
        if kind == "quiz":
            return await self.start_quiz(turn_context, turn.org, turn.language or language)
        if kind == "org_switch":
            return [cards.plain(texts(language)["org_switched"].format(
                organisation=self.assistant.organisation_name(org)))]
        if not await self._allowed(activity):
            log.info("teams rate limited", extra={"channel": CHANNEL, "kind": kind})
            return [cards.plain(rate_limited_text(language))]
        if kind == "review":
            if not turn.payload:
                return [cards.plain(texts(language)["review_usage"])]
            return await self.review(turn_context, turn.payload, language, org)
        return await self.ask(turn_context, turn.payload, language, org)

    async def _allowed(self, activity: Activity) -> bool:
        if self.limiter is None:
            return True
        return await self._call(self.limiter.allow, user_key(activity))

    async def ask(self, turn_context: TurnContext, question: str, language: str,
                  org: str | None = None) -> list[Activity]:
        org = org or self.org(turn_context.activity)
        started = time.perf_counter()
        with self._track("ask"):
            try:
                answer = await self._call(self.assistant.ask, question, org)
            except InvalidQuestion as exc:
                hint = texts(language)["too_long_question"] if question.strip() else ""
                return [cards.plain(f"{exc}. {hint}".strip())]
        if self.metrics is not None:
            self.metrics.answered(CHANNEL, answer)
        log.info("teams question answered", extra={
            "channel": CHANNEL, "kind": "ask", "abstained": answer.abstained,
            "citations": len(answer.citations), "ms": round((time.perf_counter() - started) * 1000, 1)})
        return [cards.message(cards.answer_card(answer, org))]

    async def review(self, turn_context: TurnContext, draft: str, language: str,
                     org: str | None = None) -> list[Activity]:
        if getattr(self.assistant, "reviewer", None) is None:
            return [cards.plain(texts(language)["review_off"])]
        org = org or self.org(turn_context.activity)
        started = time.perf_counter()
        # A review takes seconds: show "…is typing" meanwhile.
        await turn_context.send_activity(Activity(type=ActivityTypes.typing))
        with self._track("review"):
            try:
                result = await self._call(self.assistant.review, draft, org)
            except InvalidDraft as exc:
                return [cards.plain(str(exc))]
        if self.metrics is not None:
            self.metrics.reviewed(CHANNEL, result)
        log.info("teams draft reviewed", extra={
            "channel": CHANNEL, "kind": "review", "verdict": result.verdict, "findings": len(result.findings),
            "ms": round((time.perf_counter() - started) * 1000, 1)})
        return [cards.message(cards.review_card(result, org))]

    # -- onboarding
    async def start_quiz(self, turn_context: TurnContext, org: str | None, language: str) -> list[Activity]:
        activity = turn_context.activity
        with self._track("onboarding"):
            org = org or self.org(activity)
            if not org:
                return [cards.message(cards.choose_org_card(self._quiz_orgs(activity, language), language))]
            try:
                progress, first = await self._call(
                    self.assistant.quiz_start, user_key(activity), CHANNEL, org,
                    getattr(activity.from_property, "name", None), language)
            except OnboardingError:
                return [cards.plain(texts(language)["unknown_action"])]
        log.info("teams quiz started", extra={"channel": CHANNEL, "kind": "onboarding", "org": org})
        return [cards.message(cards.scenario_card(first, 1, progress.total, self.assistant.organisation_name(org),
                                                  language))]

    async def quiz_answer(self, turn_context: TurnContext, data: dict, language: str) -> list[Activity]:
        scenario, choice = data.get("scenario"), data.get("choice")
        if isinstance(choice, str) and choice.strip().isdigit():
            choice = int(choice)
        if not isinstance(scenario, str) or isinstance(choice, bool) or not isinstance(choice, int):
            return [cards.plain(texts(language)["unknown_action"])]
        with self._track("quiz_answer"):
            try:
                step = await self._call(self.assistant.quiz_answer, user_key(turn_context.activity),
                                        scenario, choice, language)
            except OnboardingError:
                return [cards.plain(texts(language)["not_started"])]
        replies = [cards.message(cards.quiz_result_card(step, language))]
        progress = step.progress
        if step.next is not None:
            replies.append(cards.message(cards.scenario_card(
                step.next, step.next_number, progress.total,
                self.assistant.organisation_name(progress.org), language)))
        else:
            if progress.completed:
                log.info("teams quiz completed", extra={"channel": CHANNEL, "kind": "onboarding", "org": progress.org})
            replies.append(cards.message(cards.quiz_done_card(progress, language)))
        return replies

    # -- card actions
    async def card_action(self, turn_context: TurnContext, data: dict) -> list[Activity]:
        activity = turn_context.activity
        language = data.get("language") if data.get("language") in LANGUAGES else locale_language(activity)
        action = data.get("action")
        if action == "feedback":
            return await self.feedback(turn_context, data, language)
        if action == "start_quiz":
            org = data.get("org") if data.get("org") in self.assistant.organisations else None
            return await self.start_quiz(turn_context, org, language)
        if action == "quiz_answer":
            return await self.quiz_answer(turn_context, data, language)
        return [cards.plain(texts(language)["unknown_action"])]

    def _valid_feedback(self, data: dict) -> dict | None:
        return self.assistant.valid_feedback(data.get("kind"), data.get("vote"), data.get("org"),
                                             data.get("language"), data.get("verdict"), data.get("section"))

    async def feedback(self, turn_context: TurnContext, data: dict, language: str) -> list[Activity]:
        activity = turn_context.activity
        with self._track("feedback"):
            valid = self._valid_feedback(data)
            if valid is None:
                return [cards.plain(texts(language)["bad_feedback"])]
            if activity.reply_to_id:  # one vote per person per rated message
                key = "teams-feedback:" + _key(getattr(activity.conversation, "id", None), activity.reply_to_id,
                                               user_key(activity))
                if not await self._call(self.assistant.first_delivery, key):
                    return [cards.plain(texts(language)["already"])]
            await self._call(self.assistant.record_feedback, CHANNEL, valid["kind"], valid["vote"],
                             org=valid["org"], language=valid["language"], verdict=valid["verdict"],
                             section=valid["section"])
        log.info("teams feedback recorded", extra={"channel": CHANNEL, "kind": valid["kind"], "vote": valid["vote"]})
        return [cards.plain(texts(language)["thanks"])]

    # -- Action.Execute (Universal Actions)
    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == "adaptiveCard/action":
            return await self.adaptive_card_action(turn_context)
        return await super().on_invoke_activity(turn_context)

    async def adaptive_card_action(self, turn_context: TurnContext) -> InvokeResponse:
        """The invoke response is the first card of the replies (it replaces
        the card that was clicked), or a message; further cards are sent."""
        value = turn_context.activity.value
        action = value.get("action") if isinstance(value, dict) else None
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            return _invoke_error(HTTPStatus.BAD_REQUEST, "BadRequest", "expected an Action.Execute action")
        data = dict(action.get("data") or {}) if isinstance(action.get("data") or {}, dict) else {}
        if action.get("verb") and not data.get("action"):
            data["action"] = action["verb"]
        try:
            replies = await self.card_action(turn_context, data)
        except Exception as exc:  # the invoke needs an answer even when the turn fails
            log.error("teams card action failed", extra={"channel": CHANNEL, "error_type": type(exc).__name__})
            if self.metrics is not None:
                self.metrics.errors.labels(CHANNEL, "invoke").inc()
            return _invoke_error(HTTPStatus.INTERNAL_SERVER_ERROR, "InternalError", "the action failed")
        first, rest = (replies[0], replies[1:]) if replies else (None, [])
        if rest:
            await turn_context.send_activities(list(rest))
        if first is not None and first.attachments:
            body = {"statusCode": 200, "type": cards.CONTENT_TYPE, "value": first.attachments[0].content}
        else:
            body = {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": (first.text if first is not None else "") or ""}
        return InvokeResponse(status=int(HTTPStatus.OK), body=body)

    # -- welcome
    async def on_teams_members_added_dispatch(self, members_added, team_info, turn_context: TurnContext):
        # The base class looks every member up at the connector first; a
        # welcome needs no more than the ids in the activity.
        await self.welcome(turn_context, members_added)

    async def on_members_added_activity(self, members_added: Sequence[ChannelAccount], turn_context: TurnContext):
        await self.welcome(turn_context, members_added)

    async def welcome(self, turn_context: TurnContext, members: Sequence[ChannelAccount]) -> None:
        """One welcome and onboarding card when people join (not per person),
        and when the bot is installed for someone in a personal chat."""
        activity = turn_context.activity
        bot_id = getattr(activity.recipient, "id", None)
        people = [m for m in members or [] if getattr(m, "id", None) and m.id != bot_id]
        bot_added = any(getattr(m, "id", None) == bot_id for m in members or [])
        personal = getattr(activity.conversation, "conversation_type", None) == "personal"
        if not people and not (bot_added and personal):
            return
        language = locale_language(activity)
        with self._track("welcome"):
            org = self.org(activity)
            orgs = [org] if org else sorted(self.assistant.organisations)
            contents = [await self._call(self.assistant.onboarding_content, o, language) for o in orgs]
            card = cards.welcome_card(contents, language, self.assistant.organisations)
        log.info("teams welcome sent", extra={"channel": CHANNEL, "kind": "welcome", "members": len(people)})
        await turn_context.send_activity(cards.message(card))


def _invoke_error(status: HTTPStatus, code: str, message: str) -> InvokeResponse:
    return InvokeResponse(status=int(status), body={
        "statusCode": int(status), "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": message}})


async def on_turn_error(turn_context: TurnContext, error: Exception, metrics=None) -> None:
    """Log the failure (its type only: messages may quote what was sent), count
    it, and tell the user."""
    activity = turn_context.activity
    log.error("teams turn failed", extra={
        "channel": CHANNEL, "activity_type": getattr(activity, "type", None), "error_type": type(error).__name__})
    if metrics is not None:
        metrics.errors.labels(CHANNEL, "turn").inc()
    if getattr(activity, "type", None) == ActivityTypes.invoke:
        return
    try:
        await turn_context.send_activity(cards.plain(texts(locale_language(activity))["error"]))
    except Exception as exc:  # the connector itself may be what failed
        log.warning("teams error reply failed", extra={"channel": CHANNEL, "error_type": type(exc).__name__})
