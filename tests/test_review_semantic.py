"""The review's semantic layer with fakes of the core's ports (a deterministic
bag-of-words embedder): training from a small bank, thresholds by
cross-validation, merging with the patterns, confidence in the JSON,
segmenting, the bank parser and the bank scorer. Fast: no model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.core.catalogue import Catalogue
from bot.core.review import RULE_IDS, Reviewer
from bot.core.review.bank import BankError, parse_bank
from bot.core.review.engine import DISMISS_BELOW, merge_semantic
from bot.core.review.rules import Hit
from bot.core.review.segments import segments
from bot.core.review.layer import SemanticLayer
from bot.core.review.semantic import SemanticHit, bank_fingerprint, train
from bot.evaluation.review_eval import score_bank
from bot.infra.vector_cache import CachedVectors
from tests.fakes import FakeEmbedder

REPO = Path(__file__).resolve().parent.parent

# A small synthetic bank: referral links are advertising, "hearing that" rumours
# are accuracy; clean drafts talk about the same things without the problem.
FILLER = ["Great week with the team.", "Lots of coffee and good talks.", "Fijne dag allemaal.",
          "Tomorrow we continue with the next block.", "Thanks to everyone who joined."]
ADVERTS = ["via my personal link you get the first month free", "use my referral link for a free month of the app",
           "met mijn persoonlijke link krijg je de eerste maand gratis", "sign up via my link and we both get a discount",
           "click my affiliate link for a free trial month", "mijn link in bio geeft je een maand gratis"]
RUMOURS = ["hearing from several people that the campus will close", "dat hoor je overal, de opleiding stopt",
           "people keep telling me the department is shutting down", "word is the programme will be cancelled",
           "iedereen zegt dat de locatie dichtgaat", "several colleagues say the faculty is closing next year"]
CLEAN = ["Read the official announcement on the university website.", "The new course starts in September.",
         "Congratulations to Sanne, who agreed to share her award.", "Our open day was a great success.",
         "De nieuwe cursus begint in september.", "Lees het persbericht op de website van de universiteit."]


def _bank_yaml() -> dict:
    drafts = []
    n = 0
    for rule, spans in (("advertising", ADVERTS), ("accuracy", RUMOURS)):
        for i, span in enumerate(spans):
            n += 1
            text = f"{FILLER[i % 5]} {span}. {FILLER[(i + 2) % 5]}"
            drafts.append({"id": f"t{n}", "text": text, "verdict": "caution", "clean": False,
                           "findings": [{"rule": rule, "span": span, "severity": "medium"}]})
    for i, text in enumerate(CLEAN * 2):
        n += 1
        drafts.append({"id": f"t{n}", "text": f"{text} {FILLER[i % 5]}", "findings": [], "verdict": "ok",
                       "clean": True})
    return {"split": "dev", "drafts": drafts}


@pytest.fixture(scope="module")
def catalogue():
    from bot.container import load_organisations
    from ingest.documents import load_knowledge

    knowledge = REPO / "knowledge"
    return Catalogue(load_knowledge(knowledge).passages, load_organisations(knowledge))


@pytest.fixture(scope="module")
def bank():
    return parse_bank(_bank_yaml(), RULE_IDS)


@pytest.fixture(scope="module")
def embedder():
    return FakeEmbedder()


@pytest.fixture(scope="module")
def model(bank, embedder, catalogue):
    embed = lambda texts: np.array(embedder.embed_documents(list(texts)))  # noqa: E731
    return train(bank, RULE_IDS, embed, embedder.name, Reviewer._hits, Reviewer(catalogue).institutions)


def test_the_bank_parser_checks_spans_and_rules():
    data = _bank_yaml()
    assert len(parse_bank(data, RULE_IDS)) == len(data["drafts"])
    bad = {"drafts": [{"id": "x", "text": "hello there", "findings": [{"rule": "privacy", "span": "absent"}]}]}
    with pytest.raises(BankError):
        parse_bank(bad, RULE_IDS)
    unknown = {"drafts": [{"id": "x", "text": "hello", "findings": [{"rule": "gossip", "span": "hello"}]}]}
    with pytest.raises(BankError):
        parse_bank(unknown, RULE_IDS)


def test_segments_cover_sentences_and_cut_long_ones():
    text = "Hoi! " + "Dit is een zin over de open dag, met koffie en taart en heel veel bezoekers " * 8 + ". Klaar."
    segs = segments(text)
    assert all(s.end - s.start <= 260 for s in segs)
    assert all(text[s.start:s.end] == s.text for s in segs)
    assert segs[0].start == 0  # "Hoi!" is joined to a neighbour, not lost
    assert len(segments("x" * 40_000)) <= 400


def test_training_learns_thresholds_and_positives(model):
    assert model.info["positives"]["advertising"] >= 6
    assert model.info["positives"]["accuracy"] >= 6
    j = RULE_IDS.index("advertising")
    assert 0.5 <= model.thresholds[j] < 1.0
    assert model.severe[j] >= model.thresholds[j]
    # rules without examples can never fire
    assert model.thresholds[RULE_IDS.index("logo")] >= 0.9
    # stage 2 is the mean of the fold models (the scale the thresholds were chosen on) and the whole-bank one
    from bot.core.review.semantic import FOLDS

    assert len(model.stage2.models) == FOLDS + 1
    x = np.zeros((2, model.stage2.models[0].w1.shape[0]), dtype=np.float32)
    assert np.allclose(model.stage2.predict_proba(x), np.mean([m.predict_proba(x) for m in model.stage2.models], axis=0))


def test_the_layer_flags_a_paraphrase_and_leaves_clean_text_alone(model, embedder, catalogue):
    embed = lambda texts: np.array(embedder.embed_documents(list(texts)))  # noqa: E731
    layer = SemanticLayer(model, embed)
    reviewer = Reviewer(catalogue, semantic=layer)
    text = "Nice week everyone. You get the first month free via my personal link to the app!"
    result = reviewer.review(text, ["leiden", "rocwb"])
    ads = [f for f in result.findings if f.rule == "advertising"]
    assert ads and ads[0].confidence is not None and 0.0 < ads[0].confidence <= 1.0
    assert text[ads[0].start:ads[0].end] == ads[0].excerpt
    assert "confidence" in ads[0].to_dict()
    calm = reviewer.review("The new course starts in September. Read the announcement on the website.",
                           ["leiden", "rocwb"])
    assert not [f for f in calm.findings if f.severity in ("medium", "high")]


def recording(embedder):
    """An embed function over `embedder`, and the list of what each call embedded."""
    calls = []

    def embed(texts):
        calls.append(list(texts))
        return np.array(embedder.embed_documents(list(texts)))

    return embed, calls


def test_long_drafts_embed_within_a_budget(model, embedder):
    embed, calls = recording(embedder)
    layer = SemanticLayer(model, embed, budget_chars=500)
    from bot.core.review.text import Draft

    long = " ".join(f"Sentence number {i} about the open day and the coffee." for i in range(400))
    layer.hits(Draft(long), [])
    # everything embedded, ahead of the cues or after them, in one segment per call
    assert calls and all(len(c) == 1 for c in calls)
    assert sum(len(t) for c in calls for t in c) <= 500 + 260


def test_merge_raises_a_pattern_hit_only_when_the_classifier_is_sure():
    low = Hit("privacy", "photo", "low", 10, 20)
    medium = Hit("privacy", "photo", "medium", 40, 50)
    hint = Hit("privacy", "photo", "low", 100, 110)
    semantic = [SemanticHit("privacy", "high", 0, 30, 0.9), SemanticHit("privacy", "high", 35, 60, 0.95),
                SemanticHit("accuracy", "medium", 70, 90, 0.8), SemanticHit("privacy", "low", 95, 120, 0.7)]
    merged = merge_semantic([low, medium, hint], semantic)
    by_start = {h.start: h for h in merged}
    # above its severe threshold the classifier's severity wins, on the pattern's tighter span
    assert by_start[10].severity == "high" and by_start[10].confidence == 0.9
    assert by_start[40].severity == "high" and (by_start[40].start, by_start[40].end) == (40, 50)
    # a classifier hint (below its severe threshold) leaves a low hit low
    assert by_start[100].severity == "low" and by_start[100].confidence == 0.7
    assert by_start[70].rule == "accuracy" and by_start[70].kind == "semantic"


def test_the_exact_detectors_keep_their_severity_but_the_classifier_may_add_personal_data():
    email = Hit("personal_data", "email", "medium", 10, 30)
    merged = merge_semantic([email], [SemanticHit("personal_data", "high", 0, 40, 0.97),
                                      SemanticHit("personal_data", "high", 60, 120, 0.96)])
    by_start = {h.start: h for h in merged}
    assert by_start[10].severity == "medium" and by_start[10].confidence == 0.97
    assert by_start[60].kind == "semantic" and by_start[60].severity == "high"


def test_vectors_are_cached_by_text_and_embedder(tmp_path, embedder):
    cached = CachedVectors(embedder, tmp_path)
    before = embedder.texts_embedded
    a = cached(["een", "twee", "een"])
    assert embedder.texts_embedded - before == 2
    again = CachedVectors(embedder, tmp_path)(["twee", "een"])
    assert embedder.texts_embedded - before == 2  # read from disk
    assert np.allclose(again[1], a[0])


def test_feature_vectors_are_cached_apart_from_documents(tmp_path, embedder):
    """An embedder with a features mode (e5: "query: ") is asked for it, and
    its vectors are keyed apart: document vectors must never stand in."""
    class WithFeatures:
        name = "fake"

        def __init__(self) -> None:
            self.calls = []

        def embed_documents(self, texts):
            self.calls.append("documents")
            return [[1.0, 0.0] for _ in texts]

        def embed_features(self, texts):
            self.calls.append("features")
            return [[0.0, 1.0] for _ in texts]

    model = WithFeatures()
    cached = CachedVectors(model, tmp_path)
    assert cached(["een"]).tolist() == [[0.0, 1.0]] and model.calls == ["features"]
    assert cached.name == "fake-features" != CachedVectors(embedder, tmp_path).name


def test_embedding_the_bank_reports_progress_only_for_what_is_not_cached(tmp_path, embedder):
    seen = []
    cached = CachedVectors(embedder, tmp_path, batch=2, progress=lambda done, total: seen.append((done, total)))
    cached(["een", "twee", "drie"])
    assert seen == [(2, 3), (3, 3)]
    seen.clear()
    cached(["twee", "een"])
    assert seen == []


def test_the_fingerprint_follows_the_bank_the_embedder_and_the_institutions(bank):
    from bot.core.review.rules import Institutions

    assert bank_fingerprint(bank, "a") != bank_fingerprint(bank, "b")
    assert bank_fingerprint(bank, "a") != bank_fingerprint(bank[:-1], "a")
    assert bank_fingerprint(bank, "a") != bank_fingerprint(bank, "a", Institutions(("Hogeschool Noord",)))


def test_an_institution_the_bank_never_names_reuses_the_trained_model(tmp_path, embedder, catalogue):
    """The model is keyed by what the institutions change in the bank's cues:
    a new institution that no labelled draft names is served by the model
    already trained (with its own names at review time); one whose name a
    draft contains trains again."""
    import yaml

    from bot.core.review.rules import Institutions
    from bot.infra.review_model import _load_or_train_now

    knowledge = tmp_path / "knowledge"
    (knowledge / "review" / "examples").mkdir(parents=True)
    (knowledge / "review" / "examples" / "dev.yaml").write_text(yaml.safe_dump(_bank_yaml()), encoding="utf-8")
    cache = tmp_path / "cache"
    base = Reviewer(catalogue).institutions

    def models() -> list[str]:
        return sorted(p.name for p in cache.glob("review-model-*.pkl"))

    _load_or_train_now(knowledge, embedder, cache, base)
    trained = models()
    assert len(trained) == 1
    unnamed = base.merged(Institutions(("Hogeschool Westerkwartier",), ("HWK",), ("Zeewolde",)))
    layer = _load_or_train_now(knowledge, embedder, cache, unnamed)
    assert models() == trained
    assert layer.model.institutions == unnamed
    # "Sanne" (a draft's person) declared a place changes the drafts' name cues.
    named = base.merged(Institutions(places=("Sanne",)))
    assert _load_or_train_now(knowledge, embedder, cache, named).model.institutions == named
    assert len(models()) == 2


def test_a_changed_pattern_reads_the_cues_again_and_a_comment_keeps_the_model(tmp_path, bank, monkeypatch):
    """The remembered cue digest belongs to one version of the review's code:
    after a pattern changes, the digest is made again (a model trained on
    the old cues is not served), and a change that leaves the cues as they
    were (a comment) still finds the model already trained."""
    import shutil

    import bot.core.review as review
    import bot.core.review.semantic as semantic
    import bot.infra.review_model as review_model
    from bot.core.review.rules import Institutions

    digest_of = review_model.review_code_digest
    code, cues, made = ["v1"], ["cues-1"], []

    def fake_cue_digest(*args):
        made.append(cues[0])
        return cues[0]

    monkeypatch.setattr(review_model, "review_code_digest", lambda: code[0])
    monkeypatch.setattr(semantic, "cue_digest", fake_cue_digest)
    path = lambda: review_model._model_path(bank, "e5", Institutions(), tmp_path)  # noqa: E731

    first = path()
    assert path() == first and made == ["cues-1"]           # remembered
    code[0], cues[0] = "v2", "cues-2"                       # a pattern changed
    second = path()
    assert second != first and made == ["cues-1", "cues-2"]
    code[0] = "v3"                                          # a comment changed
    assert path() == second and made == ["cues-1", "cues-2", "cues-2"]

    copy = tmp_path / "review"
    shutil.copytree(Path(review.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert digest_of(copy) == digest_of()
    pay = copy / "rules" / "pay.py"
    pay.write_text(pay.read_text() + "\n# a comment\n")
    assert digest_of(copy) != digest_of()


def test_the_model_keeps_the_institutions_it_was_trained_with(model, catalogue):
    """Training and serving read names the same way: a word that names an
    institution is not a person's name, whichever reviewers this process built."""
    assert model.institutions == Reviewer(catalogue).institutions
    assert "ROC" in model.institutions.abbreviations


