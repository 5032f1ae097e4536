"""A bounded load test of `socialpolicy serve slack` on loopback.

The server runs in a subprocess (`socialpolicy serve slack --port P`) with
SLACK_BOT_TOKEN=xoxb-test, a random SLACK_SIGNING_SECRET and SLACK_API_URL
pointing at a minimal fake Slack Web API served here (aiohttp): it answers
auth.test and chat.* (and any other method with {"ok": true}) and receives
the POSTs to each slash command's response_url.

N signed slash commands (`/socialpolicy <golden question>`) are sent from C
concurrent clients to POST /slack/events. Measured per request: the ack (HTTP
response; Slack's limit is 3 s) and the time to answer (until the answer is
delivered to the response_url or through chat.*; the last delivery counts, so
an interim "working on it" message does not flatter the number). Everything
is bounded: N requests, a per-request timeout and an overall deadline.

    from bot.evaluation.loadtest import run_loadtest
    run_loadtest(env=..., requests=200, clients=20)
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import parse_qs, urlencode

from bot.evaluation.evaluate import latency_summary, load_questions

ACK_LIMIT_S = 3.0
SLASH_COMMAND = "/socialpolicy"
TEAM_ID = "T0LOADTEST"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    base = f"v0:{timestamp}:{body}".encode("utf-8")
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def slash_command_body(n: int, text: str, response_url: str, command: str = SLASH_COMMAND) -> str:
    """Form-encoded slash command payload, unique user/channel per request."""
    return urlencode({
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "loadtest",
        "channel_id": f"CLOAD{n:05d}",
        "channel_name": "loadtest",
        "user_id": f"ULOAD{n:05d}",
        "user_name": f"load{n}",
        "command": command,
        "text": text,
        "api_app_id": "ALOADTEST",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{n}.{secrets.randbelow(10**9)}.loadtest",
    })


def slack_server_available(env: dict | None = None) -> tuple[bool, str]:
    """Is `bot.channels.slack.server.run` importable (in a fresh interpreter)?"""
    probe = "import bot.channels.slack.server as m; assert callable(m.run)"
    try:
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return False, "importing bot.channels.slack.server timed out"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return False, f"the Slack server module is not importable yet ({last})"
    return True, ""


# --------------------------------------------------------------------------- the fake Slack API

@dataclass
class Delivery:
    kind: str      # "response_url" or the API method (chat.postMessage, ...)
    at: float      # time.perf_counter()
    text: str


@dataclass
class FakeSlack:
    """Answers the Web API under /api/ and records response_url POSTs under
    /response/{n}; deliveries are keyed by request number."""

    deliveries: dict[int, list[Delivery]] = field(default_factory=dict)
    api_calls: Counter = field(default_factory=Counter)
    events: dict[int, asyncio.Event] = field(default_factory=dict)

    def expect(self, n: int) -> asyncio.Event:
        return self.events.setdefault(n, asyncio.Event())

    def _deliver(self, n: int | None, kind: str, text: str) -> None:
        if n is None:
            return
        self.deliveries.setdefault(n, []).append(Delivery(kind, time.perf_counter(), text[:200]))
        self.expect(n).set()

    @staticmethod
    def _number(*values) -> int | None:
        for v in values:
            if isinstance(v, str) and v[:5] in ("CLOAD", "ULOAD") and v[5:].isdigit():
                return int(v[5:])
        return None

    @staticmethod
    async def _params(request) -> dict:
        raw = await request.read()
        ctype = request.headers.get("Content-Type", "")
        if "json" in ctype:
            try:
                data = json.loads(raw or b"{}")
                return data if isinstance(data, dict) else {}
            except ValueError:
                return {}
        return {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}

    async def api(self, request):
        from aiohttp import web

        method = request.match_info["method"]
        params = await self._params(request)
        params.update({k: v for k, v in request.query.items() if k not in params})
        self.api_calls[method] += 1
        ts = f"{time.time():.6f}"
        if method == "auth.test":
            body = {"ok": True, "url": "https://loadtest.slack.com/", "team": "Load test", "user": "socialpolicy",
                    "team_id": TEAM_ID, "user_id": "UBOTLOAD", "bot_id": "BBOTLOAD", "is_enterprise_install": False}
        elif method.startswith("chat."):
            channel = params.get("channel")
            self._deliver(self._number(channel, params.get("user")), method, str(params.get("text", "")))
            body = {"ok": True, "channel": channel, "ts": ts, "message_ts": ts,
                    "message": {"text": params.get("text", ""), "ts": ts}}
        elif method == "users.info":
            user = params.get("user", "U0")
            body = {"ok": True, "user": {"id": user, "name": user, "real_name": user, "locale": "en-US",
                                         "tz": "Europe/Amsterdam", "profile": {"display_name": user}}}
        elif method == "conversations.open":
            body = {"ok": True, "channel": {"id": "D" + str(params.get("users", "U0"))[1:]}}
        else:
            body = {"ok": True}
        return web.json_response(body)

    async def response(self, request):
        from aiohttp import web

        n = int(request.match_info["n"])
        params = await self._params(request)
        self._deliver(n, "response_url", str(params.get("text", "")))
        return web.json_response({"ok": True})

    def app(self):
        from aiohttp import web

        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post("/api/{method}", self.api)
        app.router.add_get("/api/{method}", self.api)
        app.router.add_post("/response/{n:\\d+}", self.response)
        return app


# --------------------------------------------------------------------------- the run

@dataclass
class RequestResult:
    n: int
    status: int | None = None
    ack_s: float | None = None
    sent_at: float = 0.0
    error: str | None = None


async def _send(session, url: str, secret: str, n: int, text: str, response_url: str,
                timeout: float) -> RequestResult:
    import aiohttp

    body = slash_command_body(n, text, response_url)
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(secret, ts, body),
    }
    r = RequestResult(n, sent_at=time.perf_counter())
    try:
        async with session.post(url, data=body.encode("utf-8"), headers=headers,
                                timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            await resp.read()
            r.status = resp.status
    except Exception as exc:
        r.error = f"{type(exc).__name__}: {exc}"
    r.ack_s = time.perf_counter() - r.sent_at
    return r


async def _wait_listening(port: int, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Slack server exited with code {proc.returncode} during start-up")
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise RuntimeError("the Slack server did not start listening in time")


async def _load(port: int, fake_port: int, fake: FakeSlack, secret: str, questions: Sequence[str],
                requests: int, clients: int, proc: subprocess.Popen, start_timeout: float,
                ack_timeout: float, answer_timeout: float, deadline_s: float) -> dict:
    import aiohttp

    url = f"http://127.0.0.1:{port}/slack/events"
    response_base = f"http://127.0.0.1:{fake_port}/response/"
    t_start = time.monotonic()
    await _wait_listening(port, proc, t_start + start_timeout)
    listening_s = time.monotonic() - t_start

    async with aiohttp.ClientSession() as session:
        # Warm-up, not counted: the first answer also proves the models are loaded.
        warm = 0
        ready = fake.expect(warm)
        first = await _send(session, url, secret, warm, questions[0], response_base + "0", start_timeout)
        if first.status != 200:
            raise RuntimeError(f"the warm-up command was not acknowledged: status {first.status} {first.error or ''}")
        try:
            await asyncio.wait_for(ready.wait(), timeout=start_timeout)
        except asyncio.TimeoutError:
            raise RuntimeError("the warm-up command was never answered") from None
        ready_s = time.monotonic() - t_start

        results: list[RequestResult] = []
        numbers = iter(range(1, requests + 1))
        stop_at = time.monotonic() + deadline_s

        async def client() -> None:
            for n in numbers:  # shared iterator: bounded by `requests`
                if time.monotonic() > stop_at:
                    results.append(RequestResult(n, error="not sent: overall deadline"))
                    continue
                fake.expect(n)
                text = questions[n % len(questions)]
                results.append(await _send(session, url, secret, n, text, response_base + str(n), ack_timeout))

        load_started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        sent_s = time.perf_counter() - load_started
        # Wait for the answers, bounded.
        pending = [fake.expect(r.n).wait() for r in results if r.status == 200]
        if pending:
            try:
                await asyncio.wait_for(asyncio.gather(*pending), timeout=answer_timeout)
            except asyncio.TimeoutError:
                pass
        await asyncio.sleep(0.5)  # late second deliveries (if any) still count
        total_s = time.perf_counter() - load_started

    acked = [r for r in results if r.status == 200]
    answer_last, answer_first, kinds = [], [], Counter()
    unanswered = []
    for r in results:
        got = fake.deliveries.get(r.n) or []
        if not got:
            unanswered.append(r.n)
            continue
        answer_first.append(min(d.at for d in got) - r.sent_at)
        answer_last.append(max(d.at for d in got) - r.sent_at)
        kinds.update(d.kind for d in got)
    over = [r.n for r in results if r.ack_s is None or r.ack_s >= ACK_LIMIT_S or r.status != 200]
    last = max((d.at for n, ds in fake.deliveries.items() if n != 0 for d in ds), default=None)
    answer_span = (last - load_started) if last is not None else None
    return {
        "requests": len(results),
        "clients": clients,
        "server_listening_s": round(listening_s, 2),
        "server_ready_s": round(ready_s, 2),
        "acked": len(acked),
        "ack_status": {str(k): v for k, v in Counter(r.status for r in results).items()},
        "ack": latency_summary([r.ack_s for r in results if r.ack_s is not None and r.status == 200]),
        "acks_over_3s": len([r for r in results if r.ack_s is not None and r.ack_s >= ACK_LIMIT_S]),
        "answered": len(results) - len(unanswered),
        "unanswered": unanswered[:20],
        "answer": latency_summary(answer_last),
        "first_delivery": latency_summary(answer_first),
        "deliveries": dict(kinds),
        "api_calls": dict(fake.api_calls),
        "send_s": round(sent_s, 2),
        "total_s": round(total_s, 2),
        "throughput_rps": round(len(acked) / sent_s, 2) if sent_s else None,
        # answers per second from the first command to the last answer: the
        # clients send as fast as acks come back, so this is the server's capacity
        "answers_per_s": round((len(results) - len(unanswered)) / answer_span, 2) if answer_span else None,
        "errors": [f"{r.n}: {r.error}" for r in results if r.error][:10],
        "all_acks_under_3s": not over,
        "all_answered": not unanswered and len(results) == requests,
    }


def run_loadtest(env: dict | None = None, requests: int = 200, clients: int = 20,
                 command: Sequence[str] | None = None, questions: Sequence[str] | None = None,
                 start_timeout: float = 240.0, ack_timeout: float = 10.0, answer_timeout: float = 180.0,
                 deadline_s: float = 300.0, workdir: Path | None = None) -> dict:
    """Start the Slack server and a fake Slack API, send `requests` signed
    slash commands from `clients` concurrent clients, and report. `command`
    replaces `socialpolicy serve slack --port {port}` ("{port}" is filled in)."""
    from aiohttp import web

    if questions is None:
        questions = [q["question"] for q in load_questions() if not q["out_of_scope"]]
    secret = secrets.token_hex(16)
    port = free_port()

    async def main() -> dict:
        fake = FakeSlack()
        runner = web.AppRunner(fake.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        fake_port = site._server.sockets[0].getsockname()[1]
        server_env = dict(env if env is not None else os.environ)
        server_env.update({
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_URL": f"http://127.0.0.1:{fake_port}/api/",
            "SLACK_PORT": str(port),
        })
        server_env.pop("SLACK_APP_TOKEN", None)  # HTTP mode, never Socket Mode
        if command is None:
            exe = Path(sys.executable).parent / "socialpolicy"
            base = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]
            cmd = [*base, "serve", "slack", "--port", str(port)]
        else:
            cmd = [c.replace("{port}", str(port)) for c in command]
        log_path = (workdir or Path(os.environ.get("TMPDIR", "/tmp"))) / f"slack-server-{port}.log"
        with open(log_path, "wb") as log_file:
            proc = subprocess.Popen(cmd, env=server_env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            report = await _load(port, fake_port, fake, secret, list(questions), requests, clients, proc,
                                 start_timeout, ack_timeout, answer_timeout, deadline_s)
        except Exception as exc:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-1500:] if log_path.exists() else ""
            raise RuntimeError(f"{exc}\n--- server log ---\n{tail}") from None
        finally:
            rss = _stop(proc)
            await runner.cleanup()
        report["server_peak_rss_mb"] = rss
        report["server_command"] = " ".join(cmd[-4:])
        return report

    return asyncio.run(main())


def _stop(proc: subprocess.Popen, grace: float = 10.0) -> float | None:
    """SIGTERM the server we started (by pid), then SIGKILL after a grace
    period; returns its peak RSS in MB from os.wait4."""
    if proc.returncode is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while True:
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:  # already reaped by poll()
            return None
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return round(usage.ru_maxrss / 1024.0, 1)
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return round(usage.ru_maxrss / 1024.0, 1)
        time.sleep(0.05)
