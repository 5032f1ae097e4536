"""`socialpolicy`: the command line. It builds Settings once, then calls the
Assistant facade and renders; no policy logic lives here."""

from __future__ import annotations

import json
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


def _knowledge_orgs(knowledge_dir: Path) -> list[str]:
    """The organisation ids in the knowledge base (from document metadata only)."""
    from bot.knowledge import load_organisations

    return sorted(load_organisations(knowledge_dir))


def _org(settings, org: str | None) -> str | None:
    """`--org`: any organisation in the knowledge base; anything else exits 2."""
    if org is None:
        return None
    from bot.knowledge import KnowledgeError

    try:
        orgs = _knowledge_orgs(settings.knowledge_dir)
    except (KnowledgeError, OSError) as exc:
        fail(str(exc))
    if org not in orgs:
        fail(f"unknown organisation {org!r} for --org; choose one of: {', '.join(orgs)}")
    return org


@app.callback()
def _organisations_from_knowledge(ctx: typer.Context) -> None:
    """Answers questions about, and reviews drafts against, the social media code of conduct."""
    # Runs before a command parses its options and shows --help: every
    # --org lists the organisations of the knowledge base.
    def visit(command) -> None:
        for param in command.params:
            if param.name == "org":
                param.metavar = "[" + "|".join(orgs) + "]"
        for sub in getattr(command, "commands", {}).values():
            visit(sub)

    try:
        from bot.settings import Settings

        orgs = _knowledge_orgs(Settings().knowledge_dir)
    except Exception:  # bad settings or knowledge: the command itself reports them
        return
    visit(ctx.command)


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


def _read_stdin_text(draft: bool = False) -> str:
    # Bytes, decoded leniently and sanitised: binary or garbled input must never crash.
    # A draft keeps its zero-width characters (sanitize.clean_text says why).
    from bot.channels.sanitize import decode

    return decode(sys.stdin.buffer.read(), keep_invisible=draft)


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
    org: Optional[str] = typer.Option(None, "--org", help="Limit to one organisation."),
) -> None:
    """Answer a question about the social media guidelines, with citations."""
    from bot.core.answering import InvalidQuestion, validate_question

    settings = _settings()
    _setup_logging(settings)
    org_id = _org(settings, org)
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
            except Exception as exc:  # one bad line never ends the batch
                _print_json({"question": line, "error": f"this line could not be answered ({type(exc).__name__})"})
                continue
            if as_json:
                _print_json(answer.to_dict())
            else:
                _render_answer(answer)
        return
    if question is not None:
        from bot.channels.sanitize import clean_arg

        question = clean_arg(question)  # invalid UTF-8, lone surrogates, zero-width characters
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


def _read_file(path: str, draft: bool = False) -> str:
    p = Path(path)
    if not p.is_file():
        fail(f"no such file: {path}")
    from bot.channels.sanitize import decode

    return decode(p.read_bytes(), keep_invisible=draft)


