"""`socialpolicy review --image` through the command line: the JSON
contract, the safe copy and the caption in a real process; the readable
rendering and one-line errors with exit code 2 in this process with the
session's models (`run_cli`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import image_samples as S

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")


@pytest.fixture(scope="module")
def env(ingested_template, tmp_path_factory):
    data = tmp_path_factory.mktemp("image-cli") / "data"
    shutil.copytree(ingested_template, data)
    environ = {**os.environ, "SOCIALPOLICY_DATA_DIR": str(data)}
    environ.pop("CHROMA_HOST", None)
    return environ


def run(env, *args, stdin: bytes = b""):
    # `python -m bot.cli` from the repository: this checkout's code.
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, input=stdin, capture_output=True,
                          timeout=240, cwd=REPO)


def test_image_json_contract_with_safe_copy_and_caption(env, tmp_path):
    photo = tmp_path / "team.jpg"
    photo.write_bytes(S.with_gps(S.skimage_photo("astronaut")))
    out = tmp_path / "safe.jpg"
    done = run(env, "review", "--image", str(photo), "--json", "--blur-out", str(out), "-",
               stdin="Onze collega op de open dag! Mail j.jansen@gmail.com".encode())
    assert done.returncode == 0, done.stderr
    review = json.loads(done.stdout)
    assert set(review) == {"verdict", "language", "findings", "related", "image", "blurred"}
    assert review["image"] == {"width": 512, "height": 512, "faces": 1, "text_found": False, "location": True}
    assert review["blurred"] == str(out)
    assert review["verdict"] == "do_not_post"
    boxed = [f for f in review["findings"] if "box" in f]
    assert {"privacy", "personal_data"} <= {f["rule"] for f in boxed}
    for f in boxed:
        assert "start" not in f and "end" not in f and len(f["box"]) == 4
    assert any(f.get("excerpt") == "j.jansen@gmail.com" and "start" in f for f in review["findings"])
    copy = Image.open(out)
    assert copy.format == "JPEG" and not copy.getexif()
    assert b"j.jansen" not in done.stderr


def test_image_without_json_is_readable(run_cli, tmp_path):
    photo = tmp_path / "cat.png"
    S.skimage_photo("chelsea").save(photo)
    done = run_cli("review", "--image", str(photo))
    assert done.exit_code == 0, done.stderr
    assert "faces 0" in done.stdout


@pytest.mark.parametrize("content, message", [
    (b"just text", "not an image"),
    (None, "no such file"),
    (b"GIF89a" + b"\x00" * 40, "not"),
])
def test_bad_images_exit_2_with_one_line(run_cli, tmp_path, content, message):
    path = tmp_path / "photo.jpg"
    if content is not None:
        path.write_bytes(content)
    done = run_cli("review", "--image", str(path), "--json")
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("socialpolicy: error:")
    assert done.stdout == ""


def test_oversized_image_exits_2(run_cli, tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(b"\x89PNG" + os.urandom(11 * 1024 * 1024))
    done = run_cli("review", "--image", str(path), "--json")
    assert done.exit_code == 2 and "limit is 10 MB" in done.stderr


def test_blur_out_needs_a_known_suffix(run_cli, tmp_path):
    photo = tmp_path / "a.png"
    S.skimage_photo("coffee").save(photo)
    done = run_cli("review", "--image", str(photo), "--blur-out", str(tmp_path / "x.gif"))
    assert done.exit_code == 2 and ".jpg" in done.stderr
