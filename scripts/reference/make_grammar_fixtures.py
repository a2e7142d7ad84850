#!/usr/bin/env python3
"""Write the GBNF fixtures Tests/Fixtures/grammar/parser.json and integration.json from llama.cpp's own tests.

    python3 scripts/reference/make_grammar_fixtures.py [SOURCE]      # from the repository root

SOURCE is the unpacked vendor/llama.cpp directory of the llama-cpp-python sdist, or the sdist tarball
itself; default /work/sdist/llama_cpp_python-0.3.36.tar.gz, and if that is missing the sdist is fetched
from PyPI's simple index ($CRIA_PYPI_SIMPLE, else https://pypi.org/simple) and checked against the pinned
sha256 that scripts/install-tokenizer-data.sh uses. Needs only the standard library. Deterministic.

Read from the sdist (llama-cpp-python 0.3.36, vendor/llama.cpp):
  tests/test-grammar-parser.cpp       every verify_parsing(...) (must parse; the expected symbol table
                                      {name: id} is kept too) and verify_failure(...) (must fail). Both
                                      call only llama_grammar_parser::parse, so "parse" means: the text
                                      parses and every referenced rule is defined; no root or
                                      left-recursion check.
  tests/test-grammar-integration.cpp  every test_grammar(description, grammar, passing, failing); the
                                      test_schema(...) cases need a JSON-schema converter and are left to
                                      the JSON-schema fixtures. The hand-written checks of
                                      test_failure_missing_root, test_failure_missing_reference,
                                      test_failure_left_recursion, test_failure_missing_root_symbol and
                                      test_custom_root_symbol_check become "build" cases (grammar, root,
                                      whether llama_grammar_init_impl succeeds).
  grammars/*.gbnf                     must parse (and build with root "root").
tests/test-llama-grammar.cpp builds its grammar from element arrays, not text, and checks internals
(candidate rejection); it has no text cases to extract.

A test string is a list of segments: a string (text; llama.cpp's harness feeds each code point as its
own token with id 0) or {"token": id} (a whole token, written token(id) in the C++: the harness feeds
it with id `id` and the piece "<[id]>").

parser.json:      {"source", "cases": [{"name", "grammar", "expect": "parse" | "fail", "symbols"?}]}
integration.json: {"source", "cases": [{"name", "grammar", "passing": [[segment]], "failing": [[segment]]}],
                   "build": [{"name", "grammar", "root", "expect": "build" | "fail"}]}
"""

import hashlib
import io
import json
import os
import re
import sys
import tarfile
import urllib.request

SDIST = "llama_cpp_python-0.3.36.tar.gz"
SDIST_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
PREFIX = "llama_cpp_python-0.3.36/vendor/llama.cpp/"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "grammar")


# MARK: - Reading the sources

class Source:
    """The llama.cpp files, from a directory or from the sdist tarball."""

    def __init__(self, path):
        self.dir = None
        self.tar = None
        if os.path.isdir(path):
            self.dir = path
        else:
            data = open(path, "rb").read()
            check_sha(data)
            self.tar = tarfile.open(fileobj=io.BytesIO(data))

    def read(self, rel):
        if self.dir:
            return open(os.path.join(self.dir, rel), encoding="utf-8").read()
        return self.tar.extractfile(PREFIX + rel).read().decode("utf-8")

    def list_grammars(self):
        if self.dir:
            names = os.listdir(os.path.join(self.dir, "grammars"))
        else:
            names = [m.name[len(PREFIX) + len("grammars/"):] for m in self.tar.getmembers()
                     if m.name.startswith(PREFIX + "grammars/")]
        return sorted(n for n in names if n.endswith(".gbnf") and "/" not in n)


def check_sha(data):
    got = hashlib.sha256(data).hexdigest()
    if got != SDIST_SHA256:
        sys.exit(f"sdist sha256 {got} is not the pinned {SDIST_SHA256}")


def fetch_sdist():
    index = os.environ.get("CRIA_PYPI_SIMPLE", "https://pypi.org/simple").rstrip("/")
    page = urllib.request.urlopen(f"{index}/llama-cpp-python/").read().decode()
    m = re.search(r'href="([^"]*' + re.escape(SDIST) + r'[^"]*)"', page)
    if not m:
        sys.exit(f"{SDIST} not listed at {index}/llama-cpp-python/")
    url = urllib.parse.urljoin(f"{index}/llama-cpp-python/", m.group(1).replace("&amp;", "&"))
    data = urllib.request.urlopen(url).read()
    check_sha(data)
    path = os.path.join("/tmp", SDIST)
    open(path, "wb").write(data)
    return path


# MARK: - A small C++ lexer: enough for string literals, token(n) calls and brace lists

TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<lcomment>//[^\n]*)
  | (?P<bcomment>/\*.*?\*/)
  | (?P<raw>R"(?P<delim>[^()\\\s]{0,16})\()
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<chr>'(?:[^'\\\n]|\\.)*')
  | (?P<num>\d+)
  | (?P<ident>[A-Za-z_][A-Za-z_0-9:]*)
  | (?P<punct>.)
""", re.S | re.X)

SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0", "a": "\a",
                  "b": "\b", "f": "\f", "v": "\v", "?": "?"}


def unescape_c(body):
    """A C string literal's body (UTF-8 source) to its text."""
    out = bytearray()
    i = 0
    raw = body.encode("utf-8")
    while i < len(raw):
        c = raw[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        e = chr(raw[i + 1])
        if e == "x":
            j = i + 2
            while j < len(raw) and chr(raw[j]) in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(raw[i + 2:j], 16) & 0xFF)
            i = j
        elif e in "01234567" and e != "0" or (e == "0" and i + 2 < len(raw) and chr(raw[i + 2]) in "01234567"):
            j = i + 1
            while j < len(raw) and j < i + 4 and chr(raw[j]) in "01234567":
                j += 1
            out.append(int(raw[i + 1:j], 8) & 0xFF)
            i = j
        elif e == "u" or e == "U":
            n = 4 if e == "u" else 8
            out += chr(int(raw[i + 2:i + 2 + n], 16)).encode("utf-8")
            i += 2 + n
        elif e in SIMPLE_ESCAPES:
            out += SIMPLE_ESCAPES[e].encode()
            i += 2
        else:
            raise ValueError(f"unknown C escape \\{e}")
    return out.decode("utf-8")


def lex(text):
    tokens = []
    pos = 0
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        kind = m.lastgroup if m.lastgroup != "delim" else "raw"
        if m.group("raw") is not None:
            delim = m.group("delim")
            end = text.index(")" + delim + '"', m.end())
            tokens.append(("str", text[m.end():end]))
            pos = end + len(delim) + 2
            continue
        pos = m.end()
        if kind in ("ws", "lcomment", "bcomment"):
            continue
        if kind == "str":
            tokens.append(("str", unescape_c(m.group()[1:-1])))
        else:
            tokens.append((kind, m.group()))
    return tokens


class Parser:
    """Reads argument expressions from the token list: concatenations of literals and token(n)."""

    def __init__(self, tokens, i):
        self.t = tokens
        self.i = i

    def peek(self):
        return self.t[self.i]

    def take(self, value=None):
        tok = self.t[self.i]
        if value is not None and tok[1] != value:
            raise ValueError(f"expected {value!r}, found {tok!r}")
        self.i += 1
        return tok

    def term(self, variables):
        kind, value = self.peek()
        if kind == "str":
            text = ""
            while self.peek()[0] == "str":  # adjacent literals concatenate
                text += self.take()[1]
            return [text]
        if kind == "ident" and value == "token":
            self.take()
            self.take("(")
            n = int(self.take()[1])
            self.take(")")
            return [{"token": n}]
        if kind == "ident" and value in variables:
            self.take()
            return list(variables[value])
        raise ValueError(f"unexpected {value!r} in an expression")

    def expr(self, variables=None):
        variables = variables or {}
        segs = self.term(variables)
        while self.peek()[1] == "+":
            self.take()
            segs += self.term(variables)
        merged = []
        for s in segs:  # join neighbouring text segments
            if merged and isinstance(s, str) and isinstance(merged[-1], str):
                merged[-1] += s
            else:
                merged.append(s)
        return [s for s in merged if s != ""]

    def text(self, variables=None):
        segs = self.expr(variables)
        if any(not isinstance(s, str) for s in segs):
            raise ValueError("a grammar cannot contain token(n)")
        return "".join(segs)

    def list_of_exprs(self):
        self.take("{")
        items = []
        while self.peek()[1] != "}":
            items.append(self.expr())
            if self.peek()[1] == ",":
                self.take()
        self.take("}")
        return items

    def skip_balanced(self):
        opener = self.take()[1]
        closer = {"{": "}", "(": ")"}[opener]
        depth = 1
        while depth:
            v = self.take()[1]
            if v == opener:
                depth += 1
            elif v == closer:
                depth -= 1

    def symbol_table(self):
        self.take("{")
        table = {}
        while self.peek()[1] != "}":
            self.take("{")
            name = self.take()[1]
            self.take(",")
            table[name] = int(self.take()[1])
            self.take("}")
            if self.peek()[1] == ",":
                self.take()
        self.take("}")
        return table


def calls(tokens, name):
    """Indices just past `name (` for every call of `name` (not its definition)."""
    for i in range(len(tokens) - 1):
        if tokens[i] == ("ident", name) and tokens[i + 1][1] == "(" and (i == 0 or tokens[i - 1][1] != "void"):
            yield i + 2


