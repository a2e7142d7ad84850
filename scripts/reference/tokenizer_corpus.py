#!/usr/bin/env python3
"""The text corpus every tokenizer golden fixture is built from.

    python3 scripts/reference/tokenizer_corpus.py     # prints the count and the tally per category

`corpus()` returns the strings, deterministic and distinct, in a fixed order; `categories()`
returns (category, string) pairs in the same order. The corpus aims at the places where
tokenizers disagree: pre-tokenizer regexes (contractions, digit runs, whitespace runs, letters
vs. marks), byte fallback, Unicode normalization, special-token splitting and very long words.
Standard library only, so any Python 3.8+ can import it.
"""
import random
import sys

# MARK: - Code


def _code():
    return [
        "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
        "import os, sys\n\nclass Foo(Bar):\n    \"\"\"Docstring.\"\"\"\n\n    def __init__(self, *args, **kwargs) -> None:\n        super().__init__()\n        self._x: dict[str, int] = {}\n",
        "    return [x ** 2 for x in range(10) if x % 2 == 0]  # squares\n",
        "lambda a, b=3: (a @ b) // 2 | 0x1F & ~0b1010 ^ 0o17",
        "f\"{name!r:>10} {value:.3f} {{literal}}\"",
        "#include <stdio.h>\n\nint main(int argc, char **argv) {\n\tprintf(\"%s: %d\\n\", argv[0], argc);\n\treturn 0;\n}\n",
        "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
        "static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }",
        "#define MAX(a,b) ((a)>(b)?(a):(b))\n#ifdef __cplusplus\nextern \"C\" {\n#endif",
        "struct Token: Sendable, Hashable {\n    let id: Int32\n    var text: String { \"<\\(id)>\" }\n}\n",
        "func encode(_ text: String, addSpecial: Bool = true) throws -> [Int32] {\n    guard !text.isEmpty else { return [] }\n    return try vocab.lookup(text)\n}",
        "let xs = [1, 2, 3].map { $0 * 2 }.filter { $0 > 2 } ?? []",
        "const add = (a, b) => a + b;\nexport default async function main() { await fetch(`/api/${id}?q=${encodeURIComponent(q)}`); }",
        "if (x === undefined || x !== null && typeof x == 'object') { console.log(x?.y ?? 'none'); }",
        "#!/usr/bin/env bash\nset -euo pipefail\nfor f in \"$@\"; do echo \"${f%.txt}\" | tr a-z A-Z; done 2>&1 >/dev/null\n",
        "$HOME/.config ~/bin | grep -v '^#' && echo $? || exit 1",
        "{\"key\": [1, 2, 3], \"nested\": {\"a\": null, \"b\": true, \"c\": -1.5e-10}}",
        "{\n  \"name\": \"cria\",\n  \"version\": \"0.1.0\",\n  \"dependencies\": {}\n}\n",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Test</title></head>\n<body class=\"main\">&nbsp;&amp;&lt;&gt;</body></html>",
        "<div id='x' style=\"color:#ff0000;margin:0 auto\"><a href=\"https://example.com/a?b=1&c=2\">link</a></div>",
        "SELECT u.id, COUNT(*) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.name LIKE 'A%' GROUP BY u.id HAVING n > 3 ORDER BY n DESC;",
        "INSERT INTO t (a, b) VALUES (1, 'it''s'), (2, NULL);",
        r"^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@[a-z0-9-]+\.[a-z]{2,}$",
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        "\\ backslash \\\\ double \\n not a newline \\t \\u00e9",
        "x=1;y=2;z=x+y;print(z)",
        "    \n        \n\t\t\n",
        "```python\nprint('hi')\n```\n",
        "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,4 @@\n-old\n+new\n",
        "fn main() { let v: Vec<u8> = vec![0; 16]; println!(\"{:?}\", v); }",
        "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n",
        "a:b::c:::d ;; -> => <= >= != == === <=> ... .. ::",
    ]


# MARK: - Scripts


