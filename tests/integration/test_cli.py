"""The organisers' tool, driven over HTTP (a loopback server in front of the functions):
every admin command, export as spreadsheet-safe CSV, stats, and SigV4 signing."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from integration.loopback_api import SIGNED_CALLER_ARN, LoopbackApi
from integration.test_admin_api import LETTER, set_state
from integration.test_signing_journey import count, sign, verify
from integration.test_tally_publishing import sign_up
from undersigned_cli.main import main


@pytest.fixture
def server(embedded_aws):
    running = LoopbackApi()
    yield running
    running.close()


@pytest.fixture
def cli(server, capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--url", server.url, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def letter_file(tmp_path: Path) -> Path:
    path = tmp_path / "letter.json"
    path.write_text(json.dumps(LETTER), encoding="utf-8")
    return path


def verified(api, mailbox, name: str, email: str, **fields) -> None:
    sign(api, {"name": name, "email": email, **fields})
    verify(api, mailbox.last_to(email).token("/verify"))


class TestCampaignCommands:
    def test_create_list_show_update_close_reopen(self, cli, letter_file, api):
        code, out, err = cli("create", str(letter_file))
        assert code == 0 and "created clean-air" in err and json.loads(out)["id"] == "clean-air"
        code, out, _ = cli("list")
        assert code == 0 and out.splitlines() == ["clean-air\topen\t0 of 500\tClean air for schools"]
        code, out, _ = cli("update", "clean-air", "--set", "goal=800", "--set", "milestones=[10,20]", "--set", "title=Clean air now")
        shown = json.loads(out)
        assert code == 0 and (shown["goal"], shown["milestones"], shown["title"]) == (800, [10, 20], "Clean air now")
        assert json.loads(cli("show", "clean-air")[1])["goal"] == 800
        assert cli("close", "clean-air")[1].strip() == "closed"
        assert sign(api, {"name": "Ann", "email": "ann@example.org"}, campaign="clean-air").status == 410
        assert cli("reopen", "clean-air")[1].strip() == "open"
        assert sign(api, {"name": "Ann", "email": "ann@example.org"}, campaign="clean-air").status == 202

    def test_the_apis_message_is_shown_and_the_exit_code_is_1(self, cli, letter_file):
        cli("create", str(letter_file))
        code, _, err = cli("create", str(letter_file))
        assert code == 1 and "409 campaign_exists" in err
        code, _, err = cli("show", "no-such-letter")
        assert code == 1 and "404 campaign_not_found" in err
        code, _, err = cli("update", "clean-air", "--set", "goal=-1")
        assert code == 1 and "goal:" in err

    def test_every_change_shows_in_the_audit_log(self, cli, letter_file):
        cli("create", str(letter_file))
        cli("close", "clean-air")
        code, out, _ = cli("audit", "clean-air")
        lines = out.splitlines()
        assert code == 0 and [line.split("\t")[2] for line in lines] == ["close", "create"]
        assert all(line.split("\t")[1] == "local:unsigned" for line in lines)


class TestReviewCommands:
    def test_review_release_discard_and_hide(self, cli, api, demo, mailbox, stream):
        for name in ("Ann", "Bob", "Cat"):
            verified(api, mailbox, name, f"{name.lower()}@example.org", public=True)
        by_name = {json.loads(line)["name"]: json.loads(line)["signer"] for line in cli("signatures", "demo")[1].splitlines()}
        set_state(by_name["Bob"], "quarantined")
        set_state(by_name["Cat"], "quarantined")
        stream.drain()
        quarantined = [json.loads(line)["name"] for line in cli("signatures", "demo", "--state", "quarantined")[1].splitlines()]
        assert sorted(quarantined) == ["Bob", "Cat"]
        assert cli("release", "demo", by_name["Bob"])[1].strip() == "verified"
        assert cli("discard", "demo", by_name["Cat"])[1].strip() == "discarded"
        assert cli("hide", "demo", by_name["Ann"])[1].strip() == "hidden"
        stream.drain()
        assert count(api) == 2
        assert [item["name"] for item in api.get("/campaigns/demo/signatories").json()["items"]] == ["Bob"]
        assert cli("feature", "demo", by_name["Bob"])[1].strip() == "featured"
        assert [item["name"] for item in api.get("/campaigns/demo/signatories?featured=true").json()["items"]] == ["Bob"]
        assert cli("unfeature", "demo", by_name["Bob"])[1].strip() == "unfeatured"
        assert api.get("/campaigns/demo/signatories?featured=true").json()["items"] == []
        code, _, err = cli("feature", "demo", by_name["Ann"])
        assert code == 1 and "not_listed" in err, "a hidden signatory cannot be featured"
        code, _, err = cli("release", "demo", by_name["Cat"])
        assert code == 1 and "not_quarantined" in err

    def test_invalidate_asks_for_yes_then_pages_through_and_the_count_follows(self, cli, api, demo, mailbox, stream):
        for number in range(3):
            verified(api, mailbox, f"Bot {number}", f"bot{number}@spam.example")
        verified(api, mailbox, "Ann", "ann@example.org")
        stream.drain()
        code, _, err = cli("invalidate", "demo", "--email-domain", "spam.example")
        assert code == 1 and "--yes" in err
        code, out, _ = cli("invalidate", "demo", "--email-domain", "spam.example", "--yes")
        assert code == 0 and "invalidated 3 signature(s)" in out
        stream.drain()
        assert count(api) == 1


class TestExport:
    def test_csv_of_consented_fields_paged_with_progress_and_safe_in_spreadsheets(self, cli, api, demo, mailbox, stream, tmp_path):
        verified(api, mailbox, "Ann", "ann@example.org", updates=True, organisation="=HYPERLINK(\"http://evil\")", role="-2+3")
        verified(api, mailbox, "Bob", "bob@example.org", updates=False, comment="not for export")
        verified(api, mailbox, "Cat", "cat@example.org", updates=True, source="partner-a")
        sign(api, {"name": "Pending", "email": "pending@example.org", "updates": True})
        stream.drain()
        target = tmp_path / "signers.csv"
        code, _, err = cli("export", "demo", "-o", str(target), "--page-size", "1")
        assert code == 0
        assert "exported 3 of 3" in err and "100%" in err
        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
        by_name = {row["name"]: row for row in rows}
        assert set(by_name) == {"Ann", "Bob", "Cat"}
        assert by_name["Ann"]["email"] == "ann@example.org" and by_name["Bob"]["email"] == ""
        assert by_name["Ann"]["organisation"] == "'=HYPERLINK(\"http://evil\")" and by_name["Ann"]["role"] == "'-2+3"
        assert by_name["Cat"]["source"] == "partner-a" and by_name["Cat"]["signed_at"].endswith("Z")
        assert "not for export" not in target.read_text() and "pending@" not in target.read_text()
        assert list(rows[0]) == [
            "name", "organisation", "role", "country", "kind", "organisation_domain",
            "email", "public", "updates", "locale", "source", "signed_at", "featured",
        ]

    def test_export_to_stdout(self, cli, api, demo, mailbox, stream):
        verified(api, mailbox, "Ann", "ann@example.org")
        code, out, _ = cli("export", "demo")
        assert code == 0 and out.splitlines()[1].startswith("Ann,")


class TestStats:
    def test_count_sources_and_a_sparkline(self, cli, api, demo, mailbox, stream):
        sign_up(api, mailbox, 3, source="partner-a")
        sign_up(api, mailbox, 1, prefix="u")
        stream.drain()
        code, out, _ = cli("stats", "demo", "--hours", "6")
        assert code == 0
        lines = out.splitlines()
        assert lines[0].startswith("demo: 4 verified of 100 (4%)")
        assert lines[1].split() == ["organisations", "0"] and lines[2].split() == ["people", "4"]
        assert lines[3] == "per source" and lines[4].split() == ["partner-a", "3"] and lines[5].split()[-1] == "1"
        assert lines[6] == "per country" and lines[7].split() == ["(no", "country)", "4"]
        assert "▁▁▁▁▁█" in lines[8] and "4 verified" in lines[8]


class TestHttpLayer:
    def test_a_signed_call_carries_sigv4_for_execute_api_and_is_audited_as_its_principal(self, server, capsys, letter_file):
        code = main(["--url", server.url, "--signed", "--region", "eu-west-1", "create", str(letter_file)])
        assert code == 0
        request = server.seen[-1]
        assert request["authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
        assert "/eu-west-1/execute-api/aws4_request" in request["authorization"]
        assert "x-amz-date" in request and request["x-amz-security-token"]
        main(["--url", server.url, "audit", "clean-air"])
        assert SIGNED_CALLER_ARN in capsys.readouterr().out

    def test_the_installed_entry_point_runs_over_http(self, server, letter_file):
        tool = Path(sys.executable).parent / "undersigned"
        env = {**os.environ, "UNDERSIGNED_URL": server.url}
        created = subprocess.run([tool, "create", str(letter_file)], capture_output=True, text=True, env=env, timeout=60)
        assert created.returncode == 0, created.stderr
        listed = subprocess.run([tool, "list"], capture_output=True, text=True, env=env, timeout=60)
        assert listed.stdout.startswith("clean-air\topen")

    def test_an_unreachable_stack_is_reported_plainly(self, capsys):
        assert main(["--url", "http://127.0.0.1:9", "list"]) == 1
        assert "Cannot reach http://127.0.0.1:9" in capsys.readouterr().err
