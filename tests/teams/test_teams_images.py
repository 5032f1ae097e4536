"""Photos in a Teams personal chat end to end: the real aiohttp app and
Assistant on loopback; the fake connector hosts the attachment and records
the replies (tests/teams/teams_testing.py)."""

from __future__ import annotations

import asyncio
import base64
import io
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from teams_testing import activity, new_conversation, post

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the shared image samples
import image_samples as S  # noqa: E402

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")]


def photo_activity(connector, conversation, name, data, text="", **kw):
    url = connector.add_attachment(name, data)
    return activity(connector.url, conversation, text=text, locale="nl-NL",
                    attachments=[{"contentType": "image/jpeg", "contentUrl": url, "name": name}], **kw)


def test_photo_in_a_personal_chat_is_checked_with_an_inline_safe_copy(http, teams_server, connector):
    conversation = new_conversation()
    body = photo_activity(connector, conversation, "team-teams.jpg", S.with_gps(S.skimage_photo("astronaut")),
                          text="mag deze op linkedin?")
    assert post(http, teams_server, body).status_code in (200, 201, 202)
    replies = connector.wait_for(conversation, 3, timeout=60)
    summary, review, copy = (r["activity"] for r in replies[:3])
    assert "team-teams.jpg" in summary["text"] and "1" in summary["text"]
    card = review["attachments"][0]["content"]
    assert "Verspreid geen informatie of foto" in str(card)
    [inline] = copy["attachments"]
    assert inline["contentType"] == "image/jpeg" and inline["contentUrl"].startswith("data:image/jpeg;base64,")
    img = Image.open(io.BytesIO(base64.b64decode(inline["contentUrl"].split(",", 1)[1])))
    assert img.size == (512, 512) and not img.getexif()
    assert [d["attachment"] for d in connector.downloads].count("team-teams.jpg") == 1


def test_not_an_image_gets_one_line(http, teams_server, connector):
    conversation = new_conversation()
    post(http, teams_server, photo_activity(connector, conversation, "broken.jpg", b"no image at all"))
    [reply] = connector.wait_for(conversation, 1, timeout=60)
    assert "broken.jpg" in reply["activity"]["text"] and "\n" not in reply["activity"]["text"]


def test_attachment_on_a_foreign_host_is_not_fetched(http, teams_server, connector):
    conversation = new_conversation()
    body = activity(connector.url, conversation, text="", locale="en-US",
                    attachments=[{"contentType": "image/png", "contentUrl": "https://attacker.example/x.png",
                                  "name": "x.png"}])
    post(http, teams_server, body)
    [reply] = connector.wait_for(conversation, 1, timeout=60)
    assert "x.png" in reply["activity"]["text"]


def test_the_bots_token_is_sent_with_the_download(connector):
    from bot.channels.teams.images import bot_token, download

    url = connector.add_attachment("token-check", b"bytes")
    assert asyncio.run(download(url, "bot-token-1")) == b"bytes"
    assert connector.downloads[-1] == {"attachment": "token-check", "authorization": "Bearer bot-token-1"}
    # The token comes from the turn's connector client credentials; none when auth is off.
    credentials = SimpleNamespace(microsoft_app_id="app", get_access_token=lambda: "from-credentials")
    context = SimpleNamespace(adapter=SimpleNamespace(BOT_CONNECTOR_CLIENT_KEY="ConnectorClient"),
                              turn_state={"ConnectorClient": SimpleNamespace(config=SimpleNamespace(
                                  credentials=credentials))})
    assert asyncio.run(bot_token(context)) == "from-credentials"
    credentials.microsoft_app_id = ""
    assert asyncio.run(bot_token(context)) is None
