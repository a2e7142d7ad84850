#!/usr/bin/env python3
"""Write small regression fixtures for tokenizer edge cases, with golden files from the reference
libraries (sentencepiece for .model files, Hugging Face tokenizers for tokenizer.json files).

    /root/ref/venv/bin/python scripts/reference/make_edge_fixtures.py [NAME ...]   # from the repository root

NAME picks some of them (sp-remove-extra-ws, hf-overlap, ...); none means all. Deterministic: a
rerun writes byte-identical files. Every file stays well under 60 KB. EDGE_VERBOSE=1 also prints
each case as token texts.

Outputs (Tests/Fixtures/tokenizer/edge/, listed with what each exercises in edge/README.md):
  <name>.model            spm-llama2-style.model with its protobuf edited by the small ModelProto
                          editor below (normalizer / trainer spec fields set, pieces retyped,
                          added or removed); no protobuf package needed.
  <name>.tokenizer.json   a tokenizer.json built here by hand around a tiny BPE vocabulary (a few
                          hundred tokens, merges learnt by the small deterministic BPE trainer below
                          from TRAINING_TEXT), in one of two layouts: "spm" (characters, Metaspace or
                          the legacy Prepend/Replace normalizer, byte fallback unless turned off) or
                          "byte-level" (GPT-2 bytes-to-unicode alphabet, ByteLevel pre-tokenizer and
                          decoder).
  golden-<name>.json      the reference on that file, in the format of golden-spm-hf.json /
                          golden-spm-sentencepiece.json: source {"kind", "path": "fixtures:edge/<file>"},
                          reference, notes, decode_show_special, encode cases (each text with
                          add_special false/true, and parse_special false/true for tokenizers;
                          sentencepiece never parses special tokens, so parse_special false only),
                          each with decoded_hex, then decode-only cases (show_special false and true
                          for tokenizers, false for sentencepiece).

Reference calls (as make_spm_fixtures.py): sentencepiece: ids = sp.encode(text), with [bos_id] in front
when add_special; decoded_hex and decode cases: sp.decode(ids). tokenizers: tok.encode_special_tokens =
not parse_special; ids = tok.encode(text, add_special_tokens=add_special).ids; decoded_hex:
tok.decode(ids, skip_special_tokens=False); decode cases: skip_special_tokens = not show_special.
"""
import hashlib
import json
import os
import re
import struct
import sys

# Before tokenizers is imported: a single thread, like the Swift side.
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import sentencepiece as spm  # noqa: E402
import tokenizers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
OUT = os.path.join(FIXTURES, "edge")
SPM_SOURCE = os.path.join(FIXTURES, "spm-llama2-style.model")
SPIECE_UNDERLINE = "\u2581"
MAX_FILE_BYTES = 60_000

# MARK: - A minimal protobuf editor for sentencepiece's ModelProto
#
# Field numbers from sentencepiece src/sentencepiece_model.proto: ModelProto pieces = 1, trainer_spec = 2,
# normalizer_spec = 3; SentencePiece piece = 1, score = 2 (float), type = 3 (NORMAL 1, UNKNOWN 2, CONTROL 3,
# USER_DEFINED 4, UNUSED 5, BYTE 6); TrainerSpec user_defined_symbols = 31, byte_fallback = 35,
# unk_surface = 44; NormalizerSpec add_dummy_prefix = 3, remove_extra_whitespaces = 4.

VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
PIECES, TRAINER_SPEC, NORMALIZER_SPEC = 1, 2, 3
TRAINER_USER_DEFINED_SYMBOLS, TRAINER_BYTE_FALLBACK, TRAINER_UNK_SURFACE = 31, 35, 44
NORMALIZER_ADD_DUMMY_PREFIX, NORMALIZER_REMOVE_EXTRA_WHITESPACES = 3, 4


def read_varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def write_varint(value):
    assert value >= 0
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def parse_message(data):
    """[field, wire type, value] for each field in order; values stay raw (ints for varints, bytes
    otherwise), so that serialize(parse_message(data)) == data for what sentencepiece writes."""
    fields, pos = [], 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == VARINT:
            value, pos = read_varint(data, pos)
        elif wire == FIXED64:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == BYTES:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == FIXED32:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire} at byte {pos}")
        fields.append([field, wire, value])
    assert pos == len(data)
    return fields


def serialize(fields):
    out = bytearray()
    for field, wire, value in fields:
        out += write_varint(field << 3 | wire)
        if wire == VARINT:
            out += write_varint(value)
        elif wire == BYTES:
            out += write_varint(len(value)) + value
        else:
            out += value
    return bytes(out)


def set_scalar(fields, field, wire, value):
    """Sets a non-repeated field: in place where it is, else appended."""
    present = [f for f in fields if f[0] == field]
    assert len(present) <= 1
    if present:
        present[0][1:] = [wire, value]
    else:
        fields.append([field, wire, value])


class ModelProto:
    def __init__(self, data):
        self.fields = parse_message(data)
        assert serialize(self.fields) == data

    def serialize(self):
        return serialize(self.fields)

    def submessage(self, field):
        (entry,) = [f for f in self.fields if f[0] == field]
        return entry

    def edit_spec(self, field, updates):
        """Sets varint or string fields of trainer_spec or normalizer_spec."""
        entry = self.submessage(field)
        sub = parse_message(entry[2])
        for number, value in updates.items():
            if isinstance(value, bool):
                set_scalar(sub, number, VARINT, int(value))
            elif isinstance(value, int):
                set_scalar(sub, number, VARINT, value)
            else:
                set_scalar(sub, number, BYTES, value.encode("utf-8"))
        entry[2] = serialize(sub)

    def add_user_defined_symbol_names(self, names):
        """Appends to trainer_spec.user_defined_symbols (informational; loading goes by piece type),
        so the spec says what the trainer would have written for these pieces."""
        entry = self.submessage(TRAINER_SPEC)
        sub = parse_message(entry[2])
        last = max(i for i, f in enumerate(sub) if f[0] == TRAINER_USER_DEFINED_SYMBOLS)
        sub[last + 1:last + 1] = [[TRAINER_USER_DEFINED_SYMBOLS, BYTES, n.encode("utf-8")] for n in names]
        entry[2] = serialize(sub)

    def piece_entries(self):
        """(top-level entry, parsed piece fields) for each piece, in id order."""
        return [(f, parse_message(f[2])) for f in self.fields if f[0] == PIECES]

    @staticmethod
    def piece_text(sub):
        return next(v for f, w, v in sub if f == 1).decode("utf-8")

    @staticmethod
    def piece_type(sub):
        return next((v for f, w, v in sub if f == 3), NORMAL)

    def retype(self, text, piece_type):
        matches = [(e, s) for e, s in self.piece_entries() if self.piece_text(s) == text]
        assert len(matches) == 1, text
        entry, sub = matches[0]
        set_scalar(sub, 3, VARINT, piece_type)
        entry[2] = serialize(sub)

    def append_piece(self, text, score, piece_type):
        """A new piece after the last one (so it takes the next id)."""
        sub = [[1, BYTES, text.encode("utf-8")], [2, FIXED32, struct.pack("<f", score)], [3, VARINT, piece_type]]
        last = max(i for i, f in enumerate(self.fields) if f[0] == PIECES)
        self.fields.insert(last + 1, [PIECES, BYTES, serialize(sub)])

    def remove_pieces(self, piece_type):
        """Drops every piece of a type; the pieces after them move down to fill the ids."""
        self.fields = [f for f in self.fields if f[0] != PIECES or self.piece_type(parse_message(f[2])) != piece_type]


