"""`socialpolicy eval`: score the golden sets and check them against thresholds.

A reusable API, also imported by the acceptance tests:

* `load_questions(path=None)` / `evaluate_ask(assistant, questions) -> AskReport`
  (retrieval recall@1/@3 per language, CAO accuracy, abstention, commentary
  citations);
* `load_drafts(path=None)` / `evaluate_review(assistant, drafts) -> ReviewReport`
  (per-rule precision and recall, false alarms on clean drafts, verdicts);
* `load_thresholds(path=None)` / `check_thresholds(summary, thresholds)`;
* `run_eval(settings, as_json) -> exit code` (0: every threshold met,
  1: a threshold failed, 2: the evaluation could not run).

Paths can be overridden with SOCIALPOLICY_EVAL_QUESTIONS,
SOCIALPOLICY_EVAL_DRAFTS and SOCIALPOLICY_EVAL_THRESHOLDS.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from bot.settings import REPO_ROOT

GOLDEN_DIR = REPO_ROOT / "tests" / "golden"
DEFAULT_QUESTIONS = GOLDEN_DIR / "questions.yaml"
DEFAULT_HOLDOUT = GOLDEN_DIR / "questions_holdout.yaml"
DEFAULT_DRAFTS = GOLDEN_DIR / "drafts.yaml"
DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.yaml"
DEFAULT_KNOWLEDGE = REPO_ROOT / "knowledge"

ENV_QUESTIONS = "SOCIALPOLICY_EVAL_QUESTIONS"
ENV_HOLDOUT = "SOCIALPOLICY_EVAL_HOLDOUT"   # "" or "none": no held-out set
ENV_DRAFTS = "SOCIALPOLICY_EVAL_DRAFTS"
ENV_THRESHOLDS = "SOCIALPOLICY_EVAL_THRESHOLDS"

LANGUAGES = ("en", "nl")
SEVERE = ("medium", "high")

# Known phrases of the ROC blog around the code (framing, the Erwin Blom piece,
# the reader comment). Any citation containing one quotes commentary.
COMMENTARY_MARKERS = (
    "Onthul alle informatie",
    "handig je do's",
    "BeantwoordenVerwijderen",
    "Erwin Blom",
    "Op Dé Managementconferentie",
)


class GoldenSetError(ValueError):
    """A golden set or thresholds file is missing or malformed."""


# --------------------------------------------------------------------------- helpers

def norm(text: str | None) -> str:
    """Whitespace-normalised text, for containment tests."""
    return " ".join(str(text or "").split())


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0..100), linear interpolation between closest
    ranks (numpy's default). None for no values."""
    data = sorted(float(v) for v in values)
    if not data:
        return None
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * (q / 100.0)
    lo, hi = math.floor(rank), math.ceil(rank)
    return data[lo] + (data[hi] - data[lo]) * (rank - lo)


