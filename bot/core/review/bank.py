"""The labelled draft bank (knowledge/review/examples/<split>.yaml): drafts
with, for each rule they break, the verbatim span that breaks it and its
severity. The semantic layer learns from it and `socialpolicy eval` scores
on it. Parsing is pure; reading the file is the caller's job."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("low", "medium", "high")
VERDICTS = ("ok", "caution", "do_not_post")


class BankError(ValueError):
    pass


@dataclass(frozen=True)
class BankFinding:
    rule: str
    span: str
    severity: str
    start: int
    end: int


@dataclass(frozen=True)
class BankDraft:
    id: str
    text: str
    findings: tuple[BankFinding, ...]
    verdict: str
    clean: bool
    language: str | None = None
    org: str | None = None
    channel: str | None = None
    split: str = "dev"

    @property
    def rules(self) -> list[str]:
        return sorted({f.rule for f in self.findings})


def parse_bank(data: object, rule_ids: tuple[str, ...], source: str = "bank") -> list[BankDraft]:
    if not isinstance(data, dict) or not isinstance(data.get("drafts"), list):
        raise BankError(f"{source}: expected 'drafts:' with a list")
    split = str(data.get("split") or "dev")
    out: list[BankDraft] = []
    for did, item in with_unique_ids(data["drafts"], "draft", source, BankError):
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BankError(f"{source}: {did}: 'text' is required")
        findings = []
        for f in item.get("findings") or []:
            rule, span, severity = str(f.get("rule")), f.get("span"), str(f.get("severity", "medium"))
            if rule not in rule_ids:
                raise BankError(f"{source}: {did}: unknown rule {rule!r}")
            if severity not in SEVERITIES:
                raise BankError(f"{source}: {did}: unknown severity {severity!r}")
            if not isinstance(span, str) or not span or span not in text:
                raise BankError(f"{source}: {did}: the span of {rule} is not a substring of the text")
            start = text.index(span)
            findings.append(BankFinding(rule, span, severity, start, start + len(span)))
        clean = bool(item.get("clean", not findings))
        if clean and findings:
            raise BankError(f"{source}: {did}: a clean draft has no findings")
        out.append(BankDraft(
            id=did, text=text, findings=tuple(findings),
            verdict=str(item.get("verdict") or verdict_for(findings)),
            clean=clean, language=item.get("language"), org=item.get("org") or None,
            channel=item.get("channel"), split=split,
        ))
    return out


def with_unique_ids(items: list, noun: str, source: str, error: type[ValueError]):
    """(id, item) for each item of a labelled file, refusing one without an id or with an id seen before."""
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or "id" not in item:
            raise error(f"{source}: every {noun} needs an id")
        item_id = str(item["id"])
        if item_id in seen:
            raise error(f"{source}: duplicate id {item_id}")
        seen.add(item_id)
        yield item_id, item


def verdict_for(findings) -> str:
    severities = {f.severity for f in findings}
    return "do_not_post" if "high" in severities else "caution" if "medium" in severities else "ok"
