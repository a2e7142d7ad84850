#!/usr/bin/env python3
"""Train a small Llama-2-style SentencePiece tokenizer, write it in three formats, and write
golden encode/decode fixtures for it from three reference implementations.

    /root/ref/venv/bin/python scripts/reference/make_spm_fixtures.py      # from the repository root

Needs sentencepiece, tokenizers, tiktoken, gguf and llama-cpp-python (0.3.36) in the venv
(scripts/reference/setup-venv.sh). Deterministic: a rerun writes byte-identical files.

Outputs (Tests/Fixtures/tokenizer/):
  spm-llama2-style.model           SentencePiece BPE trained with Llama 2's trainer settings
                                   (byte fallback, split digits, identity normalizer, dummy prefix,
                                   whitespace-only pieces) on ~3200 pieces, plus two user-defined
                                   symbols <|user|> and <|bot|>.
  spm-llama2-style.gguf            the same vocabulary as a vocab-only GGUF (tokenizer.ggml.model
                                   "llama"), laid out the way llama.cpp's convert_hf_to_gguf.py
                                   writes Llama 2; llama.cpp loads it with vocab_only.
  spm-llama2-style.tokenizer.json  the same vocabulary as a Hugging Face tokenizer.json, built here
                                   without transformers the way its LlamaConverter (legacy) does:
                                   merges derived from the vocabulary as SentencePieceExtractor does.
                                   Byte-identical to what transformers 4.57.6 writes with
                                   LlamaTokenizerFast.from_pretrained(dir, legacy=True)
                                   .save_pretrained(...) (checked by hand: transformers is not in
                                   the venv). transformers 5 writes a non-legacy layout instead.
  golden-spm-sentencepiece.json    sentencepiece on the .model
  golden-spm-llamacpp.json         llama.cpp (llama_tokenize / llama_detokenize) on the .gguf
  golden-spm-hf.json               tokenizers on the tokenizer.json
  malformed/                       small broken files for the error paths (see its README.md)

Every golden file has the same layout: source, reference, notes, encode cases over the shared
corpus (scripts/reference/tokenizer_corpus.py) and decode-only cases (random ids, every id once,
half characters). The script prints where the three references disagree.

The training text is the Debian license texts in /usr/share/common-licenses, docstrings and source
of the Python 3.11 standard library and hand-written multilingual lines below, so the model is
reproducible on a machine with the same Python and Debian files; the committed .model is what the
fixtures are made from either way. The corpus strings themselves are not trained on, so that
changing the corpus does not change the vocabulary.
"""
import base64
import ctypes
import hashlib
import importlib
import inspect
import io
import json
import os
import random
import sys
import warnings

import gguf
import llama_cpp
import sentencepiece as spm
import tokenizers
from tiktoken.load import load_tiktoken_bpe

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
MALFORMED = os.path.join(OUT, "malformed")
NAME = "spm-llama2-style"
MODEL_PATH = os.path.join(OUT, NAME + ".model")
GGUF_PATH = os.path.join(OUT, NAME + ".gguf")
HF_PATH = os.path.join(OUT, NAME + ".tokenizer.json")

sys.path.insert(0, HERE)
from tokenizer_corpus import corpus  # noqa: E402

SEED = 20240601
VOCAB_SIZE = 3200
USER_DEFINED = ["<|user|>", "<|bot|>"]
SPIECE_UNDERLINE = "\u2581"
BASE_PIECES = 300  # pieces kept in the malformed .model files
BAD_PIECE = 270    # the piece record they break

# MARK: - Training text

LICENSES = "/usr/share/common-licenses"

# Stdlib modules whose docstrings give English prose with code fragments, and a few whose source
# gives indented code, so that whitespace-only pieces ("▁▁▁▁") get learnt as in Llama 2.
DOC_MODULES = [
    "abc", "argparse", "ast", "base64", "bisect", "calendar", "collections", "contextlib", "copy", "csv",
    "dataclasses", "datetime", "decimal", "difflib", "email.message", "enum", "fractions", "functools",
    "heapq", "html", "http.client", "inspect", "io", "ipaddress", "itertools", "json", "logging", "math",
    "operator", "os", "pathlib", "pickle", "pprint", "queue", "random", "re", "shutil", "socket",
    "statistics", "string", "struct", "subprocess", "tarfile", "tempfile", "textwrap", "threading", "time",
    "typing", "unittest", "urllib.parse", "uuid", "zipfile",
]
SOURCE_MODULES = ["bisect", "heapq", "textwrap", "colorsys", "shlex", "fnmatch", "glob", "string"]

