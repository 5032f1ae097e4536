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

from bot.channels.guards import SECTION_PREFIX, rate_limited_text, valid_feedback
from bot.channels.sanitize import clean_text
from bot.channels.slack import blocks as ui
from bot.channels.slack.config import SHORTCUT_CALLBACK_ID, SLASH_COMMAND, SlackConfig, api_base_url
from bot.channels.slack.images import SlackImages, image_files
from bot.core.language import detect_language

log = logging.getLogger("bot.channels.slack")

CHANNEL = "slack"          # the channel name recorded with feedback and quiz progress
CORE_TIMEOUT = 60.0        # seconds for one Assistant call
ASSISTANT_WAIT = 180.0     # seconds a request waits for the models to finish loading
DRAFT_MIN_CHARS = 280      # a DM longer than this without a question mark is a draft


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


_GENERIC_NAME_WORDS = {"universiteit", "university", "hogeschool", "of", "the", "van", "de", "het", "en", "and"}
# Organisation words that are also everyday words ("dit kan leiden tot…" = "this can lead to…"):
# they scope only when capitalised or after a word such as "voor", "for", "bij", "at".
_EVERYDAY_WORDS = {"leiden"}
_SCOPE_WORDS = r"(?:voor|for|bij|at|in|van|from|uit|about|over|universiteit|university)"


class OrgMatcher:
    """Finds an organisation named in a question ("voor ROC", "for Leiden",
    "ROC West-Brabant"), from the organisation names the core knows."""

    def __init__(self, organisations: dict) -> None:
        self.patterns: dict[str, list[re.Pattern]] = {}
        for org, info in organisations.items():
            words = {org.lower()}
            for name in (info.organisation, info.organisation_en):
                words.add(name.lower())
                words.update(w for w in re.split(r"[\s,]+", name.lower()) if len(w) > 1)
            words -= _GENERIC_NAME_WORDS
            pats = []
            for w in sorted(words, key=len, reverse=True):
                bounded = r"(?<![\w-])" + re.escape(w) + r"(?![\w-])"
                if w in _EVERYDAY_WORDS:
                    pats.append(re.compile(r"(?<![\w-])" + re.escape(w.capitalize()) + r"(?![\w-])"))
                    pats.append(re.compile(_SCOPE_WORDS + r"\s+" + re.escape(w) + r"(?![\w-])", re.IGNORECASE))
                else:
                    pats.append(re.compile(bounded, re.IGNORECASE))
            self.patterns[org] = pats

    def find(self, text: str) -> str | None:
        """The one organisation named, or None (none, or more than one)."""
        named = [org for org, pats in self.patterns.items() if any(p.search(text) for p in pats)]
        return named[0] if len(named) == 1 else None


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


_HELP = {"help": "en", "hulp": "nl", "?": "en", "": "nl"}
_QUIZ = {"onboarding", "quiz", "onboard"}
_REVIEW_PREFIX = re.compile(r"^\s*(review|check|controleer|beoordeel|toets)\s*:\s*", re.IGNORECASE)


def parse_command(text: str) -> tuple[str, str]:
    """`/socialpolicy` text → (kind, rest): help | onboarding | review | ask."""
    text = (text or "").strip()
    word, rest = re.match(r"(\S*)\s*(.*)\Z", text, re.S).groups()
    lowered = word.lower().rstrip(":")
    if text.lower() in _HELP:
        return "help", text.lower()
    if lowered in _QUIZ and not rest.strip():
        return "onboarding", ""
    if lowered in ("review", "check", "controleer", "beoordeel", "toets"):
        return "review", rest.strip()
    return "ask", text


def classify_message(text: str) -> tuple[str, str]:
    """A DM or mention → (kind, payload). "review: …" and pasted drafts
    (several lines, or long without a question mark) are reviewed."""
    text = (text or "").strip()
    if text.lower().rstrip("!. ") in _HELP:
        return "help", text.lower()
    if text.lower().rstrip("!. ") in _QUIZ:
        return "onboarding", ""
    m = _REVIEW_PREFIX.match(text)
    if m:
        return "review", text[m.end():].strip()
    first, sep, rest = text.partition("\n")
    if sep and first.strip().lower().rstrip(":") in ("review", "check", "controleer", "beoordeel", "toets"):
        return "review", rest.strip()
    if "\n" in text or (len(text) > DRAFT_MIN_CHARS and "?" not in text):
        return "review", text
    return "ask", text


