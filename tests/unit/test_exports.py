"""No cell of an export is ever a formula, whatever a signer typed."""

import csv
import io

import pytest

from undersigned.exports import spreadsheet_cell, to_csv


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"],
)
def test_formula_starts_become_text(typed):
    assert spreadsheet_cell(typed) == "'" + typed


@pytest.mark.parametrize(("value", "cell"), [("Shelter NGO", "Shelter NGO"), (None, ""), (True, "true"), (3, "3")])
def test_ordinary_values_are_kept(value, cell):
    assert spreadsheet_cell(value) == cell


def test_a_csv_round_trips_with_every_cell_safe():
    rows = [{"name": "Ann", "organisation": "=1+1", "comment": 'She said "no",\nthen left'}]
    document = to_csv(["name", "organisation", "comment"], rows)
    parsed = list(csv.reader(io.StringIO(document)))
    assert parsed == [["name", "organisation", "comment"], ["Ann", "'=1+1", 'She said "no",\nthen left']]
