"""The image's prebuilt cache (deploy/Dockerfile runs `python -m bot.prebuild`):
linked into a server's own cache, so a new server neither fits the router
nor trains the review classifier; a file built later replaces the link,
never the image's file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from bot.infra.atomic import write_atomically
from bot.infra.prebuilt_cache import link_prebuilt
from cli_testing import CLI, REPO, cli_env


def _prebuilt(root):
    (root / "router").mkdir(parents=True)
    (root / "router" / "router-abc.npz").write_bytes(b"fit")
    (root / "review-model-abc.pkl").write_bytes(b"model")
    (root / ".review-model-abc.123.tmp.pkl").write_bytes(b"half")    # a writer's temporary file
    return root


def test_missing_files_are_linked_and_present_ones_kept(tmp_path):
    prebuilt = _prebuilt(tmp_path / "image")
    cache = tmp_path / "data" / "cache"
    cache.mkdir(parents=True)
    (cache / "review-model-abc.pkl").write_bytes(b"trained here")

    assert link_prebuilt(prebuilt, cache) == 1
    assert (cache / "router" / "router-abc.npz").is_symlink()
    assert (cache / "router" / "router-abc.npz").read_bytes() == b"fit"
    assert (cache / "review-model-abc.pkl").read_bytes() == b"trained here"
    assert not (cache / ".review-model-abc.123.tmp.pkl").exists()
    assert link_prebuilt(prebuilt, cache) == 0      # idempotent


def test_a_file_written_later_replaces_the_link_not_the_image_file(tmp_path):
    prebuilt = _prebuilt(tmp_path / "image")
    cache = tmp_path / "cache"
    link_prebuilt(prebuilt, cache)

    assert write_atomically(cache / "review-model-abc.pkl", lambda tmp: tmp.write_bytes(b"retrained"))
    assert not (cache / "review-model-abc.pkl").is_symlink()
    assert (cache / "review-model-abc.pkl").read_bytes() == b"retrained"
    assert (prebuilt / "review-model-abc.pkl").read_bytes() == b"model"


def test_a_link_to_an_older_image_is_replaced(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "review-model-abc.pkl").symlink_to(tmp_path / "gone" / "review-model-abc.pkl")
    assert link_prebuilt(_prebuilt(tmp_path / "image"), cache) == 2
    assert (cache / "review-model-abc.pkl").read_bytes() == b"model"


def test_a_file_another_server_linked_first_is_skipped(tmp_path, monkeypatch):
    """Replicas sharing one volume link at the same time: losing the race for
    one file does not stop the rest."""
    from pathlib import Path

    prebuilt = _prebuilt(tmp_path / "image")
    (prebuilt / "review-cues-abc.txt").write_text("digest")
    cache = tmp_path / "cache"
    symlink_to = Path.symlink_to

    def racing(self, source):
        symlink_to(self, source)
        if self.name == "review-cues-abc.txt":
            raise FileExistsError(str(self))      # as if the other server had just made it

    monkeypatch.setattr(Path, "symlink_to", racing)
    assert link_prebuilt(prebuilt, cache) == 2
    assert {p.name for p in cache.rglob("*") if p.is_symlink()} == {
        "review-cues-abc.txt", "review-model-abc.pkl", "router-abc.npz"}


def test_nothing_to_link(tmp_path):
    assert link_prebuilt(None, tmp_path) == 0
    assert link_prebuilt(tmp_path / "absent", tmp_path / "cache") == 0
    assert not (tmp_path / "cache").exists()
    prebuilt = _prebuilt(tmp_path / "image")
    assert link_prebuilt(prebuilt, prebuilt) == 0     # the build itself, writing its own cache


def test_a_cache_that_cannot_be_written_is_left_as_it_is(tmp_path):
    prebuilt = _prebuilt(tmp_path / "image")
    cache = tmp_path / "cache"
    cache.write_text("not a directory")     # fails for root too, unlike a read-only mode
    assert link_prebuilt(prebuilt, cache) == 0
    assert cache.read_text() == "not a directory"


def test_a_new_server_with_the_prebuilt_cache_reviews_without_training(assistant, settings, ingested_template,
                                                                     tmp_path):
    """`python -m bot.prebuild` as the Dockerfile runs it, on the session's
    cache (already holding what it builds: it loads both), then a fresh
    server with an empty cache of its own: its first review links the
    image's classifier instead of training one (minutes; this test's time
    limit is far below that)."""
    prebuilt = settings.cache_dir
    env = cli_env(tmp_path / "build", SOCIALPOLICY_CACHE_DIR=str(prebuilt), SOCIALPOLICY_LOG_LEVEL="INFO")
    done = subprocess.run([sys.executable, "-m", "bot.prebuild"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "prebuilt in" in done.stderr and "training the review classifier" not in done.stderr

    data = tmp_path / "server" / "data"
    shutil.copytree(ingested_template, data)
    env = cli_env(data, SOCIALPOLICY_CACHE_DIR="", SOCIALPOLICY_PREBUILT_CACHE_DIR=str(prebuilt),
                  SOCIALPOLICY_LOG_LEVEL="INFO")
    env.pop("SOCIALPOLICY_CACHE_DIR")
    done = subprocess.run([*CLI, "review", "--json", "-"], cwd=REPO, env=env, capture_output=True, text=True,
                          input="Ik hoorde dat de faculteit gaat reorganiseren, nog niet bekend!!!", timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] in ("caution", "do_not_post")
    assert "training the review classifier" not in done.stderr
    models = list((data / "cache").glob("review-model-*.pkl"))
    assert models and all(m.is_symlink() and m.resolve().parent == prebuilt.resolve() for m in models)