def test_score_bank_counts_rules_verdicts_and_clean_alarms(bank, model, embedder, catalogue):
    embed = lambda texts: np.array(embedder.embed_documents(list(texts)))  # noqa: E731
    reviewer = Reviewer(catalogue, semantic=SemanticLayer(model, embed))
    result = score_bank(lambda text, org: reviewer.review(text, None), bank)
    assert result["drafts"] == len(bank)
    assert result["clean_drafts"] == sum(d.clean for d in bank)
    adv = result["per_rule"]["advertising"]
    assert adv["expected"] == 6 and adv["recall"] is not None
    assert 0.0 <= result["verdict_accuracy"] <= 1.0
    assert isinstance(result["clean_false_alarms"], int)


def test_a_confident_near_miss_turns_a_pattern_alarm_into_a_hint_but_never_an_identifier():
    photo = Hit("privacy", "photo", "medium", 5, 10)
    phone = Hit("personal_data", "phone", "medium", 20, 30)
    merged = merge_semantic([photo, phone], [SemanticHit("privacy", "low", 0, 15, 0.3, clear=True),
                                             SemanticHit("personal_data", "low", 15, 35, 0.001, clear=True)])
    by_rule = {h.rule: h for h in merged}
    assert by_rule["privacy"].severity == "low" and by_rule["privacy"].confidence == 0.3
    assert by_rule["personal_data"].severity == "medium"   # the exact detectors are never overruled
    assert len(merged) == 2


