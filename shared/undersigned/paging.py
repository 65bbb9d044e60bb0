"""Reading query parameters alike everywhere: a bounded whole number (a page's `limit`,
a history's `hours`) and a page's `cursor`."""

from __future__ import annotations

from typing import Callable

from undersigned import errors


def whole_number(text: str | None, field: str, default: int, maximum: int) -> int:
    """`text` as a number from 1 to `maximum`; `default` when absent; else `400 validation_error`."""
    if text is None:
        return default
    # isdigit() alone takes "²" and "٣", which int() refuses or reads as another number.
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= maximum:
        raise errors.invalid(field, f"Must be a whole number from 1 to {maximum}.")
    return int(text)


def page_size(text: str | None, default: int, maximum: int) -> int:
    return whole_number(text, "limit", default, maximum)


def page_start(cursor: str | None, decode: Callable[[str], str | None]) -> str | None:
    """Where the page starts: nothing, or what a cursor we made decodes to."""
    if cursor is None:
        return None
    start = decode(cursor)
    if start is None:
        raise unknown_cursor()
    return start


def unknown_cursor() -> errors.InvalidInput:
    """What a cursor we did not make answers (`400 validation_error`)."""
    return errors.invalid("cursor", "Use the next_cursor of a previous answer.")
