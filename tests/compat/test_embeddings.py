"""Embeddings: OpenAI /v1/embeddings (the client's default base64 encoding and "float"), Ollama
/api/embed and the legacy /api/embeddings."""

from __future__ import annotations

import pytest

import cria_compat as cc
from cria_compat import MODEL

CAT = "The cat sat on the mat."
CAT2 = "A cat was sitting on the rug."
MONEY = "Quarterly revenue rose by eight percent."
SENTENCES = [CAT, CAT2, MONEY, CAT]


def check_vectors(vectors, what: str):
    assert len(vectors) == len(SENTENCES), f"{what}: {len(vectors)} vectors for {len(SENTENCES)} inputs"
    dim = len(vectors[0])
    assert dim > 0 and all(len(v) == dim for v in vectors), f"{what}: dimensions {[len(v) for v in vectors]}"
    for v in vectors:
        assert all(isinstance(x, float) for x in v), f"{what}: not floats"
        assert abs(cc.norm(v) - 1) < 1e-3, f"{what}: norm {cc.norm(v)}, expected 1 (normalized)"
    same = cc.cosine(vectors[0], vectors[3])
    assert abs(same - 1) < 1e-4, f"{what}: cosine of {CAT!r} with itself is {same}"
    para, unrelated = cc.cosine(vectors[0], vectors[1]), cc.cosine(vectors[0], vectors[2])
    assert para > unrelated, f"{what}: paraphrase {para:.4f} <= unrelated {unrelated:.4f}"


@pytest.fixture(scope="module")
def oai_float(oai):
    return oai.embeddings.create(model=MODEL, input=SENTENCES, encoding_format="float")


def test_openai_embeddings_default_base64(oai, oai_float):
    r = oai.embeddings.create(model=MODEL, input=SENTENCES)  # the client asks for base64 and decodes it
    assert r.object == "list" and r.model == MODEL
    assert [d.index for d in r.data] == [0, 1, 2, 3]
    assert all(d.object == "embedding" for d in r.data)
    assert r.usage.prompt_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens
    vectors = [d.embedding for d in r.data]
    check_vectors(vectors, "openai base64")
    for v, f in zip(vectors, (d.embedding for d in oai_float.data)):
        assert max(abs(a - b) for a, b in zip(v, f)) < 1e-6, "base64 and float embeddings differ"


def test_openai_embeddings_float(oai_float):
    r = oai_float
    assert r.object == "list" and r.model == MODEL
    assert [d.index for d in r.data] == [0, 1, 2, 3]
    check_vectors([d.embedding for d in r.data], "openai float")


def test_openai_embeddings_base64_raw(base_url, oai_float):
    """What the server sends for base64: a string of little-endian float32s."""
    r = cc.request(base_url, "POST", "/v1/embeddings", {"model": MODEL, "input": CAT, "encoding_format": "base64"})
    assert r.status == 200, r
    data = r.json()["data"]
    assert len(data) == 1 and isinstance(data[0]["embedding"], str), f"base64 embedding not a string: {data!r:.200}"
    v = cc.decode_base64_floats(data[0]["embedding"])
    assert len(v) == len(oai_float.data[0].embedding)
    assert abs(cc.cosine(v, oai_float.data[0].embedding) - 1) < 1e-4


def test_openai_embeddings_token_input(oai, oai_float):
    ids_cat, ids_money = cc.token_ids(CAT), cc.token_ids(MONEY)
    r = oai.embeddings.create(model=MODEL, input=ids_cat, encoding_format="float")
    assert len(r.data) == 1
    assert abs(cc.cosine(r.data[0].embedding, oai_float.data[0].embedding) - 1) < 1e-4, \
        "input as token ids differs from the same text"
    r = oai.embeddings.create(model=MODEL, input=[ids_cat, ids_money], encoding_format="float")
    assert [d.index for d in r.data] == [0, 1]
    assert abs(cc.cosine(r.data[1].embedding, oai_float.data[2].embedding) - 1) < 1e-4


def test_ollama_embed(oll, oai_float):
    r = oll.embed(model=MODEL, input=SENTENCES)
    assert r.model in (MODEL, MODEL + ":latest"), r.model
    vectors = [list(v) for v in r.embeddings]
    check_vectors(vectors, "ollama embed")
    for v, f in zip(vectors, (d.embedding for d in oai_float.data)):
        assert abs(cc.cosine(v, f) - 1) < 1e-4, "ollama embed and openai embeddings differ"
    if r.prompt_eval_count is not None:
        assert r.prompt_eval_count > 0


def test_ollama_embed_single_string(oll, oai_float):
    r = oll.embed(model=MODEL, input=CAT)
    assert len(r.embeddings) == 1
    assert abs(cc.cosine(r.embeddings[0], oai_float.data[0].embedding) - 1) < 1e-4


def test_ollama_legacy_embeddings(oll, oai_float):
    # Ollama's legacy route returns one vector (not normalized by Ollama itself): only the direction
    # is compared.
    vectors = [list(oll.embeddings(model=MODEL, prompt=s).embedding) for s in SENTENCES]
    assert all(len(v) == len(oai_float.data[0].embedding) for v in vectors)
    assert abs(cc.cosine(vectors[0], vectors[3]) - 1) < 1e-4
    assert cc.cosine(vectors[0], vectors[1]) > cc.cosine(vectors[0], vectors[2])
    for v, f in zip(vectors, (d.embedding for d in oai_float.data)):
        assert abs(cc.cosine(v, f) - 1) < 1e-4, "legacy embeddings and openai embeddings differ in direction"
