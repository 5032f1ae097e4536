"""Issue 13 on Teams: a forged token cannot freeze the server (black-holed key
fetch), the server is closed by default, --dev only talks to loopback, bad
text survives, and the per-user rate limit. Real aiohttp servers on loopback."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from teams_testing import APP_ID, WAIT_S, ServerThread, activity, card_of, new_conversation, post

REPO = Path(__file__).resolve().parents[2]
CHANNEL_ISSUER = "https://api.botframework.com"


class BlackHole:
    """A local socket that accepts connections and never answers: the
    "black-holed egress" proxy for the signing-key fetch."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.accepted: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)   # held open, never read from or written to

    def close(self) -> None:
        self._stop = True
        for c in self.accepted:
            c.close()
        self.sock.close()


@pytest.fixture()
def black_hole(monkeypatch):
    from bot.channels.teams import auth

    hole = BlackHole()
    for name in ("HTTPS_PROXY", "https_proxy"):       # the signing keys are fetched over https
        monkeypatch.setenv(name, hole.url)
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("NO_PROXY", "no_proxy"):             # only the test's own calls skip the proxy
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    auth.forget_failures()   # an earlier test's remembered failure would skip the fetch
    yield hole
    auth.forget_failures()
    hole.close()


def _forged() -> str:
    import uuid

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = int(time.time())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode({"iss": CHANNEL_ISSUER, "aud": APP_ID, "iat": now, "nbf": now, "exp": now + 600,
                       "serviceurl": "http://127.0.0.1/"}, key, algorithm="RS256", headers={"kid": uuid.uuid4().hex})


