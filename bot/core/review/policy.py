"""An institution's review policy, as data: knowledge/review/<org>.yaml.

For each rule: which of the institution's guidelines a finding cites (the
`cite: {section, starts_with}` shape of knowledge/quiz, resolved by the
Catalogue like the quiz's), per kind of finding where that differs, and
advice of the institution's own added to the suggestion. Also the names,
abbreviations and places by which drafts name the institution, its mail
domains, and where its example disclaimer stands.

bot/knowledge.py reads the file; this module only checks and holds it, so
the core stays free of file access. A malformed file is an error at start-up
that names the file and the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

LANGUAGES = ("nl", "en")
_KIND = re.compile(r"[a-z][a-z_]*")


class PolicyError(ValueError):
    """A review policy file that does not say what the reviewer needs."""


@dataclass(frozen=True)
class CiteSpec:
    section: str                    # the heading exactly as in the source document
    starts_with: str | None = None  # the opening words of the sentence or item; None: the whole guideline


@dataclass(frozen=True)
class RulePolicy:
    cite: tuple[CiteSpec, ...]
    advice: Mapping[str, str] | None = None                     # language -> extra advice
    kinds: Mapping[str, "RulePolicy"] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewPolicy:
    org: str
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    mail_domains: tuple[str, ...] = ()
    student_mail_domains: tuple[str, ...] = ()
    disclaimer: CiteSpec | None = None
    rules: Mapping[str, RulePolicy] = field(default_factory=dict)

    def citations(self, rule: str, kind: str) -> tuple[CiteSpec, ...] | None:
        """What a finding of this rule and kind cites; None when the policy
        does not map the rule (the reviewer then cites through retrieval)."""
        policy = self.rules.get(rule)
        if policy is None:
            return None
        special = policy.kinds.get(kind)
        return special.cite if special is not None and special.cite else policy.cite

    def advice(self, rule: str, kind: str, language: str) -> str | None:
        policy = self.rules.get(rule)
        if policy is None:
            return None
        special = policy.kinds.get(kind)
        advice = special.advice if special is not None and special.advice else policy.advice
        return advice.get(language) or advice.get("en") if advice else None

    def specs(self) -> list[CiteSpec]:
        """Every citation the policy can produce, the disclaimer included."""
        out = [s for p in self.rules.values() for s in (*p.cite, *(s for k in p.kinds.values() for s in k.cite))]
        return out + ([self.disclaimer] if self.disclaimer else [])


def parse_policy(data: object, rule_ids: Sequence[str], kinds: Mapping[str, frozenset[str]]) -> ReviewPolicy:
    """Check a parsed review yaml and turn it into a ReviewPolicy; every
    problem is a PolicyError that says where in the file it is."""
    if not isinstance(data, dict):
        raise PolicyError("the file must be a mapping with 'organisation' and 'rules'")
    _only(data, {"organisation", "names", "abbreviations", "places", "mail_domains", "student_mail_domains",
                 "disclaimer", "rules"}, "the file")
    org = data.get("organisation")
    if not isinstance(org, str) or not org:
        raise PolicyError("'organisation' (the organisation id) is required")
    rules = data.get("rules")
    if not isinstance(rules, dict) or not rules:
        raise PolicyError("'rules' must map rule ids to what they cite")
    parsed: dict[str, RulePolicy] = {}
    for rule, body in rules.items():
        if rule not in rule_ids:
            raise PolicyError(f"rules: unknown rule {rule!r} (the rules are: {', '.join(rule_ids)})")
        parsed[rule] = _rule(body, f"rules.{rule}", kinds.get(rule, frozenset()))
    disclaimer = data.get("disclaimer")
    policy = ReviewPolicy(
        org=org,
        names=_strings(data.get("names"), "names"),
        abbreviations=_strings(data.get("abbreviations"), "abbreviations"),
        places=_strings(data.get("places"), "places"),
        mail_domains=_domains(data.get("mail_domains"), "mail_domains"),
        student_mail_domains=_domains(data.get("student_mail_domains"), "student_mail_domains"),
        disclaimer=_cite(disclaimer, "disclaimer") if disclaimer is not None else None,
        rules=parsed,
    )
    for rule, body in parsed.items():
        for where, advice in [(rule, body.advice), *((f"{rule}.kinds.{k}", v.advice) for k, v in body.kinds.items())]:
            if advice and policy.disclaimer is None and any("{disclaimer}" in t for t in advice.values()):
                raise PolicyError(f"rules.{where}.advice uses {{disclaimer}} but the file names no 'disclaimer'")
    return policy


def _rule(body: object, where: str, kinds: frozenset[str]) -> RulePolicy:
    if not isinstance(body, dict):
        raise PolicyError(f"{where}: must be a mapping with 'cite'")
    _only(body, {"cite", "advice", "kinds"}, where)
    cite = _cites(body.get("cite"), f"{where}.cite")
    if not cite:
        raise PolicyError(f"{where}.cite: at least one citation is required")
    special: dict[str, RulePolicy] = {}
    for kind, sub in (body.get("kinds") or {}).items():
        if not isinstance(kind, str) or not _KIND.fullmatch(kind) or (kinds and kind not in kinds):
            known = f" (this rule's kinds: {', '.join(sorted(kinds))})" if kinds else ""
            raise PolicyError(f"{where}.kinds: unknown kind {kind!r}{known}")
        if not isinstance(sub, dict):
            raise PolicyError(f"{where}.kinds.{kind}: must be a mapping with 'cite' and/or 'advice'")
        _only(sub, {"cite", "advice"}, f"{where}.kinds.{kind}")
        special[kind] = RulePolicy(_cites(sub.get("cite"), f"{where}.kinds.{kind}.cite"),
                                   _advice(sub.get("advice"), f"{where}.kinds.{kind}.advice"))
    return RulePolicy(cite, _advice(body.get("advice"), f"{where}.advice"), special)


def _cites(value: object, where: str) -> tuple[CiteSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PolicyError(f"{where}: must be a list of {{section, starts_with}}")
    return tuple(_cite(item, f"{where}[{i}]") for i, item in enumerate(value))


def _cite(value: object, where: str) -> CiteSpec:
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: must be {{section, starts_with}}")
    _only(value, {"section", "starts_with"}, where)
    section, starts_with = value.get("section"), value.get("starts_with")
    if not isinstance(section, str) or not section.strip():
        raise PolicyError(f"{where}: 'section' (the heading as in the document) is required")
    if starts_with is not None and (not isinstance(starts_with, str) or not starts_with.strip()):
        raise PolicyError(f"{where}: 'starts_with' must be the opening words of a sentence or item")
    return CiteSpec(section, starts_with)


def _advice(value: object, where: str) -> Mapping[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(LANGUAGES) \
            or not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise PolicyError(f"{where}: must give the advice in both languages ({', '.join(LANGUAGES)})")
    return dict(value)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyError(f"{where}: must be a list of words or names")
    return tuple(value)


_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}")


def _domains(value: object, where: str) -> tuple[str, ...]:
    domains = _strings(value, where)
    for d in domains:
        if not _DOMAIN.fullmatch(d):
            raise PolicyError(f"{where}: {d!r} is not a mail domain (write it like example.nl, without @)")
    return domains


def _only(mapping: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(str(k) for k in mapping if k not in allowed)
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")
