"""Reading `limit` and `cursor` of a paged list, alike for every list the API serves."""

from __future__ import annotations

from typing import Callable

from undersigned import errors


def page_size(text: str | None, default: int, maximum: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise errors.validation_error([errors.FieldProblem("limit", f"Must be a whole number from 1 to {maximum}.")])
    return int(text)


def page_start(cursor: str | None, decode: Callable[[str], str | None]) -> str | None:
    """Where the page starts: nothing, or what a cursor we made decodes to."""
    if cursor is None:
        return None
    start = decode(cursor)
    if start is None:
        raise errors.validation_error([errors.FieldProblem("cursor", "Use the next_cursor of a previous answer.")])
    return start
