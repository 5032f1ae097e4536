"""Cross-cutting concerns of every Slack request, registered once with
`app.use` (modelled on slack-bolt's own ignoring_self_events middleware):
events posted by bots (ours included) are acknowledged and dropped, and so
are retries and replays of an event already handled (Slack re-sends an event
with X-Slack-Retry-Num when the first delivery was slow; the shared ledger
`assistant.first_delivery(event_id)` says which). Listeners then only see
first deliveries of people's events."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger("bot.channels.slack")


def from_a_bot(body: dict) -> bool:
    event = body.get("event") or {}
    if event.get("type") == "team_join":  # the member may be a bot; the listener looks
        return False
    return bool(event.get("bot_id") or event.get("subtype") == "bot_message" or event.get("bot_profile"))


class SkipBotsAndRetries(AsyncMiddleware):
    def __init__(self, adapter) -> None:
        self.adapter = adapter

    async def async_process(self, *, req: AsyncBoltRequest, resp: BoltResponse,
                            next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        body = req.body or {}
        if body.get("type") != "event_callback":
            return await next()
        if from_a_bot(body):
            return await req.context.ack()
        # The ledger is in the Assistant: while the models load, the listener asks
        # instead (the ack must not wait for them).
        if self.adapter.handle.loaded and not await self.adapter.first_delivery(body):
            return await req.context.ack()
        return await next()