def spm_variant(normalizer=None, trainer=None, retype=(), append=(), remove_type=None, unused=()):
    with open(SPM_SOURCE, "rb") as f:
        proto = ModelProto(f.read())
    if remove_type is not None:
        proto.remove_pieces(remove_type)
    for text in retype:
        proto.retype(text, USER_DEFINED)
    for text in unused:
        proto.retype(text, UNUSED)
    for text in append:
        proto.append_piece(text, 0.0, USER_DEFINED)
    if retype or append:
        proto.add_user_defined_symbol_names(list(retype) + list(append))
    if normalizer:
        proto.edit_spec(NORMALIZER_SPEC, normalizer)
    if trainer:
        proto.edit_spec(TRAINER_SPEC, trainer)
    return proto.serialize()


# MARK: - Tiny BPE vocabularies for tokenizer.json

# Training text of the tiny vocabularies: it holds the words the edge texts use, so that they
# come out as a few merged tokens rather than single characters.
TRAINING_TEXT = """
Hello world, hello there. The user said hello to the world and then went home.
She went to the entry of the tent; the token was sent there. Then the tokens were split.
A user and a bot: the user types and the bot answers. Lower case and UPPER CASE text.
Find the file, fix the prefix and strip the spaces. A tab, a space, a new line.
The bathe them the then there where here hence. Ten cents went in.
abc abab aaa aab bab xyz axyzb fix fin find file office fix fix.
""".split("\n")

ASCII_CHARACTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)


def train_bpe(words, n_merges):
    """Classic BPE: merge the most frequent adjacent pair (ties: the smallest pair) n_merges times.
    words: {tuple of symbols: count}. Returns the merges in order."""
    words = dict(words)
    merges = []
    for _ in range(n_merges):
        counts = {}
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                counts[pair] = counts.get(pair, 0) + count
        if not counts:
            break
        best = min(counts, key=lambda p: (-counts[p], p))
        if counts[best] < 2:
            break
        merges.append(best)
        merged = {}
        for word, count in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + count
        words = merged
    return merges


def spm_words():
    """'▁'-prefixed words of TRAINING_TEXT, as the Metaspace pre-tokenizer sees them."""
    words = {}
    for line in TRAINING_TEXT:
        for word in line.split():
            key = tuple(SPIECE_UNDERLINE + word)
            words[key] = words.get(key, 0) + 1
    return words


def bytes_to_unicode():
    """GPT-2's byte -> character table of byte-level BPE."""
    keep = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(0x100 + extra)
            extra += 1
    return table


BYTE_CHARS = bytes_to_unicode()
# GPT-2's split, restricted to the ASCII training text (which is all it is used on).
GPT2_ASCII_SPLIT = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")


def byte_level_words():
    words = {}
    for line in TRAINING_TEXT:
        for piece in GPT2_ASCII_SPLIT.findall(line):
            key = tuple(BYTE_CHARS[b] for b in piece.encode("utf-8"))
            words[key] = words.get(key, 0) + 1
    return words


def added_token(i, content, special, lstrip=False, rstrip=False, normalized=None):
    return {"id": i, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": rstrip,
            "normalized": (not special) if normalized is None else normalized, "special": special}


def bpe_model(vocab, merges, unk_token, fuse_unk, byte_fallback):
    return {
        "type": "BPE",
        "dropout": None,
        "unk_token": unk_token,
        "continuing_subword_prefix": None,
        "end_of_word_suffix": None,
        "fuse_unk": fuse_unk,
        "byte_fallback": byte_fallback,
        "ignore_merges": False,
        "vocab": vocab,
        "merges": [[left, right] for left, right in merges],
    }


def template(bos, bos_id):
    return {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [
            {"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
            {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}},
        ],
        "special_tokens": {bos: {"id": bos, "ids": [bos_id], "tokens": [bos]}},
    }


METASPACE_FIRST = {"type": "Metaspace", "replacement": SPIECE_UNDERLINE, "prepend_scheme": "first", "split": False}
LEGACY_NORMALIZERS = [
    {"type": "Prepend", "prepend": SPIECE_UNDERLINE},
    {"type": "Replace", "pattern": {"String": " "}, "content": SPIECE_UNDERLINE},
]
SPM_MERGES = 90
BYTE_LEVEL_MERGES = 90