def _scripts():
    return [
        "中文文本测试，你好世界！",
        "我们在北京的一家小餐馆吃了饺子和面条。",
        "日本語のテキストです。東京は大きい。",
        "ひらがな カタカナ ｶﾀｶﾅ 漢字",
        "한국어 텍스트입니다",
        "안녕하세요, 세계! 오늘 날씨가 좋네요.",
        "مرحبا بالعالم، كيف حالك؟",
        "اللُّغَةُ العَرَبِيَّةُ جميلة ١٢٣",
        "שלום עולם, מה שלומך?",
        "עִבְרִית עם ניקוד",
        "Привет, мир! Как дела?",
        "Съешь же ещё этих мягких французских булок, да выпей чаю.",
        "Γειά σου Κόσμε",
        "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
        "नमस्ते दुनिया, आप कैसे हैं?",
        "हिन्दी में लिखा गया वाक्य।",
        "আমি বাংলায় গান গাই।",
        "தமிழ் ஒரு செம்மொழி.",
        "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ",
        "ქართული ენა",
        "Հայերեն լեզու",
        "ሰላም ልዑል ኢትዮጵያ",
        "Tiếng Việt có dấu: Việt Nam, phở, bánh mì.",
        "Türkçe: İstanbul, ığdır, şğüöç",
        "Polski: zażółć gęślą jaźń",
        "café naïve résumé Zürich Ångström",
        "Crème brûlée à la française, s'il vous plaît.",
        "Straße STRASSE ß ẞ ﬁ ﬂ Æ œ",
        "ᚠᛇᚻ᛫ᛒᛦᚦ runes",
        "𝕳𝖊𝖑𝖑𝖔 𝓦𝓸𝓻𝓵𝓭 𝟙𝟚𝟛",
        "math: ∑∫∂ √2 ≈ 1.414 ≠ π ∞ ∀x∃y",
        "ℌ ℍ ℕ ℙ ℚ ℝ ℤ Ω ℧ Å K",
        "ǅ ǈ ǋ titlecase digraphs",
        "ⓐⓑⓒ ① ② ③ ⑴ ⒜",
        "ＡＢＣ ａｂｃ fullwidth",
        "𓀀𓀁𓀂 hieroglyphs",
        "ꦧꦱꦗꦮ javanese",
        "ᏣᎳᎩ cherokee",
        "ᠮᠣᠩᠭᠣᠯ mongolian",
        "ܐܪܡܝܐ syriac",
        "ދިވެހި thaana",
        "ພາສາລາວ lao",
        "ខ្មែរ khmer",
        "မြန်မာ myanmar",
        "සිංහල sinhala",
        "ગુજરાતી gujarati ਪੰਜਾਬੀ gurmukhi",
        "తెలుగు telugu ಕನ್ನಡ kannada മലയാളം malayalam",
        "བོད་ཡིག tibetan",
    ]


# MARK: - Emoji


def _emoji():
    return [
        "Emoji: 😀😃🎉 👍🏽 👨‍👩‍👧‍👦 🇫🇷",
        "🦙",
        "🦙🦙🦙 llama",
        "👍 👍🏻 👍🏼 👍🏽 👍🏾 👍🏿",
        "👩‍💻 👨🏾‍🚀 🧑‍🤝‍🧑 🏳️‍🌈 🏴‍☠️",
        "👨‍👩‍👧‍👦👨‍👩‍👧‍👦",
        "🇺🇸🇬🇧🇯🇵🇩🇪🇧🇷",
        "🏴󠁧󠁢󠁳󠁣󠁴󠁿 scotland tag sequence",
        "1️⃣ 2️⃣ #️⃣ *️⃣ 0⃣",
        "❤️ ❤ ☺️ ☺ ✔️ ✔ ™️ ©︎",
        "\U0001F600" * 5 + "x" + "\U0001F9D9\u200D\u2642\uFE0F",
        "🧙‍♂️🧙‍♀️🧜🏽‍♀️",
        "(╯°□°）╯︵ ┻━┻ ¯\\_(ツ)_/¯",
        "😀x😀 😀,😀. 😀\n😀",
        "ok👌done",
    ]


