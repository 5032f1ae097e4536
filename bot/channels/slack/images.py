"""Photos shared with the Slack app: "can I post this photo?".

An image shared in a DM with the bot, in a message that mentions the bot, or
in a thread where the bot was mentioned, is downloaded with the bot's token
(only from Slack's file host), checked by the Assistant, and answered with
the review; the safe copy (faces and flagged text blurred, no metadata) is
uploaded with the files upload v2 API. In a channel the review is ephemeral
and the safe copy goes to the user's DM. The "check this message" shortcut
checks a message's images too (bot/channels/slack/app.py calls in here).

Images are held in memory only, never stored or logged.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import urlsplit

from bot.channels.downloads import ImageError, fetch_image
from bot.channels.slack import blocks as ui
from bot.core.image import MAX_IMAGE_BYTES

log = logging.getLogger(__name__)

IMAGE_MIMETYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"})
IMAGE_FILETYPES = frozenset({"jpg", "jpeg", "png", "webp", "heic", "heif"})
MAX_IMAGES = 4                  # per message
SLACK_FILE_HOSTS = frozenset({"files.slack.com"})

TEXT = {
    "en": {"summary": "*Photo {name}*: {w}×{h}, {faces} face(s), text in the image: {text}, location in the file: {loc}.",
           "yes": "yes", "no": "no", "safe": "Safe copy of {name}: faces and flagged text blurred, all metadata removed.",
           "safe_dm": "The safe copy is in your direct messages with me.",
           "not_read": "The text in the photo could not be read this time.",
           "bad": "⚠️ I could not check {name}: {error}"},
    "nl": {"summary": "*Foto {name}*: {w}×{h}, {faces} gezicht(en), tekst in de foto: {text}, locatie in het bestand: {loc}.",
           "yes": "ja", "no": "nee", "safe": "Veilige kopie van {name}: gezichten en gemarkeerde tekst vervaagd, alle metadata verwijderd.",
           "safe_dm": "De veilige kopie staat in je privéberichten met mij.",
           "not_read": "De tekst in de foto kon deze keer niet gelezen worden.",
           "bad": "⚠️ Ik kon {name} niet controleren: {error}"},
}


def image_files(message: dict) -> list[dict]:
    """The image files of a message (at most MAX_IMAGES)."""
    out = []
    for f in message.get("files") or []:
        if not isinstance(f, dict):
            continue
        mime = (f.get("mimetype") or "").lower()
        kind = (f.get("filetype") or "").lower()
        if mime in IMAGE_MIMETYPES or kind in IMAGE_FILETYPES:
            out.append(f)
    return out[:MAX_IMAGES]


def _texts(language: str) -> dict:
    return TEXT["en" if language == "en" else "nl"]


def summary_blocks(name: str, result, language: str) -> list[dict]:
    t = _texts(language)
    info = result.image
    line = t["summary"].format(name=ui.esc(name), w=info.width, h=info.height, faces=info.faces,
                               text=t["yes"] if info.text_found else t["no"],
                               loc=t["yes"] if info.location else t["no"])
    if not result.text_read:
        line += " " + t["not_read"]
    return [ui.section(line)]


def wants_safe_copy(result) -> bool:
    """A copy is worth sending when something in the image was blurred or stripped."""
    return any(f.box is not None for f in result.findings)


class SlackImages:
    def __init__(self, adapter) -> None:
        from bot.channels.slack.app import LRU

        self.adapter = adapter
        self.mentioned = LRU(4096, ttl=7 * 24 * 3600.0)  # (team, channel, thread) where the bot was mentioned

    # -- hooks called by the adapter -------------------------------------------------
    def note_mention(self, team, channel, thread) -> None:
        self.mentioned.set((team, channel, thread), True)

    async def on_message(self, body: dict, event: dict, client, context) -> bool:
        """Handle an image message (True), or leave it to the adapter (False)."""
        if event.get("bot_id") or event.get("subtype") not in (None, "file_share") or not image_files(event):
            return False
        team = context.team_id or body.get("team_id")
        channel, thread = event.get("channel"), event.get("thread_ts")
        bot = context.bot_user_id
        text = event.get("text", "")
        if event.get("channel_type") == "im":
            surface = "dm"
        elif thread and self.mentioned.get((team, channel, thread)):
            if bot and f"<@{bot}" in text:
                return True  # it mentions the bot as well: the app_mention event handles it
            surface = "thread"
        else:
            return False
        if not await self.adapter.first_delivery(body):
            return True
        await self.check_and_reply(event, client, team, text, surface, bot)
        return True

    async def on_mention(self, body: dict, event: dict, client, context) -> bool:
        """A mention that carries images: check them (True)."""
        team = context.team_id or body.get("team_id")
        thread = event.get("thread_ts") or event.get("ts")
        self.note_mention(team, event.get("channel"), thread)
        if not image_files(event):
            return False
        if not await self.adapter.first_delivery(body):
            return True
        await self.check_and_reply(event, client, team, event.get("text", ""), "mention", context.bot_user_id)
        return True

    async def shortcut_blocks(self, message: dict, client, team, channel, user,
                              language: str) -> tuple[list[dict], str]:
        """For the "check this message" shortcut: the blocks of each image's
        review and a fallback text; safe copies go to the user's DM."""
        from bot.channels.slack.app import slack_to_plain

        caption = slack_to_plain(message.get("text", "")).strip() or None
        out: list[dict] = []
        fallback = ""
        dm = None
        for f in image_files(message):
            name = f.get("name") or f.get("title") or "image"
            try:
                result = await self.review(f, client, caption, self.adapter.org_for(team, channel), "shortcut")
            except ImageError as exc:
                fallback = _texts(language)["bad"].format(name=name, error=str(exc))
                out.extend(ui.notice_blocks(_texts(language)["bad"].format(name=ui.esc(name), error=ui.esc(str(exc)))))
                continue
            fallback = fallback or ui.review_text(result.review)
            out.extend(summary_blocks(name, result, result.review.language))
            out.extend(ui.review_blocks(result.review))
            if wants_safe_copy(result) and user:
                dm = dm or (await client.conversations_open(users=user))["channel"]["id"]
                await self.upload(client, dm, None, name, result)
        return out, fallback

    # -- the work ------------------------------------------------------------------
    async def check_and_reply(self, event: dict, client, team, text: str, surface: str, bot: str | None) -> None:
        from bot.channels.slack.app import UserError, slack_to_plain

        channel, user = event.get("channel"), event.get("user")
        thread = event.get("thread_ts") or (event.get("ts") if surface != "dm" else None)
        if bot:
            text = re.sub(rf"<@{re.escape(bot)}(\|[^>]*)?>", " ", text)
        caption = slack_to_plain(text).strip() or None
        info = await self.adapter.user_info(client, team, user) if user else {"language": "nl"}
        language = info.get("language", "nl")
        private = surface != "dm"
        org = self.adapter.thread_scopes.get((team, channel, thread or "")) or self.adapter.org_for(team, channel)

        async def say(blocks: list[dict], fallback: str) -> None:
            if private:
                await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread, text=fallback,
                                                blocks=blocks)
            else:
                await client.chat_postMessage(channel=channel, thread_ts=thread, text=fallback, blocks=blocks)

        dm = None
        for f in image_files(event):
            name = f.get("name") or f.get("title") or "image"
            try:
                result = await self.review(f, client, caption, org, surface)
                blocks = summary_blocks(name, result, result.review.language) + ui.review_blocks(
                    result.review, feedback_value=self.adapter.review_feedback(result.review, org))
                if wants_safe_copy(result) and private:
                    blocks += ui.notice_blocks(_texts(result.review.language)["safe_dm"])
                await say(blocks[: ui.MAX_BLOCKS], ui.review_text(result.review))
                if wants_safe_copy(result):
                    if private:
                        dm = dm or (await client.conversations_open(users=user))["channel"]["id"]
                        await self.upload(client, dm, None, name, result)
                    else:
                        await self.upload(client, channel, thread, name, result)
            except (ImageError, UserError) as exc:
                message = _texts(language)["bad"].format(name=ui.esc(name), error=ui.esc(str(exc)))
                await self.adapter._try(say(ui.notice_blocks(message), message))
            except Exception as exc:
                self.adapter.failed("image", surface, exc)
                await self.adapter._try(say(ui.notice_blocks(ui.labels(language)["error"]),
                                            ui.labels(language)["error"]))

    async def review(self, file: dict, client, caption: str | None, org: str | None, surface: str):
        from bot.channels.slack.app import CHANNEL, UserError
        from bot.core.image import InvalidImage

        data = await self.download(file, client)
        assistant = await self.adapter.assistant()
        started = time.perf_counter()
        with self.adapter.track("image"):
            try:
                result = await self.adapter.core(assistant.review_image, data, org, caption=caption,
                                                 safe_copy="JPEG")
            except InvalidImage as exc:
                raise ImageError(str(exc)) from None
            except self.adapter._user_errors as exc:
                raise UserError(str(exc)) from None
            finally:
                del data
        self.adapter.metrics.reviewed(CHANNEL, result.review)
        log.info("slack.image_reviewed", extra={"surface": surface, "verdict": result.verdict,
                                                "findings": len(result.findings), "faces": result.image.faces,
                                                "ms": round((time.perf_counter() - started) * 1000)})
        return result

    def _allowed(self, url: str, client) -> bool:
        """The bot's token goes only to Slack's file host (or the configured API host)."""
        parts = urlsplit(url)
        api = urlsplit(getattr(client, "base_url", "") or "")
        if parts.hostname in SLACK_FILE_HOSTS and parts.scheme == "https":
            return True
        return bool(api.hostname) and parts.hostname == api.hostname and parts.port == api.port \
            and api.hostname not in ("slack.com", "www.slack.com")

    async def download(self, file: dict, client) -> bytes:
        size = file.get("size")
        if isinstance(size, int) and size > MAX_IMAGE_BYTES:
            raise ImageError(f"the image is {size / 1e6:.1f} MB; the limit is {MAX_IMAGE_BYTES // 1_000_000} MB")
        url = file.get("url_private_download") or file.get("url_private")
        if not url or not self._allowed(url, client):
            raise ImageError("the file cannot be downloaded from Slack")
        return await fetch_image(url, {"Authorization": f"Bearer {client.token}"}, "Slack")

    async def upload(self, client, channel: str, thread: str | None, name: str, result) -> None:
        t = _texts(result.review.language)
        stem = name.rsplit(".", 1)[0] if "." in name else name
        kwargs = {"thread_ts": thread} if thread else {}
        await client.files_upload_v2(channel=channel, file=result.safe_copy, filename=f"{stem}-safe.jpg",
                                     title=f"{stem} (safe copy)", initial_comment=t["safe"].format(name=name),
                                     **kwargs)
