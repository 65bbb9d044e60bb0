"""WidgetFunction: the widget's files as partner pages fetch them (no browser needed)."""

from __future__ import annotations

import base64
import gzip
import json
import re

import pytest

from devstack.template import functions, load_template, routes
from tests.browser.servers import LambdaContext, http_api_event, load_widget_app
from undersigned import catalogue

FIRST_SCRIPT_BUDGET = 15 * 1024  # bytes, gzipped: issue 4, "small and private"
REQUIRED_LANGUAGES = {"en", "uk", "pl", "ro", "de", "fr", "ar"}


@pytest.fixture(scope="module")
def widget():
    return load_widget_app()


def get(widget, path: str, **headers: str) -> dict:
    return widget.lambda_handler(http_api_event("GET", path, "", headers), LambdaContext())


def body_of(answer: dict) -> bytes:
    raw = answer.get("body") or ""
    return base64.b64decode(raw) if answer["isBase64Encoded"] else raw.encode()


def test_plain_path_serves_javascript_cached_briefly_to_every_origin(widget):
    answer = get(widget, "/widget.js")
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "text/javascript; charset=utf-8"
    assert answer["headers"]["Cache-Control"] == "public, max-age=300"
    assert answer["headers"]["Access-Control-Allow-Origin"] == "*"
    assert answer["headers"]["X-Content-Type-Options"] == "nosniff"
    assert b'customElements.define(TAG' in body_of(answer)


def test_script_names_the_version_its_other_files_live_under(widget):
    script = body_of(get(widget, "/widget.js")).decode()
    version = re.search(r'const VERSION = "([0-9a-f]{12})";', script).group(1)
    assert version == widget.ASSETS.version
    answer = get(widget, f"/widget/{version}/uk.json")
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert answer["headers"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer["headers"]["Access-Control-Allow-Origin"] == "*"
    assert json.loads(body_of(answer))["sign"] == "Підписати лист"
    versioned_script = get(widget, f"/widget/{version}/widget.js")
    assert versioned_script["headers"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert body_of(versioned_script).decode() == script


def test_the_proof_of_work_solver_is_a_module_of_its_own_beside_the_languages(widget):
    """Only campaigns with `human_check: altcha` load it; the first script stays small."""
    answer = get(widget, f"/widget/{widget.ASSETS.version}/altcha.js")
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "text/javascript; charset=utf-8"
    assert answer["headers"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer["headers"]["Access-Control-Allow-Origin"] == "*"
    assert "export async function solve(" in body_of(answer).decode()
    assert "export " not in body_of(get(widget, "/widget.js")).decode()


def test_a_previous_version_gets_todays_files_but_only_for_minutes(widget):
    answer = get(widget, "/widget/000000000000/en.json")
    assert answer["statusCode"] == 200
    assert answer["headers"]["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize("path", ["/widget/{v}/app.py", "/widget/{v}/..%2Fapp.py", "/widget/{v}/xx.json", "/widget/latest/en.json"])
def test_anything_else_under_widget_is_a_json_404(widget, path):
    answer = get(widget, path.format(v=widget.ASSETS.version))
    assert answer["statusCode"] == 404
    assert json.loads(answer["body"])["error"]["code"] == "not_found"


def test_gzip_when_the_browser_accepts_it_and_304_when_unchanged(widget):
    answer = get(widget, "/widget.js", **{"accept-encoding": "gzip, deflate, br"})
    assert answer["headers"]["Content-Encoding"] == "gzip"
    assert answer["headers"]["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body_of(answer)) == body_of(get(widget, "/widget.js"))
    again = get(widget, "/widget.js", **{"if-none-match": answer["headers"]["ETag"]})
    assert again["statusCode"] == 304
    assert not again.get("body")


def test_first_script_is_at_most_15_kb_gzipped(widget):
    gzipped = body_of(get(widget, "/widget.js", **{"accept-encoding": "gzip"}))
    assert len(gzipped) <= FIRST_SCRIPT_BUDGET, f"widget.js is {len(gzipped)} bytes gzipped"


def test_every_language_of_the_catalogue_is_served_and_picked(widget):
    """The widget's strings are the catalogue's: each language file serves its `widget` part,
    and the script offers exactly the catalogue's languages (tests/unit/test_catalogue.py holds
    every file to English's keys)."""
    languages = {name.removesuffix(".json") for name in widget.ASSETS.names if name.endswith(".json")}
    assert REQUIRED_LANGUAGES <= languages == set(catalogue.LANGUAGES)
    for language in languages:
        served = json.loads(body_of(get(widget, f"/widget/{widget.ASSETS.version}/{language}.json")))
        assert served == catalogue.section(language, "widget"), language
        assert "email" not in served and "page" not in served, "only the widget's part is sent"
    script = body_of(get(widget, "/widget.js")).decode()
    offered = re.search(r'const LANGS = "([^"]+)"\.split', script).group(1).split(",")
    assert sorted(offered) == sorted(languages)


def test_template_serves_the_widget_from_a_function_without_permissions():
    spec = functions()["WidgetFunction"]
    assert spec.code_dir.name == "widget" and spec.handler == "app.lambda_handler"
    widget_routes = {(r.method, r.path) for r in routes() if r.function == "WidgetFunction"}
    assert widget_routes == {("GET", "/widget.js"), ("GET", "/widget/{version}/{file}")}
    properties = load_template()["Resources"]["WidgetFunction"]["Properties"]
    assert "Policies" not in properties
    log_group = properties["LoggingConfig"]["LogGroup"]["Ref"]
    assert load_template()["Resources"][log_group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
