#!/usr/bin/env python3
"""Write tokenizer.json files in the other layouts Llama-family models ship, and a golden fixture
for each from Hugging Face tokenizers.

    /root/ref/venv/bin/python scripts/reference/make_hf_variant_fixtures.py [NAME ...]   # from the repository root

NAME picks some of them (spm-metaspace-first, spm-metaspace-always, spm-normalized-added, smollm2,
smollm2-prefix); none means all. Deterministic: a rerun writes byte-identical files.

Outputs (Tests/Fixtures/tokenizer/):
  spm-llama2-style.metaspace-first.tokenizer.json
        the vocabulary, merges and added tokens of spm-llama2-style.tokenizer.json in the non-legacy
        Llama / Mistral layout: no normalizer, pre-tokenizer Metaspace(prepend_scheme "first",
        split false), decoder Sequence[Replace "▁" -> " ", ByteFallback, Fuse, Strip(" ", 1, 0)].
        Byte-identical to what transformers 4.57.6 writes with LlamaTokenizerFast.from_pretrained(dir
        holding spm-llama2-style.model as tokenizer.model, from_slow=True, legacy=False)
        .save_pretrained(...) (checked by hand in a throwaway venv: transformers is not in the venv;
        add_prefix_space=True gives the same file, add_prefix_space=False gives prepend_scheme
        "never" and no Strip).
  spm-llama2-style.metaspace-always.tokenizer.json
        the same vocabulary with pre-tokenizer Metaspace(prepend_scheme "always", split true) and
        decoder Sequence[Metaspace("▁", "always", split true), ByteFallback, Fuse]: the Metaspace
        pre-tokenizer and decoder that transformers 4.57.6's generic SpmConverter writes, with the
        ByteFallback and Fuse steps a byte-fallback vocabulary needs after the decoder. Not copied
        from a particular model; it exercises the Metaspace decoder and split true.
  spm-llama2-style.normalized-added.tokenizer.json
        the legacy layout of spm-llama2-style.tokenizer.json (normalizer Sequence[Prepend "▁", Replace
        " " -> "▁"]) with normalized added tokens: <|user|> and <|bot|> marked "normalized": true (as
        tokenizer.add_tokens([...]) makes them), then " <sep>" (leading space; not special, normalized)
        and "<|eot|>" (special, not normalized) at the next free ids, 3200 and 3201. The added_tokens
        entries equal what tokenizers writes after add_tokens([AddedToken("<|user|>", normalized=True),
        AddedToken("<|bot|>", normalized=True), AddedToken(" <sep>")]) and
        add_special_tokens([AddedToken("<|eot|>", special=True, normalized=False)]) on the legacy file.
        tokenizers matches a normalized added token on the normalized text, against its content run
        through the normalizer: "▁<|user|>", "▁<|bot|>", "▁▁<sep>".
  smollm2.tokenizer.json
        SmolLM2's byte-level BPE built from the default model's GGUF vocabulary (tokens and merges in
        GGUF order; the 17 control tokens as special added tokens), laid out as SmolLM2's
        tokenizer.json on the Hub is, to our knowledge (not compared with the real file): no
        normalizer, pre-tokenizer Sequence[Digits(individual_digits), ByteLevel(add_prefix_space
        false, use_regex)], ByteLevel post-processor and decoder, no unk token, no byte fallback,
        merges as "left right" strings. Compact JSON.
  smollm2-gpt2-prefix.tokenizer.json
        the same vocabulary in the GPT-2 layout with add_prefix_space: pre-tokenizer
        ByteLevel(add_prefix_space true, use_regex), no Digits step.
  golden-spm-hf-metaspace-first.json, golden-spm-hf-metaspace-always.json,
  golden-spm-hf-normalized-added.json, golden-smollm2-hf.json, golden-smollm2-hf-prefix.json
        tokenizers on each file, in the format of golden-spm-hf.json (make_spm_fixtures.py): encode
        cases for every corpus string (tokenizer_corpus.py) and flag pair, decode cases (specials
        around text, byte tokens that split characters, hidden specials between byte tokens, random
        ids, every id once in chunks of 1024), show_special true and false. The normalized-added
        file has NORMALIZED_ADDED_TEXTS after the corpus and decode cases with the two new tokens.

The SmolLM2 vocabulary is read with gguf.GGUFReader from $CRIA_MODELS/SmolLM2-135M-Instruct.Q4_1.gguf
(else ~/.cache/cria/models) when that file exists, and checked against smollm2-vocab.json (the dump
of make_tokenizer_fixtures.py); without the model the dump is used.
"""
import hashlib
import json
import os
import random
import sys