# MARK: - Numbers


def _numbers():
    digits = "31415926535897932384626433832795028841971"
    out = [digits[:n] for n in range(1, 41)]
    out += [
        "0", "00", "007", "-1", "-42", "+7", "3.14", "-0.001", ".5", "5.", "1e10", "6.022e23", "-1.5E-10",
        "1,000,000", "1.000.000,50", "12 345 678", "$1,234.56", "€99,99", "50%", "0x7fff_ffff", "1_000_000",
        "3.14159265358979 and -42 and +7e10",
        "The year 2024 has 365 days; 1,000,000 people.",
        "a1b2c3 x86_64 v1.2.3 ipv4 192.168.0.1 2024-06-01T12:34:56Z",
        "Arabic-Indic digits ١٢٣٤٥٦٧٨٩٠ and Persian ۱۲۳ and Devanagari ४५६",
        "fullwidth １２３４５ and mixed 12３4",
        "superscripts ² ³ ¹ ⁴⁵⁶ subscripts ₀₁₂",
        "fractions ½ ¾ ⅓ ⅞ and Roman numerals Ⅻ ⅷ Ⅳ",
        "1234567890" * 3,
        "phone: +1 (555) 123-4567",
        "𝟘𝟙𝟚 mathematical digits",
        "〇一二三 四五六 七八九十 百千万",
    ]
    return out


# MARK: - Whitespace


def _whitespace():
    out = [" " * n for n in range(1, 21)]
    out += [" " * n + "x" for n in (1, 2, 3, 7, 16)]
    out += ["x" + " " * n for n in (1, 2, 3, 7)]
    out += ["x" + " " * n + "y" for n in (2, 3, 5, 9)]
    out += [
        "\t", "\t\t", "\t\t\t\t", "\n", "\n\n", "\n\n\n", "\n" * 8, "\r\n", "\r\n\r\n", "\r", "\r\r",
        "multiple   spaces    here",
        "tabs\tand\t\ttabs",
        "newlines\nand\n\nmore\n\n\n",
        "\n\n\nleading newlines",
        "   leading spaces",
        "trailing spaces   ",
        "\t\n \r\n mixed whitespace \r\n\t",
        "line one\r\nline two\rline three\n",
        "lone\rcarriage\rreturns",
        " \n \n ",
        "  \n\n  x",
        "x \n",
        "a \t b",
        "\u00a0non-breaking\u00a0spaces\u2009thin\u3000ideographic",
        "\u00a0", "\u3000", "\u2028", "\u2029",
        "line\u2028separator and paragraph\u2029separator",
        "en\u2002em\u2003figure\u2007narrow\u202fmedium\u205f spaces",
        "zero\u200bwidth\u200djoiner\u200cnon-joiner",
        "\u000b vertical tab \u000c form feed",
        "Hello world",
        " Hello world",
        "Hello world ",
        "  Hello  world  ",
    ]
    return out


# MARK: - Contractions


def _contractions():
    out = []
    for suffix in ("s", "S", "t", "T", "re", "RE", "Re", "rE", "ve", "VE", "Ve", "m", "M", "ll", "LL", "Ll", "lL",
                   "d", "D"):
        out.append(f"it'{suffix} here")
    out += [
        "don't I'll we're you've he'd she's it'd they'll I'm",
        "DON'T I'LL WE'RE YOU'VE HE'D SHE'S I'M",
        "Don'T I'Ll We'Re",
        "'s 't 're 've 'm 'll 'd 'x '",
        "rock'n'roll o'clock y'all ma'am",
        "don’t I’ll we’re you’ve — curly apostrophes",
        "‘single’ “double” „low” «guillemets» ‹single›",
        "''quoted'' ``latex''",
        "James' book and the Joneses' car",
        "'",
        "''",
        "'s",
        " 's",
    ]
    return out


# MARK: - Controls and odd code points


