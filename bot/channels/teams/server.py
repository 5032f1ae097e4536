"""`socialpolicy serve teams`: an aiohttp app with the Bot Framework endpoint
and the operational endpoints.

    POST /api/messages   activities from Teams (Azure Bot Service) or the Emulator
    GET  /healthz        the process is up
    GET  /readyz         200 when the store answers, else 503
    GET  /metrics        Prometheus exposition

Closed by default: every request must carry a valid Bot Framework token,
validated with a hard time limit and cached keys (bot.channels.teams.auth),
and replies go only to the serviceUrl that token vouches for (botbuilder
checks the token's serviceurl claim against the activity). An empty
MICROSOFT_APP_ID is a start-up error unless `--dev` is given: then the server
binds 127.0.0.1 only, accepts unauthenticated requests (the Bot Framework
Emulator) and replies only to a loopback serviceUrl.
The request body is sanitised and checked before botbuilder sees it, so that
anything malformed is a 4xx and only a fault of ours is a 5xx.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from msrest.serialization import Model

from bot.channels import sanitize
from bot.channels.teams import auth
from bot.channels.teams.bot import CHANNEL, SocialPolicyBot, on_turn_error
from bot.channels.teams.config import (
    ConfigError, TeamsConfig, auth_config, auth_enabled, load_teams_config, validate_credentials,
)

__all__ = ["ConfigError", "build_app", "run"]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 512 * 1024   # Teams messages are at most ~28 KB; a 40,000-character draft fits
ASSISTANT_THREADS = 4
READY_TIMEOUT_S = 5.0

ASSISTANT = web.AppKey("assistant", object)
BOT = web.AppKey("bot", SocialPolicyBot)
ADAPTER = web.AppKey("adapter", CloudAdapter)
METRICS = web.AppKey("metrics", object)


class _Authentication(ConfigurationBotFrameworkAuthentication):
    """Any failure to authenticate a request is a 401.

    botbuilder raises PermissionError for a missing or unacceptable token, but
    a forged one can fail anywhere in validation (an undecodable JWT, an
    unknown signing key, the key list out of reach): those are refusals too,
    not server errors."""

    async def authenticate_request(self, activity, auth_header):
        try:
            result = await auth.bounded(super().authenticate_request(activity, auth_header))
            auth.check_service_url(result, activity.service_url, is_loopback_url)
            return result
        except PermissionError:
            raise
        except Exception as exc:
            raise PermissionError(f"token rejected ({type(exc).__name__})") from exc


def _problem(status: int, message: str) -> web.Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return web.json_response({"error": message}, status=status, headers=headers)


def _check_activity(body) -> str | None:
    """What is wrong with an activity we cannot handle, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (an activity)"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the activity has no type"
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or urlsplit(service_url).scheme not in ("http", "https") \
            or not urlsplit(service_url).netloc:
        return "the activity has no valid serviceUrl"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str) or not conversation["id"]:
        return "the activity has no conversation id"
    for key in ("from", "recipient"):
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"the activity's {key} must be an object"
    if body.get("text") is not None and not isinstance(body["text"], str):
        return "the activity's text must be a string"
    return None


DEV_HOST = "127.0.0.1"


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_closed(settings, dev: bool) -> None:
    """Closed by default: no app id, no server (unless --dev)."""
    if not auth_enabled(settings) and not dev:
        raise ConfigError("MICROSOFT_APP_ID is empty: set the bot's app id and password, "
                          "or use `socialpolicy serve teams --dev` for a local, unauthenticated test server")