# Before tokenizers is imported: a single thread, like the Swift side.
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import sentencepiece as spm  # noqa: E402
import tokenizers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_spm_fixtures as spmfx  # noqa: E402
from tokenizer_corpus import corpus  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
MODELS = os.environ.get("CRIA_MODELS") or os.path.expanduser("~/.cache/cria/models")
SMOLLM2_GGUF = os.path.join(MODELS, "SmolLM2-135M-Instruct.Q4_1.gguf")
SMOLLM2_DUMP = os.path.join(OUT, "smollm2-vocab.json")
SEED = 20240601
SPIECE_UNDERLINE = "\u2581"

# Texts whose encodings split characters across tokens: pieces of them decode to partial UTF-8.
MULTI_TOKEN_TEXTS = ["🦙", "👨‍👩‍👧‍👦", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "日本語", "ሰላም", "𓀀", "é"]

# The added tokens appended by spm-normalized-added, and the texts its golden file adds to the corpus.
NORMALIZED_ADDED_SEP = " <sep>"
NORMALIZED_ADDED_EOT = "<|eot|>"
NORMALIZED_ADDED_TEXTS = [
    "Hi <|user|> there",
    "<|user|>hi",
    "x<|user|>",                  # no "▁<|user|>" in "▁x<|user|>": not matched
    "x\u2581<|user|>",            # a literal "▁" before it: matched
    "<|user|> <|bot|>",
    "<|bot|><|user|>",            # the second has no "▁" before it
    "  <|user|>  ",
    "a <sep> b",                  # "▁a▁<sep>▁b": no "▁▁<sep>"
    "a<sep>b",
    " <sep>",                     # "▁▁<sep>": matched
    "<sep>",
    "  <sep>",
    "a  <sep> b",
    "x <|eot|> y",
    "<|eot|> <sep>",              # the text after a special token gets its own "▁"
    "<|eot|><|user|>",
    "<s><|user|>hi</s>",
    "<|user|><sep><|eot|>",
]

# MARK: - tokenizer.json files


def spm_variant(pre_tokenizer, decoder):
    """spm-llama2-style.tokenizer.json with no normalizer and the given pre-tokenizer and decoder;
    key order and everything else kept (it is what transformers writes, indent 2)."""
    with open(spmfx.HF_PATH, encoding="utf-8") as f:
        tokenizer = json.load(f)
    assert tokenizer["pre_tokenizer"] is None and tokenizer["normalizer"]["type"] == "Sequence"
    tokenizer["normalizer"] = None
    tokenizer["pre_tokenizer"] = pre_tokenizer
    tokenizer["decoder"] = decoder
    return json.dumps(tokenizer, ensure_ascii=False, indent=2)


def metaspace(prepend_scheme, split):
    return {"type": "Metaspace", "replacement": SPIECE_UNDERLINE, "prepend_scheme": prepend_scheme, "split": split}


def spm_metaspace_first():
    # transformers' LlamaConverter with legacy=False: the decoder is the legacy one (Replace, ByteFallback,
    # Fuse, and Strip because add_prefix_space is not False).
    return spm_variant(metaspace("first", False), {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": SPIECE_UNDERLINE}, "content": " "},
        {"type": "ByteFallback"},
        {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0},
    ]})


def spm_metaspace_always():
    return spm_variant(metaspace("always", True), {"type": "Sequence", "decoders": [
        metaspace("always", True),
        {"type": "ByteFallback"},
        {"type": "Fuse"},
    ]})


