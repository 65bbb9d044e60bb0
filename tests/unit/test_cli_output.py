"""The CLI's pieces that need no server: spreadsheet safety, sparklines, signing choice."""

import csv
import io

import pytest

from undersigned_cli.client import is_local, region_of
from undersigned_cli.output import CsvExport, sparkline


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_export_cells_a_spreadsheet_would_run_get_a_leading_quote(text):
    out = io.StringIO()
    CsvExport(out).write([{"name": "Ann", "organisation": text, "public": True}])
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["organisation"] == "'" + text and row["name"] == "Ann" and row["public"] == "true" and row["email"] == ""


def test_sparkline_runs_from_none_to_the_peak():
    assert sparkline([0, 1, 2, 4, 8]) == "▁▂▃▅█"
    assert sparkline([0, 0]) == "▁▁" and sparkline([]) == ""


def test_loopback_urls_are_local_and_execute_api_urls_name_their_region():
    assert is_local("http://127.0.0.1:3000") and is_local("http://localhost:3000") and is_local("http://[::1]:3000")
    assert not is_local("https://abc123.execute-api.eu-west-1.amazonaws.com")
    assert region_of("https://abc123.execute-api.eu-west-1.amazonaws.com") == "eu-west-1"
    assert region_of("https://letters.example.org") is None