def test_forged_tokens_get_401_fast_while_healthz_answers(secured_server, connector, black_hole):
    """Finding 2: three forged tokens behind black-holed egress blocked
    /healthz for 90 s. Now each is a 401 within 10 s and /healthz never waits."""
    tokens = [_forged() for _ in range(3)]
    conversation = new_conversation()
    body = activity(connector.url, conversation, text="Can I post a photo?")
    health: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            started = time.monotonic()
            assert requests.get(f"{secured_server.url}/healthz", timeout=5).status_code == 200
            health.append(time.monotonic() - started)
            time.sleep(0.1)

    def send(token: str) -> tuple[int, float]:
        started = time.monotonic()
        r = requests.post(f"{secured_server.url}/api/messages", json=body, timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
        return r.status_code, time.monotonic() - started

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            results = list(pool.map(send, tokens))
        late = send(_forged())   # after the failure: remembered, no new wait
    finally:
        done.set()
        prober.join(10)
    assert black_hole.accepted, "the key fetch never reached the black-holed proxy"
    assert all(status == 401 and seconds < 10 for status, seconds in results), results
    assert late[0] == 401 and late[1] < 1.0, late
    assert len(health) >= 10 and max(health) < 1.0, max(health)
    assert connector.replies(conversation) == []
    print(f"\nforged-token 401s: {[round(s, 2) for _, s in results]} s, then {late[1]:.3f} s; "
          f"/healthz max {max(health) * 1000:.0f} ms over {len(health)} probes")


def test_dev_replies_only_to_loopback(teams_server, connector, http):
    for url in ("http://10.0.0.7/internal/", "https://example.com/", "http://169.254.169.254/latest/"):
        r = post(http, teams_server, activity(url, new_conversation(), text="Mag ik een foto plaatsen?"))
        assert r.status_code == 400 and "loopback" in r.json()["error"]
    conversation = new_conversation()
    r = post(http, teams_server, activity(connector.url.replace("127.0.0.1", "localhost"), conversation,
                                          text="Mag ik een foto van mijn studenten plaatsen?"))
    assert r.status_code == 200
    assert connector.wait_for(conversation, 1)


def test_dev_binds_loopback_and_warns(settings, teams_assistant, monkeypatch, caplog):
    from aiohttp import web

    import bot.live_assistant
    from bot.channels.teams import server

    seen = {}
    monkeypatch.setattr(bot.live_assistant, "build_live_assistant", lambda s: teams_assistant)
    monkeypatch.setattr(web, "run_app", lambda app, **kw: seen.update(kw))
    local = settings.model_copy(update={"microsoft_app_id": "", "microsoft_app_password": ""})
    server.run(local, 3978, dev=True)
    assert seen["host"] == "127.0.0.1"
    assert any("unauthenticated" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


def test_cli_without_app_id_exits_with_one_line(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_APP_", "SOCIALPOLICY_"))}
    environ["SOCIALPOLICY_DATA_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "teams"], cwd=REPO, env=environ,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "MICROSOFT_APP_ID is empty" in lines[0] and "--dev" in lines[0], done.stderr


@pytest.mark.parametrize("text", ["Mag ik foto's van studenten \ud800plaatsen?", "\udcff Can I post photos of students?"])
def test_lone_surrogate_question_is_answered(teams_server, connector, http, text):
    import json

    conversation = new_conversation()
    raw = json.dumps(activity(connector.url, conversation, text=text))     # "\ud800" as a JSON escape
    r = http.post(f"{teams_server.url}/api/messages", data=raw.encode(), timeout=WAIT_S,
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    reply = connector.wait_for(conversation, 1)[0]["activity"]
    assert "something went wrong" not in str(reply) and "ging bij mij iets mis" not in str(reply)
    assert card_of(connector.wait_for(conversation, 1)[0])


def test_zero_width_only_question_gets_the_help(teams_server, connector, http):
    conversation = new_conversation()
    assert post(http, teams_server, activity(connector.url, conversation, text="\u200b\u2060\ufeff")).status_code == 200
    card = card_of(connector.wait_for(conversation, 1)[0])
    assert "Antwoord" not in str(card) and "Answer" != card["body"][0].get("text")


def test_deeply_nested_body_is_400(teams_server, http):
    raw = b'{"type": "message", "x": ' + b"[" * 20000 + b"]" * 20000 + b"}"
    r = http.post(f"{teams_server.url}/api/messages", data=raw, timeout=WAIT_S,
                  headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert http.get(f"{teams_server.url}/healthz", timeout=WAIT_S).status_code == 200


def test_rate_limit_per_user(settings, teams_assistant, connector, http, tmp_path):
    from bot.channels.guards import RateLimiter
    from bot.channels.teams.config import TeamsConfig
    from bot.channels.teams.server import build_app
    from bot.infra.storage import Database

    db = Database(f"sqlite:///{tmp_path / 'rate.db'}")
    local = settings.model_copy(update={"microsoft_app_id": "", "microsoft_app_password": ""})
    server = ServerThread(build_app(local, teams_assistant, teams_config=TeamsConfig(), dev=True,
                                    limiter=RateLimiter(db.rates, 2))).start()
    try:
        texts = []
        for i, (locale, aad) in enumerate([("nl-NL", "rl-1")] * 3 + [("en-US", "rl-1"), ("nl-NL", "rl-2")]):
            conversation = new_conversation()
            question = "Mag ik foto's van studenten plaatsen?" if locale == "nl-NL" else "Can I post photos of students?"
            assert post(http, server, activity(connector.url, conversation, text=question, locale=locale,
                                               aad=aad)).status_code == 200
            texts.append(str(connector.wait_for(conversation, 1)[0]["activity"]))
        assert ["minuut" in t for t in texts[:3]] == [False, False, True]
        assert "minute" in texts[3]                     # in the user's language
        assert "minuut" not in texts[4]                 # another user is unaffected
    finally:
        server.stop()


def test_replies_only_to_the_service_url_the_token_vouches_for(secured_server, connector, monkeypatch):
    """A correctly signed channel token whose serviceurl claim names another
    URL than the activity's: 401, nothing is posted anywhere."""
    import json as _json
    import uuid

    import jwt
    from botframework.connector.auth import AuthenticationConstants
    from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    from bot.channels.teams import auth

    for name in ("HTTPS_PROXY", "https_proxy"):   # the outgoing-token request must never leave the machine
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex
    jwk = _json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, endorsements=["msteams"])
    url = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    metadata = auth.GuardedOpenIdMetadata(url)
    metadata.keys, metadata.fetched_at = [jwk], time.monotonic()      # "published" by Microsoft
    monkeypatch.setitem(JwtTokenExtractor.metadataCache, url, metadata)

    def token(service_url: str) -> str:
        now = int(time.time())
        return jwt.encode({"iss": CHANNEL_ISSUER, "aud": APP_ID, "iat": now, "nbf": now, "exp": now + 600,
                           "serviceurl": service_url}, key, algorithm="RS256", headers={"kid": kid})

    conversation = new_conversation()
    body = activity(connector.url + "/", conversation, text="Mag ik een foto plaatsen?")
    elsewhere = requests.post(f"{secured_server.url}/api/messages", json=body, timeout=WAIT_S,
                              headers={"Authorization": f"Bearer {token('https://smba.trafficmanager.net/emea/')}"})
    assert elsewhere.status_code == 401
    vouched = requests.post(f"{secured_server.url}/api/messages", json=body, timeout=WAIT_S,
                            headers={"Authorization": f"Bearer {token(body['serviceUrl'])}"})
    assert vouched.status_code != 401     # accepted; the reply itself needs Microsoft's token service
    time.sleep(0.5)
    assert connector.replies(conversation) == []


def test_compose_publishes_teams_on_loopback_only():
    import yaml

    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    assert compose["services"]["bot-teams"]["ports"] == ["127.0.0.1:3978:3978"]