def spm_layout(added=(), normalizers=None, pre_tokenizer=METASPACE_FIRST, byte_fallback=True, fuse_unk=True):
    """The "spm" layout: <unk> <s> </s>, the 256 byte pieces (unless byte_fallback is off), '▁', the
    printable ASCII characters, then the merged tokens; the added tokens after them. Decoder as
    transformers' LlamaConverter writes it (Replace '▁' -> ' ', ByteFallback, Fuse, Strip one leading
    space). normalizers: a list for a Sequence normalizer (None: no normalizer)."""
    tokens = ["<unk>", "<s>", "</s>"]
    if byte_fallback:
        tokens += [f"<0x{b:02X}>" for b in range(256)]
    tokens += [SPIECE_UNDERLINE] + list(ASCII_CHARACTERS)
    merges = train_bpe(spm_words(), SPM_MERGES)
    for left, right in merges:
        if left + right not in tokens:
            tokens.append(left + right)
    vocab = {t: i for i, t in enumerate(tokens)}
    assert len(vocab) == len(tokens)
    added_tokens = [added_token(0, "<unk>", True), added_token(1, "<s>", True), added_token(2, "</s>", True)]
    for k, (content, options) in enumerate(added):
        added_tokens.append(added_token(len(tokens) + k, content, **options))
    decoders = [{"type": "Replace", "pattern": {"String": SPIECE_UNDERLINE}, "content": " "}]
    if byte_fallback:
        decoders.append({"type": "ByteFallback"})
    decoders += [{"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens,
        "normalizer": {"type": "Sequence", "normalizers": normalizers} if normalizers is not None else None,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": template("<s>", vocab["<s>"]),
        "decoder": {"type": "Sequence", "decoders": decoders},
        "model": bpe_model(vocab, merges, "<unk>", fuse_unk, byte_fallback),
    }


def byte_level_layout(added=(), normalizer=None):
    """The "byte-level" layout: <s> </s>, the 256 byte characters in byte order, the merged tokens,
    then the added tokens. ByteLevel pre-tokenizer (GPT-2 regex, no prefix space) and decoder;
    TemplateProcessing puts <s> first."""
    tokens = ["<s>", "</s>"] + [BYTE_CHARS[b] for b in range(256)]
    merges = train_bpe(byte_level_words(), BYTE_LEVEL_MERGES)
    for left, right in merges:
        if left + right not in tokens:
            tokens.append(left + right)
    vocab = {t: i for i, t in enumerate(tokens)}
    assert len(vocab) == len(tokens)
    added_tokens = [added_token(0, "<s>", True), added_token(1, "</s>", True)]
    for k, (content, options) in enumerate(added):
        added_tokens.append(added_token(len(tokens) + k, content, **options))
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens,
        "normalizer": normalizer,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": template("<s>", vocab["<s>"]),
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": bpe_model(vocab, merges, None, False, False),
    }


def dump_tokenizer_json(tokenizer):
    """One line per vocabulary entry, merge and added token, so that the files stay small and diffable."""
    return json.dumps(tokenizer, ensure_ascii=False, indent=1) + "\n"


# MARK: - Reference calls


def spm_encode(sp, text, add_special):
    ids = sp.encode(text)
    return [sp.bos_id()] + ids if add_special else ids


def spm_decode(sp, ids):
    return sp.decode(ids).encode("utf-8")


def hf_encode(tok, text, add_special, parse_special):
    tok.encode_special_tokens = not parse_special
    try:
        return tok.encode(text, add_special_tokens=add_special).ids
    finally:
        tok.encode_special_tokens = False


def hf_decode(tok, ids, show_special):
    return tok.decode(ids, skip_special_tokens=not show_special).encode("utf-8")


# MARK: - Decode-only id lists


def spm_decode_lists(sp, extra_pieces=()):
    """Id lists about the first piece's space, <unk>'s surface, control and user-defined pieces and
    byte pieces, then lists of extra_pieces (piece texts; tuples of texts for several pieces)."""
    unk = sp.unk_id()

    def v(piece):
        i = sp.piece_to_id(piece)
        assert i != unk or piece == "<unk>", f"no piece {piece!r}"
        return i

    bos, eos = sp.bos_id(), sp.eos_id()
    space, a, b = v(SPIECE_UNDERLINE), v(SPIECE_UNDERLINE + "a"), v(SPIECE_UNDERLINE + "b")
    user = v("<|user|>")
    lists = [
        [],
        [space],
        [space, space, a],                 # [▁, ▁, ▁a]
        [v(SPIECE_UNDERLINE * 2), a],      # [▁▁, ▁a]
        [space, space],
        [a, space, space],
        [bos, space, a],
        [bos, a, eos],
        [unk],                             # <unk>'s surface
        [unk, unk],
        [unk, a],
        [a, unk, b],
        [space, unk, a],
        [bos, unk],
        [user, a],
        [space, user, a],
        [a, user, space, b],
        [v("a"), b],                       # no '▁' on the first piece
    ]
    if sp.piece_to_id("<0x20>") != unk:
        byte = lambda x: v(f"<0x{x:02X}>")  # noqa: E731
        lists += [
            [byte(0x20), a],               # a space from a byte piece first
            [byte(0x20), space, a],
            [space, byte(0xE3), byte(0x80), byte(0x80), a],
            [byte(0xE3), a],               # a lone lead byte
            [byte(0xE3), byte(0x80)],
        ]
    for piece in extra_pieces:
        ids = [v(p) for p in (piece if isinstance(piece, tuple) else (piece,))]
        lists.append(ids)
    return [ids for k, ids in enumerate(lists) if ids not in lists[:k]]


def hf_decode_lists(tok, layout, extra=()):
    """Id lists about specials, added tokens, the first token's space and partial characters, then
    extra (lists of token texts)."""
    t = tok.token_to_id
    added = [t(x.content) for x in tok.get_added_tokens_decoder().values()
             if x.content not in ("<unk>", "<s>", "</s>")]
    bos, eos, unk = t("<s>"), t("</s>"), t("<unk>")
    hello = tok.encode("hello world", add_special_tokens=False).ids
    lists = [[], [bos], [eos], [bos] + hello + [eos], [bos, bos] + hello + [eos, eos]]
    if layout == "spm":
        space = t(SPIECE_UNDERLINE)
        lists += [[unk], [unk, unk], hello + [unk] + hello, [unk] + hello,
                  [space], [space, space] + hello, [space] + hello, hello + [space, space]]
        if t("<0x20>") is not None:
            byte = lambda x: t(f"<0x{x:02X}>")  # noqa: E731
            lists += [
                [byte(0x20)] + hello,
                [byte(0xE3), byte(0x80), byte(0x80)],
                [byte(0xE3), byte(0x80)] + hello,
                [byte(0xE3), bos, byte(0x80), byte(0x80)],
                [byte(0xE3), eos, byte(0x80), byte(0x80)],
            ]
    else:
        byte = lambda x: t(BYTE_CHARS[x])  # noqa: E731
        llama = "🦙".encode("utf-8")
        lists += [
            [byte(x) for x in llama],
            [byte(x) for x in llama[:2]],
            [byte(x) for x in llama[:2]] + [bos] + [byte(x) for x in llama[2:]],
            [byte(0x20)] + hello,
            [byte(0x20), byte(0x20)],
        ]
    for i in added:
        lists += [[i], [i] + hello, hello + [i] + hello, [bos, i, eos]]
    if len(added) >= 2:
        lists += [added, added[::-1]]
    for texts in extra:
        lists.append([t(x) for x in texts])
    for ids in lists:
        assert all(i is not None for i in ids), ids
    return [ids for k, ids in enumerate(lists) if ids not in lists[:k]]


