"""deploy/teams: the app manifest, its icons, and the zip the README builds."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "teams"


def manifest() -> dict:
    return json.loads((DEPLOY / "manifest.json").read_text(encoding="utf-8"))


def read_png(path: Path) -> tuple[int, int, list[list[tuple[int, int, int, int]]]]:
    """Decode an 8-bit RGBA, non-interlaced PNG, checking every chunk's CRC."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert kind == b"IEND"
    width, height, depth, colour, _, _, interlace = header
    assert (depth, colour, interlace) == (8, 6, 0)
    raw = zlib.decompress(idat)
    stride = width * 4
    rows = []
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        assert line[0] == 0  # filter "None", which is what we write
        row = bytearray(line[1:])
        rows.append([tuple(row[x * 4:x * 4 + 4]) for x in range(width)])
    return width, height, rows


def test_manifest_declares_the_bot_and_its_commands():
    m = manifest()
    version = tuple(int(x) for x in m["manifestVersion"].split("."))
    assert version >= (1, 16)
    assert f"v{m['manifestVersion']}/MicrosoftTeams.schema.json" in m["$schema"]
    assert len(m["name"]["short"]) <= 30 and len(m["description"]["short"]) <= 80
    assert len(m["description"]["full"]) <= 4000
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", m["accentColor"])
    (bot,) = m["bots"]
    assert bot["botId"] == "{{MICROSOFT_APP_ID}}" and m["id"] == "{{MICROSOFT_APP_ID}}"
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    (commands,) = bot["commandLists"]
    assert set(commands["scopes"]) == {"personal", "team", "groupChat"}
    assert [c["title"] for c in commands["commands"]] == ["ask", "review", "help", "onboarding"]
    for c in commands["commands"]:
        assert len(c["title"]) <= 32 and 0 < len(c["description"]) <= 128
    assert m["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_every_placeholder_is_marked():
    text = (DEPLOY / "manifest.json").read_text(encoding="utf-8")
    placeholders = set(re.findall(r"\{\{([A-Z_]+)\}\}", text))
    assert placeholders == {"MICROSOFT_APP_ID", "DEVELOPER_NAME", "WEBSITE_URL", "PRIVACY_URL", "TERMS_OF_USE_URL"}
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for name in placeholders:
        assert "{{" + name + "}}" in readme


def test_icons_are_valid_pngs_of_the_right_size():
    w, h, rows = read_png(DEPLOY / "color.png")
    assert (w, h) == (192, 192)
    assert len({px for row in rows for px in row if px[3] == 255}) > 2    # full colour
    w, h, rows = read_png(DEPLOY / "outline.png")
    assert (w, h) == (32, 32)
    pixels = [px for row in rows for px in row]
    assert all(px[3] == 0 or px[:3] == (255, 255, 255) for px in pixels)  # white on transparent
    assert any(px[3] == 0 for px in pixels) and any(px[3] == 255 for px in pixels)


def test_the_app_package_zips(tmp_path):
    text = (DEPLOY / "manifest.json").read_text(encoding="utf-8")
    filled = re.sub(r"\{\{MICROSOFT_APP_ID\}\}", "00000000-0000-4000-8000-000000000000", text)
    filled = re.sub(r"\{\{[A-Z_]+\}\}", "https://example.org", filled)
    package = tmp_path / "socialpolicy-teams.zip"
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("manifest.json", filled)
        z.write(DEPLOY / "color.png", "color.png")
        z.write(DEPLOY / "outline.png", "outline.png")
    with zipfile.ZipFile(package) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(z.read("manifest.json"))["bots"][0]["botId"] == "00000000-0000-4000-8000-000000000000"