def build_app(settings, assistant, *, metrics=None, teams_config: TeamsConfig | None = None,
              dev: bool = False, limiter=None) -> web.Application:
    """The Teams app around an Assistant. Raises ConfigError for settings
    that cannot work (an empty MICROSOFT_APP_ID without `dev` among them)."""
    from bot.infra.metrics import Metrics

    validate_credentials(settings)
    check_closed(settings, dev)
    if teams_config is None:
        teams_config = load_teams_config(settings.config_file, assistant.organisations)
    metrics = metrics or Metrics()
    try:
        authentication = _Authentication(auth_config(settings))
    except Exception as exc:  # botbuilder's own checks of the same settings
        raise ConfigError(f"invalid Microsoft app settings: {exc}") from None
    adapter = CloudAdapter(authentication)

    async def turn_error(context, error):
        await on_turn_error(context, error, metrics)

    adapter.on_turn_error = turn_error
    executor = ThreadPoolExecutor(max_workers=ASSISTANT_THREADS, thread_name_prefix="teams-assistant")
    bot = SocialPolicyBot(assistant, teams_config, metrics, executor, limiter=limiter)
    authenticated = auth_enabled(settings)
    if authenticated:
        auth.install()

    async def messages(request: web.Request) -> web.Response:
        started = time.perf_counter()
        if authenticated and not request.headers.get("Authorization", "").startswith("Bearer "):
            metrics.errors.labels(CHANNEL, "unauthorized").inc()
            return _problem(401, "unauthorized")  # before reading a byte of the body
        if request.content_type != "application/json":
            metrics.errors.labels(CHANNEL, "bad_request").inc()
            return _problem(415, "the body must be application/json")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            metrics.errors.labels(CHANNEL, "bad_request").inc()
            return _problem(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        try:
            body = sanitize.loads(raw)  # UTF-8 with replacement, depth-capped, strings cleaned
        except ValueError:
            metrics.errors.labels(CHANNEL, "bad_request").inc()
            return _problem(400, "the body is not JSON")
        problem = _check_activity(body)
        if problem is None and not authenticated and not is_loopback_url(body["serviceUrl"]):
            # Without a token nothing vouches for serviceUrl: never post replies off this machine.
            problem = "without authentication (--dev) the serviceUrl must be a loopback address"
        if problem is None:
            try:
                activity = Activity().deserialize(body)
            except Exception:
                problem = "the activity is malformed"
        if problem is not None:
            metrics.errors.labels(CHANNEL, "bad_request").inc()
            return _problem(400, problem)
        try:
            invoke = await adapter.process_activity(request.headers.get("Authorization", ""), activity, bot.on_turn)
        except PermissionError as exc:
            metrics.errors.labels(CHANNEL, "unauthorized").inc()
            log.warning("teams request unauthorized", extra={"channel": CHANNEL, "reason": str(exc)[:80]})
            return _problem(401, "unauthorized")
        log.debug("teams activity processed", extra={
            "channel": CHANNEL, "activity_type": activity.type,
            "ms": round((time.perf_counter() - started) * 1000, 1)})
        if invoke is not None:
            payload = invoke.body
            if isinstance(payload, Model):
                payload = serializer_helper(payload)
            return web.json_response(payload, status=int(invoke.status or 200))
        return web.Response(status=200)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        loop = asyncio.get_running_loop()
        try:  # not on the assistant's threads: a queue of reviews must not make the pod unready
            ready = await asyncio.wait_for(loop.run_in_executor(None, assistant.ready), READY_TIMEOUT_S)
        except Exception:
            ready = False
        return web.json_response({"status": "ready" if ready else "not ready"}, status=200 if ready else 503)

    async def metrics_endpoint(request: web.Request) -> web.Response:
        body, content_type = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    @web.middleware
    async def errors(request: web.Request, handler):
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception as exc:  # never echo the exception: it may quote the request
            log.error("teams request failed", extra={"channel": CHANNEL, "path": request.path,
                                                     "error_type": type(exc).__name__})
            metrics.errors.labels(CHANNEL, "http").inc()
            return _problem(500, "internal error")

    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[errors])
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_endpoint)
    app[ASSISTANT] = assistant
    app[BOT] = bot
    app[ADAPTER] = adapter
    app[METRICS] = metrics

    async def shutdown(app: web.Application) -> None:
        executor.shutdown(wait=False, cancel_futures=True)

    app.on_cleanup.append(shutdown)
    if not authenticated:
        log.warning("teams endpoint is unauthenticated (--dev): for local use only, replies only to loopback",
                    extra={"channel": CHANNEL})
    elif settings.microsoft_app_type == "MultiTenant" and settings.microsoft_app_tenant_id.strip():
        log.warning("MICROSOFT_APP_TENANT_ID is ignored with MICROSOFT_APP_TYPE=MultiTenant; "
                    "a Single Tenant bot needs MICROSOFT_APP_TYPE=SingleTenant", extra={"channel": CHANNEL})
    return app


def run(settings, port: int | None = None, host: str = "0.0.0.0", dev: bool = False) -> None:
    """Check the settings and config (fast, before the models load), build the
    Assistant, and serve until interrupted. `dev`: no authentication, on
    127.0.0.1 only."""
    from bot.container import load_organisations
    from bot.live_assistant import build_live_assistant

    port = settings.teams_port if port is None else port
    if not 0 < int(port) < 65536:
        raise ConfigError(f"invalid port {port}")
    validate_credentials(settings)
    check_closed(settings, dev)
    if dev:
        host = DEV_HOST
    organisations = load_organisations(settings.knowledge_dir)
    if settings.default_org and settings.default_org not in organisations:
        raise ConfigError(f"SOCIALPOLICY_ORG {settings.default_org!r} is not an organisation; "
                          f"choose one of: {', '.join(sorted(organisations))}")
    teams_config = load_teams_config(settings.config_file, organisations)
    from bot.channels.guards import RateLimiter

    assistant = build_live_assistant(settings)  # follows re-ingests without a restart
    limiter = RateLimiter(getattr(assistant, "rate_ledger", None), settings.rate_limit_per_minute)
    app = build_app(settings, assistant, teams_config=teams_config, dev=dev, limiter=limiter)
    log.info("teams server starting", extra={"channel": CHANNEL, "port": port,
                                             "authenticated": auth_enabled(settings), "host": host,
                                             "tenants": len(teams_config.tenants)})
    try:
        web.run_app(app, host=host, port=port, print=None, access_log=None)
    except OSError as exc:
        raise ConfigError(f"cannot listen on port {port}: {exc.strerror or exc}") from None
