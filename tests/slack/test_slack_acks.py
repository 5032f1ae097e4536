"""Acks do not wait for answers: the replay-ledger claims made before an ack
run on their own thread, so a backlog of answers (a slow store, OCR, many
users at once) cannot push an ack past Slack's 3 seconds. Real Bolt server
on loopback, real Assistant behind a gate that holds every answer, fake Slack."""

from __future__ import annotations

import concurrent.futures
import threading

import pytest
from fake_slack import SlackClient
from slack_testing import SECRET, TEAM

pytestmark = pytest.mark.timeout(120)

ACK_WITHIN = 2.5     # seconds; Slack's limit is 3


class HeldAssistant:
    """The real Assistant, whose answers and reviews wait until `release` is set."""

    def __init__(self, assistant) -> None:
        self._assistant = assistant
        self.release = threading.Event()
        self.waiting = threading.Semaphore(0)

    def __getattr__(self, name):
        return getattr(self._assistant, name)

    def _held(self, fn):
        def call(*args, **kwargs):
            self.waiting.release()
            self.release.wait(60)
            return fn(*args, **kwargs)
        return call

    @property
    def ask(self):
        return self._held(self._assistant.ask)

    @property
    def review(self):
        return self._held(self._assistant.review)


@pytest.fixture
def held(slack_settings, assistant, app_loop, tmp_path):
    """A server whose one core thread is busy with held answers."""
    from bot.channels.slack.server import SlackServer

    gate = HeldAssistant(assistant)
    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="test-core")
    own = slack_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'acks.db'}"})

    async def start():
        server = SlackServer(own, host="127.0.0.1", assistant=gate, executor=pool)
        await server.start()
        return server

    server = app_loop.run(start())
    yield gate, SlackClient(f"http://127.0.0.1:{server.bound_port}/slack/events", SECRET, team=TEAM)
    gate.release.set()
    app_loop.run(server.stop())
    pool.shutdown(wait=False, cancel_futures=True)


def test_commands_and_events_are_acked_while_every_answer_is_held(held, fake_slack):
    gate, client = held
    first = client.command("Mag ik foto's van studenten plaatsen?", fake_slack.response_url("held-0"))
    assert first.status == 200
    assert gate.waiting.acquire(timeout=30)          # the only core thread now holds an answer
    for i in range(1, 4):                            # queued behind it
        client.command("Can I post photos of my students?", fake_slack.response_url(f"held-{i}"), user=f"UH{i}")
    # Before, the ledger's claim queued in the same pool: these acks waited for the answers.
    again = client.command("Mag ik foto's van studenten plaatsen?", fake_slack.response_url("held-4"), user="UH4")
    mention = client.event({"type": "app_mention", "user": "UH5", "text": "<@UBOT> mag ik dit posten?",
                            "ts": "9.1", "channel": "C1", "event_ts": "9.1"})
    assert again.status == 200 and again.seconds < ACK_WITHIN, again.seconds
    assert mention.status == 200 and mention.seconds < ACK_WITHIN, mention.seconds
    assert not fake_slack.find("response", "held-0")  # still held: the acks did not wait for it
    gate.release.set()
    for i in range(5):                               # nothing lost once the answers go
        assert fake_slack.wait_for("response", f"held-{i}", timeout=60).data.get("text")


def test_a_ledger_that_hangs_lets_the_request_through(slack_settings, assistant, app_loop, fake_slack, tmp_path):
    """The ledger down or stuck: answering twice beats never, and the ack is on time."""
    from bot.channels.slack import app as slack_app
    from bot.channels.slack.server import SlackServer

    stuck = threading.Event()
    own = slack_settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'stuck.db'}"})

    async def start():
        server = SlackServer(own, host="127.0.0.1", assistant=assistant)
        server.database.events.claim = lambda key: stuck.wait(30) or True   # never returns in time
        await server.start()
        return server

    server = app_loop.run(start())
    try:
        client = SlackClient(f"http://127.0.0.1:{server.bound_port}/slack/events", SECRET, team=TEAM)
        reply = client.command("Mag ik foto's van studenten plaatsen?", fake_slack.response_url("stuck"))
        assert reply.status == 200
        assert reply.seconds < slack_app.LEDGER_TIMEOUT + 1.0, reply.seconds
        assert fake_slack.wait_for("response", "stuck", timeout=60).data.get("text")
    finally:
        stuck.set()
        app_loop.run(server.stop())
