"""`socialpolicy`: the command line. It builds Settings once, then calls the
Assistant facade and renders; no policy logic lives here."""

from __future__ import annotations

import json
import logging
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    name="socialpolicy",
    help="Answers questions about, and reviews drafts against, the social media code of conduct.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

MAX_DRAFT_CHARS = 40_000


class Org(str, Enum):
    leiden = "leiden"
    rocwb = "rocwb"


class Channel(str, Enum):
    slack = "slack"
    teams = "teams"


def fail(message: str, code: int = 2) -> None:
    """One line on stderr and a non-zero exit."""
    typer.echo(f"socialpolicy: error: {message}", err=True)
    raise typer.Exit(code)


def _settings():
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"invalid setting {'.'.join(str(x) for x in first['loc'])}: {first['msg']}")


def _setup_logging(settings) -> None:
    from bot.logs import configure_logging

    configure_logging(settings.log_level, stream=sys.stderr)


def _assistant(settings):
    from bot.container import build_assistant

    return build_assistant(settings)


def _read_stdin_text() -> str:
    # Bytes, decoded leniently: binary or garbled input must never crash.
    return sys.stdin.buffer.read().decode("utf-8", errors="replace")


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@app.command()
def ingest(
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Show a progress bar (default: on a terminal)."),
) -> None:
    """Cut the documents in knowledge/ into passages and write the store (idempotent)."""
    from ingest.documents import KnowledgeError

    settings = _settings()
    _setup_logging(settings)
    from bot.container import ingest as run

    try:
        report, _ = run(settings, show_progress=progress)
    except KnowledgeError as exc:
        fail(str(exc))
    if as_json:
        _print_json(report.to_dict())
    else:
        typer.echo(report.summary())