def test_a_pattern_alarm_the_classifier_all_but_rules_out_is_no_hint_either():
    photo = Hit("privacy", "photo", "medium", 5, 10)
    slur = Hit("offensive", "slur", "high", 40, 45)
    sure = min(DISMISS_BELOW / 2, 0.001)
    merged = merge_semantic([photo, slur], [SemanticHit("privacy", "low", 0, 15, sure, clear=True),
                                            SemanticHit("offensive", "low", 35, 50, sure, clear=True)])
    # the photo is gone; a high hit is never cleared, however sure the classifier is
    assert [(h.rule, h.severity) for h in merged] == [("offensive", "high")]
    kept = merge_semantic([photo], [SemanticHit("privacy", "low", 0, 15, DISMISS_BELOW, clear=True)])
    assert [(h.rule, h.severity) for h in kept] == [("privacy", "low")]


def test_a_segment_where_a_pattern_fired_is_embedded_first(model, embedder):
    from bot.core.review.text import Draft

    embed, calls = recording(embedder)
    layer = SemanticLayer(model, embed, budget_chars=120)
    filler = " ".join(f"Sentence number {i} about the open day and the coffee." for i in range(30))
    flagged = "Screenshot of the confidential minutes of the board meeting."
    draft = Draft(filler + " " + flagged + " " + filler)
    start = draft.text.index(flagged)
    cue = Hit("confidential", "label", "high", start + 18, start + 30)
    layer.hits(draft, [cue])
    assert any(flagged in t for c in calls for t in c)