def spm_normalized_added():
    """spm-llama2-style.tokenizer.json as it is (legacy normalizer, no pre-tokenizer) but for its
    added tokens: <|user|> and <|bot|> normalized, then " <sep>" (normalized) and the special "<|eot|>"."""
    with open(spmfx.HF_PATH, encoding="utf-8") as f:
        tokenizer = json.load(f)
    assert tokenizer["pre_tokenizer"] is None and tokenizer["normalizer"]["type"] == "Sequence"
    added = tokenizer["added_tokens"]
    assert [t["content"] for t in added] == ["<unk>", "<s>", "</s>"] + spmfx.USER_DEFINED
    for token in added:
        if token["content"] in spmfx.USER_DEFINED:
            token["normalized"] = True
    n = len(tokenizer["model"]["vocab"])
    assert max(t["id"] for t in added) < n
    added.append(dict(spmfx.added_token(n, NORMALIZED_ADDED_SEP, False), normalized=True))
    added.append(spmfx.added_token(n + 1, NORMALIZED_ADDED_EOT, True))
    return json.dumps(tokenizer, ensure_ascii=False, indent=2)


def smollm2_vocabulary():
    """(tokens, token types, merges) of the default model, from its GGUF or the dump."""
    with open(SMOLLM2_DUMP, encoding="utf-8") as f:
        dump = json.load(f)
    vocabulary = (dump["tokens"], [int(t) for t in dump["token_type"]], dump["merges"])
    if os.path.exists(SMOLLM2_GGUF):
        import gguf

        reader = gguf.GGUFReader(SMOLLM2_GGUF)
        field = lambda key: reader.fields[key].contents()  # noqa: E731
        assert field("tokenizer.ggml.model") == "gpt2" and field("tokenizer.ggml.pre") == "smollm"
        from_gguf = (field("tokenizer.ggml.tokens"), [int(t) for t in field("tokenizer.ggml.token_type")],
                     field("tokenizer.ggml.merges"))
        assert from_gguf == vocabulary, "smollm2-vocab.json differs from the GGUF"
    return vocabulary


BYTE_LEVEL = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}


def smollm2(pre_tokenizer):
    tokens, types, merges = smollm2_vocabulary()
    assert len(set(tokens)) == len(tokens)
    control = [i for i, t in enumerate(types) if t == spmfx.CONTROL]
    assert control == list(range(17)), control
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [spmfx.added_token(i, tokens[i], True) for i in control],
        "normalizer": None,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": {token: i for i, token in enumerate(tokens)},
            "merges": list(merges),
        },
    }
    return json.dumps(tokenizer, ensure_ascii=False, separators=(",", ":"))


def smollm2_digits():
    return smollm2({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True}, BYTE_LEVEL]})


def smollm2_prefix():
    return smollm2(dict(BYTE_LEVEL, add_prefix_space=True))


# MARK: - Decode-only id lists


def spm_decode_id_lists(tok):
    """The lists of golden-spm-hf.json, then a few more about the first token's space."""
    sp = spm.SentencePieceProcessor(model_file=spmfx.MODEL_PATH)
    lists = spmfx.decode_id_lists(sp)
    hello = sp.encode("Hello world")
    space = sp.piece_to_id(SPIECE_UNDERLINE)
    user, bot = (sp.piece_to_id(p) for p in spmfx.USER_DEFINED)
    lists += [
        hello + hello,
        [spmfx.byte_id(sp, 0x20)] + hello,                   # a space from a byte piece, first
        [user] + hello,                                      # an added token first, then "▁Hello"
        [sp.bos_id()] + [space] + hello,
        [tok.token_to_id(SPIECE_UNDERLINE * 2)] + hello,      # "▁▁" first
        [tok.token_to_id("ing")] + hello,                    # no "▁" on the first token
        [bot, space, space],
    ]
    assert all(i is not None for ids in lists for i in ids)
    return lists


