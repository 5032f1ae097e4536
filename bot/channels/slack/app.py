"""The Bolt app: listeners registered by kind (commands, events, actions,
shortcuts, views), each translating a Slack request into one Assistant call
and rendering the result with `blocks`.

Every listener acknowledges first; the model work then runs in a thread pool
(the Assistant is synchronous) while Bolt has already answered Slack, so acks
stay far below Slack's 3-second limit. Answers to slash commands go to the
command's response_url; mentions are answered in their thread; reviews are
only ever shown to the draft's author (ephemeral, a DM or a modal).

Privacy: no question or draft text is logged or stored. Logs carry event
names, kinds, surfaces and timings; feedback records what was rated (kind,
vote, organisation, language, verdict or section), never what was said.
Event retries (X-Slack-Retry-Num) are acked and then dropped through the
shared ledger `assistant.first_delivery(event_id)`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import html
import logging
import re
import time
import traceback
from collections import OrderedDict
from typing import Any, Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.guards import SECTION_PREFIX, rate_limited_text
from bot.channels.sanitize import clean_text
from bot.channels.slack import blocks as ui
from bot.channels.slack.config import SHORTCUT_CALLBACK_ID, SLASH_COMMAND, SlackConfig, api_base_url
from bot.channels.slack.images import SlackImages, image_files
from bot.core.language import detect_language

log = logging.getLogger("bot.channels.slack")

CHANNEL = "slack"          # the channel name recorded with feedback and quiz progress
CORE_TIMEOUT = 60.0        # seconds for one Assistant call
# Seconds a replay-ledger claim may hold up an ack (Slack allows 3 s in all);
# past it the request counts as new: answering twice beats never.
LEDGER_TIMEOUT = 1.5
ASSISTANT_WAIT = 180.0     # seconds a request waits for the models to finish loading


class UserError(Exception):
    """A problem with what the user sent (empty question, too long a draft,
    unknown organisation): shown to them, not counted as a server error."""


def _user_error_types() -> tuple[type[BaseException], ...]:
    from bot.core.answering import InvalidQuestion
    from bot.core.assistant import UnknownOrganisation

    types: list[type[BaseException]] = [InvalidQuestion, UnknownOrganisation]
    try:
        from bot.core.onboarding import OnboardingError
        types.append(OnboardingError)
    except ImportError:  # pragma: no cover
        pass
    try:
        from bot.core.review import InvalidDraft
        types.append(InvalidDraft)
    except ImportError:  # the review engine is optional until it is installed
        pass
    return tuple(types)


# -- the Assistant, possibly still loading -------------------------------------

class AssistantHandle:
    """The Assistant, or the promise of one while the models load. The HTTP
    server (health checks included) starts before the models are loaded."""

    def __init__(self, assistant=None) -> None:
        self._future: concurrent.futures.Future = concurrent.futures.Future()
        if assistant is not None:
            self._future.set_result(assistant)

    def set(self, assistant) -> None:
        self._future.set_result(assistant)

    def fail(self, exc: BaseException) -> None:
        self._future.set_exception(exc)

    @property
    def loaded(self) -> bool:
        return self._future.done() and self._future.exception() is None

    def get_nowait(self):
        return self._future.result() if self.loaded else None

    async def get(self, timeout: float = ASSISTANT_WAIT):
        return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._future)), timeout)


# -- small translation helpers ---------------------------------------------------

class LRU:
    """A bounded mapping; the least recently used entry goes first."""

    def __init__(self, size: int = 2048, ttl: float | None = None) -> None:
        self.size, self.ttl = size, ttl
        self._data: OrderedDict[Any, tuple[float, Any]] = OrderedDict()

    def get(self, key, default=None):
        item = self._data.get(key)
        if item is None:
            return default
        stamp, value = item
        if self.ttl is not None and time.monotonic() - stamp > self.ttl:
            del self._data[key]
            return default
        self._data.move_to_end(key)
        return value

    def set(self, key, value) -> None:
        self._data[key] = (time.monotonic(), value)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def slack_to_plain(text: str) -> str:
    """Slack's message encoding to plain text: <mailto:a@b|a@b> → a@b,
    <https://x|label> → label (url), <@U1> → @U1, <#C1|name> → #name, &amp; → &."""

    def link(m: re.Match) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if target.startswith("mailto:"):
            return label or target[len("mailto:"):]
        if label and label != target:
            return f"{label} ({target})"
        return target

    return clean_text(html.unescape(_LINK.sub(link, clean_text(text or ""))))


