"""Photos sent to the Teams bot in a personal chat: "can I post this photo?".

An image attachment is downloaded from its content URL with the bot's token
(sent only to the conversation's service host or Microsoft's Teams hosts),
checked by the Assistant, and answered with the review card and the safe
copy (faces and flagged text blurred, no metadata) as an inline image.
Files shared through OneDrive arrive as "file.download.info" attachments with
a pre-authorised download URL: those are fetched without a token.

Images are held in memory only, never stored or logged.
"""

from __future__ import annotations

import base64
import io
import logging
import time
from urllib.parse import urlsplit

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.channels.downloads import ImageError, fetch_image
from bot.channels.teams import cards
from bot.core.image import MAX_IMAGE_BYTES, InvalidImage

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png", "image/webp", "image/heic", "image/heif"})
FILE_INFO = "application/vnd.microsoft.teams.file.download.info"
IMAGE_FILETYPES = frozenset({"jpg", "jpeg", "png", "webp", "heic", "heif"})
MAX_IMAGES = 4
# Hosts that serve Teams attachments (besides the conversation's own service URL).
TEAMS_HOST_SUFFIXES = (".skype.com", ".teams.microsoft.com", ".botframework.com", ".trafficmanager.net")
INLINE_SIDE = 1024              # Teams shows inline images up to 1024 px
INLINE_BYTES = 1_000_000        # and about 1 MB

TEXT = {
    "en": {"summary": "Photo {name}: {w}×{h}, {faces} face(s), text in the image: {text}, location in the file: {loc}.",
           "yes": "yes", "no": "no", "safe": "Safe copy: faces and flagged text blurred, all metadata removed.",
           "not_read": "The text in the photo could not be read this time.",
           "bad": "I could not check {name}: {error}"},
    "nl": {"summary": "Foto {name}: {w}×{h}, {faces} gezicht(en), tekst in de foto: {text}, locatie in het bestand: {loc}.",
           "yes": "ja", "no": "nee", "safe": "Veilige kopie: gezichten en gemarkeerde tekst vervaagd, alle metadata verwijderd.",
           "not_read": "De tekst in de foto kon deze keer niet gelezen worden.",
           "bad": "Ik kon {name} niet controleren: {error}"},
}


def _t(language: str) -> dict:
    return TEXT["en" if language == "en" else "nl"]


def image_attachments(activity) -> list:
    """The image attachments of a personal-chat message (at most MAX_IMAGES)."""
    if getattr(activity.conversation, "conversation_type", None) != "personal":
        return []
    out = []
    for a in activity.attachments or []:
        kind = (a.content_type or "").lower()
        if kind in IMAGE_TYPES and a.content_url:
            out.append(a)
        elif kind == FILE_INFO and isinstance(a.content, dict) \
                and str(a.content.get("fileType", "")).lower() in IMAGE_FILETYPES:
            out.append(a)
    return out[:MAX_IMAGES]


def allowed_host(url: str, service_url: str | None) -> bool:
    """The bot's token goes to the conversation's service host or a Teams host only."""
    parts = urlsplit(url)
    service = urlsplit(service_url or "")
    if service.hostname and (parts.scheme, parts.hostname, parts.port) == (service.scheme, service.hostname,
                                                                           service.port):
        return True
    host = parts.hostname or ""
    return parts.scheme == "https" and any(host.endswith(s) for s in TEAMS_HOST_SUFFIXES)


async def bot_token(turn_context) -> str | None:
    """The bot's Bot Framework token, from the turn's connector client (None
    when authentication is off, as in local runs)."""
    try:
        client = turn_context.turn_state.get(turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY)
        credentials = client.config.credentials
    except AttributeError:
        return None
    if not getattr(credentials, "microsoft_app_id", None):
        return None
    import asyncio

    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, credentials.get_access_token)


async def download(url: str, token: str | None) -> bytes:
    return await fetch_image(url, {"Authorization": f"Bearer {token}"} if token else {}, "Teams")


