"""The edge's language function (template.yaml `EdgeLanguageFunction`, CloudFront Functions
JavaScript) run in node against many Accept-Language values: it leaves exactly the language
`catalogue.from_accept_language` would choose from the viewer's header (or no header when
that is none), so the origin answers every reader as before and the cache keeps at most one
copy per language (and one with no language)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack.template import load_template
from undersigned import catalogue

# The function's code evaluated as CloudFront would hold it (a script defining `handler`);
# one request per line of JSON on stdin, one answer per line on stdout.
HARNESS = r"""
const fs = require('fs');
const code = fs.readFileSync(process.argv[2], 'utf8');
const fn = new Function(code + '\nreturn {handler: handler, LANGUAGES: LANGUAGES, ZEROS: ZEROS, SPACES: SPACES};')();
const rl = require('readline').createInterface({input: process.stdin});
rl.on('line', (line) => {
  const ask = JSON.parse(line);
  let answer;
  if (ask.names) {
    answer = {LANGUAGES: fn.LANGUAGES, ZEROS: fn.ZEROS, SPACES: fn.SPACES};
  } else if (ask.headers_list) {
    answer = ask.headers_list.map((value) => {
      const request = fn.handler({version: '1.0', request: {method: 'GET', uri: '/letters/x', querystring: {}, headers: {'accept-language': {value: value}}, cookies: {}}});
      const header = request.headers['accept-language'];
      return header === undefined ? null : header.value;
    });
  } else {
    answer = fn.handler(ask.event);
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
"""


def function_code() -> str:
    return load_template()["Resources"]["EdgeLanguageFunction"]["Properties"]["FunctionCode"]


class Node:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def ask(self, question: dict[str, Any]) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(question) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "node ended without an answer"
        return json.loads(line)

    def choose(self, *headers: str) -> list[str | None]:
        return self.ask({"headers_list": list(headers)})

    def request(self, headers: dict[str, Any]) -> dict[str, Any]:
        event = {"version": "1.0", "request": {"method": "GET", "uri": "/campaigns/c", "querystring": {}, "headers": headers, "cookies": {}}}
        return self.ask({"event": event})


@pytest.fixture(scope="module")
def node(tmp_path_factory) -> Iterator[Node]:
    executable = shutil.which("node")
    assert executable, "node (v20) is needed to run the edge function's JavaScript"
    folder = tmp_path_factory.mktemp("edge")
    (folder / "function.js").write_text(function_code(), encoding="utf-8")
    (folder / "harness.js").write_text(HARNESS, encoding="utf-8")
    process = subprocess.Popen(
        [executable, str(folder / "harness.js"), str(folder / "function.js")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    yield Node(process)
    assert process.stdin
    process.stdin.close()
    process.wait(timeout=30)


# ---------------------------------------------------------------- one source of truth


def test_the_function_speaks_the_catalogues_languages(node) -> None:
    assert tuple(node.ask({"names": True})["LANGUAGES"]) == catalogue.LANGUAGES


def test_its_whitespace_is_pythons(node) -> None:
    python = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert node.ask({"names": True})["SPACES"] == python


def test_its_decimal_digits_are_pythons(node) -> None:
    """float() reads any Unicode decimal digit. The function carries the runs of Lambda's
    Python (3.13, Unicode 15.1); a run this Python does not know must be unassigned here."""
    zeros = node.ask({"names": True})["ZEROS"]
    here = [c for c in range(0x110000) if unicodedata.decimal(chr(c), None) == 0]
    assert set(here) <= set(zeros)
    for zero in set(zeros) - set(here):
        assert all(unicodedata.category(chr(zero + i)) == "Cn" for i in range(10)), hex(zero)


# ---------------------------------------------------------------- a table of headers

TABLE = [
    "uk-UA,uk;q=0.9,en-US;q=0.8,en;q=0.7",
    "en-GB,en;q=0.9",
    "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
    "fr-CA,fr;q=0.9",
    "pl,en-US;q=0.7,en;q=0.3",
    "ro-RO",
    "ar-EG,ar;q=0.9,en;q=0.8",
    "ja-JP,ja;q=0.9",
    "*",
    "*;q=1, pl;q=0.1",
    "",
    " ",
    ",,,",
    "en;q=0, uk;q=0.001",
    "en;q=0.5, uk;q=0.5",
    "uk;q=0.5, en;q=0.5",
    "en;q=0.5;q=0.9, uk;q=0.8",
    "en;q=0.9;q=x, uk;q=0.1",
    "en;q=inf, uk;q=Infinity",
    "en;q=nan, uk",
    "en;q=-1, uk;q=1e-400, pl;q=1e400",
    "EN-us;Q=0.2, Uk ; q = 0.3",
    "pt_BR, uk_UA",
    "uk\u212a;q=1, U\u212a;q=0.5",
    "en;q=\u0660.\u0665, uk;q=\u0660.\u0664",
    "en;q=1_0, uk;q=1__0, pl;q=_1",
    "en;q=\u00a00.5\u3000, uk;q=\x1c0.6",
    "\x85uk\x85;q=0.4, en\x0b",
    "x," * 31 + "uk",
    "x," * 32 + "uk",
    "de;q=0.1, " + "x;q=1, " * 40 + "en",
    "en;level=1;q=0.4, fr;q=0.3",
    "fr;q, en;q=",
    "uk;q=0.5e, en;q=.5e1",
    "uk;q=+.9, en;q=0x1",
]


@pytest.mark.parametrize("header", TABLE)
def test_a_table_of_headers_agrees_with_the_catalogue(node, header) -> None:
    assert node.choose(header) == [catalogue.from_accept_language(header)]


def test_a_browsers_long_header_becomes_one_language(node) -> None:
    assert node.choose("uk-UA,uk;q=0.9,en-US;q=0.8,en;q=0.7,pl;q=0.6") == ["uk"]
    assert node.choose("ja-JP,ja;q=0.9,zh;q=0.8") == [None]


# ---------------------------------------------------------------- the request around it


def test_no_header_stays_no_header_and_other_headers_are_untouched(node) -> None:
    request = node.request({"host": {"value": "d.cloudfront.net"}, "origin": {"value": "https://a.example"}})
    assert request["headers"] == {"host": {"value": "d.cloudfront.net"}, "origin": {"value": "https://a.example"}}
    assert request["uri"] == "/campaigns/c"


def test_a_header_without_a_supported_language_is_removed(node) -> None:
    request = node.request({"accept-language": {"value": "ja,zh;q=0.9"}, "origin": {"value": "https://a.example"}})
    assert request["headers"] == {"origin": {"value": "https://a.example"}}


def test_a_header_sent_twice_is_read_as_the_origin_reads_it_joined(node) -> None:
    # CloudFront gives duplicates in multiValue (value is the first); API Gateway joins them with commas.
    values = ["ja;q=0.9", "pl;q=0.8, en;q=0.1"]
    header = {"value": values[0], "multiValue": [{"value": v} for v in values]}
    request = node.request({"accept-language": header})
    assert request["headers"]["accept-language"] == {"value": catalogue.from_accept_language(",".join(values))}
    assert request["headers"]["accept-language"] == {"value": "pl"}


# ---------------------------------------------------------------- fuzz against Python

TAGS = [*catalogue.LANGUAGES, "EN", "Uk", "pL", "zh", "ja", "pt", "es", "*", "", "e", "enx", "u\u212a", "\u212au", "\u0130n", "en\U0001f600"]
SUBTAGS = ["", "-US", "-ua", "_BR", "-Latn-RS", "-", "_", "-419"]
Q_VALUES = [
    "1", "0", "0.5", "0.001", "1.0", "0.000", "-0.5", ".5", "5.", ".", "", "1e-3", "1E2", "1e", "inf", "-inf",
    "nan", "Infinity", "infinit", "1_0", "1__0", "_1", "0.5_", "1e1_0", "0x1", "+0.5", "\u0661", "\u0660.\u0665",
    "\U0001d7ce.\U0001d7d3", "\u00a00.5", "0.5\u3000", "\x1c0.5", "0.5 0", "1e400", "1e-400", " 0.3 ", "abc",
]
SPACE = ["", " ", "  ", "\t", "\x0b", "\x1c", "\x85", "\xa0", "\u2003", "\u3000", "\ufeff"]
PARAM_NAMES = ["q", "Q", " q ", "q\xa0", "level", "qq", ""]


@st.composite
def items(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(SPACE)) + draw(st.sampled_from(TAGS)) + draw(st.sampled_from(SUBTAGS)) + draw(st.sampled_from(SPACE))
    params = ""
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(PARAM_NAMES))
        value = draw(st.one_of(st.sampled_from(Q_VALUES), st.floats(allow_nan=True).map(repr), st.integers(-2, 2).map(str)))
        params += ";" + draw(st.sampled_from(SPACE)) + name + draw(st.sampled_from(["=", " =", "= ", ""])) + value
    return tag + params


HEADERS = st.one_of(
    st.lists(items(), max_size=40).map(",".join),
    st.text(alphabet=st.sampled_from(list("enukplrodefrar*-_;=q.,0123456789 \t\xa0\u212a\u0661")), max_size=60),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=HEADERS)
def test_any_header_gives_the_origins_own_choice(node, header: str) -> None:
    assert node.choose(header) == [catalogue.from_accept_language(header)]


def random_header(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.choice([0, 1, 1, 2, 3, 5, 8, 33])):
        item = rng.choice(SPACE) + rng.choice(TAGS) + rng.choice(SUBTAGS)
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            value = rng.choice(Q_VALUES) if rng.random() < 0.5 else f"{rng.random():.{rng.randint(0, 3)}f}"
            item += ";" + rng.choice(PARAM_NAMES) + "=" + value
        parts.append(item)
    return ",".join(parts)


def test_a_seeded_fuzz_agrees_and_reaches_every_language_and_none(node) -> None:
    rng = random.Random(20261110)
    headers = [random_header(rng) for _ in range(5000)]
    answers = node.choose(*headers)
    expected = [catalogue.from_accept_language(header) for header in headers]
    disagreements = [(h, a, e) for h, a, e in zip(headers, answers, expected, strict=True) if a != e]
    assert disagreements == []
    # Every variant the cache can hold is reached: each language, and no header at all.
    assert set(answers) == {*catalogue.LANGUAGES, None}