# Hand-written text in other scripts. Repeated so that its characters pass the 0.99995 character
# coverage; RARE_TEXT appears once, so most of its characters fall below the cut and are left to
# byte fallback, as are all the scripts and emoji that appear nowhere in training.
MULTILINGUAL = [
    "Привет! Это небольшой текст на русском языке для обучения токенизатора.",
    "Мы живём в большом городе, где много улиц, парков и старых домов.",
    "Каждое утро я пью чай и читаю новости, а вечером гуляю с собакой.",
    "Ламы живут в горах Южной Америки и носят тяжёлые грузы.",
    "Γεια σας! Αυτό είναι ένα μικρό κείμενο στα ελληνικά.",
    "Η θάλασσα είναι γαλάζια και ο ουρανός καθαρός σήμερα.",
    "这是一个用于训练分词器的小型中文文本。",
    "我们今天在公园里散步，天气很好，人也很多。",
    "中国的首都是北京，上海是一个很大的城市。",
    "羊驼生活在南美洲的高山上，它们的毛很柔软。",
    "これはトークナイザーを学習するための短い日本語の文章です。",
    "今日は天気がいいので、公園で友達と一緒にお弁当を食べました。",
    "東京は日本の首都で、たくさんの人が住んでいます。",
    "안녕하세요! 이것은 토크나이저를 위한 짧은 한국어 문장입니다.",
    "우리는 오늘 친구와 함께 도서관에 갔습니다.",
    "مرحبا! هذا نص قصير باللغة العربية لتدريب المقسم.",
    "نحن نعيش في مدينة كبيرة فيها شوارع كثيرة وحدائق جميلة.",
    "नमस्ते! यह टोकनाइज़र के लिए एक छोटा हिंदी पाठ है।",
    "Voilà un petit texte en français : l'été, les élèves étudient à la bibliothèque.",
    "Größere Bäume wachsen langsam, aber die Äpfel schmecken süß.",
    "El niño comió una piña y después bebió un café con leche.",
]
MULTILINGUAL_REPEATS = 12
RARE_TEXT = [
    "鬱蒼とした森の奥に鰻屋がある。",
    "Ѯ ѱ Ѳ ѳ are old Cyrillic letters.",
    "ℵ ℶ ∮ ⊕ ⊗ are mathematical signs.",
]


def license_lines():
    lines = []
    for name in sorted(os.listdir(LICENSES)):
        path = os.path.join(LICENSES, name)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            lines += f.read().splitlines()
    return lines


def docstring_lines():
    lines = []
    for module_name in DOC_MODULES:
        module = importlib.import_module(module_name)
        docs = [module.__doc__]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # typing.io, typing.re
            for name, obj in sorted(vars(module).items()):
                if name.startswith("_"):
                    continue
                docs.append(obj.__doc__ if inspect.isclass(obj) or inspect.isroutine(obj) else None)
                if inspect.isclass(obj):
                    for member_name, member in sorted(vars(obj).items()):
                        if not member_name.startswith("_") and inspect.isroutine(member):
                            docs.append(getattr(member, "__doc__", None))
        for doc in docs:
            if isinstance(doc, str):
                lines += inspect.cleandoc(doc).splitlines()
    return lines


def source_lines():
    lines = []
    for module_name in SOURCE_MODULES:
        lines += inspect.getsource(importlib.import_module(module_name)).splitlines()
    return lines


def training_sentences():
    """One sentence per line, in a fixed order; newlines never reach the trainer (as in Llama 2,
    "\\n" is left to byte fallback)."""
    lines = license_lines() + docstring_lines() + source_lines()
    lines += MULTILINGUAL * MULTILINGUAL_REPEATS + RARE_TEXT + USER_DEFINED * 20
    return [line for line in (l.rstrip("\r") for l in lines) if line.strip()]


# MARK: - 1. SentencePiece model