def inline_jpeg(data: bytes) -> bytes:
    """The safe copy, made small enough to show inline (no metadata is added)."""
    from PIL import Image

    img = Image.open(io.BytesIO(data)).convert("RGB")
    img.thumbnail((INLINE_SIDE, INLINE_SIDE))
    for quality in (85, 70, 55, 40):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality)
        if out.tell() <= INLINE_BYTES:
            break
    return out.getvalue()


class TeamsImages:
    def __init__(self, bot, token=bot_token) -> None:
        self.bot = bot           # SocialPolicyBot: assistant, org(), _call(), _track(), metrics
        self.token = token       # async (turn_context) -> bearer token or None

    async def check(self, turn_context, caption: str, language: str) -> list[Activity]:
        activity = turn_context.activity
        org = self.bot.org(activity)
        await turn_context.send_activity(Activity(type=ActivityTypes.typing))
        replies: list[Activity] = []
        for a in image_attachments(activity):
            name = a.name or "image"
            try:
                data = await self._fetch(turn_context, a)
                result = await self._review(data, org, caption or None, language)
            except ImageError as exc:
                replies.append(cards.plain(_t(language)["bad"].format(name=name, error=exc)))
                continue
            del data
            lang = result.review.language
            t = _t(lang)
            info = result.image
            line = t["summary"].format(name=name, w=info.width, h=info.height, faces=info.faces,
                                       text=t["yes"] if info.text_found else t["no"],
                                       loc=t["yes"] if info.location else t["no"])
            if not result.text_read:
                line += " " + t["not_read"]
            replies.append(cards.plain(line))
            replies.append(cards.message(cards.review_card(result.review, org)))
            if any(f.box is not None for f in result.findings):
                small = inline_jpeg(result.safe_copy)
                stem = name.rsplit(".", 1)[0] if "." in name else name
                replies.append(Activity(type=ActivityTypes.message, text=t["safe"], text_format="plain",
                                        attachments=[Attachment(
                                            content_type="image/jpeg", name=f"{stem}-safe.jpg",
                                            content_url="data:image/jpeg;base64," + base64.b64encode(small).decode())]))
        return replies

    async def _fetch(self, turn_context, attachment) -> bytes:
        if (attachment.content_type or "").lower() == FILE_INFO:
            url = (attachment.content or {}).get("downloadUrl")
            token = None  # a pre-authorised OneDrive/SharePoint link
            if not url or urlsplit(url).scheme not in ("https", "http"):
                raise ImageError("the file has no download link")
        else:
            url = attachment.content_url
            if url.startswith("data:"):
                return _data_url(url)
            if not allowed_host(url, turn_context.activity.service_url):
                raise ImageError("the file cannot be downloaded from Teams")
            token = await self.token(turn_context)
        return await download(url, token)

    async def _review(self, data: bytes, org: str | None, caption: str | None, language: str):
        started = time.perf_counter()
        with self.bot._track("image"):
            try:
                result = await self.bot._call(self.bot.assistant.review_image, data, org, caption=caption,
                                              safe_copy="JPEG", language=None)
            except InvalidImage as exc:
                raise ImageError(str(exc)) from None
        if self.bot.metrics is not None:
            self.bot.metrics.reviewed("teams", result.review)
        log.info("teams photo reviewed", extra={"channel": "teams", "kind": "image", "verdict": result.verdict,
                                                 "findings": len(result.findings), "faces": result.image.faces,
                                                 "ms": round((time.perf_counter() - started) * 1000, 1)})
        return result


def _data_url(url: str) -> bytes:
    """An inline image (data:image/png;base64,...), as some clients send them."""
    head, _, payload = url.partition(",")
    if ";base64" not in head or len(payload) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise ImageError("the inline image cannot be read")
    try:
        return base64.b64decode(payload, validate=True)
    except ValueError:
        raise ImageError("the inline image cannot be read") from None
