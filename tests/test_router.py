"""The router's fitting and application, on a small synthetic bank with a
deterministic embedder (no model): fast, and every assertion is about
questions the router was not fitted on."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from bot.core.routing import OUT_OF_SCOPE, Router, RouterPolicy
from bot.core.subwords import char_ngrams, tfidf
from bot.infra.router_fit import fit_router, load_router, query_vectors, save_router
from bot.question_bank import BankQuestion

DIM = 64


def embed(text: str) -> np.ndarray:
    """A bag of hashed words: texts that share words are close."""
    v = np.zeros(DIM, dtype=np.float32)
    for word in text.lower().split():
        v[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1.0
    n = np.linalg.norm(v)
    return v / n if n else v


class CountingEmbedder:
    name = "counting-test-embedder"

    def __init__(self) -> None:
        self.calls = 0

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return embed(text).tolist()


TOPICS = {
    "org:Privacy": ["photo of students", "picture of colleague", "foto van studenten", "selfie with pupils",
                    "photo with a student in it", "students photo consent"],
    "org:Passwords": ["account hacked password", "wachtwoord vergeten account", "password of the page",
                      "hacked twitter account", "change the password often", "account password leaked"],
    OUT_OF_SCOPE: ["parking permit car", "zwangerschapsverlof aanvragen", "ouderschapsverlof regelen",
                   "expense claim train", "lunch canteen menu", "parking garage car", "verlof opnemen vakantie",
                   "declaratie reiskosten trein"],
}


def bank(split="dev") -> list[BankQuestion]:
    return [BankQuestion(text, "en", split, None if key == OUT_OF_SCOPE else "org", key)
            for key, texts in TOPICS.items() for text in texts]


@pytest.fixture(scope="module")
def model():
    questions = bank()
    vectors = np.stack([embed(q.text) for q in questions])
    return fit_router(questions, vectors, "counting-test-embedder", RouterPolicy(), report={})


def router(model) -> Router:
    return Router(model, {"org:Privacy": "org", "org:Passwords": "org"})


@pytest.mark.parametrize("text, expected", [
    ("can i post a photo of my students", "org:Privacy"),
    ("our account got hacked what is the password advice", "org:Passwords"),
])
def test_held_out_questions_route_to_their_guideline(model, text, expected):
    route = router(model).route(embed(text), text)
    assert route.in_scope >= model.policy.abstain_below
    assert max(route.guidelines, key=route.guidelines.get) == expected


def test_out_of_scope_compounds_abstain_through_sub_words(model):
    # "zorgverlof" is in no training question, but shares "verlof" with several.
    text = "hoe vraag ik zorgverlof aan"
    route = router(model).route(embed(text), text)
    assert route.in_scope < model.policy.abstain_below


def test_probabilities_are_a_distribution_and_restricted_to_the_organisations_asked(model):
    route = router(model).route(embed("photo of students"), "photo of students")
    assert abs(sum(route.guidelines.values()) - 1.0) < 1e-6
    assert route.within({"org:Privacy": "org", "org:Passwords": "org"}, ["other"]) == {}


def test_threshold_keeps_in_scope_dev_questions_answering():
    report: dict = {}
    questions = bank()
    fit_router(questions, np.stack([embed(q.text) for q in questions]), "e", RouterPolicy(), report=report,
               max_false_abstention=0.0)
    assert report["oof_in_scope_abstention"] == 0.0


def test_saved_router_gives_the_same_probabilities(model, tmp_path):
    path = tmp_path / "router.npz"
    save_router(model, path)
    loaded = load_router(path)
    text = "wachtwoord van het account"
    assert loaded.embedder == model.embedder and loaded.labels == model.labels
    assert np.allclose(loaded.probabilities(embed(text), text), model.probabilities(embed(text), text))
    assert load_router(tmp_path / "missing.npz") is None


def test_query_vectors_are_cached_by_content_and_embedder(tmp_path):
    embedder = CountingEmbedder()
    texts = ["one question", "another question"]
    first = query_vectors(texts, embedder, tmp_path)
    assert embedder.calls == 2
    again = query_vectors(texts + ["a new one"], embedder, tmp_path)
    assert embedder.calls == 3                      # only the new text is embedded
    assert np.allclose(first, again[:2])
    other = CountingEmbedder()
    other.name = "another-embedder"
    query_vectors(texts, other, tmp_path)
    assert other.calls == 2                         # vectors of another embedder are never reused


def test_sub_words_match_dutch_compounds():
    grams = set(char_ngrams("zwangerschapsverlof"))
    assert {"verl", "erlof", "lof "} <= grams
    vocabulary = {g: i for i, g in enumerate(sorted(set(char_ngrams("verlof"))))}
    features = tfidf("ouderschapsverlof", vocabulary, np.ones(len(vocabulary)))
    assert features and abs(sum(v * v for v in features.values()) - 1.0) < 1e-9