def train_model():
    sentences = training_sentences()
    spm.set_random_generator_seed(SEED)
    model = io.BytesIO()
    # Llama 2's tokenizer.model trainer_spec, except vocab_size, num_threads, max_sentence_length,
    # the sampling (input_sentence_size, shuffle) and the user-defined symbols, which it has none of.
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        model_type="bpe",
        vocab_size=VOCAB_SIZE,
        character_coverage=0.99995,
        byte_fallback=True,
        split_digits=True,
        split_by_unicode_script=True,
        split_by_whitespace=True,
        split_by_number=True,
        treat_whitespace_as_suffix=False,
        allow_whitespace_only_pieces=True,
        max_sentencepiece_length=16,
        max_sentence_length=1 << 16,
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        normalization_rule_name="identity",
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        unk_piece="<unk>", bos_piece="<s>", eos_piece="</s>",
        user_defined_symbols=USER_DEFINED,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        num_threads=1,
        minloglevel=2,
    )
    data = model.getvalue()
    with open(MODEL_PATH, "wb") as f:
        f.write(data)
    return data, len(sentences), sum(len(s) for s in sentences)


# MARK: - 2. GGUF


# sentencepiece piece type -> llama.cpp token type (llama.h enum llama_token_type).
NORMAL, UNKNOWN, CONTROL, USER_DEFINED_TYPE, UNUSED, BYTE = 1, 2, 3, 4, 5, 6


def piece_types(sp):
    types = []
    for i in range(sp.get_piece_size()):
        if sp.is_unknown(i):
            types.append(UNKNOWN)
        elif sp.is_control(i):
            types.append(CONTROL)
        elif sp.is_unused(i):
            types.append(UNUSED)
        elif sp.is_byte(i):
            types.append(BYTE)
        elif sp.id_to_piece(i) in USER_DEFINED:
            # convert_hf_to_gguf.py marks non-special added tokens USER_DEFINED (from
            # tokenizer_config.json's added_tokens_decoder); sentencepiece has no is_user_defined.
            types.append(USER_DEFINED_TYPE)
        else:
            types.append(NORMAL)
    return types


def write_gguf(sp):
    writer = gguf.GGUFWriter(GGUF_PATH, "llama")
    writer.add_name(NAME)
    # No llama.* hyperparameters: with vocab_only, llama_model::load_hparams returns right after
    # general.name (src/llama-model.cpp), and the file loads without them.
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list([sp.id_to_piece(i).encode("utf-8") for i in range(sp.get_piece_size())])
    writer.add_token_scores([sp.get_score(i) for i in range(sp.get_piece_size())])
    writer.add_token_types(piece_types(sp))
    writer.add_bos_token_id(sp.bos_id())
    writer.add_eos_token_id(sp.eos_id())
    writer.add_unk_token_id(sp.unk_id())
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(True)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


# MARK: - 3. tokenizer.json


def hf_merges(sp):
    """Merges as transformers 4.x's SentencePieceExtractor derives them (convert_slow_tokenizer.py,
    generate_merges): for each piece in id order, every split into two pieces that are both in the
    vocabulary, ordered by (left id, right id); then all of them stably sorted by the piece's score,
    then left length, then right length, all descending. LlamaConverter scores <unk> <s> </s> 0."""
    n = sp.get_piece_size()
    vocab = {sp.id_to_piece(i): i for i in range(n)}
    scored = [(sp.id_to_piece(i), 0.0 if i < 3 else sp.get_score(i)) for i in range(n)]
    merges = []
    for piece, score in scored:
        local = []
        for cut in range(1, len(piece)):
            left, right = piece[:cut], piece[cut:]
            if left in vocab and right in vocab:
                local.append((left, right, score))
        local.sort(key=lambda m: (vocab[m[0]], vocab[m[1]]))
        merges += local
    merges.sort(key=lambda m: (m[2], len(m[0]), len(m[1])), reverse=True)
    return [(left, right) for left, right, _ in merges]


def added_token(i, content, special):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": special}