# MARK: - The fixtures

SP_NOTES = (
    "SentencePieceProcessor(model_file=...). add_special false: sp.encode(text); true: [bos_id] + sp.encode(text). "
    "sentencepiece never matches control pieces (<s>, </s>) or <unk> in text, so every case has parse_special "
    "false; user-defined pieces are always matched in text (leftmost longest, in the normalized text, before BPE, "
    "and BPE never merges across them). decoded_hex: sp.decode(ids) as UTF-8, which drops control pieces, renders "
    "<unk> as trainer_spec.unk_surface (default ' \u2047 '), turns '\u2581' into ' ' in every other piece "
    "(user-defined ones too), turns each undecodable byte piece into U+FFFD, and removes one leading '\u2581' of a "
    "piece while the output is still at its start (is_bos_ws) when add_dummy_prefix or remove_extra_whitespaces "
    "is set. Decode cases: sp.decode(ids). "
)

HF_NOTES = (
    "tokenizers.Tokenizer.from_file; ids from tok.encode(text, add_special_tokens=add_special).ids. parse_special "
    "true is the library default (added tokens matched in text); parse_special false sets "
    "tok.encode_special_tokens = True, which stops matching the special added tokens but still matches the "
    "non-special ones. decoded_hex: tok.decode(ids, skip_special_tokens=False) as UTF-8; decode cases use "
    "skip_special_tokens = not show_special. "
)

SPM_LAYOUT_NOTES = (
    "Tiny vocabulary in the 'spm' layout of make_edge_fixtures.py: <unk> <s> </s> (special added tokens), "
    "{bytes}'\u2581', printable ASCII, {merges} merged tokens; TemplateProcessing puts <s> first when add_special; "
    "decoder Replace '\u2581' -> ' ', {bytefallback}Fuse, Strip one leading space. "
)

BYTE_LEVEL_NOTES = (
    "Tiny vocabulary in the 'byte-level' layout of make_edge_fixtures.py: <s> </s> (special added tokens), the "
    "256 byte characters, {merges} merged tokens; pre-tokenizer ByteLevel(add_prefix_space false, GPT-2 regex), "
    "ByteLevel decoder (bytes that are not UTF-8 become U+FFFD, one per maximal invalid sequence); "
    "TemplateProcessing puts <s> first when add_special. "
)


def spm_layout_notes(byte_fallback=True):
    return SPM_LAYOUT_NOTES.format(
        bytes="the 256 byte pieces <0x00>..<0xFF>, " if byte_fallback else "no byte pieces, ",
        merges=len(train_bpe(spm_words(), SPM_MERGES)),
        bytefallback="ByteFallback, " if byte_fallback else "")


def byte_level_notes():
    return BYTE_LEVEL_NOTES.format(merges=len(train_bpe(byte_level_words(), BYTE_LEVEL_MERGES)))


NOT_SPECIAL = {"special": False, "normalized": False}
NORMALIZED = {"special": False, "normalized": True}

# Texts shared by the whitespace-sensitive sentencepiece variants.
SP_SPACE_TEXTS = ["", " ", "   ", "a b", " a  b ", "  a  b  ", "a\tb  c", "a\u3000 b", " \n x", "x  \n  y"]

LRSTRIP_ADDED = [
    ("<R>", {"special": False, "rstrip": True, "normalized": False}),
    ("<L>", {"special": True, "lstrip": True, "normalized": False}),
    ("<B>", {"special": False, "lstrip": True, "rstrip": True, "normalized": False}),
]
LRSTRIP_TEXTS = [
    "a <R> b", "a <R>\t\tb", "a <R>\u3000b", "a <R>\n\nb", "a <R> \t\u3000\n b", "<R>   ", "<R>",
    "a <L> b", "a\t<L>b", "a\u3000<L> b", "a\n\n<L>\nb", "a \t\u3000\n <L>", "  <L>", "<L>",
    "x <B> y", "x\t<B>\ny", "x\u3000\u3000<B>\u3000\u3000y", "  <B>  ",
    "<L><R>", "<R><L>", "<R> <L>", " <R> <L> ", "a<R>b<L>c", "<R>\u00a0x", "x\u200b<L>", "<s> <L> </s>",
]

VARIANTS = {}


def variant(name, **spec):
    spec["texts"] = list(dict.fromkeys(spec["texts"]))  # in order, without repeats
    VARIANTS[name] = spec


# --- SentencePiece .model variants (reference: sentencepiece) ---

variant(
    "sp-remove-extra-ws",
    kind="sentencepiece",
    build=lambda: spm_variant(normalizer={NORMALIZER_REMOVE_EXTRA_WHITESPACES: True}),
    texts=["a <|user|> b", "   ", "  a  b  ", "<|user|>x", " x ", "x <|user|>", " <|user|> ",
           "<|user|>  <|bot|>", "a  <|bot|>b"] + SP_SPACE_TEXTS,
    notes="spm-llama2-style.model with normalizer_spec.remove_extra_whitespaces = true (add_dummy_prefix stays "
          "true): leading and trailing spaces are dropped and runs of spaces become one, only for U+0020 (tabs, "
          "newlines and U+3000 are kept as they are, by the identity normalizer). User-defined pieces are matched "
          "in the normalized text; the dummy '\u2581' goes before the whole normalized text, so '<|user|>x' gives "
          "'\u2581' '<|user|>' 'x'. In decode every leading '\u2581' is dropped while the output is empty: "
          "[\u2581, \u2581, \u2581a] decodes to 'a' (but [\u2581\u2581, \u2581a] to '  a': one '\u2581' per piece).",
)

