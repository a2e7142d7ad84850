"""OpenAI routes through the real `openai` client: chat and text completions, streamed and not,
stop sequences, length limits, seeds, logprobs, n, logit_bias, models."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

import cria_compat as cc
from cria_compat import MODEL

CHAT = [{"role": "user", "content": "Write one sentence about the sea."}]
STORY = [{"role": "user", "content": "Tell me a long story about a dragon and a knight."}]
PROMPT = "The three primary colors are"
REF_TOKENS = 16


def chat_text(r) -> str:
    return r.choices[0].message.content


@pytest.fixture(scope="module")
def chat_ref(oai):
    """The greedy reply to CHAT that several tests compare against."""
    return oai.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=REF_TOKENS, temperature=0)


@pytest.fixture(scope="module")
def completion_ref(oai):
    return oai.completions.create(model=MODEL, prompt=PROMPT, max_tokens=REF_TOKENS, temperature=0)


def check_usage(usage, max_completion: int | None = None):
    assert usage is not None, "no usage"
    assert isinstance(usage.prompt_tokens, int) and usage.prompt_tokens > 0, usage
    assert isinstance(usage.completion_tokens, int) and usage.completion_tokens > 0, usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, usage
    if max_completion is not None:
        assert usage.completion_tokens <= max_completion, usage


def check_stream(chunks, obj: str, *, with_usage: bool):
    """Common checks of a streamed completion (n = 1); returns (content chunks, usage chunk)."""
    assert chunks, "empty stream"
    first = chunks[0]
    assert isinstance(first.id, str) and first.id
    for c in chunks:
        assert c.object == obj, c
        assert c.id == first.id, f"chunk ids differ: {first.id!r} vs {c.id!r}"
        assert c.created == first.created, f"chunk created differ: {first.created} vs {c.created}"
        assert c.model == MODEL, c
    if with_usage:
        *content, last = chunks
        assert last.choices == [], f"include_usage: the last chunk should have choices [], got {last!r}"
        check_usage(last.usage)
    else:
        content, last = chunks, None
    assert content, "no content chunks"
    for c in content:
        assert len(c.choices) == 1 and c.choices[0].index == 0, c
        assert getattr(c, "usage", None) is None, f"usage before the final chunk: {c!r}"
    for c in content[:-1]:
        assert c.choices[0].finish_reason is None, f"finish_reason before the last chunk: {c!r}"
    assert content[-1].choices[0].finish_reason in ("stop", "length"), content[-1]
    return content, last


# MARK: - Chat completions


def test_chat_completion(chat_ref):
    r = chat_ref
    assert r.object == "chat.completion"
    assert isinstance(r.id, str) and r.id
    assert isinstance(r.created, int) and abs(r.created - time.time()) < 3600, r.created
    assert r.model == MODEL
    assert len(r.choices) == 1
    c = r.choices[0]
    assert c.index == 0
    assert c.message.role == "assistant"
    assert isinstance(c.message.content, str) and c.message.content.strip(), c.message
    assert c.finish_reason in ("stop", "length")
    assert c.logprobs is None, "logprobs without asking"
    check_usage(r.usage, REF_TOKENS)
    if c.finish_reason == "length":
        assert r.usage.completion_tokens == REF_TOKENS


def test_chat_greedy_repeatable(oai):
    """The same greedy request twice gives the same text (the second one may reuse the first's
    cached prompt prefix: that must not change the output)."""
    msgs = [{"role": "user", "content": "Describe a lighthouse in one sentence."}]
    a, b = (oai.chat.completions.create(model=MODEL, messages=msgs, max_tokens=REF_TOKENS, temperature=0)
            for _ in range(2))
    cached = [getattr(r.usage, "prompt_tokens_details", None) for r in (a, b)]
    assert chat_text(a) == chat_text(b), f"same greedy request, different text; prompt_tokens_details {cached}"


def test_chat_stream_matches_non_stream(oai, chat_ref):
    chunks = list(oai.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=REF_TOKENS, temperature=0,
                                              stream=True, stream_options={"include_usage": True}))
    content, usage_chunk = check_stream(chunks, "chat.completion.chunk", with_usage=True)
    assert content[0].choices[0].delta.role == "assistant", f"first chunk's delta: {content[0].choices[0].delta!r}"
    for c in content[1:]:
        assert c.choices[0].delta.role in (None, "assistant"), c
    text = "".join(c.choices[0].delta.content or "" for c in content)
    assert text == chat_text(chat_ref), "streamed text differs from the non-streamed greedy text"
    assert content[-1].choices[0].finish_reason == chat_ref.choices[0].finish_reason
    u, ref = usage_chunk.usage, chat_ref.usage
    assert (u.prompt_tokens, u.completion_tokens, u.total_tokens) == \
        (ref.prompt_tokens, ref.completion_tokens, ref.total_tokens)


def test_chat_stream_without_usage(oai):
    chunks = list(oai.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=4, temperature=0, stream=True))
    check_stream(chunks, "chat.completion.chunk", with_usage=False)


def test_chat_stop_string(oai, chat_ref):
    text = chat_text(chat_ref)
    stop = cc.pick_stop_word(text)
    r = oai.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=REF_TOKENS, temperature=0, stop=stop)
    assert chat_text(r) == text[:text.find(stop)], f"stop={stop!r}, reference text {text!r}"
    assert r.choices[0].finish_reason == "stop"


def test_chat_stop_list_streamed(oai, chat_ref):
    text = chat_text(chat_ref)
    stop = cc.pick_stop_word(text)
    chunks = list(oai.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=REF_TOKENS, temperature=0,
                                              stop=["@@never@@", stop], stream=True))
    content, _ = check_stream(chunks, "chat.completion.chunk", with_usage=False)
    streamed = "".join(c.choices[0].delta.content or "" for c in content)
    assert streamed == text[:text.find(stop)], f"stop={stop!r}, reference text {text!r}"
    assert content[-1].choices[0].finish_reason == "stop"


def test_chat_max_tokens_length(oai):
    r = oai.chat.completions.create(model=MODEL, messages=STORY, max_tokens=5, temperature=0)
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 5


def test_chat_max_completion_tokens_length(oai):
    r = oai.chat.completions.create(model=MODEL, messages=STORY, max_completion_tokens=4, temperature=0)
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 4


def test_chat_seed_reproducible(oai):
    kw = dict(model=MODEL, messages=[{"role": "user", "content": "Invent a name for a new planet and describe it."}],
              max_tokens=8, temperature=0.9, seed=1234)
    a = chat_text(oai.chat.completions.create(**kw))
    b = chat_text(oai.chat.completions.create(**kw))
    assert a == b, "same seed, same request, different text"


def test_chat_different_seeds_vary(oai):
    def run(seed):
        return chat_text(oai.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Invent a name for a new planet and describe it."}],
            max_tokens=8, temperature=0.9, seed=seed))
    with ThreadPoolExecutor(4) as pool:
        texts = list(pool.map(run, [1, 2, 3, 4]))
    assert len(set(texts)) > 1, f"seeds 1-4 at temperature 0.9 all gave {texts[0]!r}"


def test_greedy_independent_of_concurrent_requests(oai, chat_ref):
    def run(messages):
        return chat_text(oai.chat.completions.create(model=MODEL, messages=messages, max_tokens=REF_TOKENS,
                                                     temperature=0))
    others = [{"role": "user", "content": "List some fruits."}]
    with ThreadPoolExecutor(4) as pool:
        texts = list(pool.map(run, [CHAT, STORY, CHAT, others]))
    assert texts[0] == chat_text(chat_ref) and texts[2] == chat_text(chat_ref), \
        f"greedy text changed when run beside other requests: {texts[0]!r} / {texts[2]!r} vs {chat_text(chat_ref)!r}"


def test_chat_logprobs(oai):
    r = oai.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=8, temperature=0,
                                    logprobs=True, top_logprobs=3)
    c = r.choices[0]
    assert c.logprobs is not None and c.logprobs.content, f"no logprobs.content: {c!r}"
    items = c.logprobs.content
    assert len(items) == r.usage.completion_tokens, (len(items), r.usage)
    for t in items:
        assert isinstance(t.token, str)
        assert isinstance(t.logprob, float) and math.isfinite(t.logprob) and t.logprob <= 0, t
        if t.bytes is not None and t.token.isascii():
            assert t.bytes == list(t.token.encode()), t
        tops = t.top_logprobs
        assert len(tops) == 3, f"top_logprobs=3 gave {len(tops)}: {t!r}"
        values = [x.logprob for x in tops]
        assert all(math.isfinite(v) and v <= 0 for v in values), t
        assert values == sorted(values, reverse=True), f"top_logprobs not sorted: {values}"
        assert len({x.token for x in tops}) == 3 or len({tuple(x.bytes or []) for x in tops}) == 3, t
        assert sum(math.exp(v) for v in values) <= 1 + 1e-3, values
        # Greedy: the chosen token is the most likely one.
        assert t.logprob >= values[0] - 1e-3, f"chosen {t.token!r} {t.logprob} below top {tops[0]!r}"
        assert t.token == tops[0].token, f"greedy chose {t.token!r}, top is {tops[0].token!r}"
    assert "".join(t.token for t in items) == c.message.content


def test_chat_n2(oai, chat_ref):
    r = oai.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=REF_TOKENS, temperature=0, n=2)
    assert len(r.choices) == 2, r
    assert sorted(c.index for c in r.choices) == [0, 1]
    for c in r.choices:
        assert c.message.role == "assistant"
        assert c.message.content == chat_text(chat_ref), "greedy choice differs from the n=1 reply"
        assert c.finish_reason == chat_ref.choices[0].finish_reason
    assert r.usage.prompt_tokens == chat_ref.usage.prompt_tokens
    assert r.usage.completion_tokens == 2 * chat_ref.usage.completion_tokens, \
        "usage.completion_tokens should count the tokens of all choices"


def test_chat_sampling_params_accepted(oai):
    r = oai.chat.completions.create(
        model=MODEL, messages=CHAT, max_tokens=4, temperature=0.7, top_p=0.9, presence_penalty=0.1,
        frequency_penalty=0.1, seed=5, user="compat-suite",
        extra_body={"top_k": 40, "min_p": 0.05, "repeat_penalty": 1.1})
    assert r.choices[0].message.content is not None
    check_usage(r.usage, 4)


def test_chat_logit_bias(oai):
    [banana] = cc.token_ids(" banana")
    r = oai.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=3, temperature=0,
                                    logit_bias={str(banana): 100})
    assert chat_text(r) == " banana" * 3, f"logit_bias {{{banana}: 100}} (' banana') gave {chat_text(r)!r}"


def test_chat_default_model(oai, base_url):
    """A request without "model" uses the first model (raw: the client requires model)."""
    r = cc.request(base_url, "POST", "/v1/chat/completions",
                   {"messages": CHAT, "max_tokens": 2, "temperature": 0})
    assert r.status == 200, r
    assert r.json()["model"] == MODEL


# MARK: - Text completions


def test_completion(completion_ref):
    r = completion_ref
    assert r.object == "text_completion"
    assert isinstance(r.id, str) and r.id
    assert isinstance(r.created, int) and abs(r.created - time.time()) < 3600
    assert r.model == MODEL
    assert len(r.choices) == 1
    c = r.choices[0]
    assert c.index == 0 and isinstance(c.text, str) and c.text.strip()
    assert c.finish_reason in ("stop", "length")
    check_usage(r.usage, REF_TOKENS)


def test_completion_stream_matches_non_stream(oai, completion_ref):
    chunks = list(oai.completions.create(model=MODEL, prompt=PROMPT, max_tokens=REF_TOKENS, temperature=0,
                                         stream=True, stream_options={"include_usage": True}))
    content, usage_chunk = check_stream(chunks, "text_completion", with_usage=True)
    assert "".join(c.choices[0].text for c in content) == completion_ref.choices[0].text
    assert content[-1].choices[0].finish_reason == completion_ref.choices[0].finish_reason
    assert usage_chunk.usage.completion_tokens == completion_ref.usage.completion_tokens
    assert usage_chunk.usage.prompt_tokens == completion_ref.usage.prompt_tokens


def test_completion_stop_list(oai, completion_ref):
    text = completion_ref.choices[0].text
    stop = cc.pick_stop_word(text)
    r = oai.completions.create(model=MODEL, prompt=PROMPT, max_tokens=REF_TOKENS, temperature=0,
                               stop=["@@never@@", stop])
    assert r.choices[0].text == text[:text.find(stop)], f"stop={stop!r}, reference text {text!r}"
    assert r.choices[0].finish_reason == "stop"


def test_completion_max_tokens_length(oai):
    r = oai.completions.create(model=MODEL, prompt="Once upon a time, in a land far away,", max_tokens=6,
                               temperature=0)
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 6


def test_completion_prompt_list(oai, completion_ref):
    r = oai.completions.create(model=MODEL, prompt=["My favourite animal is", PROMPT], max_tokens=REF_TOKENS,
                               temperature=0)
    assert len(r.choices) == 2, r
    by_index = {c.index: c for c in r.choices}
    assert sorted(by_index) == [0, 1]
    assert by_index[0].text.strip()
    assert by_index[1].text == completion_ref.choices[0].text, "prompt [a, b]: choice 1 differs from prompt b alone"


def test_completion_seed_reproducible(oai):
    kw = dict(model=MODEL, prompt="Here is a random list of words:", max_tokens=8, temperature=0.9, seed=99)
    assert oai.completions.create(**kw).choices[0].text == oai.completions.create(**kw).choices[0].text


def test_completion_logprobs(oai):
    r = oai.completions.create(model=MODEL, prompt=PROMPT, max_tokens=6, temperature=0, logprobs=2)
    lp = r.choices[0].logprobs
    assert lp is not None, r
    n = r.usage.completion_tokens
    assert len(lp.tokens) == len(lp.token_logprobs) == len(lp.top_logprobs) == n, lp
    for tok, value, tops in zip(lp.tokens, lp.token_logprobs, lp.top_logprobs):
        assert isinstance(value, float) and value <= 0
        assert 1 <= len(tops) <= 2, tops
        assert all(v <= 0 for v in tops.values())
        assert value >= max(tops.values()) - 1e-3, (tok, value, tops)
    assert "".join(lp.tokens) == r.choices[0].text
    if lp.text_offset is not None:
        assert len(lp.text_offset) == n and lp.text_offset == sorted(lp.text_offset)


# MARK: - Models


def test_models_list(oai):
    models = oai.models.list()
    ids = [m.id for m in models.data]
    assert MODEL in ids, ids
    m = next(m for m in models.data if m.id == MODEL)
    assert m.object == "model"
    assert isinstance(m.created, int)
    assert isinstance(m.owned_by, str)


def test_models_retrieve(oai):
    m = oai.models.retrieve(MODEL)
    assert m.id == MODEL and m.object == "model"
    with pytest.raises(openai.NotFoundError):
        oai.models.retrieve("no-such-model")
