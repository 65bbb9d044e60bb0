"""Signatures leave the service as CSV for organisers; a spreadsheet must never run
what a signer typed. Every export writes its cells through `spreadsheet_cell`.

Names cannot start with a formula character (the submission rules refuse it), but an
organisation, a role or a comment can: such a cell is prefixed with an apostrophe,
which spreadsheets show as text (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

# What starts a formula in Excel, LibreOffice or Google Sheets (tab and CR too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_cell(value: Any) -> str:
    """A value as a CSV cell that no spreadsheet evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """A CSV document (RFC 4180, CRLF line ends) with a header row and safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_cell(row.get(column)) for column in columns])
    return buffer.getvalue()