def spm_normalized_added_decode_id_lists(tok):
    """spm_decode_id_lists, then lists with the two appended tokens (past the chunks of every id)."""
    lists = spm_decode_id_lists(tok)
    sp = spm.SentencePieceProcessor(model_file=spmfx.MODEL_PATH)
    hello = sp.encode("Hello world")
    space = sp.piece_to_id(SPIECE_UNDERLINE)
    user, bot = (sp.piece_to_id(p) for p in spmfx.USER_DEFINED)
    sep, eot = (tok.token_to_id(t) for t in (NORMALIZED_ADDED_SEP, NORMALIZED_ADDED_EOT))
    assert (sep, eot) == (sp.get_piece_size(), sp.get_piece_size() + 1)
    lists += [
        [sep], [eot], [sep, eot],
        [sep] + hello,
        hello + [sep] + hello,
        hello + [eot] + hello,
        [eot] + hello,
        [eot, sep] + hello,
        [space, sep],
        [user, sep, bot],
        hello + [user] + hello + [bot],
        [sp.bos_id(), sep] + hello + [eot, sp.eos_id()],
        [spmfx.byte_id(sp, 0xE6), eot, spmfx.byte_id(sp, 0x97), spmfx.byte_id(sp, 0xA5)],  # 日 split by <|eot|>
    ]
    return lists


def bytes_to_unicode():
    """GPT-2's byte -> character table of byte-level BPE: printable Latin-1 bytes stand for
    themselves, the other 68 bytes take the code points from U+0100 on, in byte order."""
    keep = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(0x100 + extra)
            extra += 1
    return table


def byte_level_decode_id_lists(tok):
    n = tok.get_vocab_size(with_added_tokens=True)
    table = bytes_to_unicode()
    byte = lambda b: tok.token_to_id(table[b])  # noqa: E731
    # SmolLM2 has no token for 21 of the 256 bytes: 0x04 0x06 0x13 0x14 0x16 0x1D 0xC0 0xC1 0xF1 0xF2 and 0xF5..0xFF.
    assert all(byte(b) is not None for b in [0x00, 0x09, 0x0A, 0x20, 0x80, 0xBF, 0xC3, 0xF0, *"🦙鬱".encode("utf-8")])
    enc = lambda text: tok.encode(text, add_special_tokens=False).ids  # noqa: E731
    special = sorted(i for i, t in tok.get_added_tokens_decoder().items() if t.special)
    endoftext, im_start, im_end = (tok.token_to_id(t) for t in ("<|endoftext|>", "<|im_start|>", "<|im_end|>"))
    hello = enc("Hello world")
    llama = list("🦙".encode("utf-8"))
    han = list("鬱".encode("utf-8"))
    rng = random.Random(SEED)
    lists = [
        [],
        [endoftext], [im_start], [im_end], [special[-1]],
        [im_start] + hello + [im_end],
        [im_start, im_start] + hello + [im_end, im_end],
        hello + [endoftext] + hello,
        [im_start] + enc("user\nhi") + [im_end] + enc("\n"),
        [byte(b) for b in llama],                            # a whole character from byte tokens
        [byte(b) for b in llama[:2]],                        # half of it
        [byte(b) for b in llama[:3]] + hello,                # three quarters, then text
        hello + [byte(llama[0])],                            # text, then a lead byte
        [byte(han[0])] + [byte(b) for b in llama],
        [byte(han[1])] + hello,                              # a lone continuation byte
        [byte(0x80), byte(0xBF), byte(0xC3), byte(0xF0)],
        [byte(0x0A), byte(0x20), byte(0x00), byte(0x09)],
        [byte(b) for b in han] + [im_start] + [byte(b) for b in han[:2]] + [im_end] + [byte(han[2])],
        [byte(llama[0]), byte(llama[1])] + [endoftext] + [byte(llama[2]), byte(llama[3])],
        enc("   leading spaces"),
        [byte(0x20)] * 3,
        [byte(0x20)] + hello,
        enc(" Hello") + hello,
    ]
    lists += [[rng.randrange(n) for _ in range(length)] for length in (8, 64, 300)]
    lists.append([rng.choice(special) for _ in range(40)])
    lists.append([rng.randrange(n) if rng.random() < 0.7 else rng.choice(special) for _ in range(200)])
    for text in MULTI_TOKEN_TEXTS:
        ids = enc(text)
        pieces = {tuple(ids[:1]), tuple(ids[1:]), tuple(ids[:-1]), tuple(ids[-1:])}
        pieces |= {(i,) for i in ids}
        lists += [list(piece) for piece in sorted(p for p in pieces if p)]
    lists += [list(range(start, min(start + 1024, n))) for start in range(0, n, 1024)]
    return lists


