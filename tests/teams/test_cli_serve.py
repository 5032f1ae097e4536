"""`socialpolicy serve teams --port N` end to end: the real command serves the
app, answers an activity at its serviceUrl, logs no text, and stops cleanly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from teams_testing import LEIDEN_TENANT, activity, card_of, new_conversation

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "bot.cli"]   # this checkout's code (the console script may be another's)
START_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_teams_command(settings, assistant, connector, teams_config_file, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)          # the store the session fixture ingested, not shared
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MICROSOFT_APP_", "SOCIALPOLICY_"))}
    # The run's content-keyed caches (the fitted router, the review's classifier): loaded, not fitted again.
    environ.update(SOCIALPOLICY_CACHE_DIR=os.environ["SOCIALPOLICY_CACHE_DIR"])
    environ.update(SOCIALPOLICY_DATA_DIR=str(data), SOCIALPOLICY_CONFIG=str(teams_config_file),
                   TEAMS_PORT="1")                     # --port wins over TEAMS_PORT
    stderr = tmp_path / "stderr.log"
    with open(stderr, "wb") as err:
        # --dev: no MICROSOFT_APP_ID, so 127.0.0.1 only and replies only to the loopback connector
        proc = subprocess.Popen([*CLI, "serve", "teams", "--dev", "--port", str(port)], env=environ, cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert proc.poll() is None, stderr.read_text()
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "serve teams did not start"
            time.sleep(0.2)
        assert requests.get(f"{base}/readyz", timeout=10).status_code == 200
        conversation = new_conversation()
        marker = "Zwartekater"
        r = requests.post(f"{base}/api/messages", timeout=30, json=activity(
            connector.url, conversation, text=f"Mag ik een foto van {marker} en mijn studenten posten?",
            tenant=LEIDEN_TENANT, locale="nl-NL"))
        assert r.status_code == 200
        card = card_of(connector.wait_for(conversation, 1)[0])
        # "Antwoord", or when the router is not confident "Dichtstbijzijnde richtlijnen" (issue 14)
        assert card["body"][0]["text"] in ("Antwoord", "Dichtstbijzijnde richtlijnen")
        assert "Universiteit Leiden" in card["fallbackText"]
        assert "socialpolicy_requests_total" in requests.get(f"{base}/metrics", timeout=10).text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            raise
    assert code == 0, stderr.read_text()
    log = stderr.read_text(encoding="utf-8")
    assert marker not in log
    events = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(e["event"] == "teams question answered" for e in events), log
    assert any(e["event"].startswith("teams endpoint is unauthenticated") and e["level"] == "warning"
               for e in events), log