def _language_of(locale: str | None, default: str = "nl") -> str:
    if not locale:
        return default
    return "en" if locale.lower().startswith("en") else "nl" if locale.lower().startswith("nl") else default


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
        self.thread_scopes = LRU(4096)            # (team, channel, thread) -> org, in memory
        self.users = LRU(2048, ttl=900.0)         # (team, user) -> {"language", "name"}
        self._matcher: OrgMatcher | None = None
        self._matcher_of = None
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

    async def matcher(self) -> OrgMatcher:
        organisations = (await self.assistant()).organisations
        if self._matcher is None or self._matcher_of is not organisations:  # a re-ingest may add one
            self._matcher, self._matcher_of = OrgMatcher(organisations), organisations
        return self._matcher

    async def first_delivery(self, body: dict) -> bool:
        event_id = body.get("event_id")
        if not event_id:
            return True
        assistant = await self.assistant()
        try:
            first = await self.core(assistant.first_delivery, f"slack:{event_id}")
        except Exception as exc:  # the ledger is down: answering twice beats never
            log.warning("slack.ledger_unavailable", extra={"error_type": type(exc).__name__})
            return True
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
        info = {"language": "nl", "name": None}
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
        # shortcuts
        app.shortcut(SHORTCUT_CALLBACK_ID)(self.on_check_shortcut)
        # views: the review modal has no submit button; closing it needs no reply
        app.view_closed("check_policy_result")(self.on_view_closed)

    # -- /socialpolicy -------------------------------------------------------------
    async def on_command(self, ack, body: dict, respond, client: AsyncWebClient, context) -> None:
        kind, rest = parse_command(body.get("text", ""))
        if kind == "help":
            language = _HELP.get(rest, "nl")
            with self.track("help"):
                await ack(text=ui.labels(language)["help"], blocks=ui.help_blocks(language))
            return
        await ack()
        team, channel, user = body.get("team_id"), body.get("channel_id"), body.get("user_id")
        language = detect_language(rest) if rest else "nl"
        try:
            if kind == "onboarding":
                info = await self.user_info(client, team, user)
                await self.offer_or_start_quiz(client, team, user, self.org_for(team, channel), info["language"])
                await respond(text=ui.labels(info["language"])["quiz_sent"], response_type="ephemeral")
            elif kind == "review":
                if not rest:
                    await respond(text=ui.labels(language)["review_empty"], response_type="ephemeral")
                    return
                org = self.org_for(team, channel)
                result = await self.review(slack_to_plain(rest), org, "command", team, user)
                await respond(text=ui.review_text(result), response_type="ephemeral", replace_original=False,
                              blocks=ui.review_blocks(result, feedback_value=self.review_feedback(result, org)))
            else:
                question = slack_to_plain(rest)
                org = (await self.matcher()).find(question) or self.org_for(team, channel)
                answer = await self.ask(question, org, "command", team, user)
                share = self.share_value(question, org) if channel and not channel.startswith("D") else None
                await respond(text=ui.answer_text(answer), response_type="ephemeral", replace_original=False,
                              blocks=ui.answer_blocks(answer, share_value=share,
                                                      feedback_value=self.answer_feedback(answer, org)))
        except UserError as exc:
            await respond(text=f"⚠️ {exc}", response_type="ephemeral")
        except Exception as exc:
            self.failed(kind, "command", exc)
            await respond(text=ui.labels(language)["error"], response_type="ephemeral")

    # -- @mention in a channel -------------------------------------------------------
    async def on_mention(self, body: dict, event: dict, client: AsyncWebClient, context) -> None:
        if event.get("bot_id") or (event.get("channel") or "").startswith("D"):
            return  # bots, and mentions inside a DM (the message.im listener answers those)
        if await self.images.on_mention(body, event, client, context):
            return  # it carried images: checked
        if not await self.first_delivery(body):
            return
        team = context.team_id or body.get("team_id")
        channel, user = event.get("channel"), event.get("user")
        thread = event.get("thread_ts") or event.get("ts")
        bot = context.bot_user_id
        text = event.get("text", "")
        if bot:
            text = re.sub(rf"<@{re.escape(bot)}(\|[^>]*)?>", " ", text)
        text = slack_to_plain(text).strip()
        kind, payload = classify_message(text)
        language = detect_language(payload) if payload else "nl"
        key = (team, channel, thread)

        async def private(blocks: list[dict], fallback: str) -> None:
            await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread, text=fallback, blocks=blocks)

        try:
            if kind == "help":
                language = _HELP.get(payload, "nl")
                with self.track("help"):
                    await private(ui.help_blocks(language), ui.labels(language)["help"])
            elif kind == "onboarding":
                info = await self.user_info(client, team, user)
                await self.offer_or_start_quiz(client, team, user, self.org_for(team, channel), info["language"])
                await private(ui.notice_blocks(ui.labels(info["language"])["quiz_sent"]),
                              ui.labels(info["language"])["quiz_sent"])
            elif kind == "review":
                org = self.thread_scopes.get(key) or self.org_for(team, channel)
                result = await self.review(payload, org, "mention", team, user)
                await private(ui.review_blocks(result, feedback_value=self.review_feedback(result, org)),
                              ui.review_text(result))
            else:
                named = (await self.matcher()).find(payload)
                if named:
                    self.thread_scopes.set(key, named)
                org = named or self.thread_scopes.get(key) or self.org_for(team, channel)
                answer = await self.ask(payload, org, "mention", team, user)
                await client.chat_postMessage(
                    channel=channel, thread_ts=thread, text=ui.answer_text(answer),
                    blocks=ui.answer_blocks(answer, feedback_value=self.answer_feedback(answer, org)))
        except UserError as exc:
            await private(ui.notice_blocks(f"⚠️ {ui.esc(str(exc))}"), f"⚠️ {exc}")
        except Exception as exc:
            self.failed(kind, "mention", exc)
            await self._try(private(ui.notice_blocks(ui.labels(language)["error"]), ui.labels(language)["error"]))

    # -- direct messages ---------------------------------------------------------------
    async def on_message(self, body: dict, event: dict, client: AsyncWebClient, context) -> None:
        if await self.images.on_message(body, event, client, context):
            return  # an image in a DM or in a thread where the bot was mentioned: checked
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # edits, deletions, joins, bot posts (ours included) and non-DM messages
        if not await self.first_delivery(body):
            return
        team = context.team_id or body.get("team_id")
        channel, user = event.get("channel"), event.get("user")
        thread = event.get("thread_ts")
        kind, payload = classify_message(slack_to_plain(event.get("text", "")))
        language = detect_language(payload) if payload else "nl"
        key = (team, channel, thread or "")

        async def reply(blocks: list[dict], fallback: str) -> None:
            await client.chat_postMessage(channel=channel, thread_ts=thread, text=fallback, blocks=blocks)

        try:
            if kind == "help":
                language = _HELP.get(payload, "nl")
                with self.track("help"):
                    await reply(ui.help_blocks(language), ui.labels(language)["help"])
            elif kind == "onboarding":
                info = await self.user_info(client, team, user)
                await self.offer_or_start_quiz(client, team, user, self.org_for(team, channel), info["language"],
                                               dm_channel=channel)
            elif kind == "review":
                if not payload:
                    await reply(ui.notice_blocks(ui.labels(language)["review_empty"]), ui.labels(language)["review_empty"])
                    return
                org = self.thread_scopes.get(key) or self.org_for(team, channel)
                result = await self.review(payload, org, "dm", team, user)
                await reply(ui.review_blocks(result, feedback_value=self.review_feedback(result, org)),
                            ui.review_text(result))
            else:
                named = (await self.matcher()).find(payload)
                if named:
                    self.thread_scopes.set(key, named)
                org = named or self.thread_scopes.get(key) or self.org_for(team, channel)
                answer = await self.ask(payload, org, "dm", team, user)
                await reply(ui.answer_blocks(answer, feedback_value=self.answer_feedback(answer, org)),
                            ui.answer_text(answer))
        except UserError as exc:
            await reply(ui.notice_blocks(f"⚠️ {ui.esc(str(exc))}"), f"⚠️ {exc}")
        except Exception as exc:
            self.failed(kind, "dm", exc)
            await self._try(reply(ui.notice_blocks(ui.labels(language)["error"]), ui.labels(language)["error"]))

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
                orgs = self.home_orgs(assistant, self.org_for(team, None))
                contents = []
                for org in orgs:
                    try:
                        contents.append(await self.core(assistant.onboarding.content, org, language))
                    except self._user_errors:
                        continue
                view = ui.home_view(contents, language, self.quiz_orgs(assistant, orgs))
                await client.views_publish(user_id=user, view=view)
        except Exception as exc:
            self.failed("home", "home", exc)

    @staticmethod
    def home_orgs(assistant, org: str | None) -> list[str]:
        return [org] if org else sorted(assistant.organisations)

    @staticmethod
    def quiz_orgs(assistant, orgs) -> list[tuple[str, str]]:
        have_quiz = getattr(assistant.onboarding, "quiz_data", None)
        return [(o, assistant.organisations[o].organisation) for o in orgs
                if o in assistant.organisations and (have_quiz is None or o in have_quiz)]

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
                org = self.org_for(team, None)
                organisation = assistant.organisations[org].organisation if org in assistant.organisations else None
                quiz_orgs = self.quiz_orgs(assistant, self.home_orgs(assistant, org))
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
        orgs = self.quiz_orgs(assistant, self.home_orgs(assistant, org))
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
            progress, first = await self.core(assistant.onboarding.start, f"slack:{team}:{user}", CHANNEL, org,
                                              info["name"], language)
        channel = dm_channel or (await client.conversations_open(users=user))["channel"]["id"]
        organisation = assistant.organisations[org].organisation if org in assistant.organisations else org
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
        language = value.get("l") if value.get("l") in ("nl", "en") else "nl"
        org = value.get("o")
        try:
            assistant = await self.assistant()
            if org not in assistant.organisations:
                await self.offer_or_start_quiz(client, team, user, None, language, self._dm_of(body))
                return
            await self.start_quiz(client, team, user, org, language, self._dm_of(body))
        except Exception as exc:
            self.failed("quiz", "action", exc)

    def _quiz_number(self, assistant, org: str, language: str, scenario_id: str) -> int:
        ids = [s.id for s in assistant.onboarding.quiz(org, language).scenarios]
        return ids.index(scenario_id) + 1 if scenario_id in ids else len(ids)

    async def on_quiz_answer(self, ack, body: dict, action: dict, client: AsyncWebClient, context) -> None:
        await ack()
        value = ui.decode_value(action.get("value"))
        team = context.team_id or (body.get("team") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        language = value.get("l") if value.get("l") in ("nl", "en") else "nl"
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
        user_key = f"slack:{team}:{user}"
        try:
            assistant = await self.assistant()
            with self.track("quiz"):
                try:
                    step = await self.core(assistant.onboarding.answer, user_key, str(value.get("s")),
                                           int(value.get("c", -1)), language)
                except self._user_errors:
                    step = None
                if step is not None and step.next is not None:
                    number = await self.core(self._quiz_number, assistant, step.progress.org, language, step.next.id)
            if step is None:
                orgs = self.quiz_orgs(assistant, self.home_orgs(assistant, self.org_for(team, None)))
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

    # -- 👍 / 👎 -----------------------------------------------------------------------------
    async def on_feedback(self, ack, body: dict, action: dict, client: AsyncWebClient, respond, context) -> None:
        await ack()
        value = ui.decode_value(action.get("value"))
        vote = "up" if action.get("action_id") == ui.FEEDBACK_UP else "down"
        kind = value.get("k") if value.get("k") in ("answer", "review") else "answer"
        language = value.get("l") if value.get("l") in ("nl", "en") else "nl"
        try:
            assistant = await self.assistant()
            with self.track("feedback"):
                # Only what was rated, checked against the catalogue: never free text.
                valid = valid_feedback(assistant, kind, vote, org=value.get("o"), language=language,
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
