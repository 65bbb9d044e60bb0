"""Every word the service says, in every language it speaks: one JSON file per language in
`locales/` holds the widget's strings, the emails', the pages' and the badge's, so that a
language is added by adding one file (a test holds each file to `en.json`'s keys and
placeholders, and its plural forms to the language's CLDR categories).

A message is a string with `{placeholders}`, or a plural message: an object with one text
per CLDR plural category of the language (`one`, `few`, `many`, `other`, ...), chosen by a
number. Plural rules, numbers and dates come from Babel (CLDR), imported on first use and
for the one language a request needs: a function that only serves English pays nothing
until it formats a number.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Union

LOCALES = Path(__file__).resolve().parent / "locales"
DEFAULT = "en"
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
LANGUAGES: tuple[str, ...] = tuple(sorted(path.stem for path in LOCALES.glob("*.json")))
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

Message = Union[str, dict[str, str]]


@lru_cache(maxsize=None)
def strings(lang: str) -> dict[str, Any]:
    """The whole file of a supported language."""
    if lang not in LANGUAGES:
        raise KeyError(lang)
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def source(lang: str) -> bytes:
    """A language's file as it is on disk, unparsed (what a version of the widget hashes)."""
    return (LOCALES / f"{lang}.json").read_bytes()


def section(lang: str, name: str) -> dict[str, Any]:
    return strings(lang)[name]


def direction(lang: str) -> str:
    """`rtl` or `ltr`, as `<html dir>` wants it."""
    return strings(lang)["language"]["dir"]


def supported(tag: object) -> str | None:
    """The supported language a tag like `uk`, `pl-PL` or `pt_BR` names, if any."""
    if not isinstance(tag, str):
        return None
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The supported language an `Accept-Language` header prefers most (q-values honoured)."""
    ranked = []
    for position, item in enumerate((header or "").split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found = supported(tag)
        if found and quality > 0:
            ranked.append((-quality, position, found))
    return min(ranked)[2] if ranked else None


def choose(locale: object = None, accept_language: str | None = None, default: str = DEFAULT) -> str:
    """The signer's language (CONTRACT v1.1): the submission's `locale` if supported, else the
    `Accept-Language` header (where the caller passes one: form posts, pages), else the
    campaign's default language, else English."""
    return supported(locale) or from_accept_language(accept_language) or supported(default) or DEFAULT


@lru_cache(maxsize=None)
def _babel_locale(lang: str) -> Any:
    from babel import Locale  # noqa: PLC0415 - imported on first use: see the module's docstring

    return Locale.parse(lang)


def plural_category(lang: str, count: int) -> str:
    return _babel_locale(lang).plural_form(count)


def plural_categories(lang: str) -> frozenset[str]:
    """The CLDR plural categories of the language (`other` always among them)."""
    return frozenset(_babel_locale(lang).plural_form.tags) | {"other"}


def number(lang: str, value: int) -> str:
    from babel.numbers import format_decimal  # noqa: PLC0415

    return format_decimal(value, locale=_babel_locale(lang), numbering_system="default")


def country_name(lang: str, code: str) -> str:
    """A country's name (ISO 3166-1 alpha-2 code) in `lang`; the code itself where CLDR has none."""
    return _babel_locale(lang).territories.get(code, code)


def long_date(lang: str, day: date) -> str:
    from babel.dates import format_date  # noqa: PLC0415

    return format_date(day, format="long", locale=_babel_locale(lang))


def is_plural(message: object) -> bool:
    return isinstance(message, dict) and "other" in message and set(message) <= PLURAL_CATEGORIES


def pick(lang: str, message: Message, count: int | None) -> str:
    """The text of a message; for a plural message the form the language uses for `count`."""
    if not is_plural(message):
        return str(message)
    forms = message  # type: ignore[assignment]
    category = plural_category(lang, count) if count is not None else "other"
    return forms.get(category) or forms["other"]


def fill(template: str, **values: object) -> str:
    """Puts the named placeholders in; unlike str.format nothing else is interpreted, so an
    organiser's text with stray braces is shown as written."""
    return _PLACEHOLDER.sub(lambda found: str(values.get(found.group(1), found.group(0))), template)


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))
