"""Helpers for the Teams tests: a server thread for aiohttp apps on loopback,
a fake Bot Framework connector that records the replies the bot posts to the
activity's serviceUrl, and Teams-shaped activities.

(A module of its own, not conftest.py: `from conftest import …` would be
ambiguous next to the other test directories' conftest files.)"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import requests
from aiohttp import web

LEIDEN_TENANT = "11111111-1111-4111-8111-111111111111"
ROC_TENANT = "22222222-2222-4222-8222-222222222222"
OTHER_TENANT = "33333333-3333-4333-8333-333333333333"
BOT_ID = "28:socialpolicy-bot"
APP_ID = "0b5e2b5c-8d4f-4d59-9a3e-7f1f2d3c4b5a"
WAIT_S = 20.0


class ServerThread:
    """An aiohttp app on 127.0.0.1, on a free port, served by a loop in a
    thread of its own (as in production, the bot's loop is not the test's)."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port: int | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._runner = web.AppRunner(self.app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.port = self._runner.addresses[0][1]
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> "ServerThread":
        self._thread.start()
        assert self._ready.wait(10), "server did not start"
        if self._error:
            raise self._error
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class FakeConnector:
    """Records what the bot posts to /v3/conversations/{id}/activities[/{replyToId}]."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.attachments: dict[str, bytes] = {}      # served at /v3/attachments/{id}/views/original
        self.downloads: list[dict] = []              # who fetched an attachment, with which Authorization
        self._cond = threading.Condition()
        self._n = 0
        app = web.Application()
        app.router.add_get("/v3/attachments/{attachment}/views/{view}", self._attachment)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._post)
        self.server = ServerThread(app)

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._cond:
            self._n += 1
            self.received.append({
                "at": time.perf_counter(),
                "conversation": request.match_info["conversation"],
                "reply_to": request.match_info.get("reply_to"),
                "authorization": request.headers.get("Authorization"),
                "activity": body,
            })
            self._cond.notify_all()
            n = self._n
        return web.json_response({"id": f"reply-{n}"})

    def add_attachment(self, attachment_id: str, data: bytes) -> str:
        """An uploaded attachment, as Teams hosts one; returns its content URL."""
        self.attachments[attachment_id] = data
        return f"{self.url}/v3/attachments/{attachment_id}/views/original"

    async def _attachment(self, request: web.Request) -> web.Response:
        attachment = request.match_info["attachment"]
        with self._cond:
            self.downloads.append({"attachment": attachment, "authorization": request.headers.get("Authorization")})
        if attachment not in self.attachments:
            return web.Response(status=404)
        return web.Response(body=self.attachments[attachment], content_type="application/octet-stream")

    def replies(self, conversation: str, typing: bool = False) -> list[dict]:
        """What the bot posted to a conversation (typing indicators only if asked)."""
        with self._cond:
            return [r for r in self.received if r["conversation"] == conversation
                    and (typing or r["activity"].get("type") != "typing")]

    def wait_for(self, conversation: str, count: int, timeout: float = WAIT_S) -> list[dict]:
        """The first `count` replies (typing indicators aside), waiting at most `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [r for r in self.received if r["conversation"] == conversation
                       and r["activity"].get("type") != "typing"]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} replies in {conversation}, got {len(got)}")
                self._cond.wait(left)

    @property
    def url(self) -> str:
        return self.server.url


def new_conversation() -> str:
    # Shaped like a Teams conversation id: ':' '@' and ';' must survive the URL.
    return f"a:1{uuid.uuid4().hex};messageid={uuid.uuid4().int % 10**13}"


def activity(service_url: str, conversation: str, *, text: str | None = None, value: dict | None = None,
             type: str = "message", tenant: str | None = LEIDEN_TENANT, aad: str = "aad-user-1",
             conversation_type: str = "personal", locale: str = "en-US", **extra) -> dict:
    body = {
        "type": type,
        "id": f"1:{uuid.uuid4().hex}",
        "timestamp": "2025-01-01T12:00:00.000Z",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{aad}", "name": "Test User", "aadObjectId": aad},
        "recipient": {"id": BOT_ID, "name": "Social Policy"},
        "conversation": {"id": conversation, "conversationType": conversation_type,
                         **({"tenantId": tenant} if tenant else {})},
        "channelData": {"tenant": {"id": tenant}} if tenant else {},
        "locale": locale,
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    body.update(extra)
    return body


def card_of(reply: dict) -> dict:
    attachments = reply["activity"].get("attachments") or []
    assert attachments, reply["activity"]
    assert attachments[0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachments[0]["content"]


def submit_actions(card: dict) -> list[dict]:
    return [a for a in card.get("actions", []) if a["type"] == "Action.Submit"]


def post(http, server, body, **kwargs) -> requests.Response:
    return http.post(f"{server.url}/api/messages", json=body, timeout=WAIT_S, **kwargs)
