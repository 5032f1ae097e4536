"""A local stand-in for the Slack platform, for tests: the Web API
(`/api/<method>`), response_url targets (`/response/<name>`) and a Socket Mode
WebSocket (`/socket`), on 127.0.0.1 and a free port, in a thread of its own.

Every call is recorded; `wait_for` blocks (bounded) until a matching one
arrives. Nothing here knows about socialpolicy: it only answers like Slack.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web

BOT_USER = "UBOT"
BOT_ID = "BBOT"


@dataclass
class Call:
    kind: str                  # "api", "response" or "socket"
    name: str                  # API method, response_url name, or socket message type
    data: dict
    token: str | None = None
    at: float = field(default_factory=time.perf_counter)


class FakeSlack:
    def __init__(self, team: str = "T1") -> None:
        self.team = team
        self.calls: list[Call] = []
        self.users: dict[str, dict] = {}
        self.errors: dict[tuple[str, str], str] = {}     # (method, channel) -> Slack error code
        self.bad_app_tokens: set[str] = set()
        self.files: dict[str, bytes] = {}                 # private files, by name: served at /files/<name>
        self.uploads: dict[str, bytes] = {}               # files uploaded with files upload v2, by file id
        self._file_ids = itertools.count(1)
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.port: int | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -- life cycle ------------------------------------------------------------
    def start(self) -> "FakeSlack":
        started = threading.Event()

        def main() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._start())
            started.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self._runner.cleanup())
            self.loop.close()

        self._thread = threading.Thread(target=main, name="fake-slack", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake Slack server did not start")
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/files/{name}", self._download)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self.loop and self.loop.is_running():
            for ws in list(self._sockets):
                asyncio.run_coroutine_threadsafe(ws.close(), self.loop)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)

    # -- addresses -------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def add_file(self, name: str, data: bytes, mimetype: str = "image/jpeg") -> dict:
        """A private file, as it appears in a message's `files`: downloadable
        from url_private_download with a bot token, like files.slack.com."""
        self.files[name] = data
        url = f"http://127.0.0.1:{self.port}/files/{name}"
        return {"id": f"F{name}", "name": name, "title": name, "mimetype": mimetype,
                "filetype": name.rsplit(".", 1)[-1], "size": len(data), "url_private": url,
                "url_private_download": url}

    # -- recording ----------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def find(self, kind: str, name: str | None = None, where: Callable[[dict], bool] | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.kind == kind and (name is None or c.name == name)
                    and (where is None or where(c.data))]

    def wait_for(self, kind: str, name: str | None = None, where: Callable[[dict], bool] | None = None,
                 timeout: float = 30.0, count: int = 1) -> Call:
        """The count-th matching call, waiting at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.kind == kind and (name is None or c.name == name)
                         and (where is None or where(c.data))]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.kind, c.name) for c in self.calls[-15:]]
                    raise AssertionError(f"no {kind} {name or ''} call within {timeout}s; last calls: {seen}")
                self._cond.wait(left)

    # -- the Web API -------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.text()
            if request.content_type == "application/json":
                data.update(json.loads(raw or "{}"))
            else:
                data.update(dict(urllib.parse.parse_qsl(raw, keep_blank_values=True)))
        for key in ("blocks", "view"):
            if isinstance(data.get(key), str):
                data[key] = json.loads(data[key])
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else data.get("token")
        self._record(Call("api", method, data, token))
        return web.json_response(self._reply(method, data, token))

    def _reply(self, method: str, data: dict, token: str | None) -> dict:
        channel = data.get("channel", "")
        error = self.errors.get((method, channel))
        if error:
            return {"ok": False, "error": error}
        if method == "auth.test":
            return {"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "socialpolicy",
                    "team_id": self.team, "user_id": BOT_USER, "bot_id": BOT_ID}
        if method == "apps.connections.open":
            if token in self.bad_app_tokens or not (token or "").startswith("xapp-"):
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method in ("chat.postMessage", "chat.update"):
            ts = data.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"text": data.get("text", ""), "blocks": data.get("blocks", []), "ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = dict(data.get("view") or {})
            view.setdefault("id", data.get("view_id") or f"V{next(self._views):04d}")
            view["hash"] = f"h{time.time_ns()}"
            return {"ok": True, "view": view}
        if method == "files.getUploadURLExternal":
            if not data.get("filename") or not str(data.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"FUP{next(self._file_ids)}"
            return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = data.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            if not files or any(f.get("id") not in self.uploads for f in files):
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "conversations.open":
            users = data.get("users", "")
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}
        if method == "users.info":
            user = data.get("user", "")
            info = {"id": user, "name": user.lower(), "real_name": f"Test {user}", "locale": "nl-NL",
                    "profile": {"real_name": f"Test {user}", "display_name": user.lower()}}
            info.update(self.users.get(user, {}))
            return {"ok": True, "user": info}
        return {"ok": True}

    # -- files -------------------------------------------------------------------------
    async def _download(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        auth = request.headers.get("Authorization", "")
        self._record(Call("file", "download", {"name": name}, auth[len("Bearer "):] or None))
        if not auth.startswith("Bearer xoxb-"):
            return web.Response(status=302, headers={"Location": "https://slack.com/signin"})  # as Slack does
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="application/octet-stream")

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        body = await request.read()
        self.uploads[file_id] = body
        self._record(Call("upload", file_id, {"bytes": len(body)}))
        return web.Response(text=f"OK - {len(body)}")

    # -- response_url --------------------------------------------------------------
    async def _response(self, request: web.Request) -> web.Response:
        data = json.loads(await request.text() or "{}")
        self._record(Call("response", request.match_info["name"], data))
        return web.Response(text="ok")

    # -- Socket Mode ---------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        self._record(Call("socket", "connected", {}))
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": "A1"}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self._record(Call("socket", "ack", json.loads(msg.data)))
        self._sockets.remove(ws)
        return ws

    def send_envelope(self, envelope: dict, timeout: float = 10.0) -> None:
        """Push a Socket Mode envelope to every connected client."""
        async def send() -> None:
            for ws in list(self._sockets):
                await ws.send_json(envelope)
        asyncio.run_coroutine_threadsafe(send(), self.loop).result(timeout)


