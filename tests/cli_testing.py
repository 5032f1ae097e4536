"""The command line as the tests run it: this checkout's code in a real
process (the venv's console script may run another checkout's code)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "bot.cli"]


def cli_env(data_dir: Path, **extra: str) -> dict:
    """The environment for a real command-line run on `data_dir` (embedded Chroma)."""
    env = {**os.environ, "SOCIALPOLICY_DATA_DIR": str(data_dir), **extra}
    env.pop("CHROMA_HOST", None)
    return env


def invoke(assistant, *args: str, stdin: bytes | str = b"", env: dict | None = None):
    """`socialpolicy …` in this process (typer's CliRunner) with `assistant`
    already loaded: the command line's parsing, output and exit codes without
    a new interpreter and model load per call. `env`: variables to set (None
    unsets one)."""
    import bot.cli
    from typer.testing import CliRunner

    original = bot.cli._assistant, bot.cli._setup_logging
    bot.cli._assistant = lambda _settings: assistant
    # CliRunner's stderr is closed after each run: a log handler left on it
    # would break the logging of every later test.
    bot.cli._setup_logging = lambda _settings: None
    try:
        return CliRunner().invoke(bot.cli.app, list(args), input=stdin, catch_exceptions=False,
                                  env={"CHROMA_HOST": None, **(env or {})})
    finally:
        bot.cli._assistant, bot.cli._setup_logging = original


def with_review_model(assistant):
    """`assistant` with its review classifier trained (or loaded from the
    cache) now, in a fixture, rather than inside the time limit of the first
    test that reviews (a cold cache trains for minutes)."""
    semantic = getattr(assistant.reviewer, "semantic", None)
    if semantic is not None and hasattr(semantic, "built"):
        semantic.built
    return assistant