def test_score_bank_counts_clean_alarms_per_rule(catalogue):
    from bot.core.review.bank import parse_bank
    from bot.evaluation.review_eval import summary

    bank = parse_bank({"drafts": [
        {"id": "c1", "text": "Vertrouwelijk: de notulen van de vergadering van gisteren, niet doorsturen.",
         "findings": []},
        {"id": "c2", "text": "Mooie open dag vandaag, dank aan iedereen!", "findings": []},
    ]}, RULE_IDS)
    reviewer = Reviewer(catalogue)
    result = score_bank(lambda text, org: reviewer.review(text, None), bank)
    alarms = {rule: v["clean_alarms"] for rule, v in result["per_rule"].items()}
    assert sum(alarms.values()) >= 1 and alarms["confidential"] == 1
    assert summary(result)["clean_drafts_alarmed"] == len(result["clean_drafts_with_alarms"]) >= 1


def test_score_bank_reports_rules_raised_as_an_alarm_beside_rules_found():
    """A `low` hint finds its rule (recall) but leaves the verdict `ok`, so
    the rules raised at medium or high are counted apart (alarm_recall)."""
    from types import SimpleNamespace

    from bot.core.models import Finding

    bank = parse_bank({"drafts": [
        {"id": "h1", "text": "Jan verdient 5.200 bruto.", "verdict": "do_not_post",
         "findings": [{"rule": "confidential", "span": "Jan verdient 5.200 bruto", "severity": "high"}]},
        {"id": "h2", "text": "Ik hoorde dat de kantine dichtgaat.", "verdict": "caution",
         "findings": [{"rule": "accuracy", "span": "Ik hoorde dat de kantine dichtgaat", "severity": "medium"}]},
    ]}, RULE_IDS)
    said = {"h1": ("confidential", "low", "ok"), "h2": ("accuracy", "medium", "caution")}

    def review(text, org):
        rule, severity, verdict = said["h1" if "Jan" in text else "h2"]
        return SimpleNamespace(findings=[Finding(rule=rule, severity=severity, start=0, end=3, excerpt=text[:3],
                                                 message="m", suggestion="s", citations=())], verdict=verdict)

    result = score_bank(review, bank)
    assert result["recall"] == 1.0 and result["alarm_recall"] == 0.5
    assert result["per_rule"]["confidential"]["alarm_recall"] == 0.0
    assert result["per_rule"]["accuracy"]["alarm_recall"] == 1.0
    assert result["verdict_accuracy"] == 0.5