def write_tokenizer_json(sp):
    n = sp.get_piece_size()
    bos = sp.id_to_piece(sp.bos_id())
    added = [added_token(i, sp.id_to_piece(i), True) for i in range(n) if sp.is_unknown(i) or sp.is_control(i)]
    added += [added_token(i, sp.id_to_piece(i), False) for i in range(n) if sp.id_to_piece(i) in USER_DEFINED]
    merges = hf_merges(sp)
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": SPIECE_UNDERLINE},
            {"type": "Replace", "pattern": {"String": " "}, "content": SPIECE_UNDERLINE},
        ]},
        "pre_tokenizer": None,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [
                {"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}},
            ],
            "special_tokens": {bos: {"id": bos, "ids": [sp.bos_id()], "tokens": [bos]}},
        },
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": SPIECE_UNDERLINE}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ]},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": sp.id_to_piece(sp.unk_id()),
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": True,
            "byte_fallback": True,
            "ignore_merges": False,
            "vocab": {sp.id_to_piece(i): i for i in range(n)},
            "merges": [[left, right] for left, right in merges],
        },
    }
    with open(HF_PATH, "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=2)
    return len(merges)


# MARK: - Reference calls


def llama_tokenize(vocab, text, add_special, parse_special):
    data = text.encode("utf-8")
    capacity = len(data) + 16
    buffer = (llama_cpp.llama_token * capacity)()
    n = llama_cpp.llama_tokenize(vocab, data, len(data), buffer, capacity, add_special, parse_special)
    if n < 0:
        raise RuntimeError(f"llama_tokenize needs {-n} tokens")
    return [int(buffer[i]) for i in range(n)]


def llama_detokenize(vocab, ids, unparse_special):
    tokens = (llama_cpp.llama_token * max(len(ids), 1))(*ids)
    capacity = 64 + 64 * len(ids)
    while True:
        buffer = ctypes.create_string_buffer(capacity)
        n = llama_cpp.llama_detokenize(vocab, tokens, len(ids), buffer, capacity, False, unparse_special)
        if n >= 0:
            return buffer.raw[:n]
        capacity = -n + 1


@llama_cpp.llama_log_callback
def _quiet_llama_log(level, text, user_data):
    pass  # llama.cpp logs every model load and every doubled BOS


def load_llama_vocab():
    llama_cpp.llama_log_set(_quiet_llama_log, ctypes.c_void_p(0))
    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_default_params()
    params.vocab_only = True
    model = llama_cpp.llama_model_load_from_file(GGUF_PATH.encode("utf-8"), params)
    if not model:
        raise RuntimeError(f"llama.cpp could not load {GGUF_PATH}")
    return model, llama_cpp.llama_model_get_vocab(model)


def hf_encode(tok, text, add_special, parse_special):
    tok.encode_special_tokens = not parse_special
    try:
        return tok.encode(text, add_special_tokens=add_special).ids
    finally:
        tok.encode_special_tokens = False


def hf_decode(tok, ids, show_special):
    return tok.decode(ids, skip_special_tokens=not show_special).encode("utf-8")


def spm_encode(sp, text, add_special):
    ids = sp.encode(text)
    return [sp.bos_id()] + ids if add_special else ids


def spm_decode(sp, ids):
    return sp.decode(ids).encode("utf-8")


# MARK: - 4. Golden fixtures


def byte_id(sp, b):
    return sp.piece_to_id(f"<0x{b:02X}>")


def decode_id_lists(sp):
    """Decode-only id lists: specials around text, byte pieces that split characters, random ids,
    and every id once."""
    n = sp.get_piece_size()
    rng = random.Random(SEED)
    bos, eos, unk = sp.bos_id(), sp.eos_id(), sp.unk_id()
    user, bot = (sp.piece_to_id(p) for p in USER_DEFINED)
    hello = sp.encode("Hello world")
    llama = list("🦙".encode("utf-8"))   # 4 bytes, never a piece here
    han = list("鬱".encode("utf-8"))     # 3 bytes
    lists = [
        [],
        [bos], [eos], [unk], [user], [bot],
        [bos] + hello + [eos],
        [bos, bos] + hello + [eos, eos],
        hello + [unk] + hello,
        [user] + hello + [bot] + hello,
        [bos, user] + sp.encode("hi") + [eos],
        [byte_id(sp, b) for b in llama],                     # a whole character from bytes
        [byte_id(sp, b) for b in llama[:2]],                 # half of it
        [byte_id(sp, b) for b in llama[:3]] + hello,         # three quarters, then text
        hello + [byte_id(sp, llama[0])],                     # text, then a lead byte
        [byte_id(sp, b) for b in han[:1]] + [byte_id(sp, b) for b in llama],
        [byte_id(sp, han[1])] + hello,                       # a lone continuation byte
        [byte_id(sp, 0x80), byte_id(sp, 0xBF), byte_id(sp, 0xC0), byte_id(sp, 0xFF)],
        [byte_id(sp, 0x0A), byte_id(sp, 0x20), byte_id(sp, 0x00), byte_id(sp, 0x09)],
        [byte_id(sp, b) for b in han] + [bos] + [byte_id(sp, b) for b in han[:2]] + [eos] + [byte_id(sp, han[2])],
        sp.encode("   leading spaces"),
        [sp.piece_to_id(SPIECE_UNDERLINE)] * 3,
        [sp.piece_to_id(SPIECE_UNDERLINE)] + hello,
    ]
    lists += [[rng.randrange(n) for _ in range(length)] for length in (8, 64, 300)]
    lists += [list(range(start, min(start + 1024, n))) for start in range(0, n, 1024)]
    return lists


def write_json(name, fixture):
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
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        f.write(text)


def golden_sentencepiece(sp, texts, id_lists):
    encode = []
    for text in texts:
        for add_special in (False, True):
            ids = spm_encode(sp, text, add_special)
            encode.append({"text": text, "add_special": add_special, "parse_special": False,
                           "ids": ids, "decoded_hex": spm_decode(sp, ids).hex()})
    decode = [{"ids": ids, "show_special": False, "hex": spm_decode(sp, ids).hex()} for ids in id_lists]
    write_json("golden-spm-sentencepiece.json", {
        "source": {"kind": "sentencepiece", "path": f"fixtures:{NAME}.model"},
        "reference": f"sentencepiece {spm.__version__}",
        "notes": "SentencePieceProcessor(model_file=...). add_special false: sp.encode(text); true: [bos_id] + "
                 "sp.encode(text), which is what add_bos=True gives. sentencepiece never matches control pieces "
                 "(<s>, </s>) or <unk> in text, so every case has parse_special false; user-defined pieces "
                 "(<|user|>, <|bot|>) are always matched in text. decoded_hex: sp.decode(ids) as UTF-8, which drops "
                 "control pieces, renders <unk> as ' \u2047 ', turns each undecodable byte piece into U+FFFD and "
                 "removes the dummy-prefix space of the first piece. Decode cases: sp.decode(ids).",
        "encode": encode,
        "decode_show_special": False,
        "decode": decode,
    })
    return encode


def golden_llamacpp(vocab, texts, id_lists):
    n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
    encode = []
    for text in texts:
        for add_special in (False, True):
            for parse_special in (False, True):
                ids = llama_tokenize(vocab, text, add_special, parse_special)
                encode.append({"text": text, "add_special": add_special, "parse_special": parse_special,
                               "ids": ids, "decoded_hex": llama_detokenize(vocab, ids, True).hex()})
    decode = [{"ids": ids, "show_special": show, "hex": llama_detokenize(vocab, ids, show).hex()}
              for ids in id_lists for show in (False, True)]
    write_json("golden-spm-llamacpp.json", {
        "source": {"kind": "gguf", "path": f"fixtures:{NAME}.gguf"},
        "reference": f"llama.cpp (llama-cpp-python {llama_cpp.__version__})",
        "notes": "llama_model_load_from_file with vocab_only = true; ids from llama_tokenize(vocab, text, "
                 "add_special, parse_special); decoded_hex from llama_detokenize(vocab, ids, remove_special = "
                 "false, unparse_special = true); decode cases use unparse_special = show_special. eog_ids and "
                 "control_ids list every id that llama_vocab_is_eog / llama_vocab_is_control accept. "
                 "llama_detokenize returns raw bytes (a split character stays split, no U+FFFD), hides <unk> "
                 "as well as <s> </s> unless unparse_special, and drops the leading space of the first token "
                 "only (after a <s> the space stays). With add_space_prefix it puts a space before the text "
                 "that follows a user-defined or (parsed) special token, but none before such a token at the "
                 "start.",
        "eog_ids": [i for i in range(n_vocab) if llama_cpp.llama_vocab_is_eog(vocab, i)],
        "control_ids": [i for i in range(n_vocab) if llama_cpp.llama_vocab_is_control(vocab, i)],
        "encode": encode,
        "decode_show_special": True,
        "decode": decode,
    })
    return encode


def golden_hf(tok, texts, id_lists):
    encode = []
    for text in texts:
        for add_special in (False, True):
            for parse_special in (False, True):
                ids = hf_encode(tok, text, add_special, parse_special)
                encode.append({"text": text, "add_special": add_special, "parse_special": parse_special,
                               "ids": ids, "decoded_hex": hf_decode(tok, ids, True).hex()})
    decode = [{"ids": ids, "show_special": show, "hex": hf_decode(tok, ids, show).hex()}
              for ids in id_lists for show in (False, True)]
    write_json("golden-spm-hf.json", {
        "source": {"kind": "tokenizer.json", "path": f"fixtures:{NAME}.tokenizer.json"},
        "reference": f"tokenizers {tokenizers.__version__}",
        "notes": "tokenizers.Tokenizer.from_file; ids from tok.encode(text, add_special_tokens=add_special).ids. "
                 "parse_special true is the library default (added tokens matched in text); parse_special false "
                 "sets tok.encode_special_tokens = True, which stops matching the special added tokens (<unk>, <s>, "
                 "</s>) but still matches the non-special ones (<|user|>, <|bot|>). decoded_hex: "
                 "tok.decode(ids, skip_special_tokens=False) as UTF-8; decode cases use skip_special_tokens = "
                 "not show_special. decode returns a str: a run of byte pieces that is not valid UTF-8 becomes "
                 "one U+FFFD per byte piece (ByteFallback decoder), and skipped special tokens are removed "
                 "before the byte pieces around them are joined.",
        "encode": encode,
        "decode_show_special": True,
        "decode": decode,
    })
    return encode


# MARK: - 5. Malformed files


def read_varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def piece_records(data):
    """(start, body, end) of each ModelProto.pieces record (field 1, length-delimited), which
    sentencepiece writes before the trainer and normalizer specs."""
    spans, pos = [], 0
    while data[pos] == 0x0A:
        length, body = read_varint(data, pos + 1)
        spans.append((pos, body, body + length))
        pos = body + length
    return spans


def rejects(load):
    try:
        load()
    except Exception:  # each library raises its own type
        return True
    return False


def sp_rejects(data):
    return rejects(lambda: spm.SentencePieceProcessor(model_proto=data))


def write_malformed(model_data):
    os.makedirs(MALFORMED, exist_ok=True)
    files = {}

    # A small valid model to break: the first BASE_PIECES pieces (<unk> <s> </s>, the user-defined
    # pieces, the 256 byte pieces, a few merged ones) and the real trainer and normalizer specs.
    spans = piece_records(model_data)
    base = model_data[:spans[BASE_PIECES - 1][2]] + model_data[spans[-1][2]:]
    assert not sp_rejects(base)

    # truncated.model: stops in the middle of the last piece record.
    start, body, end = spans[BASE_PIECES - 1]
    files["truncated.model"] = base[:body + (end - body) // 2]

    # bad.model: one piece record's string (its field 1) claims as many bytes as the whole record,
    # so it runs past the end of the record, though not past the end of the file.
    start, body, end = spans[BAD_PIECE]
    assert base[body] == 0x0A and end - body < 0x80 and base[body + 1] < 0x80
    bad = bytearray(base)
    bad[body + 1] = end - body
    files["bad.model"] = bytes(bad)

    # bad-wiretype.model: one piece record's tag is field 1 with wire type 7, which does not exist.
    start, body, end = spans[BAD_PIECE]
    wire = bytearray(base)
    wire[start] = (1 << 3) | 7
    files["bad-wiretype.model"] = bytes(wire)

    for name, data in files.items():
        assert sp_rejects(data), f"sentencepiece accepted {name}"
    assert not sp_rejects(model_data)

    # truncated.tokenizer.json: the real tokenizer.json cut inside model.vocab.
    with open(HF_PATH, "rb") as f:
        full = f.read()
    cut = full.index(b'"vocab"') + 600
    files["truncated.tokenizer.json"] = full[:cut]
    assert rejects(lambda: tokenizers.Tokenizer.from_str(full[:cut].decode("utf-8", "ignore")))

    # merges-unknown.tokenizer.json: a tiny BPE tokenizer.json whose second merge names "c".
    tiny = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": None, "pre_tokenizer": None, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": False,
                  "vocab": {"<unk>": 0, "a": 1, "b": 2, "ab": 3}, "merges": ["a b", "ab c"]},
    }
    text = json.dumps(tiny, indent=1) + "\n"
    files["merges-unknown.tokenizer.json"] = text.encode("utf-8")
    tiny["model"]["merges"] = ["a b"]
    assert not rejects(lambda: tokenizers.Tokenizer.from_str(json.dumps(tiny)))
    assert rejects(lambda: tokenizers.Tokenizer.from_str(text))

    # bad.tiktoken / missing-rank.tiktoken: "<base64 token> <rank>" lines with one broken line.
    good = [(base64.b64encode(t).decode("ascii"), r) for r, t in enumerate([b"a", b"b", b"ab", b" the"])]
    lines = [f"{t} {r}" for t, r in good]
    files["bad.tiktoken"] = ("\n".join(lines[:2] + ["not-base64! 2"] + lines[3:]) + "\n").encode("ascii")
    files["missing-rank.tiktoken"] = ("\n".join(lines[:2] + [good[2][0]] + lines[3:]) + "\n").encode("ascii")
    files["good.tiktoken"] = ("\n".join(lines) + "\n").encode("ascii")
    for name in ("bad.tiktoken", "missing-rank.tiktoken", "good.tiktoken"):
        path = os.path.join(MALFORMED, name)
        with open(path, "wb") as f:
            f.write(files[name])
    os.environ["TIKTOKEN_CACHE_DIR"] = ""  # tiktoken caches by path otherwise, hiding a rewrite
    assert not rejects(lambda: load_tiktoken_bpe(os.path.join(MALFORMED, "good.tiktoken")))
    assert rejects(lambda: load_tiktoken_bpe(os.path.join(MALFORMED, "bad.tiktoken")))
    assert rejects(lambda: load_tiktoken_bpe(os.path.join(MALFORMED, "missing-rank.tiktoken")))
    os.remove(os.path.join(MALFORMED, "good.tiktoken"))
    del files["good.tiktoken"]

    for name, data in files.items():
        with open(os.path.join(MALFORMED, name), "wb") as f:
            f.write(data)

    readme = [
        "# Malformed tokenizer files",
        "",
        "Written by scripts/reference/make_spm_fixtures.py; each one is rejected by its reference library",
        "(sentencepiece, tokenizers, tiktoken), and a loader should throw, not crash, on it.",
        "",
        f"The .model files start from a valid model: the first {BASE_PIECES} pieces of spm-llama2-style.model "
        "(<unk> <s> </s> <|user|> <|bot|>, the 256 byte pieces, then merged pieces) and its trainer and "
        "normalizer specs; sentencepiece loads that model.",
        "",
        f"- `truncated.model`: that model cut in the middle of piece record {BASE_PIECES - 1} (0-based); no specs follow.",
        f"- `bad.model`: piece record {BAD_PIECE}'s string field says it is as long as the whole record, so it runs "
        "past the end of the record (not past the end of the file).",
        f"- `bad-wiretype.model`: piece record {BAD_PIECE}'s tag byte is 0x0F: field 1 with wire type 7, which does "
        "not exist.",
        "- `truncated.tokenizer.json`: spm-llama2-style.tokenizer.json cut inside `model.vocab`: not valid JSON.",
        "- `merges-unknown.tokenizer.json`: a tiny valid BPE tokenizer.json whose second merge, `ab c`, names `c`, "
        "which is not in the vocabulary.",
        "- `bad.tiktoken`: tiktoken ranks file whose third line's token, `not-base64!`, is not base64 (nor valid after dropping the bad characters: 9 left).",
        "- `missing-rank.tiktoken`: tiktoken ranks file whose third line has a token and no rank.",
        "",
    ]
    with open(os.path.join(MALFORMED, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(readme))
    return files


# MARK: - Cross-checks


def compare(sp, name_a, cases_a, name_b, cases_b, flags):
    """Print the texts on which two references give different ids for the same flags."""
    b_by_key = {(c["text"], c["add_special"], c["parse_special"]): c for c in cases_b}
    differing, compared = [], 0
    for case in cases_a:
        key = (case["text"], case["add_special"], case["parse_special"])
        if key not in b_by_key or not flags(key):
            continue
        compared += 1
        if case["ids"] != b_by_key[key]["ids"]:
            differing.append((key, case["ids"], b_by_key[key]["ids"]))
    texts = sorted({key[0] for key, _, _ in differing}, key=lambda t: (len(t), t))
    print(f"{name_a} vs {name_b}: {len(differing)} of {compared} cases differ, on {len(texts)} of "
          f"{len({c['text'] for c in cases_a})} texts")
    show = lambda ids: " ".join(sp.id_to_piece(i) for i in ids[:24])  # noqa: E731
    for text in texts:
        key, a, b = next(d for d in differing if d[0][0] == text)
        print(f"  {text[:70]!r} (add_special={key[1]}, parse_special={key[2]})")
        print(f"    {name_a:>13}: {show(a)}\n    {name_b:>13}: {show(b)}")


def round_trips(name, cases):
    """How many texts decode back to themselves (no specials added or parsed)."""
    plain = [c for c in cases if not c["add_special"] and not c["parse_special"]]
    different = [c["text"] for c in plain if bytes.fromhex(c["decoded_hex"]) != c["text"].encode("utf-8")]
    print(f"{name}: decode(encode(text)) == text for {len(plain) - len(different)} of {len(plain)} texts; "
          f"not for {', '.join(repr(t[:40]) for t in different) or 'none'}")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    os.makedirs(OUT, exist_ok=True)
    model_data, n_sentences, n_chars = train_model()
    sp = spm.SentencePieceProcessor(model_file=MODEL_PATH)
    print(f"trained {NAME}.model: {sp.get_piece_size()} pieces from {n_sentences} sentences, {n_chars} characters")

    write_gguf(sp)
    n_merges = write_tokenizer_json(sp)
    print(f"tokenizer.json: {n_merges} merges")

    texts = corpus()
    id_lists = decode_id_lists(sp)

    sp_cases = golden_sentencepiece(sp, texts, id_lists)
    model, vocab = load_llama_vocab()
    assert llama_cpp.llama_vocab_n_tokens(vocab) == sp.get_piece_size()
    lc_cases = golden_llamacpp(vocab, texts, id_lists)
    tok = tokenizers.Tokenizer.from_file(HF_PATH)
    assert hasattr(tok, "encode_special_tokens")
    hf_cases = golden_hf(tok, texts, id_lists)

    write_malformed(model_data)

    print()
    compare(sp, "sentencepiece", sp_cases, "llama.cpp", lc_cases, lambda k: not k[2])
    compare(sp, "sentencepiece", sp_cases, "tokenizers", hf_cases, lambda k: not k[2])
    compare(sp, "llama.cpp", lc_cases, "tokenizers", hf_cases, lambda k: True)
    for name, cases in (("sentencepiece", sp_cases), ("llama.cpp", lc_cases), ("tokenizers", hf_cases)):
        round_trips(name, cases)
    # The decode-only lists through the three decoders, special tokens hidden (sentencepiece's way).
    differ = {"llama.cpp": 0, "tokenizers": 0}
    for ids in id_lists:
        expected = spm_decode(sp, ids)
        differ["llama.cpp"] += llama_detokenize(vocab, ids, False) != expected
        differ["tokenizers"] += hf_decode(tok, ids, False) != expected
    print(f"decode-only lists decoded unlike sentencepiece (specials hidden), of {len(id_lists)}: {differ}")
    llama_cpp.llama_model_free(model)

    print()
    written = [MODEL_PATH, GGUF_PATH, HF_PATH] + [os.path.join(OUT, f"golden-spm-{kind}.json")
                                                 for kind in ("sentencepiece", "llamacpp", "hf")]
    written += [os.path.join(MALFORMED, name) for name in sorted(os.listdir(MALFORMED))]
    for path in written:
        print(f"{os.path.getsize(path):>9}  {sha256(path)[:16]}  {os.path.relpath(path, OUT)}")


if __name__ == "__main__":
    main()