variant(
    "sp-user-defined",
    kind="sentencepiece",
    build=lambda: spm_variant(retype=["he", "ent"]),
    texts=["hent", "the hent", "entrée", "he", "ent", " he", "she went", "hehe", "heent", "then the tent",
           "<|user|>hent", "HEnt he\tent"],
    decode=["he", "ent", ("he", "n", "t"), (SPIECE_UNDERLINE, "he"), (SPIECE_UNDERLINE + "t", "he"),
            ("<s>", "he"), ("ent", SPIECE_UNDERLINE + "a")],
    notes="spm-llama2-style.model with the normal pieces 'he' (id 265) and 'ent' (id 306) retyped USER_DEFINED "
          "(and added to trainer_spec.user_defined_symbols, as the trainer writes them). User-defined pieces are "
          "matched leftmost longest in the normalized text before BPE and BPE never merges across them: 'hent' -> "
          "'\u2581' 'he' 'n' 't' (the 'he' at the start stops 'ent'), 'the' -> '\u2581t' 'he', 'entrée' -> '\u2581' "
          "'ent' 'r' 'é' 'e'. The dummy '\u2581' stays a piece of its own when a user-defined piece follows it.",
)

variant(
    "sp-remove-extra-ws-no-dummy",
    kind="sentencepiece",
    build=lambda: spm_variant(normalizer={NORMALIZER_REMOVE_EXTRA_WHITESPACES: True,
                                          NORMALIZER_ADD_DUMMY_PREFIX: False}),
    texts=["a b", " a  b ", "<|user|> a", "a <|user|>", " <|user|>  x "] + SP_SPACE_TEXTS,
    notes="spm-llama2-style.model with remove_extra_whitespaces = true and add_dummy_prefix = false: no '\u2581' "
          "is put before the text ('a b' -> 'a' '\u2581b'), spaces are trimmed and collapsed; decode still drops "
          "leading '\u2581' while the output is empty (remove_extra_whitespaces alone turns that on).",
)

variant(
    "sp-no-dummy",
    kind="sentencepiece",
    build=lambda: spm_variant(normalizer={NORMALIZER_ADD_DUMMY_PREFIX: False}),
    texts=["a b", " a  b ", "<|user|> a", "a <|user|>", " <|user|>  x "] + SP_SPACE_TEXTS,
    notes="spm-llama2-style.model with add_dummy_prefix = false (remove_extra_whitespaces stays false): no '\u2581' "
          "before the text, spaces kept as they are; decode keeps a leading '\u2581' as a space ([\u2581] -> ' ').",
)

UD_SPACE = [SPIECE_UNDERLINE + "<|sep|>", "a" + SPIECE_UNDERLINE + "b", "x y"]
variant(
    "sp-user-defined-space",
    kind="sentencepiece",
    build=lambda: spm_variant(append=UD_SPACE, retype=[SPIECE_UNDERLINE + "the"]),
    texts=["x <|sep|> y", "<|sep|>", " <|sep|>", "x<|sep|>", "x  <|sep|>", "a b", "a  b", " a b", "ab", "ba b",
           "the them", "bathe", "then the", "a b <|sep|>", "x y", "ax yb"],
    decode=[UD_SPACE[0], UD_SPACE[1], (SPIECE_UNDERLINE + "a", UD_SPACE[1]), (SPIECE_UNDERLINE, UD_SPACE[1]),
            (SPIECE_UNDERLINE, UD_SPACE[0]), (UD_SPACE[0], UD_SPACE[0]), ("<s>", UD_SPACE[0]),
            (SPIECE_UNDERLINE + "x", UD_SPACE[0]), (SPIECE_UNDERLINE + "the",), ("<unk>", UD_SPACE[0]),
            (UD_SPACE[1], SPIECE_UNDERLINE + "the"), UD_SPACE[2], (UD_SPACE[2], UD_SPACE[2])],
    notes="spm-llama2-style.model with user-defined pieces that hold '\u2581' (sentencepiece's trainer accepts such "
          "user_defined_symbols too): '\u2581<|sep|>' (id 3200), 'a\u2581b' (id 3201) and 'x y' (id 3202, a "
          "literal space: never matched, since the text is matched after spaces become '\u2581') appended with "
          "score 0, and the normal piece '\u2581the' (id 269) retyped USER_DEFINED. They are matched in the "
          "normalized text, where spaces are already '\u2581': 'x <|sep|> y' -> '\u2581x' '\u2581<|sep|>' "
          "'\u2581y'; '<|sep|>' at the start takes "
          "the dummy prefix; 'a b' -> '\u2581' 'a\u2581b' (the match starts after the dummy '\u2581'); 'them' -> "
          "'\u2581the' 'm'. In decode their '\u2581' become spaces, and a leading one is dropped at the start of "
          "the output like any piece's: [\u2581<|sep|>] -> '<|sep|>', [a\u2581b] -> 'a b', [\u2581a, a\u2581b] -> "
          "'aa b'.",
)

variant(
    "sp-unused",
    kind="sentencepiece",
    build=lambda: spm_variant(unused=[SPIECE_UNDERLINE + "the", "he"]),
    texts=["the cat the end", "then", "the", "bathe the", "he said", "them"],
    decode=[(SPIECE_UNDERLINE + "the",), ("he", SPIECE_UNDERLINE + "the")],
    notes="spm-llama2-style.model with the normal pieces '\u2581the' and 'he' retyped UNUSED: BPE may still merge "
          "into them, but sentencepiece splits an unused result back into the pieces it was merged from "
          "(bpe_model.cc resegment), recursively: 'the' -> '\u2581t' 'h' 'e'. Decoding an unused id gives its text.",
)

variant(
    "sp-no-byte-fallback",
    kind="sentencepiece",
    build=lambda: spm_variant(trainer={TRAINER_BYTE_FALLBACK: False}, remove_type=BYTE),
    texts=["🦙🦙🦙", "a🦙b", "ሰላም ሰላም", "🦙\n🦙", "🦙🦙 x", "x\u3000y", "\n\t", "<|user|>🦙🦙<|bot|>🦙",
           "a\u0301", "日本語 🦙日"],
    notes="spm-llama2-style.model with the 256 byte pieces removed (the pieces after them move down 256 ids) and "
          "trainer_spec.byte_fallback = false (sentencepiece refuses byte pieces without it): a character with no "
          "piece becomes <unk> (id 0), a run of them one <unk> (sentencepiece joins consecutive unknown pieces), "
          "and <unk> decodes to the default unk_surface ' \u2047 '.",
)