def _scored_bank(rows):
    """A TrainingSet of one segment per draft: (rule or None, severity, out-of-fold score)."""
    from bot.core.review.bank import BankDraft, BankFinding
    from bot.core.review.semantic import TrainingSet

    drafts, y, sev, proba = [], [], [], []
    j = RULE_IDS.index("accuracy")
    for i, (rule, severity, p) in enumerate(rows):
        findings = (BankFinding(rule, "x", severity, 0, 1),) if rule else ()
        verdict = {"high": "do_not_post", "medium": "caution", None: "ok"}[severity]
        drafts.append(BankDraft(f"d{i}", "x", findings, verdict, clean=not rule))
        y.append([int(r == rule) for r in RULE_IDS])
        sev.append({rule: severity} if rule else {})
        proba.append([p if k == j else 0.0 for k in range(len(RULE_IDS))])
    n = len(rows)
    ts = TrainingSet(drafts, ["x"] * n, np.arange(n), np.array(y, dtype=np.int8),
                     np.zeros((n, 2 * len(RULE_IDS) + 4), dtype=np.float32), sev, np.ones(n, dtype=bool),
                     np.zeros((n, len(RULE_IDS)), dtype=np.int8))
    return ts, np.array(proba, dtype=np.float32), j


def test_the_operating_point_is_tuned_on_the_posts_verdicts():
    from bot.core.review.operating_point import tune_operating_point

    # rumours score 0.7-0.9 out of fold, one clean near miss 0.75, the other clean drafts low
    rows = [("accuracy", "medium", p) for p in (0.7, 0.8, 0.85, 0.9)] + [(None, None, 0.75)] + \
           [(None, None, 0.1)] * 5
    ts, proba, j = _scored_bank(rows)
    report = np.full(len(RULE_IDS), 0.6, dtype=np.float32)
    start = np.full(len(RULE_IDS), 1.01, dtype=np.float32)   # nothing severe yet
    clear = np.zeros(len(RULE_IDS), dtype=np.float32)
    cheap, _ = tune_operating_point(ts, proba, RULE_IDS, report, start, clear, clean_cost=0.0)
    assert cheap[j] <= 0.7 + 1e-6   # every rumour found, the near miss alarmed: 9 of 10 verdicts
    careful, _ = tune_operating_point(ts, proba, RULE_IDS, report, start, clear, clean_cost=3.0)
    assert 0.75 < careful[j] <= 0.8 + 1e-6   # the near miss stays clean; three rumours still found