# MARK: - Fixtures

COMMON_NOTES = (
    "tokenizers.Tokenizer.from_file; ids from tok.encode(text, add_special_tokens=add_special).ids. parse_special "
    "true is the library default (added tokens matched in text); parse_special false sets "
    "tok.encode_special_tokens = True, which stops matching the special added tokens but still matches the "
    "non-special ones. decoded_hex: tok.decode(ids, skip_special_tokens=False) as UTF-8; decode cases use "
    "skip_special_tokens = not show_special, and skipped special tokens are removed before the decoder sees the "
    "tokens around them. "
)

SPM_NOTES = (
    "Added tokens <unk> <s> </s> (special) and <|user|> <|bot|> (not special); the TemplateProcessing "
    "post-processor puts <s> first when add_special. decode returns a str: a run of byte pieces that is not "
    "valid UTF-8 becomes one U+FFFD per byte piece (ByteFallback decoder). "
)

BYTE_LEVEL_NOTES = (
    "Added tokens: the 17 control tokens of the GGUF, all special. The ByteLevel post-processor adds no token, so "
    "add_special changes nothing. decode returns a str: the ByteLevel decoder maps every token's characters back "
    "to bytes and joins them, and bytes that are not UTF-8 become U+FFFD as Rust's String::from_utf8_lossy does "
    "(one per maximal invalid sequence, not one per byte). SmolLM2 has no token for 21 byte values (0x04 0x06 "
    "0x13 0x14 0x16 0x1D 0xC0 0xC1 0xF1 0xF2 0xF5..0xFF); with no unk token and no byte fallback, BPE drops a "
    "character that needs one without a trace (the control-character corpus string loses U+0004 U+0006 U+0013 "
    "U+0014 U+0016 U+001D). "
)