variant(
    "sp-unk-surface",
    kind="sentencepiece",
    build=lambda: spm_variant(trainer={TRAINER_BYTE_FALLBACK: False, TRAINER_UNK_SURFACE: "<?>"}, remove_type=BYTE),
    texts=["🦙🦙🦙", "a🦙b", " 🦙", "🦙 🦙", "x🦙 y", "<|user|>🦙"],
    notes="sp-no-byte-fallback.model with trainer_spec.unk_surface = '<?>': <unk> decodes to '<?>' (no spaces "
          "around it, and the '\u2581' of the piece after it is kept: [\u2581a, <unk>, \u2581b] -> 'a<?> b').",
)

# --- tokenizer.json variants (reference: tokenizers) ---

OVERLAP_TEXTS = ["<x>>", "a<x>>b", "<x", "x>>", "<x>", "<<x>>>", "x>><x", "<x x>>", "<x<x>>", "x>>>", "<x>><x>>",
                 "a <x>> b"]
variant(
    "hf-overlap",
    kind="tokenizer.json",
    layout="byte-level",
    build=lambda: byte_level_layout(added=[("<x", NOT_SPECIAL), ("x>>", NOT_SPECIAL)]),
    texts=OVERLAP_TEXTS,
    notes="Non-special added tokens '<x' and 'x>>' (not normalized) that overlap in '<x>>': tokenizers finds added "
          "tokens leftmost first (then longest), non-overlapping, so '<x>>' -> '<x' then BPE on '>>' ('>' '>'), and "
          "'x>><x' -> 'x>>' '<x'.",
)

variant(
    "hf-overlap-special",
    kind="tokenizer.json",
    layout="byte-level",
    build=lambda: byte_level_layout(added=[("<x", {"special": True, "normalized": False}), ("x>>", NOT_SPECIAL)]),
    texts=OVERLAP_TEXTS,
    notes="As hf-overlap but '<x' is special (neither is normalized): with parse_special true as in hf-overlap. "
          "With parse_special false (encode_special_tokens) the match of '<x' is still found by the one "
          "leftmost-longest search over the un-normalized added tokens and then dropped, and 'x>>', which starts "
          "inside it, is not looked for again: '<x>>' is all BPE ('<' 'x' '>' '>'), not '<' 'x>>'.",
)

variant(
    "hf-overlap-special-normalized",
    kind="tokenizer.json",
    layout="byte-level",
    build=lambda: byte_level_layout(added=[("<x", {"special": True, "normalized": False}), ("x>>", NORMALIZED)]),
    texts=OVERLAP_TEXTS,
    notes="As hf-overlap-special but 'x>>' is normalized (the default for a non-special added token; there is no "
          "normalizer, so its content stays 'x>>'). tokenizers first splits the text on the un-normalized added "
          "tokens ('<x'), then looks for the normalized ones in the pieces between. With parse_special true "
          "'<x>>' -> '<x' '>' '>' ('x>>' overlaps the '<x' already taken). With parse_special false '<x' is "
          "dropped in the first pass, so the second pass sees the whole text and finds 'x>>': '<x>>' -> '<' 'x>>'.",
)

variant(
    "hf-lrstrip",
    kind="tokenizer.json",
    layout="spm",
    build=lambda: spm_layout(added=LRSTRIP_ADDED, pre_tokenizer=METASPACE_FIRST),
    texts=LRSTRIP_TEXTS,
    notes="Added tokens '<R>' (rstrip, not special), '<L>' (lstrip, special), '<B>' (lstrip and rstrip, not "
          "special), none normalized. A match takes in the whitespace (Unicode White_Space: tabs, newlines, U+3000, "
          "U+00A0, not U+200B) next to it on its strip side; that whitespace is gone from the text around it. "
          "Pre-tokenizer Metaspace(prepend_scheme first, split false), so only the first piece of text gets a "
          "'\u2581'. With parse_special false '<L>' is not matched and its whitespace stays.",
)

variant(
    "hf-lrstrip-byte-level",
    kind="tokenizer.json",
    layout="byte-level",
    build=lambda: byte_level_layout(added=LRSTRIP_ADDED),
    texts=LRSTRIP_TEXTS,
    notes="The added tokens and texts of hf-lrstrip on the byte-level layout.",
)

FUSE_TEXTS = ["日本語", "a日本b", "日 本 語", "🦙🦙🦙", "x€€y", "€", "ab€cd€€ef", "日<unk>本", "<unk><unk>",
              "<s>日本</s>", "é", " 日本 ", "日\u3000\u3000本"]
variant(
    "hf-fuse-unk",
    kind="tokenizer.json",
    layout="spm",
    build=lambda: spm_layout(byte_fallback=False, fuse_unk=True),
    texts=FUSE_TEXTS,
    notes="No byte pieces, byte_fallback false, unk_token '<unk>', fuse_unk true: a run of characters with no token "
          "inside one pre-tokenized word becomes one <unk>. A literal '<unk>' in the text is the special added "
          "token (parse_special true) and is not fused with the <unk> of its neighbours.",
)

variant(
    "hf-no-fuse-unk",
    kind="tokenizer.json",
    layout="spm",
    build=lambda: spm_layout(byte_fallback=False, fuse_unk=False),
    texts=FUSE_TEXTS,
    notes="hf-fuse-unk with fuse_unk false: one <unk> per unknown character.",
)

STRIP_TEXTS = ["  hello  ", "\thello\n", "\u3000hello\u3000", "   ", "", "hello <|user|> world", " <|user|> ",
               "a <|user|>b", "\u00a0x\u00a0", "\u0085x\u0085", "\u200bx\u200b", "\ufeffx", "\u1680x\u2028",
               "\u180ex", "x\u2029", "<s>  hi  </s>", "\n\n"]
variant(
    "hf-strip",
    kind="tokenizer.json",
    layout="spm",
    build=lambda: spm_layout(added=[("<|user|>", NOT_SPECIAL)], pre_tokenizer=None,
                             normalizers=[{"type": "Strip", "strip_left": True, "strip_right": True}]
                             + LEGACY_NORMALIZERS),
    texts=STRIP_TEXTS,
    notes="Normalizer Sequence[Strip(left, right), Prepend '\u2581', Replace ' ' -> '\u2581'], no pre-tokenizer "
          "(the legacy Llama layout with a Strip in front); added token '<|user|>' (not special, not normalized). "
          "The normalizer runs on each piece of text between added tokens on its own, so the whitespace around "
          "an added token is stripped too; Strip removes Unicode White_Space (U+0085, U+00A0, U+1680, U+2028 "
          "too, not U+200B, U+FEFF or U+180E); Prepend does nothing to a piece that Strip left empty.",
)