def _controls():
    out = ["".join(chr(c) for c in range(0x00, 0x20)), "\x7f", "\x85", "a\x85b"]
    out += [f"x{chr(c)}y" for c in (0x00, 0x01, 0x07, 0x08, 0x1b, 0x1f)]
    out += [
        "\u0000null\u0001control\u007f",
        "\x1b[31mred\x1b[0m",
        "\\xff\\xfe literal backslash-x text",
        "\ufffd replacement \ufffd\ufffd",
        "\ufffe\uffff noncharacters \U0001fffe",
        "\ue000\uf8ff private use \U000f0000 \U0010fffd",
        "\U0010ffff",
        "\ufeffBOM at start",
        "mid\ufeffBOM",
        "e\u0301 a\u0300 o\u0308 combining marks n\u0303",
        "Z" + "\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a\u030b" * 4,
        "\u0301 leading combining mark",
        "<0x0A> <0xFF> <0x00> byte-fallback-looking text",
        "<0x0A>",
        "\u200e\u200f bidi marks \u202a\u202b\u202c\u202d\u202e override",
        "\U000e0041\U000e0042 tag characters",
        "\ufe0f lone variation selector \U000e0100",
        "\u2060word\u2060joiner",
        "\u00ad soft\u00adhyphen",
    ]
    return out


# MARK: - Long words


def _long():
    rng = random.Random(20240601)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        "a" * 1000,
        "ab" * 600,
        "Supercalifragilisticexpialidocious" * 32,
        "".join(rng.choice(letters) for _ in range(1500)),
        "".join(rng.choice(letters + letters.upper()) for _ in range(1200)),
        "7" * 1000,
        "".join(rng.choice("0123456789") for _ in range(1100)),
        "!" * 1000,
        "-=" * 600,
        ".,;:?!" * 200,
        "é" * 1000,
        "日本" * 600,
        "🦙" * 300,
        "\n" * 1000,
        " " * 1000,
        "\t" * 300 + "x",
        "https://example.com/" + "/".join("segment%d" % i for i in range(120)),
        "base64:" + "".join(rng.choice(letters + letters.upper() + "0123456789+/") for _ in range(1200)) + "==",
        "pneumonoultramicroscopicsilicovolcanoconiosis",
        "ab" * 200 + " " + "xyz" * 100,
        "A" * 16 + "a" * 16,
    ]


# MARK: - Small strings


