"""`socialpolicy serve slack`: the Bolt app on an aiohttp server.

HTTP mode (default): Slack sends commands, events and interactivity to
POST /slack/events, verified with SLACK_SIGNING_SECRET (forged signatures and
stale timestamps get 401). Socket Mode: when SLACK_APP_TOKEN (xapp-…) is set
the app connects out to Slack over a WebSocket and /slack/events is not served.

In both modes the same port serves GET /healthz (the process is up),
GET /readyz (200 once the models are loaded and the store answers, else 503)
and GET /metrics (Prometheus). The port listens before the models finish
loading, so health checks answer during start-up.

Settings: SLACK_BOT_TOKEN (xoxb-…), SLACK_SIGNING_SECRET (HTTP mode),
SLACK_APP_TOKEN (Socket Mode), SLACK_API_URL (the Web API base URL, e.g. a
local test server), SLACK_PORT (default 3000; --port wins), and
SOCIALPOLICY_CONFIG for the organisation per workspace and channel (see
bot.channels.slack.config).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import json
import logging
import signal
import threading
import time
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError

from bot.channels import sanitize
from bot.channels.guards import RateLimiter

from bot.channels.slack.app import AssistantHandle, SlackAdapter, build_app
from bot.channels.slack.config import (
    EVENTS_PATH, ConfigError, SlackConfig, check_port, check_settings, load_slack_config,
)
from bot.infra.metrics import Metrics

log = logging.getLogger("bot.channels.slack.server")

__all__ = ["ConfigError", "SlackServer", "run"]

READY_TIMEOUT = 5.0
SIGNATURE_MAX_AGE_S = 300   # Slack's replay window; a request is deduplicated within it


class BadRequest(ValueError):
    """A signed request whose body we cannot take: 400, and never logged."""


def signature_ok(secret: str, raw: bytes, timestamp: str, signature: str, now: float | None = None) -> bool:
    """Slack's v0 signature over the raw bytes, with a fresh, well-formed timestamp."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > SIGNATURE_MAX_AGE_S:
        return False
    digest = hmac.new(secret.encode("utf-8"), b"v0:" + timestamp.encode("ascii") + b":" + raw,
                      hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={digest}", signature)


def clean_body(raw: bytes, content_type: str) -> tuple[str, dict]:
    """The body sanitised (decoded with replacement, no lone surrogates or
    zero-width characters, JSON depth-capped), re-encoded for Bolt, and
    parsed. BadRequest for anything Bolt could not handle."""
    text = sanitize.decode(raw)
    if content_type == "application/json":
        try:
            body = sanitize.loads(text)
        except ValueError:
            raise BadRequest("the body is not JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        return json.dumps(body, ensure_ascii=False), body
    if content_type == "application/x-www-form-urlencoded":
        pairs = [(sanitize.clean_text(k), sanitize.clean_text(v)) for k, v in parse_qsl(text, keep_blank_values=True)]
        form = dict(pairs)
        if "payload" in form:
            try:
                payload = sanitize.loads(form["payload"])
            except ValueError:
                raise BadRequest("the payload is not JSON") from None
            if not isinstance(payload, dict):
                raise BadRequest("the payload must be a JSON object")
            pairs = [(k, json.dumps(payload, ensure_ascii=False) if k == "payload" else v) for k, v in pairs]
            return urlencode(pairs), payload
        if not form:
            raise BadRequest("the body is empty")
        return urlencode(pairs), form
    raise BadRequest("unsupported content type")


class SlackServer:
    """The Bolt app plus health, readiness and metrics routes on one port."""

    def __init__(self, settings, *, port: int | None = None, host: str = "0.0.0.0", assistant=None,
                 config: SlackConfig | None = None, metrics: Metrics | None = None,
                 executor: concurrent.futures.Executor | None = None) -> None:
        self.settings = settings
        self.socket_mode = check_settings(settings)
        self.host = host
        self.port = check_port(settings.slack_port if port is None else port)
        self.config = config if config is not None else load_slack_config(settings.config_file, settings.default_org)
        self.metrics = metrics or Metrics()
        self.handle = AssistantHandle(assistant)
        self._own_executor = executor is None
        self.executor = executor or concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="slack-core")
        # The shared database: the replay ledger and the per-user rate limit.
        from bot.container import build_database

        self.database = build_database(settings)
        limiter = RateLimiter(self.database.rates, settings.rate_limit_per_minute)
        self.adapter = SlackAdapter(self.handle, self.metrics, self.config, self.executor, limiter=limiter)
        # HTTP requests are verified here, on the raw bytes, before Bolt sees them.
        self.app = build_app(settings, self.adapter, verify_requests=False)
        self.socket_handler = None
        self.bound_port: int | None = None
        self._runner: web.AppRunner | None = None

    # -- routes -----------------------------------------------------------------
    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics_view)
        if not self.socket_mode:
            # Never in Socket Mode: without a signing secret nothing could be verified.
            app.router.add_post(EVENTS_PATH, self.slack_events)
        return app

    async def slack_events(self, request: web.Request) -> web.Response:
        """Verify, sanitise and deduplicate, then hand over to Bolt. Bad
        signatures and timestamps are 401, malformed bodies 400; neither is
        logged with its body."""
        raw = await request.read()
        if not signature_ok(self.settings.slack_signing_secret or "", raw,
                            request.headers.get("X-Slack-Request-Timestamp", ""),
                            request.headers.get("X-Slack-Signature", "")):
            self.metrics.errors.labels("slack", "unauthorized").inc()
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            body, parsed = clean_body(raw, request.content_type)
        except BadRequest as exc:
            self.metrics.errors.labels("slack", "bad_request").inc()
            log.warning("slack.bad_request", extra={"reason": str(exc)})
            return web.json_response({"error": str(exc)}, status=400)
        if not await self._first_request(parsed, raw):
            log.info("slack.replay_ignored", extra={"retry": request.headers.get("X-Slack-Retry-Num")})
            return web.Response(status=200)
        headers = {k.lower(): v for k, v in request.headers.items()}
        bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=headers)
        bolt_response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def _first_request(self, parsed: dict, raw: bytes) -> bool:
        """Slash commands, shortcuts and actions (what carries a trigger_id)
        are handled once per body: a retry (X-Slack-Retry-Num) or a replay
        inside the signature's 5-minute window repeats the same bytes, while
        two clicks differ (action_ts). Events are deduplicated by event_id
        in the adapter. Only a hash is stored, never the body."""
        if not parsed.get("trigger_id"):
            return True
        key = "slack-request:" + hashlib.sha256(raw).hexdigest()
        return await self.adapter.ledger(self.database.events.claim, key)

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def is_ready(self) -> bool:
        assistant = self.handle.get_nowait()
        if assistant is None:
            return False
        loop = asyncio.get_running_loop()
        try:
            ok = bool(await asyncio.wait_for(loop.run_in_executor(self.executor, assistant.ready), READY_TIMEOUT))
        except Exception:
            return False
        if ok and self.socket_handler is not None:
            ok = await self.socket_handler.client.is_connected()
        return ok

    async def readyz(self, request: web.Request) -> web.Response:
        ready = await self.is_ready()
        body = {"status": "ready" if ready else "not ready", "models_loaded": self.handle.loaded}
        return web.json_response(body, status=200 if ready else 503)

    async def metrics_view(self, request: web.Request) -> web.Response:
        body, content_type = self.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    # -- life cycle ---------------------------------------------------------------
    async def start(self) -> None:
        self._runner = web.AppRunner(self.web_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            raise ConfigError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        sockets = getattr(site._server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        if self.socket_mode:
            await self._connect_socket_mode()
        log.info("slack.listening", extra={"port": self.bound_port,
                                           "mode": "socket" if self.socket_mode else "http"})

    async def _connect_socket_mode(self) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self.socket_handler = AsyncSocketModeHandler(self.app, self.settings.slack_app_token, logger=self.app.logger)
        client = self.socket_handler.client
        try:
            # Ask for the WebSocket URL once up front, so a bad app token fails
            # the start instead of being retried for ever by connect().
            client.wss_uri = await client.issue_new_wss_url()
        except SlackApiError as exc:
            await self.stop()
            raise ConfigError(f"Slack refused the Socket Mode connection ({exc.response.get('error')}): "
                              "check SLACK_APP_TOKEN") from None
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            await self.stop()
            raise ConfigError(f"cannot reach the Slack API for Socket Mode ({type(exc).__name__})") from None
        await self.socket_handler.connect_async()

    async def stop(self) -> None:
        if self.socket_handler is not None:
            try:
                await self.socket_handler.close_async()
            except Exception as exc:
                log.warning("slack.socket_close_failed", extra={"error_type": type(exc).__name__})
            self.socket_handler = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._own_executor:
            self.executor.shutdown(wait=False, cancel_futures=True)
        self.adapter.ledger_executor.shutdown(wait=False, cancel_futures=True)
        self.database.close()


def _load_assistant(settings, handle: AssistantHandle, loop: asyncio.AbstractEventLoop,
                    failed: asyncio.Event) -> None:
    from bot.live_assistant import build_live_assistant

    try:
        # Follows re-ingests: a new generation is picked up without a restart.
        handle.set(build_live_assistant(settings))
        log.info("slack.ready")
    except BaseException as exc:  # noqa: BLE001 - reported, then the server stops
        handle.fail(exc)
        loop.call_soon_threadsafe(failed.set)


async def _serve(settings, port: int, host: str, config: SlackConfig, assistant=None) -> None:
    server = SlackServer(settings, port=port, host=host, config=config, assistant=assistant)
    stop = asyncio.Event()
    failed = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    await server.start()
    if not server.handle.loaded:
        # The models load in the background: /healthz answers meanwhile, /readyz says 503.
        threading.Thread(target=_load_assistant, args=(settings, server.handle, loop, failed),
                         name="slack-load", daemon=True).start()
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(failed.wait())]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
        await server.stop()
        log.info("slack.stopped")
    if failed.is_set():
        try:
            await server.handle.get(timeout=0)
        except Exception as exc:
            first = (str(exc).splitlines() or [""])[0][:300]
            raise ConfigError(f"could not load the assistant: {type(exc).__name__}: {first}") from None


def run(settings, port: int | None = None, *, host: str = "0.0.0.0", assistant=None) -> None:
    """Serve the Slack app until SIGINT/SIGTERM. Settings are checked before
    any model loads; a problem raises ConfigError (the CLI exits 1)."""
    check_settings(settings)
    port = check_port(settings.slack_port if port is None else port)
    config = load_slack_config(settings.config_file, settings.default_org)
    from bot.container import load_organisations

    try:
        organisations = load_organisations(settings.knowledge_dir)
    except Exception as exc:
        raise ConfigError(f"cannot read the organisations in {settings.knowledge_dir}: "
                          f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}") from None
    config.validate(organisations)
    asyncio.run(_serve(settings, port, host, config, assistant))