variant(
    "hf-replace",
    kind="tokenizer.json",
    layout="spm",
    build=lambda: spm_layout(added=[("<|user|>", NOT_SPECIAL)], pre_tokenizer=None, normalizers=[
        {"type": "Strip", "strip_left": False, "strip_right": True},
        {"type": "Replace", "pattern": {"String": "xyz"}, "content": ""},
        {"type": "Replace", "pattern": {"String": "aa"}, "content": "b"},
        {"type": "Replace", "pattern": {"String": "b"}, "content": "cc"},
        {"type": "Replace", "pattern": {"String": "\t"}, "content": "  "},
    ] + LEGACY_NORMALIZERS),
    texts=["aaa", "aaaa", "abab", "a\tb", "  aa  ", "baa\t", "<|user|>aa", "aa<|user|>aa", "xyz", "axyzb", " xyz ",
           "xxyzyz", "\t", "hello world"],
    notes="Normalizer Sequence[Strip(right only), Replace 'xyz' -> '', Replace 'aa' -> 'b', Replace 'b' -> 'cc', "
          "Replace '\\t' -> '  ', Prepend '\u2581', Replace ' ' -> '\u2581'], no pre-tokenizer; added token "
          "'<|user|>' (not special, not normalized). Each Replace replaces the non-overlapping matches from the "
          "left ('aaa' -> 'ba'), and each step sees the output of the one before ('aa' -> 'b' -> 'cc'); "
          "Replace 'xyz' -> '' in 'xxyzyz' gives 'xyz' (one pass, no rescan). A piece left empty gets no '\u2581'.",
)

variant(
    "hf-nfkc",
    kind="tokenizer.json",
    layout="spm",
    build=lambda: spm_layout(added=[("\ufb01x", NORMALIZED)], normalizers=[{"type": "NFKC"}]),
    texts=["ﬁ ① Ａ", "ﬁx", "fix", "prefix", "pre\ufb01x ﬁ x", "FIX", "ﬁ", "a ﬁx", "Ⅻ", "㍻", "ｶﾞ", "e\u0301",
           "x\u00b2", "…", "a\u3000b", "\u2126",
           "ﬃ", "\u212b", "ǅ", "\u00a0x", "ｈｅｌｌｏ　ｗｏｒｌｄ"],
    notes="Normalizer Sequence[NFKC], pre-tokenizer Metaspace(first, split false); added token 'ﬁx' (U+FB01 'x', "
          "not special, normalized) whose content is matched after NFKC as 'fix', anywhere in the normalized text "
          "('prefix' -> 'pre' + the added token). NFKC maps U+3000 and U+00A0 to ' ', which then becomes '\u2581'. "
          "decode gives the normalized text, not the input.",
)

variant(
    "hf-lowercase",
    kind="tokenizer.json",
    layout="byte-level",
    build=lambda: byte_level_layout(added=[("<|USER|>", {"special": True, "normalized": False}),
                                           ("Hello", NORMALIZED)],
                                    normalizer={"type": "Lowercase"}),
    texts=["HELLO World", "hello", "Hello", "hElLo", "<|USER|>HeLLo", "<|user|>", "İHELLO", "<|USER|>İHello",
           "SayHello", "İstanbul", "ΣΑΣ", "ὈΔΥΣΣΕΎΣ",
           "ẞ", "ǅ", "Ω", "ÀÉÎ", "ＡＢＣ"],
    notes="Normalizer Lowercase (Rust char::to_lowercase per character: 'İ' -> 'i\u0307', no final-sigma rule, "
          "'ΣΑΣ' -> 'σασ'); added tokens '<|USER|>' (special, not normalized: matched only as written) and 'Hello' "
          "(not special, normalized: its content is lowercased to 'hello' and matched in the lowercased text, so "
          "'HELLO' and 'hello' match it; Encoding/decode show it as 'hello').",
)


# MARK: - Writing