FIXTURES = {
    "spm-metaspace-first": {
        "file": "spm-llama2-style.metaspace-first.tokenizer.json",
        "golden": "golden-spm-hf-metaspace-first.json",
        "compare": "golden-spm-hf.json",
        "build": spm_metaspace_first,
        "lists": spm_decode_id_lists,
        "notes": COMMON_NOTES + SPM_NOTES + (
            "Pre-tokenizer Metaspace(prepend_scheme first, split false), no normalizer: spaces become '▁' and "
            "'▁' is put before the text only if it does not already start with '▁' (so ' Hello' gives one '▁', "
            "where the legacy Prepend+Replace normalizer of golden-spm-hf.json gives two) and only in the piece "
            "of text that starts the input: after a matched added token (<|user|>, or <s> with parse_special) "
            "no '▁' is put. Decoder: Replace '▁' -> ' ', ByteFallback, Fuse, then Strip one leading space of the "
            "whole fused text, so a text that starts with spaces decodes with one space fewer (' ' -> '', "
            "'  x' -> ' x'), unlike the legacy layout."
        ),
    },
    "spm-metaspace-always": {
        "file": "spm-llama2-style.metaspace-always.tokenizer.json",
        "golden": "golden-spm-hf-metaspace-always.json",
        "compare": "golden-spm-hf-metaspace-first.json",
        "build": spm_metaspace_always,
        "lists": spm_decode_id_lists,
        "notes": COMMON_NOTES + SPM_NOTES + (
            "Pre-tokenizer Metaspace(prepend_scheme always, split true), no normalizer: spaces become '▁', '▁' "
            "is put before every piece of text between added tokens unless it already starts with '▁', and the "
            "text is split before each '▁' (so no piece holds '▁▁': a run of spaces is one '▁' per space). "
            "Decoder: Metaspace ('▁' -> ' ' in every token but the first one it is given, whose '▁' are all "
            "dropped, not just a leading one: '▁▁▁▁' first decodes to ''), then ByteFallback and Fuse. A byte "
            "piece <0x20> first keeps its space; a shown <s> or an added token first leaves the next token's "
            "space alone; a skipped special token is removed before the decoder runs, so the token after it "
            "becomes the first."
        ),
    },
    "spm-normalized-added": {
        "file": "spm-llama2-style.normalized-added.tokenizer.json",
        "golden": "golden-spm-hf-normalized-added.json",
        "compare": "golden-spm-hf.json",
        "build": spm_normalized_added,
        "lists": spm_normalized_added_decode_id_lists,
        "texts": NORMALIZED_ADDED_TEXTS,
        "notes": COMMON_NOTES + (
            "Added tokens <unk> <s> </s> (special, not normalized), <|user|> <|bot|> (not special, normalized), "
            "' <sep>' (id 3200, with a leading space; not special, normalized) and <|eot|> (id 3201; special, not "
            "normalized); the TemplateProcessing post-processor puts <s> first when add_special. The legacy "
            "normalizer Sequence[Prepend '▁', Replace ' ' -> '▁'] and no pre-tokenizer, as golden-spm-hf.json. "
            "Matching: the text is first split on the tokens that are not normalized (<unk> <s> </s> <|eot|>, "
            "unless parse_special false), each piece between them is normalized on its own (so each gets a "
            "leading '▁'), and the normalized tokens are matched in the normalized piece against their content "
            "normalized the same way: '▁<|user|>', '▁<|bot|>', '▁▁<sep>'. So '<|user|>' is matched only after a "
            "space, a literal '▁' or at the start of a piece, and the space goes into the added token ('Hi "
            "<|user|> there' -> '▁H' 'i' '▁<|user|>' '▁there'; 'x<|user|>', '\\n<|user|>' and the second of "
            "'<|bot|><|user|>' are not matched); ' <sep>' is matched only where the normalized text has "
            "'▁▁<sep>' (at the start of a piece, or after two spaces), not in 'a <sep> b'. The text after a "
            "normalized added token is not normalized again, so it gets no '▁' of its own ('<|user|>hi' -> "
            "'▁<|user|>' 'h' 'i', where golden-spm-hf.json has '<|user|>' '▁hi'; 'before <|user|> after' -> "
            "'▁before' '▁<|user|>' '▁after'). Encoding.tokens and id_to_token give the "
            "normalized content ('▁<|user|>', '▁▁<sep>'); token_to_id takes only the content as written. "
            "decode sees the normalized content too, so an added token's '▁' becomes a space, and the Strip step "
            "takes the first one off: [3200] (' <sep>') decodes to ' <sep>', [3] to '<|user|>', the ids of "
            "'▁there' '<|user|>' to 'there <|user|>'. decode returns a str: a run of byte pieces that is not "
            "valid UTF-8 becomes one U+FFFD per byte piece (ByteFallback decoder). NORMALIZED_ADDED_TEXTS of "
            "make_hf_variant_fixtures.py follow the corpus strings."
        ),
    },
    "smollm2": {
        "file": "smollm2.tokenizer.json",
        "golden": "golden-smollm2-hf.json",
        "compare": "golden-llamacpp-smollm2.json",
        "build": smollm2_digits,
        "lists": byte_level_decode_id_lists,
        "notes": COMMON_NOTES + BYTE_LEVEL_NOTES + (
            "Pre-tokenizer Sequence[Digits(individual_digits), ByteLevel(add_prefix_space false, use_regex)]: "
            "every digit (Unicode numeric) is a piece of its own, then GPT-2's regex splits the rest. The ids "
            "equal those of golden-llamacpp-smollm2.json (llama.cpp on the GGUF) in every case."
        ),
    },
    "smollm2-prefix": {
        "file": "smollm2-gpt2-prefix.tokenizer.json",
        "golden": "golden-smollm2-hf-prefix.json",
        "compare": "golden-smollm2-hf.json",
        "build": smollm2_prefix,
        "lists": byte_level_decode_id_lists,
        "notes": COMMON_NOTES + BYTE_LEVEL_NOTES + (
            "Pre-tokenizer ByteLevel(add_prefix_space true, use_regex), no Digits step: a space is put before "
            "every piece of text between added tokens that does not start with ' ' (text starting with a "
            "newline or a tab gets one too: '\\n\\nx' -> 'ĠĊ' 'Ċ' 'x'; after '<|im_start|>' 'user' becomes "
            "'Ġuser'), and the decoder keeps it."
        ),
    },
}