# -- signed requests to the app under test ---------------------------------------

def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """X-Slack-Signature v0 headers, as Slack computes them."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Reply:
    status: int
    body: str
    seconds: float
    headers: dict

    def json(self) -> dict:
        return json.loads(self.body) if self.body else {}


def http(method: str, url: str, body: str | None = None, headers: dict | None = None,
         timeout: float = 15.0) -> Reply:
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read().decode()
            return Reply(resp.status, text, time.perf_counter() - started, dict(resp.headers))
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read().decode(), time.perf_counter() - started, dict(exc.headers))


class SlackClient:
    """Sends what Slack sends: signed slash commands, events and interactivity."""

    def __init__(self, url: str, secret: str, team: str = "T1") -> None:
        self.url, self.secret, self.team = url, secret, team
        self._ids = itertools.count(1)

    def post(self, body: str, content_type: str, timestamp: int | None = None, secret: str | None = None,
             extra: dict | None = None) -> Reply:
        headers = {"Content-Type": content_type, **sign(secret or self.secret, body, timestamp), **(extra or {})}
        return http("POST", self.url, body, headers)

    def command(self, text: str, response_url: str, user: str = "U1", channel: str = "C1",
                team: str | None = None, **kw) -> Reply:
        form = {"token": "legacy", "team_id": team or self.team, "team_domain": "test", "channel_id": channel,
                "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/socialpolicy",
                "text": text, "api_app_id": "A1", "response_url": response_url,
                "trigger_id": f"trig.{next(self._ids)}"}
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kw)

    def event(self, event: dict, event_id: str | None = None, team: str | None = None,
              retry: int | None = None, **kw) -> Reply:
        team = team or self.team
        body = {"token": "legacy", "team_id": team, "api_app_id": "A1", "event": event, "type": "event_callback",
                "event_id": event_id or f"Ev{time.time_ns()}{next(self._ids)}", "event_time": int(time.time()),
                "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}]}
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(body), "application/json", extra=extra, **kw)

    def interactive(self, payload: dict, **kw) -> Reply:
        payload.setdefault("team", {"id": self.team, "domain": "test"})
        payload.setdefault("api_app_id", "A1")
        payload.setdefault("token", "legacy")
        return self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded", **kw)
