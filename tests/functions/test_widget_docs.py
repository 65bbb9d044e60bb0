"""docs/widget.md tells partners what the widget really offers: every part, custom property,
event and language the code has is documented, and nothing more."""

from __future__ import annotations

import re

from tests.browser.servers import ROOT
from undersigned import catalogue

SCRIPT = (ROOT / "functions" / "widget" / "static" / "widget.js").read_text(encoding="utf-8")
DOCS = (ROOT / "docs" / "widget.md").read_text(encoding="utf-8")


def test_every_part_is_documented():
    parts = set(re.findall(r'part="([a-z-]+)"', SCRIPT)) | set(re.findall(r'"part", "([a-z-]+)"', SCRIPT))
    documented = set(re.findall(r"`([a-z-]+)`", DOCS.split("style the parts with `::part()`:")[1].split("```")[0]))
    assert parts == documented


def test_every_custom_property_is_documented():
    used = set(re.findall(r"var\((--undersigned-[a-z-]+)", SCRIPT))
    documented = set(re.findall(r"^\| `(--undersigned-[a-z-]+)`", DOCS, re.M))
    assert used == documented


def test_every_event_is_documented():
    fired = set(re.findall(r'_emit\("([a-z]+)"', SCRIPT))
    documented = set(re.findall(r"^\| `undersigned:([a-z]+)`", DOCS, re.M))
    assert fired == documented


def test_every_language_is_documented():
    languages = set(catalogue.LANGUAGES)
    documented_line = next(line for line in DOCS.splitlines() if line.startswith("| `lang` |"))
    assert languages == set(re.findall(r"`([a-z]{2,3})`", documented_line)) - {"lang"}
