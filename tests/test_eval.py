"""`socialpolicy eval` and `bench`: the metric computations on hand-made
examples, the thresholds logic, the baseline's chunk judge and builder, the
measurement helpers, the Slack load-test harness against a stub server, and
`socialpolicy eval --json` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from bot.core.models import Answer, Citation, Finding, OrganisationInfo, Review
from bot.evaluation import evaluate as ev

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "bot.cli"]   # this checkout's code (the console script may be another's)

ORGS = {
    "leiden": OrganisationInfo("leiden", "Universiteit Leiden", "Leiden University", "Richtlijnen",
                               "CAO Nederlandse Universiteiten", "nl", "en"),
    "rocwb": OrganisationInfo("rocwb", "ROC West-Brabant", "ROC West-Brabant", "Gebruikscode", None, "nl", "en"),
}


def cite(org: str, section: str, quote: str = "", cao=(), with_org: bool = True) -> Citation:
    name = ORGS[org].organisation
    return Citation(name, "doc", section, quote, tuple(cao), 0.9, org=org if with_org else "")


def answer(*citations, abstained: bool = False, language: str = "en") -> Answer:
    return Answer("q", language, abstained, "…", tuple(citations))


class FakeAssistant:
    """Answers from a table, by question text."""

    def __init__(self, answers: dict | None = None, reviews: dict | None = None):
        self.answers = answers or {}
        self.reviews = reviews or {}
        self.organisations = ORGS
        self.reviewer = object() if reviews is not None else None
        self.calls = []

    def ask(self, question, org=None):
        self.calls.append((question, org))
        result = self.answers[question]
        if isinstance(result, Exception):
            raise result
        return result

    def review(self, text, org=None):
        return self.reviews[text]


@pytest.fixture(scope="module")
def commentary():
    return ev.CommentaryIndex.from_knowledge(REPO / "knowledge")


# --------------------------------------------------------------------------- helpers

def test_percentile_interpolates_like_numpy():
    data = list(range(1, 101))
    assert ev.percentile(data, 50) == pytest.approx(50.5)
    assert ev.percentile(data, 95) == pytest.approx(95.05)
    assert ev.percentile(data, 100) == 100
    assert ev.percentile([7.0], 95) == 7.0
    assert ev.percentile([], 50) is None
    assert ev.percentile([3, 1, 2], 50) == 2  # unsorted input


def test_latency_summary_is_in_milliseconds():
    s = ev.latency_summary([0.010, 0.020, 0.030])
    assert s == {"n": 3, "p50_ms": 20.0, "p95_ms": pytest.approx(29.0), "max_ms": 30.0}
    assert ev.latency_summary([]) == {"n": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}


def test_commentary_index_flags_blog_text_and_never_policy(commentary):
    # commentary: the Erwin Blom piece, the reader comment, the blog framing
    assert commentary.is_commentary("Onthul alle informatie die nodig is om zoveel mogelijk nieuwe kennis los te maken.")
    assert commentary.is_commentary("handig je do's en don'ts kan voor elke werknemer van een bedrijf van toepassing zijn.")
    assert commentary.is_commentary("BeantwoordenVerwijderen")
    assert commentary.is_commentary(
        "Op Dé Managementconferentie in Domburg raakte ik aan de praat met Rob Franken, bestuursvoorzitter")
    # a fragment of six words from the blog is enough
    assert commentary.is_commentary("… leek het me beter de tekst aan te bieden bij mbo.kennisnet.nl")
    # policy, including ROC's own code and the CAO footnotes, is not commentary
    assert not commentary.is_commentary("Citeer geen collega’s, studenten of relaties zonder hun toestemming.")
    assert not commentary.is_commentary("Het gebruik van social media heeft de laatste jaren een enorme vlucht genomen "
                                        "en is nog altijd groeiende.")
    assert not commentary.is_commentary("Verspreid geen informatie of foto's over individuen zonder toestemming te vragen.")
    assert not commentary.is_commentary("")


# --------------------------------------------------------------------------- ask metrics

QUESTIONS = [
    {"id": "en01", "language": "en", "question": "photo?", "org": None, "cao": [], "out_of_scope": False,
     "expect": [{"org": "leiden", "section": "Behoud Privacy"}]},
    {"id": "en02", "language": "en", "question": "secret?", "org": "leiden", "out_of_scope": False,
     "cao": ["CAO-NU art. 1.16 lid 1"],
     "expect": [{"org": "leiden", "section": "Do's", "quote_contains": "Publiceer  geen vertrouwelijke"}]},
    {"id": "nl01", "language": "nl", "question": "logo?", "org": "rocwb", "cao": [], "out_of_scope": False,
     "expect": [{"org": "rocwb", "section": "7. Don’ts", "quote_contains": "logo"}]},
    {"id": "nl02", "language": "nl", "question": "fiets?", "org": None, "cao": [], "out_of_scope": False,
     "expect": [{"org": "rocwb", "section": "Marktplaats"}]},
    {"id": "en03", "language": "en", "question": "parking?", "org": None, "out_of_scope": True, "expect": [], "cao": []},
    {"id": "nl03", "language": "nl", "question": "vakantie?", "org": None, "out_of_scope": True, "expect": [], "cao": []},
    {"id": "en04", "language": "en", "question": "boom", "org": None, "cao": [], "out_of_scope": False,
     "expect": [{"org": "leiden", "section": "Logo"}]},
]


def fake_answers():
    return {
        # hit at 1, by org id
        "photo?": answer(cite("leiden", "Behoud Privacy", "Verspreid geen foto's")),
        # hit at 2 only (quote_contains matched after whitespace normalisation), CAO cited by a sibling
        "secret?": answer(cite("leiden", "Behoud vertrouwelijkheid", "x", cao=["CAO-NU art. 1.16 lid 1"]),
                          cite("leiden", "Do's", "Publiceer geen\nvertrouwelijke informatie")),
        # right section, wrong sentence, then the right one at 3; org from the organisation name only
        "logo?": answer(cite("rocwb", "7. Don’ts", "Citeer geen collega’s", with_org=False),
                        cite("rocwb", "6. Do’s", "Wees jezelf", with_org=False),
                        cite("rocwb", "7. Don’ts", "Plaats geen logo als profielfoto", with_org=False),
                        language="nl"),
        # a false abstention
        "fiets?": answer(abstained=True, language="nl"),
        # out of scope: abstains / does not abstain and cites commentary
        "parking?": answer(abstained=True),
        "vakantie?": answer(cite("rocwb", "Blog", "Onthul alle informatie die nodig is"), language="en"),
        "boom": ValueError("engine exploded"),
    }


def test_evaluate_ask_per_question_results(commentary):
    report = ev.evaluate_ask(FakeAssistant(fake_answers()), QUESTIONS, commentary)
    r = {x.id: x for x in report.results}
    assert (r["en01"].hit_at_1, r["en01"].hit_at_3, r["en01"].cao_ok) == (True, True, None)
    assert (r["en02"].hit_at_1, r["en02"].hit_at_3, r["en02"].cao_ok) == (False, True, True)
    assert (r["nl01"].hit_at_1, r["nl01"].hit_at_3) == (False, True)
    assert r["nl01"].citations[0] == "rocwb: 7. Don’ts"
    assert (r["nl02"].abstained, r["nl02"].hit_at_3) == (True, False)
    assert r["en03"].abstained and r["en03"].hit_at_3 is None
    assert not r["nl03"].abstained and r["nl03"].commentary_cited == 1
    assert r["nl03"].answer_language == "en"
    assert r["en04"].error == "ValueError: engine exploded" and r["en04"].hit_at_3 is False


def test_evaluate_ask_aggregates(commentary):
    s = ev.evaluate_ask(FakeAssistant(fake_answers()), QUESTIONS, commentary).summary()
    assert s["in_scope"] == {"en": 3, "nl": 2, "all": 5}
    assert s["recall_at_1"] == {"en": pytest.approx(1 / 3, abs=1e-4), "nl": 0.0, "all": 0.2}
    assert s["recall_at_3"] == {"en": pytest.approx(2 / 3, abs=1e-4), "nl": 0.5, "all": 0.6}
    assert s["cao_questions"] == 1 and s["cao_accuracy"] == 1.0
    assert s["out_of_scope_abstention"] == 0.5 and s["not_abstained"] == ["nl03"]
    assert s["false_abstentions"] == 1 and s["false_abstention_rate"] == 0.2
    assert s["commentary_citations"] == 1
    assert s["language_mismatches"] == 1
    assert s["errors"] == 1
    assert s["misses_at_3"] == ["nl02", "en04"]


def test_cao_needs_every_expected_article(commentary):
    q = dict(QUESTIONS[1], cao=["CAO-NU art. 1.16 lid 1", "CAO-NU art. 1.8 lid 2"])
    report = ev.evaluate_ask(FakeAssistant(fake_answers()), [q], commentary)
    assert report.results[0].cao_ok is False
    assert report.summary()["cao_accuracy"] == 0.0


def test_scoped_questions_are_asked_with_their_org(commentary):
    fake = FakeAssistant(fake_answers())
    ev.evaluate_ask(fake, QUESTIONS[:3], commentary)
    assert fake.calls == [("photo?", None), ("secret?", "leiden"), ("logo?", "rocwb")]


def test_load_questions_fills_defaults_and_rejects_bad_sets(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump([
        {"id": "a", "language": "en", "question": "q?", "expect": [{"org": "leiden", "section": "S"}]},
        {"id": "b", "language": "nl", "question": "v?", "out_of_scope": True},
    ]))
    qs = ev.load_questions(path)
    assert qs[0]["org"] is None and qs[0]["cao"] == [] and qs[0]["out_of_scope"] is False
    assert qs[1]["expect"] == []
    path.write_text(yaml.safe_dump([{"id": "a", "question": "q?"}, {"id": "a", "question": "r?"}]))
    with pytest.raises(ev.GoldenSetError, match="duplicate"):
        ev.load_questions(path)
    path.write_text(yaml.safe_dump([{"id": "a", "question": "q?"}]))
    with pytest.raises(ev.GoldenSetError, match="needs 'expect'"):
        ev.load_questions(path)


def test_real_golden_questions_load():
    qs = ev.load_questions()
    assert {q["language"] for q in qs} == {"en", "nl"}
    assert any(q["out_of_scope"] for q in qs) and any(q["cao"] for q in qs)


# --------------------------------------------------------------------------- review metrics

def finding(rule: str, severity: str, quote: str = "Citeer geen collega’s") -> Finding:
    return Finding(rule, severity, 0, 1, "x", "m", "s", (cite("rocwb", "7. Don’ts", quote),))


DRAFTS = [
    {"id": "d1", "language": "nl", "org": None, "text": "t1", "expect": ["privacy", "confidential"],
     "forbid_medium_high": [], "clean": False},
    {"id": "d2", "language": "en", "org": "leiden", "text": "t2", "expect": ["privacy"],
     "forbid_medium_high": ["emotional"], "clean": False},
    {"id": "d3", "language": "nl", "org": None, "text": "t3", "expect": [],
     "forbid_medium_high": ["offensive"], "clean": True},
    {"id": "d4", "language": "en", "org": None, "text": "t4", "expect": [], "forbid_medium_high": [], "clean": True},
]


def fake_reviews():
    return {
        "t1": Review("do_not_post", "nl", (finding("privacy", "high"), finding("privacy", "medium")), ()),
        "t2": Review("caution", "en", (finding("privacy", "medium"), finding("emotional", "medium")), ()),
        # a low finding on a clean draft is no false alarm; the related citation is commentary
        "t3": Review("ok", "nl", (finding("offensive", "low"),),
                     (cite("rocwb", "Blog", "BeantwoordenVerwijderen"),)),
        "t4": Review("caution", "en", (finding("advertising", "medium"), finding("privacy", "high")), ()),
    }


def test_evaluate_review_per_rule_precision_and_recall(commentary):
    s = ev.evaluate_review(FakeAssistant(reviews=fake_reviews()), DRAFTS, commentary).summary()
    privacy = s["per_rule"]["privacy"]
    # predicted on d1, d2, d4; expected on d1, d2
    assert (privacy["predicted"], privacy["expected"], privacy["true_positives"]) == (3, 2, 2)
    assert privacy["precision"] == pytest.approx(0.6667, abs=1e-4) and privacy["recall"] == 1.0
    assert privacy["unexpected"] == ["d4"]
    confidential = s["per_rule"]["confidential"]
    assert confidential["precision"] is None and confidential["recall"] == 0.0 and confidential["missed"] == ["d1"]
    assert s["per_rule"]["emotional"]["precision"] == 0.0
    # micro: tp = privacy 2; predicted = 3 + 1 (emotional) + 1 (offensive) + 1 (advertising); expected = 3
    assert s["precision"] == pytest.approx(2 / 6, abs=1e-4) and s["recall"] == pytest.approx(2 / 3, abs=1e-4)


def test_evaluate_review_false_alarms_forbidden_and_verdicts(commentary):
    s = ev.evaluate_review(FakeAssistant(reviews=fake_reviews()), DRAFTS, commentary).summary()
    assert s["clean_drafts"] == 2
    assert s["clean_false_alarms"] == 2 and s["clean_drafts_with_alarms"] == ["d4"]
    assert s["forbidden_medium_high"] == 1 and s["forbidden_hits"] == {"d2": ["emotional"]}
    assert s["verdicts"]["all"] == {"do_not_post": 1, "caution": 2, "ok": 1}
    assert s["verdicts"]["clean"] == {"ok": 1, "caution": 1}
    assert s["commentary_citations"] == 1


# --------------------------------------------------------------------------- thresholds

SUMMARY = {"ask": {"recall_at_3": {"en": 0.96, "nl": 0.9, "all": 0.93}, "commentary_citations": 0,
                   "cao_accuracy": None},
           "review": {"skipped": "no drafts"}}


def test_thresholds_min_max_and_wildcards():
    checks = ev.check_thresholds(SUMMARY, [{"metric": "ask.recall_at_3.*", "min": 0.95},
                                           {"metric": "ask.commentary_citations", "max": 0}])
    assert [(c.metric, c.ok) for c in checks] == [
        ("ask.recall_at_3.en", True), ("ask.recall_at_3.nl", False), ("ask.recall_at_3.all", False),
        ("ask.commentary_citations", True)]
    assert "needs ≥ 0.95" in checks[1].describe()


def test_unmeasured_metrics_fail_unless_optional():
    checks = ev.check_thresholds(SUMMARY, [{"metric": "review.recall", "min": 0.9},
                                           {"metric": "ask.cao_accuracy", "min": 0.9},
                                           {"metric": "ask_holdout.recall_at_3.*", "min": 0.75, "optional": True}])
    assert [(c.metric, c.ok, c.note) for c in checks] == [
        ("review.recall", False, "not measured"), ("ask.cao_accuracy", False, "not measured (no data)")]


def test_shipped_thresholds_file_is_valid():
    items = ev.load_thresholds(ev.DEFAULT_THRESHOLDS)
    metrics = {t["metric"] for t in items}
    assert {"ask.recall_at_3.*", "ask.out_of_scope_abstention", "ask.commentary_citations", "ask.cao_accuracy",
            "review.recall", "review.clean_false_alarms"} <= metrics


def test_run_evaluation_with_fakes_and_skipped_review(commentary):
    result = ev.run_evaluation(FakeAssistant(fake_answers()), QUESTIONS[:1], None,
                               [{"metric": "ask.recall_at_3.en", "min": 1.0}], commentary,
                               review_skip_reason="no golden drafts")
    assert result["review"] == {"skipped": "no golden drafts"}
    assert result["thresholds"]["passed"] is True
    json.dumps(result)  # JSON-ready


def test_the_draft_banks_bars_are_checked(commentary):
    bars = [{"metric": "review_bank.test.verdict_accuracy", "min": 0.88, "optional": True},
            {"metric": "review_bank.test.clean_false_alarms", "max": 7, "optional": True}]
    low = ev.run_evaluation(FakeAssistant(fake_answers()), None, None, bars, commentary,
                            review_bank={"test": {"verdict_accuracy": 0.8, "clean_false_alarms": 3}})
    assert low["thresholds"]["passed"] is False
    assert [c["metric"] for c in low["thresholds"]["checks"] if not c["ok"]] == ["review_bank.test.verdict_accuracy"]
    high = ev.run_evaluation(FakeAssistant(fake_answers()), None, None, bars, commentary,
                             review_bank={"test": {"verdict_accuracy": 0.9, "clean_false_alarms": 3}})
    assert high["thresholds"]["passed"] is True and len(high["thresholds"]["checks"]) == 2


# --------------------------------------------------------------------------- baseline

def test_baseline_chunk_judge():
    from bot.evaluation.baseline import SectionText, chunk_hits

    sections = {("leiden", "Behoud Privacy"): SectionText("leiden", "Behoud Privacy", (
        "Verspreid geen informatie of foto's over individuen zonder toestemming te vragen.",))}
    heading = {"org": "leiden", "section": "Behoud Privacy"}
    assert chunk_hits("… Behoud\nPrivacy\nVerspreid …", "leiden", heading, sections)            # heading
    assert chunk_hits("Verspreid geen informatie of foto's over  individuen zonder toestemming te vragen. Deel",
                      "leiden", heading, sections)                                                # body only
    assert not chunk_hits("Behoud Privacy", "rocwb", heading, sections)                           # other org
    assert not chunk_hits("Verspreid geen informatie", "leiden", heading, sections)               # half a sentence
    quote = {"org": "leiden", "section": "Behoud Privacy", "quote_contains": "foto's over individuen"}
    assert chunk_hits("geen informatie of foto's over\nindividuen", "leiden", quote, sections)
    assert not chunk_hits("Behoud Privacy", "leiden", quote, sections)  # with a quote, the heading is not enough


def test_baseline_builds_and_retrieves(tmp_path):
    from bot.evaluation.baseline import CHUNK_SIZE, baseline_hit, build_baseline, section_index

    baseline, report = build_baseline(tmp_path / "chroma", REPO / "knowledge")
    assert report.documents == 2 and report.chunks == baseline.count() > 20
    chunks = baseline.search("Can I share photos of individuals without their consent?")
    assert len(chunks) == 3 and all(len(c.page_content) <= CHUNK_SIZE for c in chunks)
    scoped = baseline.search("Mag ik een logo als profielfoto gebruiken?", org="rocwb")
    assert {c.metadata["org"] for c in scoped} == {"rocwb"}
    sections = section_index(REPO / "knowledge")
    assert ("leiden", "Behoud Privacy") in sections
    expect = [{"org": "rocwb", "section": "7. Don’ts", "quote_contains": "Plaats geen logo als profielfoto"}]
    assert isinstance(baseline_hit(scoped, expect, 3, sections), bool)


# --------------------------------------------------------------------------- bench helpers

def test_rss_helpers():
    from bot.evaluation import bench

    assert bench.vm_hwm_mb() > 10
    assert bench.peak_rss_mb() > 10
    assert bench.ru_maxrss_mb(2048) == (2.0 if sys.platform != "darwin" else 0.0)


def test_time_to_first_line_measures_a_child():
    from bot.evaluation.bench import time_to_first_line

    script = "import time; x = b'x' * (60 * 1024 * 1024); print('answer', flush=True); time.sleep(0.3)"
    r = time_to_first_line([sys.executable, "-c", script], dict(os.environ))
    assert r["ok"] and r["first_line"] == "answer"
    assert 0 < r["first_answer_s"] < r["exit_s"]
    assert r["peak_rss_mb"] > 60  # the child's own peak, via os.wait4


def test_synthetic_text_is_deterministic_and_sized():
    from bot.evaluation.bench import make_draft, synthetic_chunks

    for size in (200, 2_000, 20_000):
        assert len(make_draft(size)) == size
    assert make_draft(2_000, 1) == make_draft(2_000, 1) != make_draft(2_000, 2)
    chunks = synthetic_chunks(50, ["Publiceer geen vertrouwelijke informatie.", "Wees jezelf op social media."])
    assert len(chunks) == 50 and chunks == synthetic_chunks(50, ["Publiceer geen vertrouwelijke informatie.",
                                                                 "Wees jezelf op social media."])


def test_scale_worker_in_its_own_process(tmp_path):
    """run_worker: a fresh interpreter, JSON back, the child's own peak RSS;
    the scale worker embeds within its budget and synthesises the rest."""
    from bot.evaluation.bench import _worker_env, run_worker
    from bot.settings import Settings

    env = _worker_env(Settings(knowledge_dir=REPO / "knowledge"), tmp_path / "data")
    r = run_worker("scale", {"n": 300, "embed_budget_s": 1, "batch": 16, "store_dir": str(tmp_path / "scale"),
                             "passes": 1}, env, 600, tmp_path)
    assert r["count_in_store"] == r["chunks"] == 300
    assert r["embedded_with_model"] >= 16 and r["embedded_with_model"] + r["synthesised_vectors"] == 300
    assert r["embed_chunks_per_s"] > 0 and r["query_full"]["n"] == len(ev.load_questions())
    assert r["query_full"]["p95_ms"] >= r["query_dense"]["p50_ms"] > 0
    assert r["peak_rss_mb"] > 50 and r["process"]["ru_maxrss_mb"] > 50


def test_bench_workers_serve_from_this_checkouts_cache(tmp_path, monkeypatch):
    """Warm means warm: a worker links the caller's fitted router and review
    classifier (as a server links the image's) into its own cache, instead of
    training for minutes inside the measurements."""
    from bot.evaluation.bench import _worker_env
    from bot.settings import Settings

    monkeypatch.setenv("SOCIALPOLICY_CACHE_DIR", str(tmp_path / "mine"))
    env = _worker_env(Settings(knowledge_dir=REPO / "knowledge"), tmp_path / "data")
    assert env["SOCIALPOLICY_PREBUILT_CACHE_DIR"] == str(tmp_path / "mine")
    assert "SOCIALPOLICY_CACHE_DIR" not in env and env["SOCIALPOLICY_DATA_DIR"] == str(tmp_path / "data")


def test_bench_builds_the_cache_its_workers_link(assistant, settings, tmp_path):
    """Before any worker starts, the bench builds this checkout's cache, so a
    worker never trains inside the measurements of serving. Here a linked
    copy of the session's cache without its cue digest: the build writes the
    digest into that directory and loads the trained model it then finds
    (training would write another, and take minutes)."""
    import shutil

    from bot.evaluation.bench import prebuild

    cache = tmp_path / "cache"
    shutil.copytree(settings.cache_dir, cache, copy_function=os.link)
    for digest in cache.glob("review-cues-*.txt"):
        digest.unlink()
    models = sorted(cache.glob("review-model-*.pkl"))
    assert models

    report = prebuild(settings.model_copy(update={"cache_dir_override": cache}), timeout_s=240)
    assert report["cache_dir"] == str(cache) and report["seconds"] > 0
    assert list(cache.glob("review-cues-*.txt"))
    assert sorted(cache.glob("review-model-*.pkl")) == models


def test_a_bench_prebuild_that_fails_says_why(tmp_path):
    from bot.evaluation.bench import prebuild
    from bot.settings import Settings

    with pytest.raises(RuntimeError, match="no documents folder"):
        prebuild(Settings(knowledge_dir=tmp_path / "missing", cache_dir=tmp_path / "cache"), timeout_s=120)


def test_the_adversarial_drafts_are_as_long_as_a_draft_may_be_and_all_different():
    from bot.core.review.engine import MAX_DRAFT_CHARS
    from bot.evaluation.adversarial import DRAFTS

    texts = [make() for make in DRAFTS.values()]
    assert len(texts) >= 8 and len(set(texts)) == len(texts)
    assert all(len(t) == MAX_DRAFT_CHARS for t in texts)
    assert texts == [make() for make in DRAFTS.values()]     # deterministic, so runs compare


def test_the_bench_times_every_adversarial_draft_and_keeps_going_after_a_failure():
    from bot.evaluation.adversarial import DRAFTS
    from bot.evaluation.bench import _adversarial_reviews

    class Verdict:
        verdict = "ok"

    class Reviewing:
        def __init__(self):
            self.seen = []

        def review(self, text):
            self.seen.append(text)
            if len(self.seen) == 2:
                raise ValueError("this one is rejected")
            return Verdict()

    reviewing = Reviewing()
    report = _adversarial_reviews(reviewing)
    assert len(reviewing.seen) == len(DRAFTS) and report["errors"] == 1
    failed = report["drafts"][list(DRAFTS)[1]]
    assert failed["error"] == "ValueError: this one is rejected" and "seconds" not in failed
    assert report["max_s"] == max(d["seconds"] for d in report["drafts"].values() if "seconds" in d)


def test_bench_targets_are_judged():
    from bot.evaluation.bench import evaluate_targets

    results = {
        "socialpolicy": {"ask_latency": {"p95_ms": 80.0}, "cold_start": {"median_s": 6.0}, "peak_rss_max_mb": 300,
                         "quality": {"recall_at_3": {"en": 1.0, "nl": 0.95}},
                         "review_latency": {"2000": {"p95_ms": 117.0}},
                         "review_adversarial": {"max_s": 0.26, "errors": 0}},
        "baseline": {"quality": {"recall_at_3": {"en": 0.6, "nl": 0.9}}},
        "scale": {"chunks": 10_000, "query_full": {"p95_ms": 120.0}},
    }
    met = {t["name"].split(" (")[0].split(":")[0]: t["met"] for t in evaluate_targets(results)}
    assert met["warm ask p95"] is True and met["cold start, process start to first answer"] is False
    assert met["recall@3 en"] is True and met["recall@3 nl"] is False  # +0.05 is not "clearly above"
    assert met["10000-chunk store query p95"] is True
    assert met["review p95, 2,000-character drafts, warm"] is False
    assert met["review, 40,000-character adversarial drafts, slowest"] is True
    results["socialpolicy"]["review_adversarial"]["errors"] = 1     # fast, but one draft failed: not met
    met = {t["name"].split(" (")[0]: t["met"] for t in evaluate_targets(results)}
    assert met["review, 40,000-character adversarial drafts, slowest"] is False


# --------------------------------------------------------------------------- load test harness

STUB_SLACK_SERVER = textwrap.dedent(r"""
    import asyncio, hashlib, hmac, os, sys
    from urllib.parse import parse_qs
    from aiohttp import ClientSession, web

    SECRET = os.environ["SLACK_SIGNING_SECRET"]
    API = os.environ["SLACK_API_URL"]

    async def events(request):
        body = await request.text()
        ts = request.headers["X-Slack-Request-Timestamp"]
        good = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, request.headers.get("X-Slack-Signature", "")):
            return web.Response(status=401)
        form = {k: v[0] for k, v in parse_qs(body).items()}

        async def answer():
            await asyncio.sleep(0.05)
            async with ClientSession() as s:
                await s.post(form["response_url"], json={"text": "answer to " + form["text"]})
        asyncio.get_running_loop().create_task(answer())
        return web.Response(text="")

    async def main():
        async with ClientSession() as s:
            await s.post(API + "auth.test", data={"token": os.environ["SLACK_BOT_TOKEN"]})
        app = web.Application()
        app.router.add_post("/slack/events", events)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", int(sys.argv[1])).start()
        await asyncio.Event().wait()

    asyncio.run(main())