def latency_summary(seconds: Sequence[float]) -> dict:
    """p50/p95/max in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    out = {"n": len(ms)}
    for name, q in (("p50_ms", 50), ("p95_ms", 95), ("max_ms", 100)):
        v = percentile(ms, q)
        out[name] = None if v is None else round(v, 2)
    return out


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else round(num / den, 4)


def _resolve(path: str | Path | None, env: str, default: Path) -> Path:
    if path is not None:
        return Path(path)
    if os.environ.get(env):
        return Path(os.environ[env])
    return default


def _load_yaml_list(path: Path, what: str) -> list[dict]:
    if not path.is_file():
        raise GoldenSetError(f"{what}: no such file: {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise GoldenSetError(f"{path}: expected a list of {what}")
    ids = [str(item.get("id")) for item in data if isinstance(item, dict)]
    if len(ids) != len(data):
        raise GoldenSetError(f"{path}: every entry must be a mapping with an id")
    dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
    if dupes:
        raise GoldenSetError(f"{path}: duplicate ids: {', '.join(dupes)}")
    return data


# --------------------------------------------------------------------------- commentary

class CommentaryIndex:
    """Recognises quotes taken from a document's commentary regions (the ROC
    blog framing, the opinion piece and the reader comment): a quote is
    commentary when it contains a known marker, shares a run of six words with
    commentary that never occurs in policy text, or (when shorter than six
    words) occurs in commentary and nowhere in policy text."""

    SHINGLE = 6

    def __init__(self, commentary: Sequence[str], policy: Sequence[str],
                 markers: Sequence[str] = COMMENTARY_MARKERS) -> None:
        self.commentary_text = "\n".join(norm(t).casefold() for t in commentary)
        self.policy_text = "\n".join(norm(t).casefold() for t in policy)
        policy_shingles = set()
        for t in policy:
            policy_shingles |= self._shingles(t)
        self.shingles = set()
        for t in commentary:
            self.shingles |= self._shingles(t)
        self.shingles -= policy_shingles
        self.markers = tuple(norm(m).casefold() for m in markers if m)

    @classmethod
    def _words(cls, text: str) -> list[str]:
        return re.findall(r"\w+", str(text).casefold())

    @classmethod
    def _shingles(cls, text: str) -> set[tuple[str, ...]]:
        words = cls._words(text)
        return {tuple(words[i:i + cls.SHINGLE]) for i in range(len(words) - cls.SHINGLE + 1)}

    @classmethod
    def from_knowledge(cls, knowledge_dir: Path | None = None) -> "CommentaryIndex":
        """Commentary and policy lines of every document, by the regions in its
        metadata (the same region rules ingest applies)."""
        from bot.knowledge import Knowledge, read_text
        from ingest.documents import line_roles

        commentary: list[str] = []
        policy: list[str] = []
        for source in Knowledge(Path(knowledge_dir or DEFAULT_KNOWLEDGE)).sources():
            lines = read_text(source.path).split("\n")
            roles = line_roles(lines, source.meta.get("regions") or [], source.path.name)
            for line, role in zip(lines, roles):
                if not line.strip():
                    continue
                if role == "commentary":
                    commentary.append(line)
                else:
                    policy.append(line)  # policy and footnotes (CAO quotes) are citable
        return cls(commentary, policy)

    def is_commentary(self, quote: str) -> bool:
        q = norm(quote).casefold()
        if not q:
            return False
        if any(m in q for m in self.markers):
            return True
        shingles = self._shingles(quote)
        if shingles:
            return bool(shingles & self.shingles)
        return q in self.commentary_text and q not in self.policy_text


# --------------------------------------------------------------------------- golden questions

def load_questions(path: str | Path | None = None) -> list[dict]:
    """The golden questions (tests/golden/questions.yaml), with defaults filled
    in: org None, expect [], cao [], out_of_scope False."""
    path = _resolve(path, ENV_QUESTIONS, DEFAULT_QUESTIONS)
    out = []
    for item in _load_yaml_list(path, "questions"):
        q = dict(item)
        if not isinstance(q.get("question"), str) or not q["question"].strip():
            raise GoldenSetError(f"{path}: {q['id']}: 'question' is required")
        q["id"] = str(q["id"])
        q["language"] = q.get("language") or ("nl" if q["id"].startswith("nl") else "en")
        q["org"] = q.get("org") or None
        q["expect"] = list(q.get("expect") or [])
        q["cao"] = list(q.get("cao") or [])
        q["out_of_scope"] = bool(q.get("out_of_scope", False))
        if not q["out_of_scope"] and not q["expect"]:
            raise GoldenSetError(f"{path}: {q['id']}: an in-scope question needs 'expect'")
        for e in q["expect"]:
            if not isinstance(e, dict) or not e.get("org") or not e.get("section"):
                raise GoldenSetError(f"{path}: {q['id']}: each expect needs org and section")
        out.append(q)
    return out


def load_holdout(path: str | Path | None = None) -> list[dict] | None:
    """The held-out questions (tests/golden/questions_holdout.yaml), written
    apart from the knowledge annotations and never tuned on; None when
    absent or switched off with SOCIALPOLICY_EVAL_HOLDOUT=none."""
    if path is None and os.environ.get(ENV_HOLDOUT, "").strip().lower() in ("none", "off", "0"):
        return None
    path = _resolve(path, ENV_HOLDOUT, DEFAULT_HOLDOUT)
    return load_questions(path) if path.is_file() else None


def bank_questions(knowledge_dir: Path, catalogue, split: str) -> list[dict]:
    """The question bank's `split` in the golden-question shape: in-scope
    questions are asked scoped to their document's organisation,
    out-of-scope ones with every organisation in scope."""
    from bot.question_bank import BankError, load_bank

    try:
        bank = load_bank(knowledge_dir, catalogue, splits=(split,))
    except BankError as exc:
        raise GoldenSetError(str(exc)) from exc
    out = []
    for n, q in enumerate(bank):
        out.append({
            "index": n,
            "id": f"{split}-{q.org or 'oos'}-{n + 1:04d}",
            "language": q.language,
            "question": q.text,
            "org": q.org,
            "expect": [dict(e) for e in q.expect],
            "cao": [],
            "out_of_scope": q.out_of_scope,
        })
    return out


SPLIT_CHOICES = ("dev", "test", "all")
ENV_BANKS = "SOCIALPOLICY_EVAL_BANKS"   # "none": golden sets only (the banks take minutes)


def _banks_off() -> bool:
    return os.environ.get(ENV_BANKS, "").strip().lower() in ("none", "off", "0")


def org_lookup(organisations: dict | None) -> dict[str, str]:
    """Organisation name (Dutch or English) or id → org id."""
    out: dict[str, str] = {}
    for org, info in (organisations or {}).items():
        out[org] = org
        for name in (getattr(info, "organisation", None), getattr(info, "organisation_en", None)):
            if name:
                out[name] = org
    return out


def citation_org(citation, lookup: dict[str, str]) -> str:
    org = getattr(citation, "org", "") or ""
    if org:
        return org
    name = getattr(citation, "organisation", "") or ""
    return lookup.get(name, name)


def matches(citation, expect: dict, lookup: dict[str, str]) -> bool:
    """Does a citation satisfy one expectation {org, section, quote_contains?}."""
    if citation_org(citation, lookup) != expect["org"]:
        return False
    if norm(citation.section) != norm(expect["section"]):
        return False
    fragment = expect.get("quote_contains")
    return not fragment or norm(fragment) in norm(citation.quote)


def is_hit(citations: Sequence, expect: Sequence[dict], k: int, lookup: dict[str, str]) -> bool:
    top = list(citations)[:k]
    return any(matches(c, e, lookup) for c in top for e in expect)


@dataclass
class QuestionResult:
    id: str
    language: str
    org: str | None
    out_of_scope: bool
    abstained: bool
    hit_at_1: bool | None = None       # None for out-of-scope questions
    hit_at_3: bool | None = None
    cao_ok: bool | None = None         # None when no CAO article is expected
    commentary_cited: int = 0
    answer_language: str | None = None
    citations: list[str] = field(default_factory=list)  # "org: section"
    cao_cited: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ms"] = round(d.pop("seconds") * 1000.0, 2)
        return d


@dataclass
class AskReport:
    results: list[QuestionResult]

    def summary(self) -> dict:
        rs = self.results
        inscope = [r for r in rs if not r.out_of_scope]
        oos = [r for r in rs if r.out_of_scope]
        languages = sorted({r.language for r in rs} | set(LANGUAGES))

        def recall(attr: str) -> dict:
            out = {}
            for lang in languages:
                group = [r for r in inscope if r.language == lang]
                out[lang] = _ratio(sum(bool(getattr(r, attr)) for r in group), len(group))
            out["all"] = _ratio(sum(bool(getattr(r, attr)) for r in inscope), len(inscope))
            return out

        cao = [r for r in inscope if r.cao_ok is not None]
        false_abstentions = [r.id for r in inscope if r.abstained]
        return {
            "questions": len(rs),
            "in_scope": {lang: sum(r.language == lang for r in inscope) for lang in languages} | {"all": len(inscope)},
            "out_of_scope_questions": len(oos),
            "recall_at_1": recall("hit_at_1"),
            "recall_at_3": recall("hit_at_3"),
            "cao_questions": len(cao),
            "cao_accuracy": _ratio(sum(bool(r.cao_ok) for r in cao), len(cao)),
            "out_of_scope_abstention": _ratio(sum(r.abstained for r in oos), len(oos)),
            "false_abstentions": len(false_abstentions),
            "false_abstention_rate": _ratio(len(false_abstentions), len(inscope)),
            "commentary_citations": sum(r.commentary_cited for r in rs),
            "language_mismatches": sum(1 for r in rs if r.answer_language and r.answer_language != r.language),
            "language_mismatch_ids": [r.id for r in rs if r.answer_language and r.answer_language != r.language],
            "errors": sum(1 for r in rs if r.error),
            "latency": latency_summary([r.seconds for r in rs if not r.error]),
            "misses_at_3": [r.id for r in inscope if not r.hit_at_3],
            "cao_misses": [r.id for r in cao if not r.cao_ok],
            "not_abstained": [r.id for r in oos if not r.abstained],
            "false_abstained": false_abstentions,
        }

    def to_dict(self) -> dict:
        return {**self.summary(), "results": [r.to_dict() for r in self.results]}


def evaluate_ask(assistant, questions: Sequence[dict], commentary: CommentaryIndex | None = None,
                 ask=None) -> AskReport:
    """Ask every golden question once through `assistant.ask(question, org)`
    (or `ask(question_dict)` when given: cross-validated dev answers)."""
    commentary = commentary or CommentaryIndex.from_knowledge()
    lookup = org_lookup(getattr(assistant, "organisations", None))
    results = []
    for q in questions:
        r = QuestionResult(id=q["id"], language=q["language"], org=q.get("org"),
                           out_of_scope=bool(q.get("out_of_scope")), abstained=False)
        started = time.perf_counter()
        try:
            answer = ask(q) if ask else assistant.ask(q["question"], q.get("org"))
        except Exception as exc:  # recorded as a miss, never fatal
            r.seconds = time.perf_counter() - started
            r.error = f"{type(exc).__name__}: {exc}"
            if not r.out_of_scope:
                r.hit_at_1 = r.hit_at_3 = False
                r.cao_ok = False if q.get("cao") else None
            results.append(r)
            continue
        r.seconds = time.perf_counter() - started
        citations = list(answer.citations)
        r.abstained = bool(answer.abstained)
        r.answer_language = getattr(answer, "language", None)
        r.citations = [f"{citation_org(c, lookup)}: {c.section}" for c in citations]
        cited_cao = sorted({a for c in citations for a in (c.cao or ())})
        r.cao_cited = cited_cao
        r.commentary_cited = sum(commentary.is_commentary(c.quote) for c in citations)
        if not r.out_of_scope:
            r.hit_at_1 = is_hit(citations, q["expect"], 1, lookup)
            r.hit_at_3 = is_hit(citations, q["expect"], 3, lookup)
            if q.get("cao"):
                r.cao_ok = set(q["cao"]) <= set(cited_cao)
        results.append(r)
    return AskReport(results)


# --------------------------------------------------------------------------- golden drafts

def load_drafts(path: str | Path | None = None) -> list[dict]:
    """The golden drafts (tests/golden/drafts.yaml), with defaults filled in:
    org None, expect [], forbid_medium_high [], clean = not expect."""
    path = _resolve(path, ENV_DRAFTS, DEFAULT_DRAFTS)
    out = []
    for item in _load_yaml_list(path, "drafts"):
        d = dict(item)
        if not isinstance(d.get("text"), str) or not d["text"].strip():
            raise GoldenSetError(f"{path}: {d['id']}: 'text' is required")
        d["id"] = str(d["id"])
        d["org"] = d.get("org") or None
        d["language"] = d.get("language") or None
        d["expect"] = [str(x) for x in (d.get("expect") or [])]
        d["forbid_medium_high"] = [str(x) for x in (d.get("forbid_medium_high") or [])]
        d["clean"] = bool(d.get("clean", not d["expect"]))
        out.append(d)
    return out


@dataclass
class DraftResult:
    id: str
    language: str | None
    org: str | None
    clean: bool
    expected: list[str]
    predicted: list[str] = field(default_factory=list)
    severe: list[str] = field(default_factory=list)       # rules found at medium/high severity
    verdict: str | None = None
    forbidden_hits: list[str] = field(default_factory=list)
    commentary_cited: int = 0
    seconds: float = 0.0
    error: str | None = None

    @property
    def false_alarms(self) -> int:
        return len(self.severe) if self.clean else 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ms"] = round(d.pop("seconds") * 1000.0, 2)
        d["false_alarms"] = self.false_alarms
        return d


@dataclass
class ReviewReport:
    results: list[DraftResult]

    def per_rule(self) -> dict[str, dict]:
        rules = sorted({x for r in self.results for x in r.expected} | {x for r in self.results for x in r.predicted})
        out = {}
        for rule in rules:
            predicted = [r for r in self.results if rule in r.predicted]
            expected = [r for r in self.results if rule in r.expected]
            tp = sum(1 for r in predicted if rule in r.expected)
            out[rule] = {
                "predicted": len(predicted),
                "expected": len(expected),
                "true_positives": tp,
                "precision": _ratio(tp, len(predicted)),
                "recall": _ratio(tp, len(expected)),
                "missed": [r.id for r in expected if rule not in r.predicted],
                "unexpected": [r.id for r in predicted if rule not in r.expected],
            }
        return out

    def summary(self) -> dict:
        per_rule = self.per_rule()
        tp = sum(v["true_positives"] for v in per_rule.values())
        predicted = sum(v["predicted"] for v in per_rule.values())
        expected = sum(v["expected"] for v in per_rule.values())
        clean = [r for r in self.results if r.clean]
        verdicts = {
            "all": dict(Counter(r.verdict for r in self.results if r.verdict)),
            "clean": dict(Counter(r.verdict for r in clean if r.verdict)),
            "not_clean": dict(Counter(r.verdict for r in self.results if not r.clean and r.verdict)),
        }
        return {
            "drafts": len(self.results),
            "clean_drafts": len(clean),
            "precision": _ratio(tp, predicted),
            "recall": _ratio(tp, expected),
            "per_rule": per_rule,
            "clean_false_alarms": sum(r.false_alarms for r in clean),
            "clean_drafts_with_alarms": [r.id for r in clean if r.false_alarms],
            "forbidden_medium_high": sum(len(r.forbidden_hits) for r in self.results),
            "forbidden_hits": {r.id: r.forbidden_hits for r in self.results if r.forbidden_hits},
            "verdicts": verdicts,
            "commentary_citations": sum(r.commentary_cited for r in self.results),
            "errors": sum(1 for r in self.results if r.error),
            "latency": latency_summary([r.seconds for r in self.results if not r.error]),
        }

    def to_dict(self) -> dict:
        return {**self.summary(), "results": [r.to_dict() for r in self.results]}


def evaluate_review(assistant, drafts: Sequence[dict], commentary: CommentaryIndex | None = None) -> ReviewReport:
    """Review every golden draft once through `assistant.review(text, org)`."""
    commentary = commentary or CommentaryIndex.from_knowledge()
    results = []
    for d in drafts:
        r = DraftResult(id=d["id"], language=d.get("language"), org=d.get("org"), clean=bool(d.get("clean")),
                        expected=list(d.get("expect") or []))
        started = time.perf_counter()
        try:
            review = assistant.review(d["text"], d.get("org"))
        except Exception as exc:
            r.seconds = time.perf_counter() - started
            r.error = f"{type(exc).__name__}: {exc}"
            results.append(r)
            continue
        r.seconds = time.perf_counter() - started
        findings = list(review.findings)
        r.verdict = review.verdict
        r.predicted = sorted({f.rule for f in findings})
        r.severe = sorted({f.rule for f in findings if f.severity in SEVERE})
        forbidden = set(d.get("forbid_medium_high") or ())
        r.forbidden_hits = sorted({f.rule for f in findings if f.severity in SEVERE and f.rule in forbidden})
        quotes = [c.quote for f in findings for c in f.citations] + [c.quote for c in getattr(review, "related", ())]
        r.commentary_cited = sum(commentary.is_commentary(q) for q in quotes)
        results.append(r)
    return ReviewReport(results)


# --------------------------------------------------------------------------- thresholds

@dataclass
class Check:
    metric: str
    op: str          # "min" or "max"
    threshold: float
    value: Any
    ok: bool
    note: str = ""

    def describe(self) -> str:
        sign = "≥" if self.op == "min" else "≤"
        return f"{self.metric} = {self.value} (needs {sign} {self.threshold}){': ' + self.note if self.note else ''}"


def load_thresholds(path: str | Path | None = None) -> list[dict]:
    """A list of {metric, min|max, optional?}. `metric` is a dotted path into
    the eval summary; a `*` segment applies the bound to every key at that
    level (e.g. ask.recall_at_3.* → each language and "all"). A metric that
    was not measured fails, unless the threshold is `optional`."""
    path = _resolve(path, ENV_THRESHOLDS, DEFAULT_THRESHOLDS)
    if not path.is_file():
        raise GoldenSetError(f"thresholds: no such file: {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("thresholds") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise GoldenSetError(f"{path}: expected 'thresholds:' with a list of {{metric, min|max}}")
    out = []
    for item in items:
        if not isinstance(item, dict) or "metric" not in item or not ({"min", "max"} & set(item)):
            raise GoldenSetError(f"{path}: each threshold needs 'metric' and 'min' or 'max': {item!r}")
        out.append(item)
    return out


def _expand(summary: dict, metric: str) -> list[tuple[str, Any, bool]]:
    """(path, value, found) for a dotted path, expanding `*`."""
    def walk(node, parts, prefix):
        if not parts:
            return [(prefix, node, True)]
        head, rest = parts[0], parts[1:]
        if head == "*":
            if not isinstance(node, dict) or not node:
                return [(f"{prefix}.*".lstrip("."), None, False)]
            return [x for key, value in node.items() for x in walk(value, rest, f"{prefix}.{key}".lstrip("."))]
        if isinstance(node, dict) and head in node:
            return walk(node[head], rest, f"{prefix}.{head}".lstrip("."))
        return [(".".join(filter(None, [prefix, head, *rest])), None, False)]

    return walk(summary, metric.split("."), "")


def check_thresholds(summary: dict, thresholds: Sequence[dict]) -> list[Check]:
    checks = []
    for t in thresholds:
        for op in ("min", "max"):
            if op not in t:
                continue
            bound = float(t[op])
            for path, value, found in _expand(summary, str(t["metric"])):
                if t.get("optional") and (not found or value is None):
                    continue  # an optional metric that was not measured is not checked
                if not found:
                    checks.append(Check(path, op, bound, None, False, "not measured"))
                elif value is None:
                    # No items to measure (e.g. no out-of-scope questions).
                    checks.append(Check(path, op, bound, None, False, "not measured (no data)"))
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ok = value >= bound if op == "min" else value <= bound
                    checks.append(Check(path, op, bound, value, ok))
                else:
                    checks.append(Check(path, op, bound, value, False, "not a number"))
    return checks


# --------------------------------------------------------------------------- the command

def run_evaluation(assistant, questions: Sequence[dict] | None, drafts: Sequence[dict] | None,
                   thresholds: Sequence[dict], commentary: CommentaryIndex | None = None,
                   review_skip_reason: str | None = None, holdout: Sequence[dict] | None = None,
                   bank: dict[str, list[dict]] | None = None, bank_ask: dict | None = None,
                   review_bank: dict | None = None) -> dict:
    """The golden sets (questions.yaml is dev, the held-out questions test),
    the question bank per split, the drafts, the draft bank's scores per split
    (`review_bank`, measured by the caller), and the threshold checks, as one
    JSON-ready dict. A set that is None is not measured."""
    commentary = commentary or CommentaryIndex.from_knowledge()
    result: dict = {}
    if questions is not None:
        result["ask"] = evaluate_ask(assistant, questions, commentary).to_dict()
    if holdout:
        result["ask_holdout"] = evaluate_ask(assistant, holdout, commentary).to_dict()
    if bank:
        result["bank"] = {split: evaluate_ask(assistant, items, commentary,
                                              ask=(bank_ask or {}).get(split)).to_dict()
                          for split, items in bank.items() if items}
    if drafts is None or getattr(assistant, "reviewer", object()) is None:
        reason = review_skip_reason or "the review engine is not configured"
        result["review"] = {"skipped": reason}
    else:
        result["review"] = evaluate_review(assistant, drafts, commentary).to_dict()
    if review_bank is not None:
        result["review_bank"] = review_bank
    checks = check_thresholds(result, thresholds)
    result["thresholds"] = {
        "checks": [asdict(c) for c in checks],
        "failed": [c.describe() for c in checks if not c.ok],
        "passed": all(c.ok for c in checks),
    }
    return result


def run_eval(settings, as_json: bool = False, split: str = "all") -> int:
    """Build the assistant once, score the sets of the chosen split (dev:
    what may be tuned on; test: the locked held-out sets; all: both), print,
    and return 0 when every threshold is met, 1 when one is not, 2 on bad input."""
    if split not in SPLIT_CHOICES:
        print(f"socialpolicy: error: --split must be one of {', '.join(SPLIT_CHOICES)}", file=sys.stderr)
        return 2
    splits = ("dev", "test") if split == "all" else (split,)
    try:
        thresholds_path = _resolve(None, ENV_THRESHOLDS, DEFAULT_THRESHOLDS)
        thresholds = load_thresholds(thresholds_path)
        questions = load_questions() if "dev" in splits else None
        holdout = load_holdout() if "test" in splits else None
        drafts_path = _resolve(None, ENV_DRAFTS, DEFAULT_DRAFTS)
        drafts, skip = None, None
        if drafts_path.is_file():
            drafts = load_drafts(drafts_path)
        else:
            skip = f"no golden drafts at {drafts_path}"
        from bot.evaluation.review_eval import splits_for

        bank_splits = splits_for(split)   # the labelled drafts
        if _banks_off():
            bank_splits = ()
    except (GoldenSetError, ValueError) as exc:
        print(f"socialpolicy: error: {exc}", file=sys.stderr)
        return 2

    from bot.container import build_assistant

    # The golden sets say which organisation each item is scoped to (null: both),
    # so a configured default organisation (SOCIALPOLICY_ORG) must not narrow them.
    if getattr(settings, "default_org", None):
        settings = settings.model_copy(update={"default_org": None})
    started = time.perf_counter()
    assistant = build_assistant(settings)
    build_s = time.perf_counter() - started
    commentary = CommentaryIndex.from_knowledge(settings.knowledge_dir)
    try:
        bank = {} if _banks_off() else {
            s: bank_questions(settings.knowledge_dir, assistant.catalogue, s) for s in splits}
    except GoldenSetError as exc:
        print(f"socialpolicy: error: {exc}", file=sys.stderr)
        return 2
    # The router is fitted on the dev bank: dev answers come from 5-fold
    # cross-validation (each question answered by a router that never saw it).
    bank_ask = {}
    if bank.get("dev") and assistant.answerer.router is not None:
        from bot.evaluation.tune import cross_validated_asker

        _, asker = cross_validated_asker(assistant, settings)
        bank_ask["dev"] = lambda q: asker(q["index"], q["question"], q["org"])
    from bot.evaluation.review_eval import evaluate_bank_splits

    # Scored before the checks, so its bars in the thresholds file are checked too.
    review_bank = evaluate_bank_splits(assistant, settings.knowledge_dir, bank_splits)
    result = run_evaluation(assistant, questions, drafts, thresholds, commentary, review_skip_reason=skip,
                            holdout=holdout, bank=bank, bank_ask=bank_ask, review_bank=review_bank)
    result["split"] = split
    result["thresholds"]["file"] = str(thresholds_path)
    result["build_seconds"] = round(build_s, 3)
    code = 0 if result["thresholds"]["passed"] else 1
    result["exit_code"] = code

    if as_json:
        import json

        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        render(result)
    if code:
        for line in result["thresholds"]["failed"]:
            print(f"socialpolicy eval: threshold failed: {line}", file=sys.stderr)
    return code


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def question_sets(result: dict) -> list[tuple[str, dict]]:
    """(label, report) for every question set measured, dev before test."""
    sets = []
    if result.get("ask"):
        sets.append(("dev · golden", result["ask"]))
    if result.get("bank", {}).get("dev"):
        sets.append(("dev · bank (5-fold CV)", result["bank"]["dev"]))
    if result.get("ask_holdout"):
        sets.append(("test · golden held-out", result["ask_holdout"]))
    if result.get("bank", {}).get("test"):
        sets.append(("test · bank (locked)", result["bank"]["test"]))
    return sets


def render(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title=f"Questions (split: {result.get('split', 'all')})")
    t.add_column("set")
    t.add_column("in scope en/nl", justify="right")
    for lang in (*LANGUAGES, "all"):
        t.add_column(f"R@1 {lang}", justify="right")
    for lang in (*LANGUAGES, "all"):
        t.add_column(f"R@3 {lang}", justify="right")
    t.add_column("out-of-scope abstained", justify="right")
    t.add_column("in-scope abstained", justify="right")
    t.add_column("CAO", justify="right")
    for label, ask in question_sets(result):
        t.add_row(label, f"{ask['in_scope'].get('en', 0)}/{ask['in_scope'].get('nl', 0)}",
                  *[_fmt(ask["recall_at_1"].get(x)) for x in (*LANGUAGES, "all")],
                  *[_fmt(ask["recall_at_3"].get(x)) for x in (*LANGUAGES, "all")],
                  f"{_fmt(ask['out_of_scope_abstention'])} of {ask['out_of_scope_questions']}",
                  _fmt(ask["false_abstention_rate"]), _fmt(ask["cao_accuracy"]))
    console.print(t)
    for label, ask in question_sets(result):
        notes = []
        if ask["commentary_citations"]:
            notes.append(f"commentary cited {ask['commentary_citations']}×")
        if ask["language_mismatches"]:
            notes.append(f"answer language ≠ question: {ask['language_mismatches']}")
        notes.append(f"latency p50/p95 {_fmt(ask['latency']['p50_ms'])}/{_fmt(ask['latency']['p95_ms'])} ms")
        if ask["misses_at_3"]:
            notes.append(f"missed @3: {len(ask['misses_at_3'])}")
        if ask["not_abstained"]:
            notes.append(f"should have abstained: {len(ask['not_abstained'])}")
        console.print(f"{label}: " + " · ".join(notes))

    review = result["review"]
    if "skipped" in review:
        console.print(f"[yellow]Review: skipped ({review['skipped']})[/yellow]")
    else:
        t = Table(title=f"Draft review ({review['drafts']} drafts, {review['clean_drafts']} clean)")
        t.add_column("rule")
        for c in ("predicted", "expected", "precision", "recall"):
            t.add_column(c, justify="right")
        for rule, v in review["per_rule"].items():
            t.add_row(rule, str(v["predicted"]), str(v["expected"]), _fmt(v["precision"]), _fmt(v["recall"]))
        t.add_row("[b]all[/b]", "", "", _fmt(review["precision"]), _fmt(review["recall"]))
        console.print(t)
        console.print(
            f"clean false alarms: {review['clean_false_alarms']}  ·  forbidden medium/high: "
            f"{review['forbidden_medium_high']}  ·  commentary citations: {review['commentary_citations']}  ·  "
            f"verdicts: {review['verdicts']['all']}"
        )

    if "review_bank" in result:
        from bot.evaluation.review_eval import render_bank

        render_bank(result["review_bank"], console)

    t = Table(title="Thresholds")
    t.add_column("metric")
    t.add_column("value", justify="right")
    t.add_column("bound", justify="right")
    t.add_column("")
    for c in result["thresholds"]["checks"]:
        sign = "≥" if c["op"] == "min" else "≤"
        status = "[green]ok[/green]" if c["ok"] else f"[red]FAIL[/red] {c['note']}".rstrip()
        t.add_row(c["metric"], _fmt(c["value"]), f"{sign} {c['threshold']:g}", status)
    console.print(t)