def golden(name, spec, texts):
    path = os.path.join(OUT, spec["file"])
    tok = tokenizers.Tokenizer.from_file(path)
    encode = []
    for text in texts:
        for add_special in (False, True):
            for parse_special in (False, True):
                ids = spmfx.hf_encode(tok, text, add_special, parse_special)
                encode.append({"text": text, "add_special": add_special, "parse_special": parse_special,
                               "ids": ids, "decoded_hex": spmfx.hf_decode(tok, ids, True).hex()})
    decode = [{"ids": ids, "show_special": show, "hex": spmfx.hf_decode(tok, ids, show).hex()}
              for ids in spec["lists"](tok) for show in (False, True)]
    spmfx.write_json(spec["golden"], {
        "source": {"kind": "tokenizer.json", "path": f"fixtures:{spec['file']}"},
        "reference": f"tokenizers {tokenizers.__version__}",
        "notes": spec["notes"],
        "encode": encode,
        "decode_show_special": True,
        "decode": decode,
    })
    return encode, decode


def summary(spec, encode):
    """Print how many texts round-trip and where the ids differ from a sibling golden file."""
    plain = [c for c in encode if not c["add_special"] and not c["parse_special"]]
    failing = [c["text"] for c in plain if bytes.fromhex(c["decoded_hex"]) != c["text"].encode("utf-8")]
    print(f"  decode(encode(text)) == text for {len(plain) - len(failing)} of {len(plain)} texts")
    other_path = os.path.join(OUT, spec["compare"])
    if not os.path.exists(other_path):
        return
    with open(other_path, encoding="utf-8") as f:
        other = {(c["text"], c["add_special"], c["parse_special"]): c["ids"] for c in json.load(f)["encode"]}
    keys = [(c["text"], c["add_special"], c["parse_special"]) for c in encode]
    mine = {(c["text"], c["add_special"], c["parse_special"]): c["ids"] for c in encode}
    shared = [k for k in keys if k in other]
    differing = [k for k in shared if mine[k] != other[k]]
    print(f"  ids differ from {spec['compare']} in {len(differing)} of {len(shared)} cases, on "
          f"{len({k[0] for k in differing})} texts")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    names = sys.argv[1:] or list(FIXTURES)
    unknown = [n for n in names if n not in FIXTURES]
    if unknown:
        sys.exit(f"unknown fixture {', '.join(unknown)}; known: {', '.join(FIXTURES)}")
    texts = corpus()
    written = []
    for name in names:
        spec = FIXTURES[name]
        path = os.path.join(OUT, spec["file"])
        with open(path, "w", encoding="utf-8") as f:
            f.write(spec["build"]())
        extra = spec.get("texts", [])
        assert not set(extra) & set(texts) and len(set(extra)) == len(extra)
        encode, decode = golden(name, spec, texts + extra)
        print(f"{spec['golden']}: {len(encode)} encode cases, {len(decode)} decode cases")
        summary(spec, encode)
        written += [path, os.path.join(OUT, spec["golden"])]
    for path in written:
        print(f"{os.path.getsize(path):>9}  {sha256(path)[:16]}  {os.path.relpath(path, OUT)}")


if __name__ == "__main__":
    main()
