"""Photos in Slack end to end: the real Bolt app and Assistant over HTTP on
loopback, the fake Slack platform serving the private file and taking the
files upload v2 calls (tests/slack/fake_slack.py)."""

from __future__ import annotations

import io
import json
import shutil
import time

import sys
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the shared image samples
import image_samples as S  # noqa: E402
from fake_slack import BOT_USER
from slack_testing import TEAM

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")]

WAIT = 60.0


def texts(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def file_message(fake_slack, name: str, data: bytes, ts: str, channel: str, user: str, text: str = "",
                 channel_type: str = "im", **extra) -> dict:
    return {"type": "message", "subtype": "file_share", "channel_type": channel_type, "channel": channel,
            "user": user, "text": text, "ts": ts, "event_ts": ts, "files": [fake_slack.add_file(name, data)], **extra}


def uploaded(fake_slack, channel: str) -> bytes:
    done = fake_slack.wait_for("api", "files.completeUploadExternal", lambda d: d.get("channel_id") == channel,
                               timeout=WAIT)
    files = done.data["files"]
    files = json.loads(files) if isinstance(files, str) else files
    return fake_slack.uploads[files[0]["id"]]


def test_photo_in_a_dm_is_checked_and_a_safe_copy_uploaded(slack, fake_slack, assistant):
    photo = S.with_gps(S.skimage_photo("astronaut"))
    slack.event(file_message(fake_slack, "astro-dm.jpg", photo, "1721000000.000100", "DUIMG1", "UIMG1",
                             text="mag ik deze foto plaatsen?"))
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DUIMG1", timeout=WAIT)
    blocks = texts(post.data["blocks"])
    assert "astro-dm.jpg" in blocks and "Verspreid geen informatie of foto" in blocks
    assert post.data["text"].startswith("⛔")
    download = fake_slack.wait_for("file", "download", lambda d: d["name"] == "astro-dm.jpg")
    assert download.token == "xoxb-test-token"
    copy = Image.open(io.BytesIO(uploaded(fake_slack, "DUIMG1")))
    assert copy.format == "JPEG" and copy.size == (512, 512) and not copy.getexif()


def test_photo_in_a_thread_where_the_bot_was_mentioned(slack, fake_slack, assistant):
    root = "1721000001.000100"
    slack.event({"type": "app_mention", "user": "UIMG2", "text": f"<@{BOT_USER}> kijk je mee?", "ts": root,
                 "channel": "C1", "event_ts": root})
    fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("thread_ts") == root, timeout=WAIT)
    img, _ = S.class_list()
    slack.event(file_message(fake_slack, "cijfers.png", S.encode(img), "1721000001.000500", "C1", "UIMG2",
                             channel_type="channel", thread_ts=root))
    post = fake_slack.wait_for("api", "chat.postEphemeral",
                               lambda d: d.get("thread_ts") == root and d.get("user") == "UIMG2", timeout=WAIT)
    blocks = texts(post.data["blocks"])
    assert "111222333" in blocks  # the BSN read from the image, quoted back privately
    # the safe copy goes to the user's DM, not into the channel
    uploaded(fake_slack, "DUIMG2")
    assert not fake_slack.find("api", "files.completeUploadExternal", lambda d: d.get("channel_id") == "C1")


def test_photo_in_a_channel_without_the_bot_is_left_alone(slack, fake_slack):
    slack.event(file_message(fake_slack, "holiday.jpg", S.encode(S.skimage_photo("coffee"), "JPEG"),
                             "1721000002.000500", "C1", "UIMG3", channel_type="channel",
                             thread_ts="1721000002.000100"))
    time.sleep(1.0)
    assert not fake_slack.find("file", "download", lambda d: d["name"] == "holiday.jpg")
    assert not fake_slack.find("api", "chat.postEphemeral", lambda d: d.get("user") == "UIMG3")


def test_not_an_image_gets_one_line(slack, fake_slack):
    event = file_message(fake_slack, "fake.jpg", b"this is no image", "1721000003.000100", "DUIMG4", "UIMG4")
    slack.event(event)
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DUIMG4", timeout=WAIT)
    assert "fake.jpg" in post.data["text"] and "\n" not in post.data["text"]
    assert not fake_slack.find("api", "files.getUploadURLExternal", lambda d: "fake" in d.get("filename", ""))


def test_the_token_goes_only_to_slack(slack, fake_slack):
    event = file_message(fake_slack, "elsewhere.jpg", S.encode(S.skimage_photo("coffee"), "JPEG"),
                         "1721000004.000100", "DUIMG5", "UIMG5")
    event["files"][0]["url_private_download"] = event["files"][0]["url_private"] = \
        "https://attacker.example/files/elsewhere.jpg"
    slack.event(event)
    post = fake_slack.wait_for("api", "chat.postMessage", lambda d: d.get("channel") == "DUIMG5", timeout=WAIT)
    assert "elsewhere.jpg" in post.data["text"]
    assert not fake_slack.find("file", "download", lambda d: d["name"] == "elsewhere.jpg")


def test_shortcut_checks_the_images_of_a_message(slack, fake_slack, assistant):
    f = fake_slack.add_file("team-shortcut.jpg", S.encode(S.skimage_photo("astronaut"), "JPEG"))
    payload = {"type": "message_action", "callback_id": "check_policy", "trigger_id": "trig-image-1",
               "user": {"id": "UIMG6", "team_id": TEAM}, "channel": {"id": "C1", "name": "general"},
               "message": {"type": "message", "user": "U2", "ts": "1721000005.000100", "text": "Onze collega!",
                           "files": [f]},
               "message_ts": "1721000005.000100", "response_url": fake_slack.response_url("shortcut-img")}
    assert slack.interactive(payload).status == 200
    updated = fake_slack.wait_for("api", "views.update", lambda d: "team-shortcut.jpg" in texts(d.get("view")),
                                  timeout=WAIT)
    assert "Verspreid geen informatie of foto" in texts(updated.data["view"]["blocks"])
    uploaded(fake_slack, "DUIMG6")