def test_the_report_threshold_is_the_lowest_within_tolerance_of_the_best_f_score():
    from bot.core.review.operating_point import choose_thresholds

    # 80 rumours score high; one scores 0.6, as do four clean near misses
    rows = [("accuracy", "medium", 0.95)] * 80 + [("accuracy", "medium", 0.6)] + [(None, None, 0.6)] * 4 + \
           [(None, None, 0.1)] * 20
    ts, proba, j = _scored_bank(rows)
    best_only, _, _ = choose_thresholds(ts, proba, RULE_IDS, beta=2.5, clean_penalty=2.0, tolerance=0.0)
    assert best_only[j] > 0.6 + 1e-6      # the best F-score alone gives up the lone rumour
    within, _, info = choose_thresholds(ts, proba, RULE_IDS, beta=2.5, clean_penalty=2.0)
    assert within[j] <= 0.6 + 1e-6        # 0.003 below it, the lowest threshold finds it
    assert info["per_rule"]["accuracy"]["cv_fn"] == 0


def test_the_nearest_neighbours_see_each_rules_hard_negatives_in_blocks(monkeypatch):
    import bot.core.review.semantic as semantic

    rng = np.random.default_rng(1)
    memory = rng.normal(size=(40, 8)).astype(np.float32)
    memory /= np.linalg.norm(memory, axis=1, keepdims=True)
    y = np.zeros((40, len(RULE_IDS)), dtype=np.int8)
    y[:10, 0] = 1
    logits = np.full((40, len(RULE_IDS)), -5.0, dtype=np.float32)
    logits[10:15, 0] = 2.0                    # stage 1 took these for rule 0: its hard negatives
    labels = semantic.memory_labels(y, logits)
    assert (labels[:10, 0] == 1).all() and (labels[10:15, 0] == -1).all() and (labels[15:, 0] == 0).all()
    r = len(RULE_IDS)
    near_hard = semantic.knn_features(memory[10:11], memory, labels)[0]
    near_pos = semantic.knn_features(memory[0:1], memory, labels)[0]
    assert near_hard[2 * r] < near_pos[2 * r]
    groups = np.arange(40) // 4
    whole = semantic.knn_features(memory, memory, labels, groups=groups)
    monkeypatch.setattr(semantic, "_KNN_BLOCK", 7)
    assert np.allclose(semantic.knn_features(memory, memory, labels, groups=groups), whole)
    # a segment never sees its own draft: alone in the memory with its draft, no positive is near
    assert whole[0, 0] < (1.0 - 0.8) * 5.0


def test_each_segment_sees_its_neighbours_scores_within_its_own_post():
    from bot.core.review.semantic import with_neighbours

    logits = np.array([[1.0, -2.0], [-3.0, 0.5], [2.0, -1.0], [4.0, 4.0]], dtype=np.float32)
    groups = np.array([0, 0, 0, 1])             # three segments of one post, then another post
    out = with_neighbours(logits, groups)
    assert out.shape == (4, 4) and np.array_equal(out[:, :2], logits)
    assert out[0, 2:].tolist() == [-3.0, 0.5]      # only the next one
    assert out[1, 2:].tolist() == [2.0, -1.0]      # the higher of both, per rule
    assert out[2, 2:].tolist() == [-3.0, 0.5]      # never the next post's
    assert out[3, 2:].tolist() == [-8.0, -8.0]     # alone in its post
    assert with_neighbours(logits[:1]).tolist() == [[1.0, -2.0, -8.0, -8.0]]


def test_the_posts_verdict_is_the_post_level_heads_call(model, embedder, catalogue):
    embed = lambda texts: np.array(embedder.embed_documents(list(texts)))  # noqa: E731
    layer = SemanticLayer(model, embed)
    assert model.head is not None and {"ok_bias", "cv_verdicts", "thresholds_verdicts"} <= set(model.info["post_level"])
    reviewer = Reviewer(catalogue, semantic=layer)
    from bot.core.review.post_level import LEVELS
    from bot.core.review.text import Draft

    for text in ("Nice week everyone. You get the first month free via my personal link to the app!",
                 "hearing from several people that the campus will close next year, spread the word",
                 "The new course starts in September. Read the announcement on the website."):
        draft = Draft(text)
        _, call = layer.assess(draft, Reviewer._hits(draft, reviewer.institutions))
        assert call is not None and set(call.order) == set(RULE_IDS)
        assert reviewer.review(text, ["leiden", "rocwb"]).verdict == LEVELS[call.level]


def test_the_clean_signal_learns_what_clean_drafts_say_beside_the_problem(model):
    """Trained on the bank's labels alone: the clean drafts' sentences against
    the other sentences of problem drafts (the filler both share scores lower)."""
    assert model.clean_signal is not None
    texts = ["Lees het persbericht op de website van de universiteit.", "Read the official announcement on the "
             "university website.", "Great week with the team.", "Lots of coffee and good talks."]
    logits, clean = model.segment_scores(texts)
    assert np.allclose(logits, model.stage1_logits(texts))
    assert logits.shape == (4, len(RULE_IDS)) and clean.shape == (4,)
    assert min(clean[:2]) > max(clean[2:]), clean