def write_json(path, fixture):
    """Compact JSON with one encode or decode case per line, as the other golden files."""
    dumps = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    lines = ["{"]
    for key, value in fixture.items():
        if key in ("encode", "decode"):
            continue
        lines.append(f"{dumps(key)}:{dumps(value)},")
    for key in ("encode", "decode"):
        items = fixture[key]
        lines.append(f"{dumps(key)}:[")
        lines += [dumps(item) + ("," if i + 1 < len(items) else "") for i, item in enumerate(items)]
        lines.append("]," if key == "encode" else "]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == fixture
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def build_sentencepiece(name, spec):
    path = os.path.join(OUT, f"{name}.model")
    with open(path, "wb") as f:
        f.write(spec["build"]())
    sp = spm.SentencePieceProcessor(model_file=path)
    texts = spec["texts"]
    assert len(set(texts)) == len(texts), name
    encode = []
    for text in texts:
        for add_special in (False, True):
            ids = spm_encode(sp, text, add_special)
            encode.append({"text": text, "add_special": add_special, "parse_special": False,
                           "ids": ids, "decoded_hex": spm_decode(sp, ids).hex()})
    lists = spm_decode_lists(sp, spec.get("decode", ()))
    decode = [{"ids": ids, "show_special": False, "hex": spm_decode(sp, ids).hex()} for ids in lists]
    fixture = {
        "source": {"kind": "sentencepiece", "path": f"fixtures:edge/{name}.model"},
        "reference": f"sentencepiece {spm.__version__}",
        "notes": SP_NOTES + spec["notes"],
        "encode": encode,
        "decode_show_special": False,
        "decode": decode,
    }
    return path, fixture, (lambda ids: [sp.id_to_piece(i) for i in ids])


def build_tokenizer_json(name, spec):
    path = os.path.join(OUT, f"{name}.tokenizer.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(dump_tokenizer_json(spec["build"]()))
    tok = tokenizers.Tokenizer.from_file(path)
    texts = spec["texts"]
    assert len(set(texts)) == len(texts), name
    encode = []
    for text in texts:
        for add_special in (False, True):
            for parse_special in (False, True):
                ids = hf_encode(tok, text, add_special, parse_special)
                encode.append({"text": text, "add_special": add_special, "parse_special": parse_special,
                               "ids": ids, "decoded_hex": hf_decode(tok, ids, True).hex()})
    lists = hf_decode_lists(tok, spec["layout"], spec.get("decode", ()))
    decode = [{"ids": ids, "show_special": show, "hex": hf_decode(tok, ids, show).hex()}
              for ids in lists for show in (False, True)]
    layout_notes = byte_level_notes() if spec["layout"] == "byte-level" else spm_layout_notes(
        byte_fallback=tok.token_to_id("<0x00>") is not None)
    fixture = {
        "source": {"kind": "tokenizer.json", "path": f"fixtures:edge/{name}.tokenizer.json"},
        "reference": f"tokenizers {tokenizers.__version__}",
        "notes": HF_NOTES + layout_notes + spec["notes"],
        "encode": encode,
        "decode_show_special": True,
        "decode": decode,
    }
    return path, fixture, (lambda ids: [tok.id_to_token(i) for i in ids])


def readme():
    lines = [
        "# Edge-case tokenizer fixtures",
        "",
        "Written by scripts/reference/make_edge_fixtures.py (deterministic; run it from the repository root with the",
        "reference venv). Each `golden-<name>.json` has the format of ../golden-spm-hf.json (tokenizer.json files,",
        "reference tokenizers) or ../golden-spm-sentencepiece.json (.model files, reference sentencepiece; encode",
        "cases with parse_special false only); its `source.path` names the tokenizer file next to it, and its",
        "`notes` say what the reference does. They have a few texts each, not the shared corpus.",
        "",
    ]
    for name, spec in VARIANTS.items():
        ext = "model" if spec["kind"] == "sentencepiece" else "tokenizer.json"
        lines.append(f"- `golden-{name}.json` (`{name}.{ext}`): {README_LINES[name]}")
    lines.append("")
    return "\n".join(lines)


README_LINES = {
    "sp-unused": "unused pieces ('▁the', 'he'): merged into, then split back into their parts (resegment); decode gives their text.",
    "sp-remove-extra-ws": "sentencepiece remove_extra_whitespaces = true: spaces trimmed and collapsed around "
                          "user-defined pieces; decode drops every leading '▁' while the output is empty.",
    "sp-user-defined": "normal pieces 'he' and 'ent' retyped user-defined: matched before BPE, which never merges "
                       "across them ('hent', 'the hent', 'entrée').",
    "sp-remove-extra-ws-no-dummy": "remove_extra_whitespaces = true with add_dummy_prefix = false ('a b', ' a  b ').",
    "sp-no-dummy": "add_dummy_prefix = false alone: no '▁' put before the text, none taken off in decode.",
    "sp-user-defined-space": "user-defined pieces holding '▁' ('▁<|sep|>', 'a▁b', '▁the' retyped) or a literal "
                             "space ('x y', never matched): matched in the escaped text; their '▁' decode to spaces.",
    "sp-no-byte-fallback": "no byte pieces, byte_fallback = false: unknown characters become <unk>, a run of them "
                           "one <unk>; <unk> decodes to ' ⁇ '.",
    "sp-unk-surface": "as sp-no-byte-fallback with trainer_spec.unk_surface = '<?>'.",
    "hf-overlap": "overlapping non-special added tokens '<x' and 'x>>' (leftmost match wins).",
    "hf-overlap-special": "the same with '<x' special: with parse_special false its dropped match hides 'x>>'.",
    "hf-overlap-special-normalized": "'<x' special, 'x>>' normalized: with parse_special false 'x>>' is found "
                                     "inside '<x>>' (second, normalized pass).",
    "hf-lrstrip": "added tokens with rstrip, lstrip, both, next to spaces, tabs, U+3000, U+00A0 and newlines "
                  "(Metaspace layout).",
    "hf-lrstrip-byte-level": "the same added tokens and texts with a ByteLevel pre-tokenizer and decoder.",
    "hf-fuse-unk": "unk token, no byte fallback, fuse_unk true: runs of unknown characters become one <unk>.",
    "hf-no-fuse-unk": "the same with fuse_unk false: one <unk> per unknown character.",
    "hf-strip": "Strip normalizer (both sides) before the legacy Prepend/Replace: per piece between added tokens, "
                "Unicode White_Space, empty pieces.",
    "hf-replace": "chained plain-string Replace normalizers (deletion, non-overlapping matches, one feeding the "
                  "next) after a right-only Strip.",
    "hf-nfkc": "NFKC normalizer ('ﬁ ① Ａ', compatibility forms, U+3000 -> space) and a normalized added token "
               "'ﬁx' matched as 'fix'.",
    "hf-lowercase": "Lowercase normalizer (per-character: 'İ', final sigma) with a special un-normalized added "
                    "token and a normalized one ('Hello').",
}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    names = sys.argv[1:] or list(VARIANTS)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        sys.exit(f"unknown fixture {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    assert set(README_LINES) == set(VARIANTS)
    os.makedirs(OUT, exist_ok=True)
    written = []
    verbose = os.environ.get("EDGE_VERBOSE") == "1"
    for name in names:
        spec = VARIANTS[name]
        build = build_sentencepiece if spec["kind"] == "sentencepiece" else build_tokenizer_json
        path, fixture, pieces = build(name, spec)
        golden = os.path.join(OUT, f"golden-{name}.json")
        write_json(golden, fixture)
        print(f"golden-{name}.json: {len(fixture['encode'])} encode cases, {len(fixture['decode'])} decode cases")
        if verbose:
            for case in fixture["encode"]:
                if not case["add_special"]:
                    print(f"  {case['text']!r} parse={case['parse_special']}: {pieces(case['ids'])} -> "
                          f"{bytes.fromhex(case['decoded_hex']).decode('utf-8')!r}")
            for case in fixture["decode"]:
                print(f"  decode {pieces(case['ids'])} show={case['show_special']}: "
                      f"{bytes.fromhex(case['hex']).decode('utf-8')!r}")
        written += [path, golden]
    readme_path = os.path.join(OUT, "README.md")
    with open(readme_path, "w", encoding="utf-8") as f:
        f.write(readme())
    written.append(readme_path)
    for path in written:
        size = os.path.getsize(path)
        assert size < MAX_FILE_BYTES, f"{path} is {size} bytes"
        print(f"{size:>9}  {sha256(path)[:16]}  {os.path.relpath(path, OUT)}")


if __name__ == "__main__":
    main()