@app.command()
def review(
    source: Optional[str] = typer.Argument(None, help="'-' to read the draft from stdin."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the draft from this file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    batch: bool = typer.Option(False, "--batch", help='Read JSON lines {"text": "..."} and print one result per line.'),
    org: Optional[str] = typer.Option(None, "--org", help="Limit to one organisation."),
    image: Optional[Path] = typer.Option(None, "--image", help="Check this photo (JPEG, PNG, WebP, HEIC); a draft "
                                         "given with '-' or --file is its caption."),
    blur_out: Optional[Path] = typer.Option(None, "--blur-out", help="With --image: write a safe copy here (faces "
                                            "and flagged text blurred, no metadata); .jpg, .png or .webp."),
) -> None:
    """Review a draft post, or a photo, before you publish it. Neither is ever stored or logged."""
    settings = _settings()
    _setup_logging(settings)
    org_id = _org(settings, org)
    if file is not None and source not in (None, "-"):
        fail("give either '-' or --file, not both")
    if blur_out is not None and image is None:
        fail("--blur-out needs --image")
    if image is not None:
        if batch:
            fail("--image cannot be combined with --batch")
        caption = None
        if file is not None:
            caption = _read_file(str(file), draft=True)
        elif source == "-":
            caption = _read_stdin_text(draft=True)
        elif source is not None:
            fail(f"unexpected argument {source!r}: use '-' for stdin or --file")
        _review_image(settings, image, caption, org_id, as_json, blur_out)
        return
    if file is not None:
        text = _read_file(str(file), draft=True)
    elif source in (None, "-"):
        if source is None and sys.stdin.isatty():
            fail("no draft: pipe it in with '-' or give --file")
        text = _read_stdin_text(draft=True)
    else:
        fail(f"unexpected argument {source!r}: use '-' for stdin or --file")

    from bot.channels.sanitize import clean_text, loads
    from bot.core.review import InvalidDraft

    if batch:
        assistant = _assistant(settings)
        for line in text.splitlines():
            if not clean_text(line).strip():   # blank, or only invisible characters
                continue
            try:
                item = loads(line, keep_invisible=True)  # depth-capped, strings sanitised
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    raise ValueError('each line must be an object {"text": "..."}')
                result = assistant.review(item["text"], org_id)
            except (ValueError, InvalidDraft) as exc:
                message = str(exc) if not isinstance(exc, json.JSONDecodeError) else f"not JSON: {exc.msg}"
                _print_json({"error": message})
                continue
            except Exception as exc:  # one bad line never ends the batch
                _print_json({"error": f"this line could not be reviewed ({type(exc).__name__})"})
                continue
            if as_json:
                _print_json(result.to_dict())
            else:
                _render_review(result, item["text"])
        return

    if not clean_text(text).strip():   # before loading models, so an invisible-only draft fails fast
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


def _review_image(settings, path: Path, caption: str | None, org_id: str | None, as_json: bool,
                  blur_out: Path | None) -> None:
    from bot.core.image import InvalidImage
    from bot.core.review import InvalidDraft
    from bot.infra.images import check_file, safe_copy_format

    fmt = None
    if blur_out is not None:
        fmt = safe_copy_format(blur_out.name)
        if fmt is None:
            fail(f"--blur-out must end in .jpg, .jpeg, .png or .webp: {blur_out}")
    if caption is not None and len(caption) > MAX_DRAFT_CHARS:
        fail(f"the caption is {len(caption):,} characters; the limit is {MAX_DRAFT_CHARS:,}")
    try:
        data = check_file(path)  # size, format and pixel limits, before any model is loaded
        result = _assistant(settings).review_image(data, org_id, caption=caption, safe_copy=fmt)
    except InvalidImage as exc:
        fail(f"{path}: {exc}")
    except InvalidDraft as exc:
        fail(str(exc))
    out = result.to_dict()
    if blur_out is not None:
        try:
            blur_out.write_bytes(result.safe_copy)
        except OSError as exc:
            fail(f"cannot write {blur_out}: {exc.strerror}")
        out["blurred"] = str(blur_out)
    if as_json:
        _print_json(out)
        return
    _render_review(result.review, caption or "")
    info = result.image
    typer.echo(f"image {info.width}x{info.height}: faces {info.faces}, text {'yes' if info.text_found else 'no'}, "
               f"location {'yes' if info.location else 'no'}" + ("" if result.text_read else " (text not read: OCR unavailable)"))
    if blur_out is not None:
        typer.echo(f"safe copy: {blur_out}")


def _render_review(result, text: str) -> None:
    from bot.channels.terminal import make_console, render_review

    make_console().print(render_review(result, text))


@app.command()
def serve(
    channel: Channel = typer.Argument(..., help="slack or teams"),
    port: Optional[int] = typer.Option(None, "--port", help="Port to listen on (default: SLACK_PORT 3000 / TEAMS_PORT 3978)."),
    dev: bool = typer.Option(False, "--dev", help="Teams only: no authentication, 127.0.0.1 only, replies only to loopback."),
) -> None:
    """Run the Slack app or the Teams bot."""
    settings = _settings()
    _setup_logging(settings)
    if channel is Channel.slack:
        if dev:
            fail("--dev is for `serve teams` only", code=1)
        from bot.channels.slack.server import ConfigError, run
    else:
        import functools

        from bot.channels.teams.server import ConfigError, run as run_teams

        run = functools.partial(run_teams, dev=dev)
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
    org: str = typer.Option(..., "--org", help="The organisation whose quiz to print."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of the scenarios."),
) -> None:
    """Print the scenario quiz of an organisation."""
    settings = _settings()
    _setup_logging(settings)
    quiz = _assistant(settings).onboarding.quiz(_org(settings, org), lang.value)
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
    org: Optional[str] = typer.Option(None, "--org",
                                      help="Your organisation (default: the configured one, else asked)."),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of the tour and quiz."),
    user: Optional[str] = typer.Option(None, "--user", help="Name to record your progress under (default: your login)."),
) -> None:
    """Take the guided tour and the scenario quiz in the terminal."""
    settings = _settings()
    _setup_logging(settings)
    from bot.channels.terminal_onboarding import run_onboard

    code = run_onboard(_assistant(settings), _org(settings, org) or settings.default_org, lang.value, user)
    raise typer.Exit(code)


@app.command("eval")
def evaluate(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    split: str = typer.Option("all", "--split", help="dev (tuned on), test (locked, never tuned on) or all."),
) -> None:
    """Score the question bank and golden sets per split and language: recall@1/@3, abstention, CAO citations, review."""
    settings = _settings()
    _setup_logging(settings)
    from bot.evaluation.evaluate import run_eval

    raise typer.Exit(run_eval(settings, as_json, split))


@app.command()
def tune() -> None:
    """Cross-validate the answer policy on the dev split (the locked test split is never read)."""
    settings = _settings()
    _setup_logging(settings)
    from bot.evaluation.tune import run_tune

    raise typer.Exit(run_tune(settings))


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