def test_the_head_reads_the_posts_highest_clean_signal(model, embedder, monkeypatch):
    """The post's clean signal is its segments' highest, passed to the head as one feature."""
    from bot.core.review import layer as scoring
    from bot.core.review.text import Draft

    seen = []
    original = scoring.post_features

    def spy(*args):
        seen.append(args)
        return original(*args)

    monkeypatch.setattr(scoring, "post_features", spy)
    embed = lambda texts: np.array(embedder.embed_documents(list(texts)))  # noqa: E731
    layer = SemanticLayer(model, embed)
    text = "Great week with the team. Read the official announcement on the university website."
    draft = Draft(text)
    layer.assess(draft, [])
    expected = model.segment_scores([s.text for s in segments(draft.text)])[1].max()
    assert len(seen) == 1 and np.isclose(float(seen[0][6][0]), expected)
    assert seen[0][7] is None     # trained without clearing sentences: no clearing columns


def test_the_head_reads_where_the_mean_of_the_embedded_segments_sits(model, embedder, monkeypatch):
    """The head is given the post's topic: the mean vector of the segments
    the review embedded, on the axes it was trained with (PostTopic)."""
    from bot.core.review import layer as scoring
    from bot.core.review.text import Draft

    assert model.head is not None and model.head.topic is not None
    embed = lambda texts: np.array(embedder.embed_documents(list(texts)), dtype=np.float32)  # noqa: E731
    seen = []
    original = scoring.post_features

    def spy(*args):
        seen.append(args[8])
        return original(*args)

    monkeypatch.setattr(scoring, "post_features", spy)
    assessment = SemanticLayer(model, embed).start(Draft("Great week with the team. Views my own, not my employer's."))
    assessment.embed([])
    assessment.finish()
    expected = model.head.topic(assessment.vectors.mean(axis=0, keepdims=True))
    assert seen[0].shape == (1, model.head.topic.axes.shape[1]) and np.allclose(seen[0], expected)


def test_the_head_reads_the_highest_clearing_score_of_the_embedded_segments(model, embedder, monkeypatch):
    """With a clearing model (clearing.py), the head gets, per kind, the
    highest score among the segments the review embedded."""
    import dataclasses

    from bot.core.review import layer as scoring
    from bot.core.review.clearing import CLEARING_KINDS, KINDS, ClearingModel
    from bot.core.review.text import Draft

    embed = lambda texts: np.array(embedder.embed_documents(list(texts)), dtype=np.float32)  # noqa: E731
    sentences = {"none": ["Great week with the team.", "Lots of coffee and good talks."],
                 "consent": ["Everyone in the photo said it was fine to share.", "Anouk vond het prima."],
                 "disclaimer": ["Views my own, not my employer's.", "Op persoonlijke titel."],
                 "official": ["Announced this morning, link below.", "Het persbericht staat online."],
                 "source": ["Source: CBS Statline 2025.", "Foto: Unsplash, vrij te gebruiken."]}
    texts = [t for kind in KINDS for t in sentences[kind]]
    clearing = ClearingModel().fit(embed(texts), [k for k in KINDS for _ in sentences[k]])
    seen = []
    original = scoring.post_features

    def spy(*args):
        seen.append(args[7])
        return original(*args[:7], None, *args[8:])   # the fixture's head was trained without them

    monkeypatch.setattr(scoring, "post_features", spy)
    layer = SemanticLayer(dataclasses.replace(model, clearing=clearing), embed)
    assessment = layer.start(Draft("Great week with the team. Views my own, not my employer's."))
    assessment.embed([])
    assessment.finish()
    expected = clearing.scores(assessment.vectors).max(axis=0)
    assert seen[0].shape == (1, len(CLEARING_KINDS)) and np.allclose(seen[0][0], expected)


def test_training_folds_follow_the_draft_not_its_position():
    # A draft keeps its fold when files are reordered or others are added,
    # so the bank's growth does not reshuffle what each draft is scored against.
    ts, _, _ = _scored_bank([("accuracy", "medium", 0.5)] * 20)
    grown, _, _ = _scored_bank([("accuracy", "medium", 0.5)] * 40)
    grown.drafts.reverse()

    def fold_of(t):
        return {d.id: k for k, mask in enumerate(t.folds(5)) for d, held in zip(t.drafts, mask) if held}

    before, after = fold_of(ts), fold_of(grown)
    assert len(before) == 20 and len(after) == 40
    assert all(after[i] == k for i, k in before.items())
    assert len(set(before.values())) == 5
    segments = ts.folds(5, per_segment=True)
    assert all((s == d[ts.groups]).all() for s, d in zip(segments, ts.folds(5)))