def function_body(tokens, name):
    """The tokens of `static void name() { ... }`."""
    for i in range(len(tokens) - 3):
        if tokens[i] == ("ident", name) and tokens[i - 1] == ("ident", "void"):
            j = i
            while tokens[j][1] != "{":
                j += 1
            depth, k = 0, j
            while True:
                if tokens[k][1] == "{":
                    depth += 1
                elif tokens[k][1] == "}":
                    depth -= 1
                    if depth == 0:
                        return tokens[j + 1:k]
                k += 1
    raise ValueError(f"no function {name}")


def string_variables(body):
    """`const std::string NAME = <expr>;` definitions in a function body."""
    variables = {}
    for i in range(len(body) - 2):
        if body[i] == ("ident", "std::string") and body[i + 2][1] == "=":
            p = Parser(body, i + 3)
            variables[body[i + 1][1]] = p.expr(variables)
    return variables


# MARK: - Cases

def parser_cases(src):
    tokens = lex(src.read("tests/test-grammar-parser.cpp"))
    cases = []
    for kind, fn in (("parse", "verify_parsing"), ("fail", "verify_failure")):
        for i in calls(tokens, fn):
            p = Parser(tokens, i)
            case = {"grammar": p.text(), "expect": kind, "line": None}
            if kind == "parse":
                p.take(",")
                case["symbols"] = p.symbol_table()
            cases.append((i, case))
    cases.sort(key=lambda c: c[0])  # file order
    out = []
    for n, (_, case) in enumerate(cases):
        del case["line"]
        out.append({"name": f"test-grammar-parser.cpp #{n + 1} ({case['expect']})", **case})
    for name in src.list_grammars():
        out.append({"name": f"grammars/{name}", "grammar": src.read("grammars/" + name), "expect": "parse"})
    return out


def integration_cases(src):
    tokens = lex(src.read("tests/test-grammar-integration.cpp"))
    cases = []
    for i in calls(tokens, "test_grammar"):
        p = Parser(tokens, i)
        desc = p.text()
        p.take(",")
        grammar = p.text()
        p.take(",")
        passing = p.list_of_exprs()
        p.take(",")
        failing = p.list_of_exprs()
        cases.append({"name": desc, "grammar": grammar, "passing": passing, "failing": failing})

    build = []
    # test_failure_missing_root: parses, but there is no rule "root", so building fails.
    v = string_variables(function_body(tokens, "test_failure_missing_root"))
    build.append({"name": "missing root", "grammar": "".join(v["grammar_str"]), "root": "root", "expect": "fail"})
    # test_failure_missing_reference: an undefined rule; parsing itself fails.
    v = string_variables(function_body(tokens, "test_failure_missing_reference"))
    build.append({"name": "missing reference", "grammar": "".join(v["grammar_str"]), "root": "root",
                  "expect": "fail"})
    # test_failure_left_recursion: every asserted test_build_grammar_fails(x).
    body = function_body(tokens, "test_failure_left_recursion")
    v = string_variables(body)
    for i in calls(body, "test_build_grammar_fails"):
        name = body[i][1]
        build.append({"name": f"left recursion ({name})", "grammar": "".join(v[name]), "root": "root",
                      "expect": "fail"})
    # test_failure_missing_root_symbol: root "nonexistent".
    v = string_variables(function_body(tokens, "test_failure_missing_root_symbol"))
    build.append({"name": "missing root symbol", "grammar": "".join(v["grammar_str"]), "root": "nonexistent",
                  "expect": "fail"})
    # test_custom_root_symbol_check: fails with "root", builds with "foobar".
    v = string_variables(function_body(tokens, "test_custom_root_symbol_check"))
    g = "".join(v["custom_root_grammar_str"])
    build.append({"name": "custom root, default root", "grammar": g, "root": "root", "expect": "fail"})
    build.append({"name": "custom root, named", "grammar": g, "root": "foobar", "expect": "build"})
    return cases, build


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else f"/work/sdist/{SDIST}"
    if not os.path.exists(path):
        path = fetch_sdist()
    src = Source(path)
    os.makedirs(OUT, exist_ok=True)
    source = "llama-cpp-python 0.3.36 sdist, vendor/llama.cpp"
    parser = {"source": source + "/tests/test-grammar-parser.cpp and grammars/*.gbnf", "cases": parser_cases(src)}
    cases, build = integration_cases(src)
    integration = {"source": source + "/tests/test-grammar-integration.cpp", "cases": cases, "build": build}
    for name, doc in (("parser.json", parser), ("integration.json", integration)):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1, sort_keys=False)
            f.write("\n")
    print(f"parser.json: {len(parser['cases'])} cases; integration.json: {len(cases)} cases, {len(build)} build cases")


if __name__ == "__main__":
    import urllib.parse  # noqa: F401  (fetch_sdist)
    main()
