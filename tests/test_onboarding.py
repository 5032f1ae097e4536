"""Onboarding: the quiz data, its citations, the core's quiz flow, the
terminal tour (`socialpolicy onboard`) and the report, on real components.

The session's ingested store and Assistant are shared: the command line
runs in a real process for the scripted tour and its report, and in this
process (`run_cli`, the same models) for the rest.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import uuid

import pytest
import yaml

from cli_testing import CLI, REPO
from cli_testing import cli_env as cli_env_for

KNOWLEDGE = REPO / "knowledge"
ORGS = ("leiden", "rocwb")
LANGUAGES = ("nl", "en")
ORGANISATION = {"leiden": "Universiteit Leiden", "rocwb": "ROC West-Brabant"}
# Text of the ROC page that is not the code: blog framing, the Erwin Blom
# opinion piece, the reader comment. Never cited.
ROC_COMMENTARY = ("Onthul alle informatie", "handig je do's", "Erwin Blom", "Maak Social Media richtlijnen offensief",
                  "Suggereer niet dat je spreekt", "Vermeng professionele", "Dé Managementconferentie",
                  "BeantwoordenVerwijderen", "Download het document")
ROC_GUIDELINES = ("1. Je bent zelf verantwoordelijk", "2. Persprotocol blijft gelden",
                  "3. Houd privé en werk gescheiden", "4. Twitter onthoudt alles",
                  "5. Geef nooit vertrouwelijke informatie van ROC West-Brabant")


# -- the knowledge files themselves

def _documents() -> dict[str, str]:
    """org id -> the verbatim document text (knowledge/documents/*.txt)."""
    out = {}
    for meta_path in sorted((KNOWLEDGE / "documents").glob("*.yaml")):
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        out[meta["id"]] = meta_path.with_suffix(".txt").read_text(encoding="utf-8")
    return out


DOCUMENTS = _documents()


def _roc_policy_text() -> str:
    """The code itself: from the line "Inleiding" up to "Download het document"."""
    text = DOCUMENTS["rocwb"]
    start = text.index("\nInleiding\n")
    return text[start:text.index("Download het document", start)]


def _raw_quiz(org: str) -> dict:
    return yaml.safe_load((KNOWLEDGE / "quiz" / f"{org}.yaml").read_text(encoding="utf-8"))


# -- shared data directory, command line and in-process assistant

@pytest.fixture(scope="module")
def cli_env(settings):
    """A real process on the session's store and progress database."""
    env = cli_env_for(settings.data_dir, PYTHONIOENCODING="utf-8")
    for name in ("DATABASE_URL", "SOCIALPOLICY_ORG", "SOCIALPOLICY_KNOWLEDGE_DIR", "SOCIALPOLICY_CONFIG"):
        env.pop(name, None)
    return env


def real_cli(env, *args, stdin: str | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=REPO, env=env, input=stdin, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout)


@pytest.fixture(scope="module")
def onboarding_assistant(assistant):
    """The real Assistant on the session's (already ingested) data directory."""
    return assistant


@pytest.fixture(scope="module")
def onboarding(onboarding_assistant):
    return onboarding_assistant.onboarding


@pytest.fixture(scope="module")
def quiz_json(run_cli):
    out = {}
    for org in ORGS:
        done = run_cli("onboarding", "quiz", "--json", "--org", org)
        assert done.exit_code == 0, done.stderr
        out[org] = json.loads(done.stdout)
    return out


def _report(env) -> list[dict]:
    done = real_cli(env, "onboarding", "report")
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


# -- quiz data

@pytest.mark.parametrize("org", ORGS)
def test_quiz_file_has_enough_bilingual_scenarios(org):
    data = _raw_quiz(org)
    assert data["organisation"] == org
    scenarios = data["scenarios"]
    assert len(scenarios) >= 10
    ids = [s["id"] for s in scenarios]
    assert len(ids) == len(set(ids)), "scenario ids must be unique"
    for s in scenarios:
        for field in ("text", "explanation"):
            assert set(s[field]) == {"nl", "en"} and all(v.strip() for v in s[field].values()), (s["id"], field)
        for choice in s["choices"]:
            assert set(choice) == {"nl", "en"} and all(v.strip() for v in choice.values()), s["id"]
        assert isinstance(s["answer"], int) and not isinstance(s["answer"], bool)
        assert s["cite"], s["id"]
        for cite in s["cite"]:
            assert set(cite) <= {"section", "starts_with", "org"}, (s["id"], cite)
            assert cite.get("org", org) == org, "an organisation's quiz cites its own guidelines"
    # The correct answer is not always in the same place.
    assert len({s["answer"] for s in scenarios}) >= 3


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("org", ORGS)
def test_every_scenario_is_a_proper_multiple_choice_question(onboarding, org, language):
    quiz = onboarding.quiz(org, language)
    assert quiz.organisation == ORGANISATION[org]
    assert len(quiz.scenarios) >= 10
    for s in quiz.scenarios:
        assert s.org == org
        assert s.text.strip() and s.explanation.strip(), s.id
        assert 3 <= len(s.choices) <= 4, s.id
        assert all(c.strip() for c in s.choices) and len(set(s.choices)) == len(s.choices), s.id
        assert 0 <= s.answer < len(s.choices), s.id
        assert s.citations, s.id


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("org", ORGS)
def test_every_citation_quotes_a_real_guideline_verbatim(onboarding, org, language):
    quiz = onboarding.quiz(org, language)
    raw = {s["id"]: s for s in _raw_quiz(org)["scenarios"]}
    document = DOCUMENTS[org]
    policy = _roc_policy_text() if org == "rocwb" else document
    sections = set(onboarding.catalogue.sections(org))
    for s in quiz.scenarios:
        assert len(s.citations) == len(raw[s.id]["cite"]), s.id
        for citation, cite in zip(s.citations, raw[s.id]["cite"]):
            assert citation.org == org and citation.organisation == ORGANISATION[org], s.id
            assert citation.section == cite["section"] and citation.section in sections, (s.id, cite)
            # The heading and the quote are verbatim from the document text file.
            assert citation.section in document, (s.id, citation.section)
            assert citation.quote in document, (s.id, citation.quote)
            assert citation.quote in policy, (s.id, "quoted from outside the code", citation.quote)
            if cite.get("starts_with"):
                assert cite["starts_with"] in document, (s.id, cite["starts_with"])
                # The quote is the sentence or list item that opens with those words.
                assert citation.quote.startswith(cite["starts_with"]), (s.id, cite, citation.quote)
            for marker in ROC_COMMENTARY:
                assert marker not in citation.quote, (s.id, marker)
            if org == "leiden":
                # Articles only where the mapping names them (1.8 lid 2 is the basis of all).
                assert all(a.startswith("CAO-NU art. ") for a in citation.cao), s.id
            else:
                assert citation.cao == (), "ROC West-Brabant's code names no collective agreement"


def test_a_citation_quotes_the_sentence_not_the_whole_guideline(onboarding):
    photo = onboarding.quiz("leiden", "en").scenario("leiden-lecture-photo")
    assert [c.quote for c in photo.citations] == [
        "Verspreid geen informatie of foto's over individuen zonder toestemming te vragen."]
    assert photo.citations[0].cao == ()   # 1.8 lid 2 is the basis of all, not this rule's article


def test_the_brief_s_situations_are_in_the_quizzes():
    leiden = {s["id"] for s in _raw_quiz("leiden")["scenarios"]}
    rocwb = {s["id"] for s in _raw_quiz("rocwb")["scenarios"]}
    assert {"leiden-lecture-photo", "leiden-hacked-account", "leiden-board-decision", "leiden-journalist",
            "leiden-colleague-quote", "leiden-logo-profile", "leiden-reorganisation-rumour", "leiden-press-release",
            "leiden-angry-night", "leiden-google-photo", "leiden-new-account", "leiden-research-blog",
            "leiden-exam-results", "leiden-unannounced-news"} <= leiden
    assert {"rocwb-journalist", "rocwb-board-decision", "rocwb-colleague-quote", "rocwb-bike-linkedin",
            "rocwb-logo-profile", "rocwb-reorganisation-rumour", "rocwb-share-news", "rocwb-angry-night",
            "rocwb-google-photo", "rocwb-exam-results", "rocwb-unannounced-news"} <= rocwb


# -- onboarding content

def test_leiden_content_shows_the_ten_dos_and_donts_and_the_cao(onboarding):
    content = onboarding.content("leiden", "nl")
    assert content.organisation == "Universiteit Leiden"
    assert len(content.key_rules) == 10
    assert {c.section for c in content.key_rules} == {"10 Do's and Don't voor social media netwerken."}
    assert content.key_rules[0].quote == "Publiceer geen vertrouwelijke informatie."
    assert all(c.quote in DOCUMENTS["leiden"] for c in content.key_rules)
    articles = {a for c in content.cao for a in c.cao}
    assert {"CAO-NU art. 1.8 lid 2", "CAO-NU art. 1.16 lid 1"} <= articles
    assert all(c.quote in DOCUMENTS["leiden"] for c in content.cao)
    assert "social media contactpersoon" in content.contact
    assert "social media contact person" in onboarding.content("leiden", "en").contact


def test_rocwb_content_shows_guidelines_1_to_5_dos_and_donts_and_no_cao(onboarding):
    content = onboarding.content("rocwb", "nl")
    assert content.organisation == "ROC West-Brabant"
    assert tuple(c.section for c in content.key_rules) == ROC_GUIDELINES
    assert len(content.dos) == 8 and {c.section for c in content.dos} == {"6. Do’s"}
    assert len(content.donts) == 9 and {c.section for c in content.donts} == {"7. Don’ts"}
    assert "Citeer geen collega’s" in [c.quote for c in content.donts]
    assert content.cao == ()
    policy = _roc_policy_text()
    for c in (*content.key_rules, *content.dos, *content.donts):
        assert c.cao == ()
        assert all(line in policy for line in c.quote.split("\n")), c.quote
    assert "Marketing & Communicatie" in content.contact


# -- quiz flow in the core

def test_restart_resets_and_a_repeated_answer_changes_nothing(onboarding):
    user = f"test:{uuid.uuid4().hex}"
    progress, first = onboarding.start(user, "test", "rocwb", "Tester", "en")
    quiz = onboarding.quiz("rocwb", "en")
    assert first == quiz.scenarios[0] and progress.score == 0 and progress.answers == {}
    wrong = (first.answer + 1) % len(first.choices)

    step = onboarding.answer(user, first.id, first.answer, "en")
    assert step.correct and step.number == 1 and step.progress.score == 1
    assert step.next == quiz.scenarios[1]
    again = onboarding.answer(user, first.id, wrong, "en")  # a second click on the same question
    assert again.progress.score == 1 and again.choice == first.answer and again.correct
    assert again.progress.answers == {first.id: first.answer}

    second = quiz.scenarios[1]
    step = onboarding.answer(user, second.id, (second.answer + 1) % len(second.choices), "en")
    assert not step.correct and step.progress.score == 1 and step.number == 2
    assert onboarding.current(user, "en") == quiz.scenarios[2]

    progress, restarted = onboarding.start(user, "test", "rocwb", "Tester", "en")
    assert restarted == first
    assert progress.answers == {} and progress.score == 0 and progress.completed_at is None
    assert onboarding.current(user, "en") == first

    for s in quiz.scenarios:
        step = onboarding.answer(user, s.id, s.answer, "en")
    assert step.next is None and step.progress.completed
    assert step.progress.score == step.progress.total == len(quiz.scenarios)
    assert onboarding.current(user, "en") is None
    row = next(r for r in onboarding.report_rows() if r["user"] == user)
    assert row["score"] == len(quiz.scenarios) and row["completed_at"]


# -- the terminal tour in-process (scripted input)

class _Interrupting(io.StringIO):
    """A stream that is interrupted (Ctrl-C) after `lines` lines."""

    def __init__(self, text: str, lines: int):
        super().__init__(text)
        self.left = lines

    def readline(self, *args):
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return super().readline(*args)


def _run(assistant, org, language, user, script: str | io.StringIO):
    from bot.channels.terminal_onboarding import run_onboard

    out = io.StringIO()
    stream = script if isinstance(script, io.StringIO) else io.StringIO(script)
    code = run_onboard(assistant, org, language, user, input=stream, output=out)
    return code, out.getvalue()


def test_terminal_tour_asks_the_organisation_and_runs_the_quiz(onboarding_assistant):
    quiz = onboarding_assistant.onboarding.quiz("leiden", "en")
    answers = [s.answer for s in quiz.scenarios]
    script = "3\nleiden\n" + "\n".join(str(a + 1) for a in answers) + "\n"
    user = f"inproc-{uuid.uuid4().hex[:8]}"
    code, out = _run(onboarding_assistant, None, "en", user, script)
    assert code == 0, out
    n = len(quiz.scenarios)
    assert "Which organisation do you work for?" in out and "Choose a number from 1 to 2." in out
    assert "socialpolicy ask" in out and "socialpolicy review" in out
    assert "Publiceer geen vertrouwelijke informatie." in out          # the 10 Do's and Don'ts
    assert "Art. 1.16 lid 1 (geheimhouding)" in out and "Art. 1.8 lid 2 (goed werknemerschap)" in out
    assert "social media contact person" in out
    assert f"Question 3/{n}" in out and f"Progress: 3/{n}" in out
    assert "✔ Correct!" in out and "✘" not in out.split("Question 1/")[1]
    assert f"Final score: {n}/{n}" in out
    progress = onboarding_assistant.onboarding.progress.get(f"cli:{user}")
    assert progress.completed and progress.score == n and progress.display_name == user


def test_terminal_tour_for_rocwb_in_dutch_has_no_cao(onboarding_assistant):
    quiz = onboarding_assistant.onboarding.quiz("rocwb", "nl")
    first = quiz.scenarios[0]
    wrong = "ABCD"[(first.answer + 1) % len(first.choices)]
    code, out = _run(onboarding_assistant, "rocwb", "nl", f"inproc-{uuid.uuid4().hex[:8]}", f"{wrong.lower()}\n")
    assert code == 1  # input ended after one answer
    for heading in ROC_GUIDELINES:
        assert heading in out
    assert "Citeer geen collega’s" in out and "Maak je bronnen kenbaar" in out
    assert "CAO" not in out and "Cao-artikelen" not in out
    assert f"Helaas. Het juiste antwoord is {'ABCD'[first.answer]}." in out
    assert "Marketing & Communicatie" in out
    assert "Je antwoorden tot nu toe zijn bewaard" in out


def test_terminal_tour_keeps_progress_on_eof_and_ctrl_c_and_resumes(onboarding_assistant):
    onboarding = onboarding_assistant.onboarding
    quiz = onboarding.quiz("rocwb", "en")
    letters = ["ABCD"[s.answer] for s in quiz.scenarios]
    user = f"inproc-{uuid.uuid4().hex[:8]}"
    key = f"cli:{user}"

    code, out = _run(onboarding_assistant, "rocwb", "en", user, "\n".join(letters[:3]) + "\n")
    assert code == 1 and "Input ended" in out
    assert len(onboarding.progress.get(key).answers) == 3

    # Resume (an empty answer means yes), then Ctrl-C after two more answers.
    code, out = _run(onboarding_assistant, "rocwb", "en", user,
                     _Interrupting("\n" + "\n".join(letters[3:]) + "\n", lines=3))
    assert code == 130 and "Interrupted" in out
    assert "3 of" in out and f"Question 4/{len(letters)}" in out
    progress = onboarding.progress.get(key)
    assert len(progress.answers) == 5 and progress.score == 5 and not progress.completed

    code, out = _run(onboarding_assistant, "rocwb", "en", user, "y\n" + "\n".join(letters[5:]) + "\n")
    assert code == 0 and f"Final score: {len(letters)}/{len(letters)}" in out
    assert onboarding.progress.get(key).completed

    # Declining to resume starts again from question 1; q stops.
    code, out = _run(onboarding_assistant, "rocwb", "en", user, "B\nq\n")
    assert code == 1 and "Stopped" in out
    progress = onboarding.progress.get(key)
    assert len(progress.answers) == 1 and progress.completed_at is None


def test_terminal_tour_rejects_an_unknown_organisation(onboarding_assistant):
    code, out = _run(onboarding_assistant, "uva", "en", "someone", "")
    assert code == 2 and "Unknown organisation" in out


def test_choice_parsing():
    from bot.channels.terminal_onboarding import parse_choice

    assert [parse_choice(x, 3) for x in ("A", "b", " c ", "1", "3", "B)", "c.")] == [0, 1, 2, 0, 2, 1, 2]
    assert [parse_choice(x, 3) for x in ("", "d", "4", "0", "ab", "x", "-1")] == [None] * 7
    assert parse_choice("D", 4) == 3


# -- the command line

@pytest.mark.parametrize("org", ORGS)
def test_onboarding_quiz_json_contract(quiz_json, org):
    quiz = quiz_json[org]
    assert set(quiz) == {"organisation", "scenarios"}
    assert quiz["organisation"] == ORGANISATION[org]
    assert isinstance(quiz["scenarios"], list) and len(quiz["scenarios"]) >= 10
    for s in quiz["scenarios"]:
        assert set(s) == {"id", "text", "choices", "answer", "explanation", "citations"}
        assert isinstance(s["id"], str) and isinstance(s["text"], str) and isinstance(s["explanation"], str)
        assert isinstance(s["choices"], list) and len(s["choices"]) >= 3
        assert all(isinstance(c, str) for c in s["choices"])
        assert type(s["answer"]) is int and 0 <= s["answer"] < len(s["choices"])
        assert isinstance(s["citations"], list) and s["citations"]
        for c in s["citations"]:
            assert set(c) == {"organisation", "document", "section", "quote", "cao", "score"}
            assert all(isinstance(c[k], str) for k in ("organisation", "document", "section", "quote"))
            assert isinstance(c["cao"], list) and all(isinstance(a, str) for a in c["cao"])
            assert isinstance(c["score"], float)
            assert c["organisation"] == ORGANISATION[org]
            assert c["quote"] in DOCUMENTS[org]
            assert org == "leiden" or not c["cao"]


def test_onboarding_quiz_json_in_english(run_cli, quiz_json):
    done = run_cli("onboarding", "quiz", "--json", "--org", "leiden", "--lang", "en")
    assert done.exit_code == 0, done.stderr
    english = json.loads(done.stdout)
    dutch = quiz_json["leiden"]
    assert [s["id"] for s in english["scenarios"]] == [s["id"] for s in dutch["scenarios"]]
    assert [s["answer"] for s in english["scenarios"]] == [s["answer"] for s in dutch["scenarios"]]
    assert english["scenarios"][0]["text"] != dutch["scenarios"][0]["text"]
    # The quotes stay verbatim Dutch in both languages.
    assert english["scenarios"][0]["citations"] == dutch["scenarios"][0]["citations"]


def test_onboard_cli_scripted_quiz_and_report(cli_env, quiz_json):
    scenarios = quiz_json["rocwb"]["scenarios"]
    n = len(scenarios)
    lines = ["x"]  # an invalid answer first: asked again
    expected = 0
    for i, s in enumerate(scenarios):
        k = len(s["choices"])
        choice = s["answer"] if i % 3 != 2 else (s["answer"] + 1) % k
        expected += choice == s["answer"]
        lines.append(str(choice + 1) if i % 4 == 1 else ("abcd"[choice] if i % 2 else "ABCD"[choice]))
    done = real_cli(cli_env, "onboard", "--org", "rocwb", "--user", "tester", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout
    assert 0 < expected < n
    assert "Dat is geen geldige keuze" in out
    assert f"Vraag 1/{n}" in out and f"Vraag {n}/{n}" in out and f"Voortgang: 3/{n}" in out
    assert "✔ Goed!" in out and "✘ Helaas" in out
    assert f"Eindscore: {expected}/{n}" in out
    assert out.count("Vraag 1/") == 1  # the invalid answer did not skip or repeat a question

    rows = [r for r in _report(cli_env) if r["user"] == "cli:tester"]
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "tester" and row["channel"] == "cli" and row["organisation"] == "rocwb"
    assert row["completed_at"] and row["started_at"]
    assert int(row["score"]) == expected and int(row["total"]) == n and int(row["answered"]) == n


def test_onboard_cli_end_of_input_keeps_progress(run_cli, quiz_json):
    scenarios = quiz_json["leiden"]["scenarios"]
    stdin = "".join("ABCD"[s["answer"]] + "\n" for s in scenarios[:2])
    done = run_cli("onboard", "--org", "leiden", "--lang", "en", "--user", "halfway", stdin=stdin.encode())
    assert done.exit_code == 1
    assert "Your answers so far are saved" in done.stdout
    report = run_cli("onboarding", "report")
    assert report.exit_code == 0, report.stderr
    row = next(r for r in csv.DictReader(io.StringIO(report.stdout)) if r["user"] == "cli:halfway")
    assert row["organisation"] == "leiden" and int(row["answered"]) == 2 and int(row["score"]) == 2
    assert row["completed_at"] == ""