@app.command()
def ask(
    question: Optional[str] = typer.Argument(None, help="The question, in Dutch or English."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    batch: Optional[str] = typer.Option(None, "--batch", help="Read one question per line from FILE ('-' for stdin)."),
    org: Optional[Org] = typer.Option(None, "--org", help="Limit to one organisation."),
) -> None:
    """Answer a question about the social media guidelines, with citations."""
    from bot.core.answering import InvalidQuestion, validate_question

    settings = _settings()
    _setup_logging(settings)
    org_id = org.value if org else None
    if batch is not None:
        if question is not None:
            fail("give either a QUESTION or --batch, not both")
        source = _read_stdin_text() if batch == "-" else _read_file(batch)
        assistant = _assistant(settings)
        for line in source.splitlines():
            try:
                answer = assistant.ask(line, org_id)
            except InvalidQuestion as exc:
                _print_json({"question": line, "error": str(exc)})
                continue
            if as_json:
                _print_json(answer.to_dict())
            else:
                _render_answer(answer)
        return
    if question is None or not question.strip():
        fail("the question is empty")
    try:
        validate_question(question)  # before loading models, so bad input fails fast
    except InvalidQuestion as exc:
        fail(str(exc))
    answer = _assistant(settings).ask(question, org_id)
    if as_json:
        _print_json(answer.to_dict())
    else:
        _render_answer(answer)


def _render_answer(answer) -> None:
    from bot.channels.terminal import make_console, render_answer

    make_console().print(render_answer(answer))


def _read_file(path: str) -> str:
    p = Path(path)
    if not p.is_file():
        fail(f"no such file: {path}")
    return p.read_bytes().decode("utf-8", errors="replace")


@app.command()
def review(
    source: Optional[str] = typer.Argument(None, help="'-' to read the draft from stdin."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the draft from this file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    batch: bool = typer.Option(False, "--batch", help='Read JSON lines {"text": "..."} and print one result per line.'),
    org: Optional[Org] = typer.Option(None, "--org", help="Limit to one organisation."),
) -> None:
    """Review a draft post before you publish it. The draft is never stored or logged."""
    settings = _settings()
    _setup_logging(settings)
    org_id = org.value if org else None
    if file is not None and source not in (None, "-"):
        fail("give either '-' or --file, not both")
    if file is not None:
        text = _read_file(str(file))
    elif source in (None, "-"):
        if source is None and sys.stdin.isatty():
            fail("no draft: pipe it in with '-' or give --file")
        text = _read_stdin_text()
    else:
        fail(f"unexpected argument {source!r}: use '-' for stdin or --file")

    from bot.core.review import InvalidDraft

    if batch:
        assistant = _assistant(settings)
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    raise ValueError('each line must be an object {"text": "..."}')
                result = assistant.review(item["text"], org_id)
            except (ValueError, InvalidDraft) as exc:
                message = str(exc) if not isinstance(exc, json.JSONDecodeError) else f"not JSON: {exc.msg}"
                _print_json({"error": message})
                continue
            if as_json:
                _print_json(result.to_dict())
            else:
                _render_review(result, item["text"])
        return

    if not text.strip():
        fail("the draft is empty")
    if len(text) > MAX_DRAFT_CHARS:
        fail(f"the draft is {len(text):,} characters; the limit is {MAX_DRAFT_CHARS:,}")
    assistant = _assistant(settings)
    try:
        result = assistant.review(text, org_id)
    except InvalidDraft as exc:
        fail(str(exc))
    if as_json:
        _print_json(result.to_dict())
    else:
        _render_review(result, text)


def _render_review(result, text: str) -> None:
    from bot.channels.terminal import make_console, render_review

    make_console().print(render_review(result, text))


@app.command()
def serve(
    channel: Channel = typer.Argument(..., help="slack or teams"),
    port: Optional[int] = typer.Option(None, "--port", help="Port to listen on (default: SLACK_PORT 3000 / TEAMS_PORT 3978)."),
) -> None:
    """Run the Slack app or the Teams bot."""
    settings = _settings()
    _setup_logging(settings)
    if channel is Channel.slack:
        from bot.channels.slack.server import ConfigError, run
    else:
        from bot.channels.teams.server import ConfigError, run
    try:
        run(settings, port)
    except ConfigError as exc:
        fail(str(exc), code=1)


class Lang(str, Enum):
    nl = "nl"
    en = "en"


onboarding_app = typer.Typer(help="Onboarding for new staff: the quiz as data, and a completion report.",
                             no_args_is_help=True)
app.add_typer(onboarding_app, name="onboarding")


@onboarding_app.command("quiz")
def onboarding_quiz(
    org: Org = typer.Option(..., "--org", help="The organisation whose quiz to print."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of the scenarios."),
) -> None:
    """Print the scenario quiz of an organisation."""
    settings = _settings()
    _setup_logging(settings)
    quiz = _assistant(settings).onboarding.quiz(org.value, lang.value)
    if as_json:
        _print_json(quiz.to_dict())
        return
    from bot.channels.terminal import make_console, render_quiz

    make_console().print(render_quiz(quiz))


@onboarding_app.command("report")
def onboarding_report() -> None:
    """Print onboarding completion per person as CSV, for a manager."""
    settings = _settings()
    _setup_logging(settings)
    from bot.container import build_database
    from bot.core.onboarding import report_csv

    # The report needs only the progress store, not the models.
    sys.stdout.write(report_csv(build_database(settings).progress))


@app.command()
def onboard(
    org: Optional[Org] = typer.Option(None, "--org", help="Your organisation (default: the configured one, else asked)."),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of the tour and quiz."),
    user: Optional[str] = typer.Option(None, "--user", help="Name to record your progress under (default: your login)."),
) -> None:
    """Take the guided tour and the scenario quiz in the terminal."""
    settings = _settings()
    _setup_logging(settings)
    from bot.channels.terminal_onboarding import run_onboard

    code = run_onboard(_assistant(settings), org.value if org else settings.default_org, lang.value, user)
    raise typer.Exit(code)


@app.command("eval")
def evaluate(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    split: Optional[str] = typer.Option(None, "--split", help="Labelled draft bank split to score: dev, test or all."),
) -> None:
    """Score the golden sets: retrieval, CAO citations, abstention, review precision and recall."""
    settings = _settings()
    _setup_logging(settings)
    from bot.evaluation.evaluate import run_eval

    raise typer.Exit(run_eval(settings, as_json, split))


@app.command()
def bench(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    quick: bool = typer.Option(False, "--quick", help="Smaller scale run (for a smoke test)."),
) -> None:
    """Benchmark socialpolicy against a plain LangChain RAG baseline."""
    settings = _settings()
    _setup_logging(settings)
    from bot.evaluation.bench import run_bench

    raise typer.Exit(run_bench(settings, as_json, quick))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
