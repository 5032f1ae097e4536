"""The review policy is data (knowledge/review/<org>.yaml): what a rule
cites, the institution's names, a malformed file stopping start-up with a
clear message, an institution without a file cited through retrieval, and
no institution named in the review code. Fast: fakes of the core's ports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeError, load_organisations
from review_support import copy_knowledge, fake_reviewer, found, review, summary

REVIEW_CODE = Path(__file__).resolve().parent.parent / "bot" / "core" / "review"


def edit_policy(knowledge: Path, org: str, change) -> None:
    path = knowledge / "review" / f"{org}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_no_institution_is_named_in_the_review_code():
    pattern = re.compile(r"\b(?:leiden|rocwb|roc|west[- ]brabant|leidenuniv)\b", re.IGNORECASE)
    offenders = [f"{p.relative_to(REVIEW_CODE)}:{n}" for p in sorted(REVIEW_CODE.rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_a_citation_comes_from_the_policy_file(tmp_path):
    knowledge = copy_knowledge(tmp_path / "knowledge")
    text = "Ik hoorde dat de kantine na de zomer dichtgaat."
    before = found(review(fake_reviewer(knowledge), text, ["rocwb"]), "accuracy")
    assert [c.quote[:25] for f in before for c in f.citations] == ["Maak je bronnen kenbaar"]

    def cite_doubt(data):
        data["rules"]["accuracy"]["cite"] = [{"section": "7. Don’ts", "starts_with": "Bij twijfel het bericht"}]

    edit_policy(knowledge, "rocwb", cite_doubt)
    after = found(review(fake_reviewer(knowledge), text, ["rocwb"]), "accuracy")
    assert [c.quote for f in after for c in f.citations] == ["Bij twijfel het bericht nooit plaatsen"]


def test_the_institutions_names_come_from_the_policy_file(tmp_path):
    knowledge = copy_knowledge(tmp_path / "knowledge")
    text = "Namens Sleutelstad Academie: wij steunen de staking."
    assert not found(review(fake_reviewer(knowledge), text, ["leiden"]), "on_behalf")
    edit_policy(knowledge, "leiden", lambda data: data["names"].append("Sleutelstad Academie"))
    result = review(fake_reviewer(knowledge), text, ["leiden"])
    assert [f.excerpt for f in found(result, "on_behalf", "medium")] == ["Namens Sleutelstad Academie"], summary(result)


def test_the_institutions_mail_domains_come_from_the_policy_file(tmp_path):
    knowledge = copy_knowledge(tmp_path / "knowledge")
    text = "Vragen over je rooster? Mail roosterbureau@sleutelstad.nl, niet de roostermakers zelf."
    assert found(review(fake_reviewer(knowledge), text, ["leiden"]), "personal_data", "medium")
    edit_policy(knowledge, "leiden", lambda data: data["mail_domains"].append("sleutelstad.nl"))
    assert not found(review(fake_reviewer(knowledge), text, ["leiden"]), "personal_data")
    # a students' domain under the institution's stays personal
    edit_policy(knowledge, "leiden", lambda data: data["student_mail_domains"].append("student.sleutelstad.nl"))
    result = review(fake_reviewer(knowledge), "Mail Sam: s.bakker@student.sleutelstad.nl", ["leiden"])
    assert found(result, "personal_data", "medium"), summary(result)


def test_an_institution_without_a_policy_file_is_cited_through_retrieval(tmp_path):
    knowledge = copy_knowledge(tmp_path / "knowledge")
    (knowledge / "review" / "rocwb.yaml").unlink()
    reviewer = fake_reviewer(knowledge)
    assert set(reviewer.policies) == {"leiden"}
    # Still recognised by the document's own name (its metadata), with no review file.
    assert "ROC West-Brabant" in reviewer.institutions.names
    result = review(reviewer, "Ik hoorde dat de kantine dichtgaat. Wat een kutschool!!! Namens ROC West-Brabant: "
                              "wij zijn tegen.", ["rocwb"])
    cited = [c for f in result.findings for c in f.citations]
    assert cited, summary(result)
    assert {c.org for c in cited} == {"rocwb"}
    for f in result.findings:  # never a finding without a guideline of its own to rest on
        assert f.citations


BAD = [
    ("unknown rule", lambda d: d["rules"].__setitem__("privcy", d["rules"].pop("privacy")), "unknown rule 'privcy'"),
    ("no section", lambda d: d["rules"]["accuracy"]["cite"][0].pop("section"), "rules.accuracy.cite[0]: 'section'"),
    ("one language", lambda d: d["rules"]["on_behalf"]["advice"].pop("en"), "rules.on_behalf.advice: must give"),
    ("unknown kind", lambda d: d["rules"]["logo"].__setitem__("kinds", {"profiel": {"cite": []}}),
     "rules.logo.kinds: unknown kind 'profiel'"),
    ("unknown key", lambda d: d.__setitem__("rulez", {}), "unknown key(s) rulez"),
    ("unknown organisation", lambda d: d.__setitem__("organisation", "nowhere"), "organisation 'nowhere' has no document"),
    ("cite not a list", lambda d: d["rules"]["copyright"].__setitem__("cite", "Logo"), "rules.copyright.cite: must be a list"),
    ("not a domain", lambda d: d.__setitem__("mail_domains", ["@leidenuniv.nl"]), "mail_domains: '@leidenuniv.nl' is not"),
    ("disclaimer missing", lambda d: d.pop("disclaimer"), "uses {disclaimer} but the file names no 'disclaimer'"),
]


@pytest.mark.parametrize("problem, change, message", BAD, ids=[b[0] for b in BAD])
def test_a_malformed_policy_file_stops_start_up_naming_the_file_and_the_problem(tmp_path, problem, change, message):
    knowledge = copy_knowledge(tmp_path / "knowledge")
    edit_policy(knowledge, "leiden", change)
    with pytest.raises(KnowledgeError) as info:
        load_organisations(knowledge)  # what the container calls at start-up
    assert "leiden.yaml" in str(info.value) and message in str(info.value), str(info.value)


def test_a_policy_file_that_is_not_yaml_is_named(tmp_path):
    knowledge = copy_knowledge(tmp_path / "knowledge")
    (knowledge / "review" / "rocwb.yaml").write_text("rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"rocwb\.yaml: not valid YAML"):
        load_organisations(knowledge)


def test_one_module_per_rule_and_no_rule_imports_another():
    import ast

    from bot.core.review.rules import RULE_IDS

    assert RULE_IDS == ("confidential", "privacy", "personal_data", "offensive", "emotional", "on_behalf", "logo",
                        "advertising", "quoting_colleagues", "copyright", "accuracy")  # the contract's ids
    package = REVIEW_CODE / "rules"
    for rule in RULE_IDS:
        tree = ast.parse((package / f"{rule}.py").read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.rsplit(".", 1)[-1])
                imported.update(a.name for a in node.names)
            elif isinstance(node, ast.Import):
                imported.update(a.name.rsplit(".", 1)[-1] for a in node.names)
        assert not (imported & (set(RULE_IDS) - {rule})), (rule, imported & set(RULE_IDS))
