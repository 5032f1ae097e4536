"""Constants and a background event loop for the Slack tests."""

from __future__ import annotations

import asyncio
import threading

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T1"               # no organisation configured: both are searched
LEIDEN_TEAM = "TLEIDEN"   # configured: leiden
ROC_CHANNEL = "CROC"      # configured: rocwb (a channel wins over its workspace)

CONFIG_YAML = f"""
# SOCIALPOLICY_CONFIG for the Slack tests
slack:
  workspaces:
    {LEIDEN_TEAM}: leiden
  channels:
    {ROC_CHANNEL}: rocwb
teams:
  tenants: {{}}
"""


class LoopThread:
    """An asyncio loop in a background thread; `run` waits (bounded) for a coroutine."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="slack-app", daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
