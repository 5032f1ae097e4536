"""Authentication on (MICROSOFT_APP_ID set): requests without a valid Bot
Framework token are refused with 401, never a 500, and the bot sends nothing."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from teams_testing import APP_ID, WAIT_S, activity, new_conversation, post

CHANNEL_ISSUER = "https://api.botframework.com"
EMULATOR_ISSUER = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    # A token with a real issuer makes botbuilder fetch the signing keys from
    # login.botframework.com; send that through a closed local port so the
    # test never leaves the machine and fails fast.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")


def forged(issuer: str, algorithm: str = "RS256", **claims) -> str:
    now = int(time.time())
    payload = {"iss": issuer, "aud": APP_ID, "iat": now, "nbf": now, "exp": now + 3600,
               "serviceurl": "http://127.0.0.1/", "appid": APP_ID, "ver": "1.0", **claims}
    if algorithm == "RS256":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": uuid.uuid4().hex})
    return jwt.encode(payload, "guessed-secret-of-at-least-32-bytes!!", algorithm=algorithm)


def test_request_without_a_token_is_401(secured_server, connector, http):
    conversation = new_conversation()
    r = post(http, secured_server, activity(connector.url, conversation, text="Can I post a photo?"))
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    assert connector.replies(conversation) == []


@pytest.mark.parametrize("header", [
    "Bearer not-a-jwt",
    "Bearer " + "a" * 20 + "." + "b" * 20 + "." + "c" * 20,
    "Basic dXNlcjpwYXNz",
    "Bearer",
], ids=["garbage", "three-parts", "basic", "empty-bearer"])
def test_malformed_tokens_are_401(secured_server, connector, http, header):
    conversation = new_conversation()
    r = post(http, secured_server, activity(connector.url, conversation, text="Can I post a photo?"),
             headers={"Authorization": header})
    assert r.status_code == 401
    assert connector.replies(conversation) == []


@pytest.mark.parametrize("token", [
    lambda: forged(CHANNEL_ISSUER),                       # signed with a key Microsoft never published
    lambda: forged(EMULATOR_ISSUER),                      # pretends to come from the Emulator
    lambda: forged(CHANNEL_ISSUER, algorithm="HS256"),    # symmetric "signature"
    lambda: forged("https://evil.example.com/"),          # an issuer botbuilder does not trust
    lambda: forged(CHANNEL_ISSUER, exp=int(time.time()) - 3600),
], ids=["channel-issuer", "emulator-issuer", "hs256", "foreign-issuer", "expired"])
def test_forged_tokens_are_401(secured_server, connector, http, token):
    conversation = new_conversation()
    started = time.monotonic()
    r = post(http, secured_server, activity(connector.url, conversation, text="Can I post a photo?"),
             headers={"Authorization": f"Bearer {token()}"})
    assert r.status_code == 401, r.text
    assert time.monotonic() - started < WAIT_S
    assert connector.replies(conversation) == []
    # and the server still serves
    assert http.get(f"{secured_server.url}/healthz", timeout=WAIT_S).status_code == 200


def test_secured_server_counts_refusals(secured_server, connector, http):
    post(http, secured_server, activity(connector.url, new_conversation(), text="hi"))
    text = http.get(f"{secured_server.url}/metrics", timeout=WAIT_S).text
    assert 'socialpolicy_errors_total{channel="teams",kind="unauthorized"}' in text
