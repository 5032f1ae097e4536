"""Terminal rendering of answers and reviews (rich)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from bot.channels.labels import not_quoted, points, verdict_key, verdict_label
from bot.core.models import Answer, Citation, Review

# keyed like the headline (labels.verdict_key): an `ok` with hints is not green,
# since a hint may still ask to take something out
_VERDICT_STYLE = {"ok": "bold green", "ok_hints": "bold cyan", "caution": "bold yellow", "do_not_post": "bold red"}
_SEVERITY = {"high": "red", "medium": "yellow", "low": "cyan"}


def citation_text(c: Citation, n: int | None = None) -> Text:
    head = Text()
    if n is not None:
        head.append(f"{n}. ", style="bold")
    head.append(c.organisation, style="bold")
    head.append(f" — {c.document} › ")
    head.append(c.section, style="bold")
    if c.cao:
        head.append("  [" + "; ".join(c.cao) + "]", style="magenta")
    head.append("\n   “", style="dim")
    head.append(c.quote, style="italic")
    head.append("”", style="dim")
    return head


def render_answer(answer: Answer) -> Group:
    style = "yellow" if answer.abstained else "green"
    parts = [Panel(Text(answer.answer), title=answer.question[:80], border_style=style)]
    for n, c in enumerate(answer.citations, 1):
        parts.append(citation_text(c, n))
    return Group(*parts)


def render_review(review: Review, draft: str) -> Group:
    key = verdict_key(review)
    label, style = verdict_label(key, review.language), _VERDICT_STYLE[key]
    highlighted = Text(draft if len(draft) <= 4000 else draft[:4000] + " …")
    for f in review.findings:
        if f.box is None and f.start < len(highlighted.plain):
            highlighted.stylize(f"reverse {_SEVERITY[f.severity]}", f.start, min(f.end, len(highlighted.plain)))
    parts = [Panel(highlighted, title=Text(label, style=style), border_style=style.split()[-1])]
    for n, point in enumerate(points(review.findings), 1):
        f = point.finding
        t = Text()
        t.append(f"{n}. [{f.severity}] {f.rule}", style=f"bold {_SEVERITY[f.severity]}")
        if f.box is not None:
            t.append("  [x={}, y={}, w={}, h={}]".format(*f.box), style="dim")
        if point.single:
            t.append(f"  “{f.excerpt}”\n" if f.excerpt else "\n", style="italic")
        else:
            t.append(f"  {point.excerpt(4000)}\n", style="italic")
        t.append(f"   {f.message}\n")
        if f.suggestion:
            t.append("   → " + f.suggestion + "\n", style="green")
        parts.append(t)
        for c in f.citations:
            parts.append(citation_text(c))
    related = not_quoted(review.related, [c for f in review.findings for c in f.citations])
    if related:
        parts.append(Text("\nRelated guidelines" if review.language == "en" else "\nGerelateerde richtlijnen", style="bold"))
        for n, c in enumerate(related, 1):
            parts.append(citation_text(c, n))
    return Group(*parts)


def render_quiz(quiz) -> Group:
    parts = [Text(f"{quiz.organisation}: {len(quiz.scenarios)} scenarios", style="bold")]
    for n, s in enumerate(quiz.scenarios, 1):
        t = Text(f"\n{n}. {s.text}\n", style="bold")
        for i, choice in enumerate(s.choices):
            mark = "✔" if i == s.answer else " "
            t.append(f"   {mark} {chr(65 + i)}. {choice}\n", style="green" if i == s.answer else "")
        t.append(f"   {s.explanation}\n", style="italic")
        parts.append(t)
        for c in s.citations:
            parts.append(citation_text(c))
    return Group(*parts)


def make_console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)
