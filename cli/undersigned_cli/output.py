"""What the tool writes: CSV safe to open in a spreadsheet, a progress bar, sparklines."""

from __future__ import annotations

import csv
import sys
from typing import Any, Iterable, TextIO

from undersigned.exports import spreadsheet_cell
from undersigned.signature import EXPORT_COLUMNS
SPARKS = "▁▂▃▄▅▆▇█"


class CsvExport:
    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")
        self._writer.writerow(EXPORT_COLUMNS)
        self.rows = 0

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self._writer.writerow([spreadsheet_cell(row.get(column)) for column in EXPORT_COLUMNS])
            self.rows += 1


class Progress:
    """`exported 1,200 of 5,000 [######------] 24%` on stderr, redrawn in place."""

    def __init__(self, total: int, label: str, out: TextIO | None = None, width: int = 30) -> None:
        self.total, self.label, self.width = max(total, 0), label, width
        self.out = out or sys.stderr

    def show(self, done: int) -> None:
        if self.total:
            filled = min(self.width, self.width * done // self.total)
            bar = "#" * filled + "-" * (self.width - filled)
            self.out.write(f"\r{self.label} {done:,} of {self.total:,} [{bar}] {min(100, 100 * done // self.total)}%")
        else:
            self.out.write(f"\r{self.label} {done:,}")
        self.out.flush()

    def finish(self, done: int) -> None:
        self.show(done)
        self.out.write("\n")


def sparkline(values: list[int]) -> str:
    """One character per value, from ▁ (none) to █ (the largest)."""
    top = max(values, default=0)
    return "".join(SPARKS[round(value * (len(SPARKS) - 1) / top) if top else 0] for value in values)