""")


def test_loadtest_harness_against_a_stub_slack_server(tmp_path):
    from bot.evaluation.loadtest import run_loadtest

    report = run_loadtest(command=[sys.executable, "-c", STUB_SLACK_SERVER, "{port}"], requests=30, clients=5,
                          questions=["Mag ik dit posten?", "Can I post this?"], start_timeout=30,
                          answer_timeout=30, deadline_s=30, workdir=tmp_path)
    assert report["requests"] == 30 and report["acked"] == 30 and report["ack_status"] == {"200": 30}
    assert report["all_acks_under_3s"] and report["all_answered"] and report["answered"] == 30
    assert report["deliveries"] == {"response_url": 30}
    assert report["api_calls"] == {"auth.test": 1}
    assert report["ack"]["p95_ms"] < 3000 and report["answer"]["p50_ms"] >= 50
    assert report["server_peak_rss_mb"] > 0


def test_slack_signature_matches_slack_sdk():
    from slack_sdk.signature import SignatureVerifier

    from bot.evaluation.loadtest import sign, slash_command_body

    body = slash_command_body(7, "Mag ik dit posten?", "http://127.0.0.1:1/response/7")
    ts = str(int(__import__("time").time()))
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid(body, ts, sign("s3cret", ts, body))
    assert "channel_id=CLOAD00007" in body and "command=%2Fsocialpolicy" in body


# --------------------------------------------------------------------------- the command, end to end

@pytest.fixture(scope="module")
def eval_env(ingested_template, tmp_path_factory):
    # The question and draft banks are measured by the CI eval gate (.ci/run);
    # here the command's contract is tested on the golden sets, on a copy of
    # the session's ingested store.
    import shutil

    data = tmp_path_factory.mktemp("eval-data") / "data"
    shutil.copytree(ingested_template, data)
    env = {**os.environ, "SOCIALPOLICY_DATA_DIR": str(data),
           "HF_HUB_OFFLINE": "1", "SOCIALPOLICY_LOG_LEVEL": "WARNING", "SOCIALPOLICY_EVAL_BANKS": "none"}
    for name in ("CHROMA_HOST", "DATABASE_URL", "SOCIALPOLICY_EVAL_THRESHOLDS", "SOCIALPOLICY_EVAL_QUESTIONS",
                 "SOCIALPOLICY_EVAL_DRAFTS", "SOCIALPOLICY_EVAL_HOLDOUT", "SOCIALPOLICY_ORG"):
        env.pop(name, None)
    return env


def run_eval_cli(env, **extra):
    return subprocess.run([*CLI, "eval", "--json"], cwd=REPO, env={**env, **extra}, capture_output=True, text=True,
                          timeout=1500)


@pytest.mark.timeout(1800)
def test_eval_json_on_the_golden_sets(eval_env):
    done = run_eval_cli(eval_env)
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    ask = result["ask"]
    for key in ("recall_at_1", "recall_at_3"):
        assert set(ask[key]) >= {"en", "nl", "all"}
    for key in ("cao_accuracy", "out_of_scope_abstention", "false_abstentions", "commentary_citations", "latency"):
        assert key in ask
    row = ask["results"][0]
    assert {"id", "language", "hit_at_1", "hit_at_3", "cao_ok", "abstained", "out_of_scope",
            "commentary_cited"} <= set(row)
    assert len(ask["results"]) == len(ev.load_questions())
    review = result["review"]
    if "skipped" not in review:
        assert {"per_rule", "precision", "recall", "clean_false_alarms", "verdicts"} <= set(review)
        assert len(review["results"]) == len(ev.load_drafts())
    thresholds = result["thresholds"]
    # The exit code is exactly "were the thresholds met", and failures are named.
    assert done.returncode == (0 if thresholds["passed"] else 1) == result["exit_code"]
    assert thresholds["passed"] == all(c["ok"] for c in thresholds["checks"])
    for line in thresholds["failed"]:
        assert f"threshold failed: {line}" in done.stderr


SMALL_QUESTIONS = [
    {"id": "en01", "language": "en", "question": "Can I post a photo of my students from today's lecture?",
     "org": None, "expect": [{"org": "leiden", "section": "Behoud Privacy"}], "cao": []},
    {"id": "en02", "language": "en", "question": "How many vacation days do I get per year?", "org": None,
     "out_of_scope": True},
]


@pytest.mark.timeout(900)
def test_eval_exit_code_follows_the_thresholds_file(eval_env, tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text(yaml.safe_dump(SMALL_QUESTIONS), encoding="utf-8")
    small = {"SOCIALPOLICY_EVAL_QUESTIONS": str(questions), "SOCIALPOLICY_EVAL_HOLDOUT": "none",
             "SOCIALPOLICY_EVAL_DRAFTS": str(tmp_path / "no-drafts.yaml")}
    impossible = tmp_path / "impossible.yaml"
    impossible.write_text(yaml.safe_dump({"thresholds": [
        {"metric": "ask.recall_at_3.*", "min": 1.01},
        {"metric": "ask.commentary_citations", "max": -1},
    ]}), encoding="utf-8")
    done = run_eval_cli(eval_env, SOCIALPOLICY_EVAL_THRESHOLDS=str(impossible), **small)
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["review"] == {"skipped": f"no golden drafts at {tmp_path / 'no-drafts.yaml'}"}
    assert "ask_holdout" not in result
    failed = result["thresholds"]["failed"]
    assert any(f.startswith("ask.recall_at_3.en = ") and "needs ≥ 1.01" in f for f in failed)
    assert any(f.startswith("ask.commentary_citations = 0") for f in failed)
    assert "threshold failed: ask.recall_at_3.en" in done.stderr

    trivial = tmp_path / "trivial.yaml"
    trivial.write_text(yaml.safe_dump({"thresholds": [{"metric": "ask.recall_at_3.en", "min": 0.0},
                                                       {"metric": "ask.commentary_citations", "max": 0}]}))
    done = run_eval_cli(eval_env, SOCIALPOLICY_EVAL_THRESHOLDS=str(trivial), **small)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["thresholds"]["passed"] is True

    broken = tmp_path / "broken.yaml"
    broken.write_text("thresholds: [{min: 1}]\n")
    done = run_eval_cli(eval_env, SOCIALPOLICY_EVAL_THRESHOLDS=str(broken), **small)
    assert done.returncode == 2 and "each threshold needs 'metric'" in done.stderr
