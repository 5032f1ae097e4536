"""Bot Framework token validation that cannot stall the event loop.

botbuilder fetches the OpenID metadata and signing keys with a blocking
`requests.get` without a timeout, on the event loop, and forgets failures:
one forged token behind slow egress froze every request for 30 s. Here:

- the fetch runs in a worker thread with socket timeouts, and concurrent
  requests share one fetch;
- keys are cached (a day, as botbuilder does; an unknown key id refreshes at
  most once an hour), and stale keys keep working if a refresh fails;
- a failed fetch is remembered for FAILURE_MEMORY_S, so forged tokens do not
  each wait for the network again;
- `authenticate` bounds the whole validation to AUTH_TIMEOUT_S: anything
  slower is a 401.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import requests
from botframework.connector.auth import jwt_token_extractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

AUTH_TIMEOUT_S = 5.0        # the whole validation of one request
FETCH_TIMEOUT_S = 4.0       # connect and read, per HTTP request of the key fetch
FAILURE_MEMORY_S = 30.0     # a failed fetch is not retried before this
KEYS_MAX_AGE_S = 24 * 3600
UNKNOWN_KEY_REFRESH_S = 3600


class KeysUnavailable(PermissionError):
    """The signing keys could not be fetched: the token cannot be trusted."""


class GuardedOpenIdMetadata:
    """Drop-in for botbuilder's `_OpenIdMetadata` (same `get(key_id)`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.keys: list[dict] = []
        self.fetched_at = 0.0       # monotonic; 0: never
        self.failed_at = 0.0
        self._lock = threading.Lock()
        self._inflight: asyncio.Future | None = None
        self._inflight_loop = None

    def forget_failure(self) -> None:
        self.failed_at = 0.0

    async def get(self, key_id: str):
        now = time.monotonic()
        if not self.keys or now - self.fetched_at > KEYS_MAX_AGE_S:
            await self._refresh()
        key = self._find(key_id)
        if key is None and time.monotonic() - self.fetched_at > UNKNOWN_KEY_REFRESH_S:
            await self._refresh()
            key = self._find(key_id)
        return key

    async def _refresh(self) -> None:
        if time.monotonic() - self.failed_at < FAILURE_MEMORY_S:
            if self.keys:
                return  # keep using the keys we have
            raise KeysUnavailable("signing keys unavailable (recent failure)")
        loop = asyncio.get_running_loop()
        if self._inflight is None or self._inflight_loop is not loop or self._inflight.done():
            self._inflight = loop.run_in_executor(None, self._fetch)
            self._inflight_loop = loop
        try:
            # shield: one caller's timeout must not cancel the fetch others wait for
            await asyncio.shield(self._inflight)
        except KeysUnavailable:
            if not self.keys:
                raise

    def _fetch(self) -> None:
        try:
            response = requests.get(self.url, timeout=FETCH_TIMEOUT_S)
            response.raise_for_status()
            keys_url = response.json()["jwks_uri"]
            response_keys = requests.get(keys_url, timeout=FETCH_TIMEOUT_S)
            response_keys.raise_for_status()
            keys = response_keys.json()["keys"]
        except Exception as exc:
            self.failed_at = time.monotonic()
            log.warning("teams signing keys unavailable", extra={"error_type": type(exc).__name__})
            raise KeysUnavailable(f"signing keys unavailable ({type(exc).__name__})") from None
        with self._lock:
            self.keys, self.fetched_at, self.failed_at = keys, time.monotonic(), 0.0

    def _find(self, key_id: str):
        for key in self.keys:
            if key.get("kid") == key_id:
                public_key = RSAAlgorithm.from_jwk(json.dumps(key))
                return jwt_token_extractor._OpenIdConfig(public_key, key.get("endorsements", []))
        return None


def install() -> None:
    """Make botbuilder use the guarded metadata for every metadata URL."""
    jwt_token_extractor._OpenIdMetadata = GuardedOpenIdMetadata
    cache = jwt_token_extractor.JwtTokenExtractor.metadataCache
    for url, metadata in list(cache.items()):
        if not isinstance(metadata, GuardedOpenIdMetadata):
            cache[url] = GuardedOpenIdMetadata(url)


def forget_failures() -> None:
    """Forget remembered fetch failures (tests, or an operator's retry)."""
    for metadata in jwt_token_extractor.JwtTokenExtractor.metadataCache.values():
        if isinstance(metadata, GuardedOpenIdMetadata):
            metadata.forget_failure()


def check_service_url(result, service_url: str, is_loopback) -> None:
    """Replies go only where the validated token vouches for: a channel
    token's `serviceurl` claim must be the activity's serviceUrl (botbuilder
    checks this too; kept here so it cannot silently stop). A token without
    that claim (Emulator, skills) vouches for no remote URL: loopback only."""
    identity = getattr(result, "claims_identity", None)
    claim = identity.get_claim_value("serviceurl") if identity is not None else None
    if claim is None:
        if not is_loopback(service_url or ""):
            raise PermissionError("no serviceurl claim vouches for this serviceUrl")
    elif claim != service_url:
        raise PermissionError("serviceUrl does not match the token")


async def bounded(coro, timeout: float = AUTH_TIMEOUT_S):
    """Await a validation, or fail it as unauthorised after `timeout` seconds."""
    try:
        return await asyncio.wait_for(coro, timeout)
    except asyncio.TimeoutError:
        raise PermissionError("token validation timed out") from None
