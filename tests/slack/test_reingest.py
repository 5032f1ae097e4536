"""Issue 13, finding 1: `socialpolicy ingest` while `serve slack` answers a
stream of commands, on the real embedded store. Before: 144 error replies
out of 220, broken until a restart, /readyz 200 throughout. Now: no error
reply, /readyz stays 200 (the server can answer all along), and the new
knowledge is answered within 30 s of the ingest finishing, without a restart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_slack import SlackClient, http
from slack_testing import SECRET, TEAM

pytestmark = pytest.mark.timeout(240)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
QUESTIONS = ["Mag ik foto's van studenten op Instagram zetten?", "our faculty account got hacked, what now?",
             "Mag ik kritiek op mijn werkgever delen op LinkedIn?", "Can I post about a reorganisation?"]
SWITCH_WITHIN_S = 30.0


def test_reingest_while_serving_has_no_errors_and_switches(copy_of_ingested, tmp_path, slack_settings,
                                                            fake_slack, app_loop):
    from bot.channels.slack.server import SlackServer
    from bot.live_assistant import build_live_assistant

    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    settings = slack_settings.model_copy(update={"data_dir": copy_of_ingested, "knowledge_dir": knowledge,
                                                 "database_url": None, "rate_limit_per_minute": 0})
    live = build_live_assistant(settings, interval=1.0)
    first_generation = live.generation

    async def start():
        server = SlackServer(settings, host="127.0.0.1", assistant=live)
        await server.start()
        return server

    server = app_loop.run(start())
    base = f"http://127.0.0.1:{server.bound_port}"
    client = SlackClient(base + "/slack/events", SECRET, team=TEAM)
    try:
        # A new document, then the real CLI ingest in its own process.
        (knowledge / "documents" / "voorbeeld.md").write_text((FIXTURES / "voorbeeld.md").read_text("utf-8"), "utf-8")
        (knowledge / "documents" / "voorbeeld.yaml").write_text((FIXTURES / "voorbeeld.yaml").read_text("utf-8"),
                                                                "utf-8")
        env = {**os.environ, "SOCIALPOLICY_DATA_DIR": str(copy_of_ingested),
               "SOCIALPOLICY_KNOWLEDGE_DIR": str(knowledge)}
        env.pop("CHROMA_HOST", None)
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", "--json"], cwd=REPO, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sent, ready, ingest_done_at, switched_at = 0, [], None, None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            reply = client.command(QUESTIONS[sent % len(QUESTIONS)], fake_slack.response_url(f"reingest-{sent}"),
                                   user=f"URI{sent % 7}")
            assert reply.status == 200
            sent += 1
            ready.append(http("GET", base + "/readyz").status)
            if ingest_done_at is None and proc.poll() is not None:
                ingest_done_at = time.monotonic()
            if switched_at is None and live.generation != first_generation:
                switched_at = time.monotonic()
            if switched_at is not None and ingest_done_at is not None and sent >= 60:
                break
            time.sleep(0.05)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert json.loads(out)["added"] == 3
        assert switched_at is not None, "the server never switched to the new generation"
        # a few more after the switch, on the new generation
        for i in range(sent, sent + 10):
            client.command(QUESTIONS[i % len(QUESTIONS)], fake_slack.response_url(f"reingest-{i}"), user="URIX")
            ready.append(http("GET", base + "/readyz").status)
        sent += 10
        replies = [fake_slack.wait_for("response", f"reingest-{i}", timeout=60).data for i in range(sent)]
        errors = [r["text"] for r in replies if r["text"].startswith(("Sorry", "⚠️"))]
        assert errors == [], f"{len(errors)} error replies out of {sent}"
        assert set(ready) == {200}, ready
        assert switched_at - ingest_done_at < SWITCH_WITHIN_S
        answer = server.handle.get_nowait().ask("Mijn account is gehackt, wat moet ik doen?", org="voorbeeld")
        assert not answer.abstained and answer.citations[0].organisation == "Hogeschool Voorbeeld"
        print(f"\nre-ingest: {sent} commands, {len(errors)} errors, switch {switched_at - ingest_done_at:+.1f} s "
              f"after ingest exit, /readyz {len(ready)}x 200")
    finally:
        live.stop()
        app_loop.run(server.stop())


def test_readyz_is_503_when_the_live_generation_is_gone(copy_of_ingested, tmp_path, slack_settings):
    """Honest readiness: a store whose live collection vanished cannot answer."""
    from bot.live_assistant import build_live_assistant

    settings = slack_settings.model_copy(update={"data_dir": copy_of_ingested, "database_url": None})
    live = build_live_assistant(settings, interval=3600)
    try:
        assert live.ready()
        store = live.retriever.store
        store.client.delete_collection(store.name)
        assert not live.ready()
    finally:
        live.stop()
