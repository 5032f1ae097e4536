"""`socialpolicy review` through the command line: the JSON contract and
what reaches the logs in a real process; batches that go on past bad
lines, limits, and input that is not text in this process with the
session's models (`run_cli`)."""

from __future__ import annotations

import json
import subprocess

import pytest

from bot.channels.labels import VERDICT_LABELS
from cli_testing import CLI, REPO, cli_env
DRAFT = ("Ik hoorde dat de faculteit gaat reorganiseren, nog niet bekend maar mijn collega zei: "
         "\"er gaan banen weg\"!!! Mail me op j.jansen@gmail.com")


@pytest.fixture(scope="module")
def env(ingested_template, tmp_path_factory):
    import shutil

    data = tmp_path_factory.mktemp("review-cli") / "data"
    shutil.copytree(ingested_template, data)
    return cli_env(data)


def run(env, *args, stdin: bytes | str = b"", timeout=180):
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    return subprocess.run([*CLI, *args], cwd=REPO, env=env, input=data, capture_output=True, timeout=timeout)


def test_review_json_contract(env):
    done = run(env, "review", "--json", "-", stdin=DRAFT)
    assert done.returncode == 0, done.stderr
    review = json.loads(done.stdout)
    assert set(review) == {"verdict", "language", "findings", "related"}
    # The verdict is the classifier's call on a draft at the policy's
    # second-hand line; the eval gate measures that call, this test the contract.
    assert review["verdict"] in ("caution", "do_not_post") and review["language"] == "nl"
    rules = {f["rule"] for f in review["findings"]}
    assert {"confidential", "personal_data", "accuracy"} <= rules
    for f in review["findings"]:
        assert {"rule", "severity", "start", "end", "excerpt", "message", "suggestion", "citations"} <= set(f) <= {
            "rule", "severity", "start", "end", "excerpt", "message", "suggestion", "citations", "confidence"}
        assert DRAFT[f["start"]:f["end"]] == f["excerpt"]
        assert f["severity"] in ("high", "medium", "low")
        for c in f["citations"]:
            assert set(c) == {"organisation", "document", "section", "quote", "cao", "score"}
    assert review["related"]
    # The draft's text is never written to the logs.
    assert b"j.jansen" not in done.stderr and b"reorganiseren" not in done.stderr


def test_review_from_file_and_readable_rendering(run_cli, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("Thank you to all colleagues who made our open day a success! 🎉", encoding="utf-8")
    done = run_cli("review", "--file", str(draft))
    assert done.exit_code == 0, done.stderr
    assert "OK to post" in done.stdout
    verdict = json.loads(run_cli("review", "--json", "-", stdin=DRAFT.encode()).stdout)["verdict"]
    flagged = run_cli("review", "-", stdin=DRAFT.encode())
    assert VERDICT_LABELS["nl"][verdict] in flagged.stdout and "j.jansen@gmail.com" in flagged.stdout


def test_review_batch_goes_on_past_bad_lines(run_cli):
    lines = [
        json.dumps({"text": "Trots op onze studenten! Lees het persbericht: https://www.universiteitleiden.nl/nieuws"}),
        "this is not json",
        json.dumps({"text": "   "}),
        json.dumps({"nottext": 1}),
        json.dumps({"text": "My BSN is 111222333, call me on 06-12345678"}),
    ]
    done = run_cli("review", "--json", "--batch", "-", stdin=("\n".join(lines) + "\n").encode())
    assert done.exit_code == 0, done.stderr
    out = [json.loads(x) for x in done.stdout.strip().splitlines()]
    assert len(out) == 5
    assert out[0]["verdict"] == "ok"
    assert "error" in out[1] and "error" in out[2] and "error" in out[3]
    assert out[4]["verdict"] == "do_not_post"


# Invisible characters before and inside what the review flags: a zero-width
# space, a left-to-right mark, a soft hyphen.
INVISIBLE_DRAFT = ("\u200bIk\u200e hoorde dat de faculteit gaat reorganiseren, nog niet bekend!!! "
                   "Mail me op j.jan\u200bsen@gmail.com of bel 06-123\u00ad45678")


def _offsets_slice(draft: str, review: dict) -> None:
    assert review["findings"]
    for f in review["findings"]:
        assert draft[f["start"]:f["end"]] == f["excerpt"], f
    mails = [f["excerpt"] for f in review["findings"] if f["rule"] == "personal_data"]
    assert "j.jan\u200bsen@gmail.com" in mails and "06-123\u00ad45678" in mails


def test_review_offsets_slice_the_draft_as_given_with_invisible_characters(run_cli, tmp_path):
    """The edge used to strip zero-width characters before the core, so every
    offset after one pointed into another text than the caller's."""
    _offsets_slice(INVISIBLE_DRAFT, json.loads(run_cli("review", "--json", "-", stdin=INVISIBLE_DRAFT).stdout))
    draft = tmp_path / "draft.txt"
    draft.write_text(INVISIBLE_DRAFT, encoding="utf-8")
    _offsets_slice(INVISIBLE_DRAFT, json.loads(run_cli("review", "--json", "--file", str(draft)).stdout))
    lines = json.dumps({"text": INVISIBLE_DRAFT}) + "\n" + json.dumps({"text": INVISIBLE_DRAFT}, ensure_ascii=False)
    done = run_cli("review", "--json", "--batch", "-", stdin=lines.encode())
    for line in done.stdout.strip().splitlines():
        _offsets_slice(INVISIBLE_DRAFT, json.loads(line))


@pytest.mark.parametrize("stdin, message", [
    (b"", "the draft is empty"),
    (b"  \n\t ", "the draft is empty"),
    ("\u200b\u200e\u00ad\n".encode(), "the draft is empty"),
    (("x" * 40_001).encode(), "40,000"),
])
def test_review_bad_input_exits_2(run_cli, stdin, message):
    done = run_cli("review", "--json", "-", stdin=stdin)
    assert done.exit_code == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_binary_or_garbled_input_never_crashes(env):
    """A real process: bytes that are not text on the real stdin."""
    garbage = bytes(range(256)) * 20 + "Zie mijn foto 🎉\x00\x01 é".encode("latin-1", "replace")
    done = run(env, "review", "--json", "-", stdin=garbage)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] in ("ok", "caution", "do_not_post")