def test_training_folds_are_apart_from_a_cross_validations_folds():
    # Trained inside a cross-validation (review_eval --cv), the drafts left
    # out of one outer fold must still fill every training fold.
    from bot.evaluation.review_eval import cv_folds

    ts, _, _ = _scored_bank([("accuracy", "medium", 0.5)] * 60)
    outer = cv_folds(ts.drafts, 5)
    for held in outer:
        inner, _, _ = _scored_bank([("accuracy", "medium", 0.5)] * 60)
        inner.drafts[:] = [d for d, out in zip(inner.drafts, held) if not out]
        inner.groups = np.arange(len(inner.drafts))
        # _folds leaves out an empty fold, so count them: all five are there
        assert len(inner.folds(5)) == 5


def test_cross_validation_by_file_holds_out_whole_files():
    # --cv --by-file: a file has one author, and each fold's model must never
    # have seen any draft of the files it scores.
    from bot.evaluation.review_eval import cv_folds

    ts, _, _ = _scored_bank([("accuracy", "medium", 0.5)] * 60)
    files = [f"dev-author{i % 12}" for i in range(60)]
    masks = cv_folds(ts.drafts, 5, files=files)
    assert len(masks) >= 2 and np.logical_or.reduce(masks).all() and sum(m.sum() for m in masks) == 60
    for held in masks:
        assert not {f for f, h in zip(files, held) if h} & {f for f, h in zip(files, held) if not h}
    assert any(len({f for f, h in zip(files, held) if h}) < held.sum() for held in masks)
    by_draft = cv_folds(ts.drafts, 5)
    assert any({f for f, h in zip(files, held) if h} & {f for f, h in zip(files, held) if not h}
               for held in by_draft)


def test_a_bank_too_small_for_every_fold_leaves_no_fold_empty():
    from bot.core.review.semantic import _folds

    masks = _folds(np.array(["a", "b", "c"]), 5)
    assert masks and all(m.any() for m in masks)
    assert np.logical_or.reduce(masks).all() and sum(m.sum() for m in masks) == 3


def test_the_layer_embeds_ahead_of_the_patterns_with_the_same_vectors(model, embedder):
    """start() sets the likeliest segments embedding on another thread before
    the patterns' hits are known; the vectors are those of embedding the
    chosen segments in one call."""
    import threading

    from bot.core.review.text import Draft

    seen = threading.Event()
    threads = []

    def embed(texts):
        threads.append(threading.current_thread().name)
        seen.set()
        return np.array(embedder.embed_documents(list(texts)))

    def in_one_go(texts):
        return np.array(embedder.embed_documents(list(texts)))

    text = "Nice week everyone. You get the first month free via my personal link to the app! Fijne dag allemaal."
    layer = SemanticLayer(model, embed)
    assessment = layer.start(Draft(text))
    assert seen.wait(5) and threads[0].startswith("review-prefetch")
    assessment.embed([])
    assert np.allclose(assessment.vectors, in_one_go([assessment.segs[i].text for i in assessment.chosen]))
    hits, _ = assessment.finish()
    assert "advertising" in {h.rule for h in hits}


def test_the_nearest_neighbour_index_reads_the_models_memory_without_a_copy(model):
    # Stored column-major, the memory's transpose is the same buffer: a
    # served model does not hold the bank's vectors twice.
    from bot.core.review.semantic import knn_index

    assert np.shares_memory(knn_index(model.memory_vectors, model.memory_y)[0], model.memory_vectors)


def test_reviews_at_the_same_time_find_what_they_find_one_by_one(model, embedder, catalogue):
    # Several requests review at once (the Slack and Teams servers): each
    # review's segments go through the layer's shared prefetch threads.
    from concurrent.futures import ThreadPoolExecutor

    layer = SemanticLayer(model, lambda texts: np.array(embedder.embed_documents(list(texts))))
    reviewer = Reviewer(catalogue, semantic=layer)
    drafts = [f"{FILLER[i % 5]} {ADVERTS[i % 6]}. {RUMOURS[i % 6]}. {CLEAN[i % 6]}" for i in range(12)]

    def outcome(text):
        r = reviewer.review(text, ["leiden", "rocwb"])
        return r.verdict, [(f.rule, f.severity, f.start, f.end) for f in r.findings]

    alone = [outcome(t) for t in drafts]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(outcome, drafts))
    assert together == alone
    assert any(findings for _, findings in alone)