def _language_of(locale: str | None, default: str = "en") -> str:
    if not locale:
        return default
    return "en" if locale.lower().startswith("en") else "nl" if locale.lower().startswith("nl") else default


def assistant_name(assistant, org: str | None) -> str:
    return assistant.organisation_name(org) if org else ""


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame: enough to debug, no message text."""
    tb = traceback.extract_tb(exc.__traceback__)
    return f"{tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""


# -- the adapter ---------------------------------------------------------------

class SlackAdapter:
    def __init__(self, handle: AssistantHandle, metrics, config: SlackConfig,
                 executor: concurrent.futures.Executor | None = None, limiter=None) -> None:
        self.handle = handle
        self.limiter = limiter   # guards.RateLimiter, or None: no limit
        self.metrics = metrics
        self.config = config
        self.executor = executor or concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="slack-core")
        # The claims made before an ack get a thread of their own: in the pool
        # above they queued behind every pending answer, review and photo
        # check, and a backlog there delayed every ack (the load test's ack
        # p95 rose from 53 to 360 ms; with answers taking 4 s, 22 of 40 acks
        # took over 3 s). One thread: the ledger's writes are serial anyway.
        self.ledger_executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="slack-ledger")
        self.thread_scopes = LRU(4096)            # (team, channel, thread) -> org, in memory
        self.users = LRU(2048, ttl=900.0)         # (team, user) -> {"language", "name"}
        self._user_errors = _user_error_types()
        self.images = SlackImages(self)            # photos: bot/channels/slack/images.py

    # -- plumbing ----------------------------------------------------------
    async def assistant(self):
        return await self.handle.get()

    @contextlib.contextmanager
    def track(self, kind: str):
        """Metrics.track (requests, latency, errors), marking what it counted."""
        try:
            with self.metrics.track(CHANNEL, kind):
                yield
        except Exception as exc:
            try:
                exc._slack_counted = True
            except AttributeError:
                pass
            raise

    async def core(self, fn: Callable, *args, **kwargs):
        """Run a synchronous core call in the thread pool, bounded in time."""
        loop = asyncio.get_running_loop()
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.wait_for(loop.run_in_executor(self.executor, call), CORE_TIMEOUT)

    async def ledger(self, fn: Callable, *args) -> bool:
        """A replay-ledger claim on the ack path: on its own thread, bounded by
        LEDGER_TIMEOUT. A ledger that is down or slow lets the request through."""
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(self.ledger_executor, fn, *args), LEDGER_TIMEOUT)
        except Exception as exc:  # answering twice beats never
            log.warning("slack.ledger_unavailable", extra={"error_type": type(exc).__name__})
            return True

    async def understand(self, text: str, team: str | None, channel: str | None, key=None):
        """(turn, organisation): the core's reading of a message, with the
        organisation it names, else the one chosen in this thread, else the
        channel's or workspace's, else the default. A named organisation is
        remembered for the thread."""
        assistant = await self.assistant()
        turn = assistant.understand(text)
        remembered = self.thread_scopes.get(key) if key is not None else None
        org = assistant.organisation_for(turn, remembered, self.org_for(team, channel))
        if key is not None and turn.org and turn.intent in ("ask", "org_switch"):
            self.thread_scopes.set(key, turn.org)
        return turn, org

    async def first_delivery(self, body: dict) -> bool:
        """Claims the event in the shared ledger once per request (the
        middleware asks first; listeners asking again get the same answer)."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        if "_socialpolicy_first" in body:
            return body["_socialpolicy_first"]
        body["_socialpolicy_first"] = first = await self._claim(body, event_id)
        return first

    async def _claim(self, body: dict, event_id: str) -> bool:
        assistant = await self.assistant()
        first = await self.ledger(assistant.first_delivery, f"slack:{event_id}")
        if not first:
            log.info("slack.retry_ignored", extra={"retry": body.get("event", {}).get("type")})
        return first

    def failed(self, kind: str, surface: str, exc: BaseException) -> None:
        if not getattr(exc, "_slack_counted", False):  # Metrics.track counted it already
            self.metrics.errors.labels(CHANNEL, kind).inc()
        log.error("slack.failed", extra={"kind": kind, "surface": surface,
                                         "error_type": type(exc).__name__, "where": _where(exc)})

    async def user_info(self, client: AsyncWebClient, team: str | None, user: str | None) -> dict:
        """Language (from the Slack locale) and display name, cached briefly."""
        key = (team, user)
        cached = self.users.get(key)
        if cached is not None:
            return cached
        info = {"language": "en", "name": None}   # English when nothing tells
        if user:
            try:
                resp = await client.users_info(user=user, include_locale=True)
                u = resp.get("user") or {}
                profile = u.get("profile") or {}
                info = {"language": _language_of(u.get("locale")),
                        "name": profile.get("real_name") or u.get("real_name") or profile.get("display_name")
                        or u.get("name")}
            except SlackApiError as exc:
                log.warning("slack.users_info_failed", extra={"error": exc.response.get("error")})
        self.users.set(key, info)
        return info

    async def quick_language(self, client: AsyncWebClient, team: str | None, user: str | None) -> str:
        """The user's Slack language within a second (an ack cannot wait longer), else English."""
        try:
            return (await asyncio.wait_for(self.user_info(client, team, user), 1.0))["language"]
        except Exception:
            return "en"

    def org_for(self, team: str | None, channel: str | None) -> str | None:
        return self.config.org_for(team, channel)

    # -- the core calls, measured -----------------------------------------------
    async def allowed(self, team: str | None, user: str | None, text: str) -> None:
        """UserError with a polite message, in the user's language, beyond
        the per-user rate limit."""
        if self.limiter is None or not user:
            return
        if not await self.core(self.limiter.allow, f"slack:{team}:{user}"):
            log.info("slack.rate_limited")
            raise UserError(rate_limited_text(detect_language(text) if text else "nl"))

    async def ask(self, question: str, org: str | None, surface: str, team: str | None = None,
                  user: str | None = None):
        question = clean_text(question)
        await self.allowed(team, user, question)
        assistant = await self.assistant()
        started = time.perf_counter()
        with self.track("ask"):
            try:
                answer = await self.core(assistant.ask, question, org)
            except self._user_errors as exc:
                raise UserError(str(exc)) from None
        self.metrics.answered(CHANNEL, answer)
        log.info("slack.answered", extra={"surface": surface, "abstained": answer.abstained,
                                          "citations": len(answer.citations), "language": answer.language,
                                          "ms": round((time.perf_counter() - started) * 1000)})
        return answer

    async def review(self, draft: str, org: str | None, surface: str, team: str | None = None,
                     user: str | None = None):
        draft = clean_text(draft)
        await self.allowed(team, user, draft)
        assistant = await self.assistant()
        started = time.perf_counter()
        with self.track("review"):
            try:
                result = await self.core(assistant.review, draft, org)
            except self._user_errors as exc:
                raise UserError(str(exc)) from None
        self.metrics.reviewed(CHANNEL, result)
        log.info("slack.reviewed", extra={"surface": surface, "verdict": result.verdict,
                                          "findings": len(result.findings), "language": result.language,
                                          "ms": round((time.perf_counter() - started) * 1000)})
        return result

    # -- values carried in buttons (never a draft) ---------------------------------
    @staticmethod
    def answer_feedback(answer, org: str | None) -> str:
        top = answer.citations[0] if answer.citations else None
        return ui.encode_value({"k": "answer", "o": (top.org if top and top.org else org),
                                "l": answer.language, "s": top.section[:SECTION_PREFIX] if top else None})

    @staticmethod
    def review_feedback(review, org: str | None) -> str:
        return ui.encode_value({"k": "review", "o": org, "l": review.language, "v": review.verdict})

    @staticmethod
    def share_value(question: str, org: str | None) -> str | None:
        value = ui.encode_value({"q": question, "o": org})
        return value if len(value) <= ui.MAX_BUTTON_VALUE else None

    # ================================================================== listeners
    def register(self, app: AsyncApp) -> None:
        from bot.channels.slack.middleware import SkipBotsAndRetries

        app.use(SkipBotsAndRetries(self))   # bots, retries and replays: once, before every listener
        # commands
        app.command(SLASH_COMMAND)(self.on_command)
        # events
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)
        app.event("team_join")(self.on_team_join)
        # actions
        app.action(ui.SHARE)(self.on_share)
        app.action(re.compile(rf"^({ui.FEEDBACK_UP}|{ui.FEEDBACK_DOWN})$"))(self.on_feedback)
        app.action(re.compile(rf"^{ui.QUIZ_START}(_\w+)?$"))(self.on_quiz_start)
        app.action(re.compile(rf"^{ui.QUIZ_ANSWER}_\d+$"))(self.on_quiz_answer)
        app.action(ui.SHOW_SOURCES)(self.on_show_sources)
        app.action(ui.SHOW_RULES)(self.on_show_rules)
        # shortcuts
        app.shortcut(SHORTCUT_CALLBACK_ID)(self.on_check_shortcut)
        # views: the review modal has no submit button; closing it needs no reply
        app.view_closed("check_policy_result")(self.on_view_closed)

    # -- /socialpolicy -------------------------------------------------------------
    async def on_command(self, ack, body: dict, respond, client: AsyncWebClient, context) -> None:
        team, channel, user = body.get("team_id"), body.get("channel_id"), body.get("user_id")
        text = slack_to_plain(body.get("text", ""))
        assistant = self.handle.get_nowait()
        if assistant is not None:
            turn = assistant.understand(text)
            if turn.intent == "help":  # answered in the ack itself, no model needed
                language = turn.language or await self.quick_language(client, team, user)
                with self.track("help"):
                    orgs = assistant.organisations
                    await ack(text=ui.help_text(language, orgs), blocks=ui.help_blocks(language, orgs))
                return
        await ack()
        language = detect_language(text, default="en") if text.strip() else "en"
        kind = "ask"
        try:
            turn, org = await self.understand(text, team, channel)
            kind = turn.intent
            if kind == "help":
                language = turn.language or language
                orgs = (await self.assistant()).organisations
                await respond(text=ui.help_text(language, orgs), blocks=ui.help_blocks(language, orgs),
                              response_type="ephemeral")
            elif kind == "quiz":
                info = await self.user_info(client, team, user)
                lang = turn.language or info["language"]
                await self.offer_or_start_quiz(client, team, user, turn.org or self.org_for(team, channel), lang)
                await respond(text=ui.labels(lang)["quiz_sent"], response_type="ephemeral")
            elif kind == "org_switch":
                note = ui.labels(language)["org_switched"].format(organisation=assistant_name(await self.assistant(), org))
                await respond(text=note, response_type="ephemeral")
            elif kind == "review":
                if not turn.payload:
                    await respond(text=ui.labels(language)["review_empty"], response_type="ephemeral")
                    return
                result = await self.review(turn.payload, org, "command", team, user)
                await respond(text=ui.review_text(result), response_type="ephemeral", replace_original=False,
                              blocks=ui.review_blocks(result, feedback_value=self.review_feedback(result, org)))
            else:
                answer = await self.ask(turn.payload, org, "command", team, user)
                share = self.share_value(turn.payload, org) if channel and not channel.startswith("D") else None
                await respond(text=ui.answer_text(answer), response_type="ephemeral", replace_original=False,
                              blocks=ui.answer_blocks(answer, share_value=share,
                                                      feedback_value=self.answer_feedback(answer, org)))
        except UserError as exc:
            await respond(text=f"⚠️ {exc}", response_type="ephemeral")
        except Exception as exc:
            self.failed(kind, "command", exc)
            await respond(text=ui.labels(language)["error"], response_type="ephemeral")

    async def converse(self, surface: str, text: str, client: AsyncWebClient, team, channel, user, key,
                       reply, private, dm_channel: str | None = None) -> None:
        """A mention or a DM: translate → conversation/Assistant → render.
        `reply` posts for everyone in the thread; `private` only for the user
        (reviews are only ever shown to the draft's author)."""
        language = detect_language(text, default="en") if text.strip() else "en"
        kind = "ask"
        try:
            turn, org = await self.understand(text, team, channel, key)
            kind = turn.intent
            if kind == "help":
                info = await self.user_info(client, team, user)
                language = turn.language or info["language"]
                with self.track("help"):
                    orgs = (await self.assistant()).organisations
                    await private(ui.help_blocks(language, orgs), ui.help_text(language, orgs))
            elif kind == "quiz":
                info = await self.user_info(client, team, user)
                language = turn.language or info["language"]
                await self.offer_or_start_quiz(client, team, user, turn.org or self.org_for(team, channel),
                                               language, dm_channel=dm_channel)
                if not dm_channel:
                    await private(ui.notice_blocks(ui.labels(language)["quiz_sent"]), ui.labels(language)["quiz_sent"])
            elif kind == "org_switch":
                note = ui.labels(language)["org_switched"].format(
                    organisation=ui.esc(assistant_name(await self.assistant(), org)))
                await private(ui.notice_blocks(note), note)
            elif kind == "review":
                if not turn.payload:
                    await private(ui.notice_blocks(ui.labels(language)["review_empty"]),
                                  ui.labels(language)["review_empty"])
                    return
                result = await self.review(turn.payload, org, surface, team, user)
                await private(ui.review_blocks(result, feedback_value=self.review_feedback(result, org)),
                              ui.review_text(result))
            else:
                answer = await self.ask(turn.payload, org, surface, team, user)
                await reply(ui.answer_blocks(answer, feedback_value=self.answer_feedback(answer, org)),
                            ui.answer_text(answer))
        except UserError as exc:
            await private(ui.notice_blocks(f"⚠️ {ui.esc(str(exc))}"), f"⚠️ {exc}")
        except Exception as exc:
            self.failed(kind, surface, exc)
            await self._try(private(ui.notice_blocks(ui.labels(language)["error"]), ui.labels(language)["error"]))

    # -- @mention in a channel -------------------------------------------------------
    async def on_mention(self, body: dict, event: dict, client: AsyncWebClient, context) -> None:
        if (event.get("channel") or "").startswith("D"):
            return  # mentions inside a DM (the message.im listener answers those)
        if await self.images.on_mention(body, event, client, context):
            return  # it carried images: checked
        if not await self.first_delivery(body):  # asked by the middleware already, unless still loading
            return
        team = context.team_id or body.get("team_id")
        channel, user = event.get("channel"), event.get("user")
        thread = event.get("thread_ts") or event.get("ts")
        bot = context.bot_user_id
        text = event.get("text", "")
        if bot:
            text = re.sub(rf"<@{re.escape(bot)}(\|[^>]*)?>", " ", text)

        async def private(blocks: list[dict], fallback: str) -> None:
            await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread, text=fallback, blocks=blocks)

        async def public(blocks: list[dict], fallback: str) -> None:
            await client.chat_postMessage(channel=channel, thread_ts=thread, text=fallback, blocks=blocks)

        await self.converse("mention", slack_to_plain(text).strip(), client, team, channel, user,
                            (team, channel, thread), public, private)

    # -- direct messages ---------------------------------------------------------------
    async def on_message(self, body: dict, event: dict, client: AsyncWebClient, context) -> None:
        if await self.images.on_message(body, event, client, context):
            return  # an image in a DM or in a thread where the bot was mentioned: checked
        if event.get("channel_type") != "im" or event.get("subtype"):
            return  # edits, deletions, joins and non-DM messages
        if not await self.first_delivery(body):
            return
        team = context.team_id or body.get("team_id")
        channel, user = event.get("channel"), event.get("user")
        thread = event.get("thread_ts")

        async def reply(blocks: list[dict], fallback: str) -> None:
            await client.chat_postMessage(channel=channel, thread_ts=thread, text=fallback, blocks=blocks)

        await self.converse("dm", slack_to_plain(event.get("text", "")).strip(), client, team, channel, user,
                            (team, channel, thread or ""), reply, reply, dm_channel=channel)

    # -- message shortcut: "Check against social media policy" ---------------------------
    async def on_check_shortcut(self, ack, body: dict, shortcut: dict, client: AsyncWebClient, respond,
                                context) -> None:
        await ack()
        message = shortcut.get("message") or {}
        draft = slack_to_plain(message.get("text", "")).strip()
        language = detect_language(draft) if draft else "nl"
        team = context.team_id or (body.get("team") or {}).get("id")
        channel = (body.get("channel") or {}).get("id")
        view_id = None
        try:
            opened = await client.views_open(trigger_id=shortcut["trigger_id"], view=ui.loading_modal(language))
            view_id = opened["view"]["id"]
        except SlackApiError as exc:  # trigger expired: fall back to an ephemeral reply
            log.warning("slack.views_open_failed", extra={"error": exc.response.get("error")})

        async def show(blocks: list[dict], fallback: str, lang: str) -> None:
            if view_id:
                await client.views_update(view_id=view_id, view=ui.modal(blocks, lang))
            else:
                await respond(text=fallback, blocks=blocks, response_type="ephemeral", replace_original=False)

        try:
            if image_files(message):
                user = (body.get("user") or {}).get("id")
                found, fallback = await self.images.shortcut_blocks(message, client, team, channel, user, language)
                await show(found, fallback, language)
                return
            if not draft:
                await show(ui.notice_blocks(ui.labels(language)["nothing_to_check"]),
                           ui.labels(language)["nothing_to_check"], language)
                return
            org = self.org_for(team, channel)
            result = await self.review(draft, org, "shortcut", team, (body.get("user") or {}).get("id"))
            await show(ui.review_blocks(result, feedback_value=self.review_feedback(result, org)),
                       ui.review_text(result), result.language)
        except UserError as exc:
            await show(ui.notice_blocks(f"⚠️ {ui.esc(str(exc))}"), f"⚠️ {exc}", language)
        except Exception as exc:
            self.failed("review", "shortcut", exc)
            await self._try(show(ui.notice_blocks(ui.labels(language)["error"]), ui.labels(language)["error"],
                                 language))

    async def on_view_closed(self, ack) -> None:
        await ack()

    # -- App Home --------------------------------------------------------------------------
    async def on_home_opened(self, body: dict, event: dict, client: AsyncWebClient, context) -> None:
        if event.get("tab", "home") != "home" or not await self.first_delivery(body):
            return
        team = context.team_id or body.get("team_id")
        user = event.get("user")
        try:
            with self.track("home"):
                info = await self.user_info(client, team, user)
                language = info["language"]
                assistant = await self.assistant()
                org = self.org_for(team, None) or assistant.default_org
                orgs = self.home_orgs(assistant, org)
                contents = []
                for o in orgs:
                    try:
                        contents.append(await self.core(assistant.onboarding_content, o, language))
                    except self._user_errors:
                        continue
                view = ui.home_view(contents, language, assistant.quiz_orgs(org), assistant.organisations)
                await client.views_publish(user_id=user, view=view)
        except Exception as exc:
            self.failed("home", "home", exc)

    @staticmethod
    def home_orgs(assistant, org: str | None) -> list[str]:
        return [org] if org else sorted(assistant.organisations)


    # -- a new member joins: welcome DM with the quiz -------------------------------------
    async def on_team_join(self, body: dict, event: dict, client: AsyncWebClient, context) -> None:
        member = event.get("user") or {}
        if isinstance(member, str):
            member = {"id": member}
        if member.get("is_bot") or member.get("deleted") or not member.get("id"):
            return
        if not await self.first_delivery(body):
            return
        team = context.team_id or body.get("team_id") or member.get("team_id")
        user = member["id"]
        try:
            with self.track("welcome"):
                info = await self.user_info(client, team, user)
                language = info["language"]
                assistant = await self.assistant()
                org = self.org_for(team, None) or assistant.default_org
                organisation = assistant.organisation_name(org) if org in assistant.organisations else None
                quiz_orgs = assistant.quiz_orgs(org)
                opened = await client.conversations_open(users=user)
                channel = opened["channel"]["id"]
                blocks = ui.welcome_blocks(user, language, organisation, quiz_orgs)
                await client.chat_postMessage(channel=channel, blocks=blocks,
                                              text=ui.labels(language)["welcome"].format(user=user, of=""))
        except Exception as exc:
            self.failed("welcome", "team_join", exc)

    # -- onboarding quiz -------------------------------------------------------------------
    async def offer_or_start_quiz(self, client: AsyncWebClient, team, user, org, language,
                                  dm_channel: str | None = None) -> None:
        """Start the quiz of the configured organisation in a DM, or offer a
        choice when no organisation is configured."""
        assistant = await self.assistant()
        orgs = assistant.quiz_orgs(org or assistant.default_org)
        if len(orgs) == 1:
            await self.start_quiz(client, team, user, orgs[0][0], language, dm_channel)
            return
        channel = dm_channel or (await client.conversations_open(users=user))["channel"]["id"]
        blocks = [ui.section(ui.labels(language)["welcome_quiz"]), ui.quiz_buttons(orgs, language)]
        await client.chat_postMessage(channel=channel, blocks=[b for b in blocks if b],
                                      text=ui.labels(language)["welcome_quiz"])

    async def start_quiz(self, client: AsyncWebClient, team, user, org, language,
                         dm_channel: str | None = None) -> None:
        assistant = await self.assistant()
        info = await self.user_info(client, team, user)
        with self.track("quiz"):
            progress, first = await self.core(assistant.quiz_start, f"slack:{team}:{user}", CHANNEL, org,
                                              info["name"], language)
        channel = dm_channel or (await client.conversations_open(users=user))["channel"]["id"]
        organisation = assistant.organisation_name(org)
        blocks = ui.quiz_intro_blocks(organisation, progress.total, language) + \
            ui.scenario_blocks(first, 1, progress.total, language)
        await client.chat_postMessage(channel=channel, blocks=blocks,
                                      text=ui.scenario_text(first, 1, progress.total, language))
        log.info("slack.quiz_started", extra={"org": org, "language": language})

    @staticmethod
    def _dm_of(body: dict) -> str | None:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        return channel if channel and channel.startswith("D") else None

    async def on_quiz_start(self, ack, body: dict, action: dict, client: AsyncWebClient, context) -> None:
        await ack()
        value = ui.decode_value(action.get("value"))
        team = context.team_id or (body.get("team") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        language = value.get("l") if value.get("l") in ("nl", "en") else "en"
        org = value.get("o")
        try:
            assistant = await self.assistant()
            if org not in assistant.organisations:
                await self.offer_or_start_quiz(client, team, user, None, language, self._dm_of(body))
                return
            await self.start_quiz(client, team, user, org, language, self._dm_of(body))
        except Exception as exc:
            self.failed("quiz", "action", exc)

    async def on_quiz_answer(self, ack, body: dict, action: dict, client: AsyncWebClient, context) -> None:
        await ack()
        value = ui.decode_value(action.get("value"))
        team = context.team_id or (body.get("team") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        language = value.get("l") if value.get("l") in ("nl", "en") else "en"
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
        user_key = f"slack:{team}:{user}"
        try:
            assistant = await self.assistant()
            with self.track("quiz"):
                try:
                    step = await self.core(assistant.quiz_answer, user_key, str(value.get("s")),
                                           int(value.get("c", -1)), language)
                except (*self._user_errors, ValueError, TypeError):
                    step = None
            if step is None:
                orgs = assistant.quiz_orgs(self.org_for(team, None) or assistant.default_org)
                blocks = [ui.section(ui.labels(language)["quiz_lost"]), ui.quiz_buttons(orgs, language)]
                await client.chat_postMessage(channel=channel, blocks=[b for b in blocks if b],
                                              text=ui.labels(language)["quiz_lost"])
                return
            total = step.progress.total
            result = ui.quiz_step_blocks(step, total, language)
            fallback = ui.scenario_text(step.scenario, step.number, total, language)
            if channel and ts:
                await client.chat_update(channel=channel, ts=ts, blocks=result, text=fallback)
            else:
                await client.chat_postMessage(channel=channel, blocks=result, text=fallback)
            if step.next is not None:
                number = step.next_number
                await client.chat_postMessage(channel=channel, blocks=ui.scenario_blocks(step.next, number, total, language),
                                              text=ui.scenario_text(step.next, number, total, language))
            else:
                done = ui.quiz_done_blocks(step.progress, language)
                await client.chat_postMessage(channel=channel, blocks=done,
                                              text=ui.labels(language)["done"].format(score=step.progress.score,
                                                                                       total=total))
                log.info("slack.quiz_completed", extra={"org": step.progress.org, "score": step.progress.score,
                                                        "total": total})
        except Exception as exc:
            self.failed("quiz", "action", exc)

    # -- "Share in channel" --------------------------------------------------------------------
    async def on_share(self, ack, body: dict, action: dict, client: AsyncWebClient, respond, context) -> None:
        await ack()
        value = ui.decode_value(action.get("value"))
        question, org = value.get("q") or "", value.get("o")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        user = (body.get("user") or {}).get("id")
        language = detect_language(question) if question else "nl"
        try:
            answer = await self.ask(question, org, "share", context.team_id or (body.get("team") or {}).get("id"), user)
            try:
                await client.chat_postMessage(
                    channel=channel, text=ui.answer_text(answer),
                    blocks=ui.answer_blocks(answer, feedback_value=self.answer_feedback(answer, org), shared_by=user))
            except SlackApiError as exc:
                log.warning("slack.share_failed", extra={"error": exc.response.get("error")})
                await respond(text=ui.labels(answer.language)["not_in_channel"], response_type="ephemeral",
                              replace_original=False)
                return
            await respond(delete_original=True)
        except UserError as exc:
            await respond(text=f"⚠️ {exc}", response_type="ephemeral", replace_original=False)
        except Exception as exc:
            self.failed("share", "action", exc)
            await self._try(respond(text=ui.labels(language)["error"], response_type="ephemeral",
                                    replace_original=False))

    # -- "Show sources": a finding's other quotes ------------------------------------------------
    async def on_show_sources(self, ack, body: dict, action: dict, client: AsyncWebClient) -> None:
        await ack()
        value = ui.decode_value(action.get("value"))
        language = value.get("l") if value.get("l") in ("nl", "en") else "en"
        refs = value.get("c") if isinstance(value.get("c"), list) else []
        try:
            assistant = await self.assistant()
            with self.track("sources"):
                citations = assistant.citations(
                    [tuple(r) for r in refs if isinstance(r, list) and len(r) == 3 and all(isinstance(x, str) for x in r)])
            if not citations:
                return
            view = ui.sources_modal(citations, language)
            if body.get("view") and body.get("trigger_id"):  # inside the review modal: on top of it
                await client.views_push(trigger_id=body["trigger_id"], view=view)
            else:
                await client.views_open(trigger_id=body.get("trigger_id"), view=view)
        except Exception as exc:
            self.failed("sources", "action", exc)

    # -- App Home's "Show the rules": one organisation's rules in a modal ---------------------------
    async def on_show_rules(self, ack, body: dict, action: dict, client: AsyncWebClient) -> None:
        await ack()
        value = ui.decode_value(action.get("value"))
        language = value.get("l") if value.get("l") in ("nl", "en") else "en"
        try:
            assistant = await self.assistant()
            org = value.get("o")
            if org not in assistant.organisations:
                return
            with self.track("rules"):
                content = await self.core(assistant.onboarding_content, org, language)
            await client.views_open(trigger_id=body.get("trigger_id"), view=ui.rules_modal(content, language))
        except Exception as exc:
            self.failed("rules", "action", exc)

    # -- 👍 / 👎 -----------------------------------------------------------------------------
    async def on_feedback(self, ack, body: dict, action: dict, client: AsyncWebClient, respond, context) -> None:
        await ack()
        value = ui.decode_value(action.get("value"))
        vote = "up" if action.get("action_id") == ui.FEEDBACK_UP else "down"
        kind = value.get("k") if value.get("k") in ("answer", "review") else "answer"
        language = value.get("l") if value.get("l") in ("nl", "en") else "en"
        try:
            assistant = await self.assistant()
            with self.track("feedback"):
                # Only what was rated, checked against the catalogue: never free text.
                valid = assistant.valid_feedback(kind, vote, org=value.get("o"), language=language,
                                                 verdict=value.get("v"), section=value.get("s"))
                if valid is None:
                    log.warning("slack.feedback_refused", extra={"kind": kind})
                    return
                await self.core(assistant.record_feedback, CHANNEL, valid["kind"], valid["vote"], org=valid["org"],
                                language=valid["language"], verdict=valid["verdict"], section=valid["section"])
            log.info("slack.feedback", extra={"kind": kind, "vote": vote})
            await self._thank(body, client, respond, language)
        except Exception as exc:
            self.failed("feedback", "action", exc)

    async def _thank(self, body: dict, client: AsyncWebClient, respond, language: str) -> None:
        thanks = ui.labels(language)["thanks"]
        view = body.get("view")
        if view and view.get("id"):  # the review modal: swap the buttons for a thank-you
            blocks = ui.replace_feedback(view.get("blocks", []), language)
            await self._try(client.views_update(view_id=view["id"], hash=view.get("hash"),
                                                view=ui.modal(blocks, language, view.get("callback_id") or
                                                              "check_policy_result")))
            return
        message = body.get("message")
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if message and channel and channel.startswith("D") and message.get("ts"):
            # Our own message in a DM: only this user could vote, so remove the buttons.
            await self._try(client.chat_update(channel=channel, ts=message["ts"], text=message.get("text", ""),
                                               blocks=ui.replace_feedback(message.get("blocks", []), language)))
            return
        await self._try(respond(text=thanks, response_type="ephemeral", replace_original=False))

    @staticmethod
    async def _try(coro) -> None:
        try:
            await coro
        except Exception as exc:
            log.warning("slack.reply_failed", extra={"error_type": type(exc).__name__})


def _quiet(name: str) -> logging.Logger:
    """Bolt and the SDK log request and response bodies (drafts, questions)
    below WARNING: whatever the log level, they stay at WARNING or above."""
    logger = logging.getLogger(name)
    if logger.level == logging.NOTSET or logger.level < logging.WARNING:
        logger.setLevel(logging.WARNING)
    return logger


def build_app(settings, adapter: SlackAdapter, verify_requests: bool = True) -> AsyncApp:
    """The Bolt AsyncApp with every listener registered. `verify_requests`
    off only where the caller verified the signature itself (the server
    does, on the raw bytes, so that a malformed body is a 400)."""
    for name in ("slack_bolt", "slack_sdk"):
        _quiet(name)
    bolt_log = _quiet("bot.channels.slack.bolt")
    kwargs = {"token": settings.slack_bot_token, "logger": bolt_log}
    base_url = api_base_url(settings)
    if base_url:
        kwargs["base_url"] = base_url
    client = AsyncWebClient(**kwargs)
    # Bolt names loggers after the app and copies the base logger's level onto them:
    # keep that inside our own namespace (not "socialpolicy", which others use).
    app = AsyncApp(name=bolt_log.name, client=client, logger=bolt_log,
                   signing_secret=settings.slack_signing_secret or "",
                   request_verification_enabled=verify_requests, process_before_response=False)
    adapter.register(app)
    return app