def _small():
    out = [""]
    out += list("aAzZ09 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    out += ["é", "ß", "ñ", "中", "あ", "한", "ا", "ש", "ж", "π", "क", "€", "©", "™", "…", "—", "–", "·", "•"]
    out += ["Hello", "hello", "HELLO", "Hello!", "I", "a b", "the", " the", "The", "  the"]
    return out


# MARK: - Special tokens and chat formats


SPECIAL_TOKENS = [
    "<s>", "</s>", "<unk>", "<pad>",
    "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|eom_id|>", "<|start_header_id|>", "<|end_header_id|>",
    "<|python_tag|>", "<|finetune_right_pad_id|>", "<|reserved_special_token_0|>", "<|reserved_special_token_250|>",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|user|>", "<|assistant|>", "<|system|>", "<|end|>",
    "<|placeholder1|>", "<repo_name>", "<file_sep>", "<filename>",
]


def _special():
    out = []
    for token in SPECIAL_TOKENS:
        out.append(token)
        out.append(f"before {token} after")
    out += [
        "<s><s></s></s>",
        "<s>[INST] hi [/INST]",
        "<s", "s>", "</s", "<|im_start", "im_start|>", "<|im_end", "<|begin_of_text", "<|eot_id", "<|",
        "|>", "<||>", "< s >", "<S>", "<|IM_START|>",
        "<|im_start|><|im_start|>",
        "<|im_end|> <|im_end|>  <|im_end|>",
        "text<|endoftext|>more text",
        "<|eot_id|><|eot_id|>\n<|eot_id|>",
        "<<|eot_id|>>",
        "<|begin_of_text|><|begin_of_text|>",
        " <|begin_of_text|> leading space",
        "<|start_header_id|>user<|end_header_id|>",
        "<|reserved_special_token_0|><|reserved_special_token_1|>",
        "<|reserved_special_token_999|>",
        "<unk><unk>x<unk>",
        "<0x00></s><s>",
    ]
    return out


def _chat():
    return [
        "<|im_start|>user\nhi<|im_end|>",
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
        "<|im_start|>system\nYou are Cria.<|im_end|>\n<|im_start|>user\n日本語で答えて 🦙<|im_end|>\n<|im_start|>assistant\nはい。<|im_end|>\n",
        "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nWhat is the capital of France? [/INST] Paris. </s><s>[INST] And Spain? [/INST]",
        "[INST] Write a haiku about llamas. [/INST]",
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nYou are a helpful assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
        "<|start_header_id|>assistant<|end_header_id|>\n\n<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Lima\"}}<|eom_id|>",
        "<|system|>\nYou are helpful.<|end|>\n<|user|>\nHow are you?<|end|>\n<|assistant|>\n",
        "<|user|>\nTranslate to French: cheese<|end|>\n<|assistant|>\nfromage<|end|><|endoftext|>",
        "User: hello\nAssistant: Hi! How can I help?\nUser: tell me a joke\nAssistant:",
        "### Instruction:\nSummarize the text.\n\n### Response:\n",
    ]


# MARK: - Prose


def _prose():
    return [
        "The quick brown fox jumps over the lazy dog.",
        "It was the best of times, it was the worst of times; it was the age of wisdom...",
        "Llamas are domesticated South American camelids, widely used as meat and pack animals by Andean cultures.",
        "Hello, World! HELLO, world? hello... world!!!",
        "CamelCaseIdentifier snake_case_identifier kebab-case-identifier SCREAMING_CASE",
        "e-mail: someone@example.com, web: https://www.example.org/path?query=1#frag",
        "!!!???...,,,;;;",
        "----------==========__________",
        "Mr. Smith paid $3.50 for 2 coffees at 9:45 a.m. (approx. 40% off).",
        "I said \"no\" — twice — and then… silence.",
        "The llama (Lama glama) is a domesticated South American camelid. Llamas are social animals and live with others as a herd. "
        "Their wool is soft and contains only a small amount of lanolin.",
        "Multilingual: The cat 猫 (neko) sat on the mat; le chat s'est assis; кошка сидела; القطة جلست; 고양이가 앉았다; बिल्ली बैठी।",
        "English then 中文 then English again, 混合 mixed 文本 text.",
        "Москва — столица России. Berlin ist die Hauptstadt Deutschlands. 東京は日本の首都です。",
        "Ünïcödé ëvërÿwhërë ïn thïs sëntëncë.",
        "¿Dónde está la biblioteca? ¡Aquí!",
        "Ελληνικά and English: αβγ ABC δεζ.",
        "A\u030a vs \u00c5 vs \u212b (three ways to write A-ring)",
        "ﬃ ligature and ﬀ and ﬆ",
        "Q&A: 1) first; 2) second; 3) third.",
    ]


CATEGORIES = [
    ("code", _code),
    ("scripts", _scripts),
    ("emoji", _emoji),
    ("numbers", _numbers),
    ("whitespace", _whitespace),
    ("contractions", _contractions),
    ("controls", _controls),
    ("long", _long),
    ("small", _small),
    ("special", _special),
    ("chat", _chat),
    ("prose", _prose),
]


def categories():
    """(category, text) pairs, distinct texts, first occurrence wins."""
    seen = set()
    out = []
    for name, make in CATEGORIES:
        for text in make():
            if text in seen:
                continue
            text.encode("utf-8")  # no lone surrogates
            seen.add(text)
            out.append((name, text))
    return out


def corpus():
    """The corpus strings in a fixed order."""
    return [text for _, text in categories()]


def main():
    pairs = categories()
    print(f"{len(pairs)} strings")
    tally = {}
    for name, _ in pairs:
        tally[name] = tally.get(name, 0) + 1
    for name, _ in CATEGORIES:
        print(f"  {name:13} {tally.get(name, 0)}")
    total = sum(len(t.encode("utf-8")) for _, t in pairs)
    print(f"{total} UTF-8 bytes in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
