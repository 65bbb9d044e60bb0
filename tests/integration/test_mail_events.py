"""SES's events through MailEvents into the suppression list, against moto's DynamoDB
(tables from template.yaml): who may be mailed again, what the table keeps, what is counted."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from devstack.resources import table_name
from integration.conftest import REGION
from integration.lambda_api import invoke
from undersigned import suppression

ADDRESS = "Ada.Lovelace+letters@GMail.com"
SAME_MAILBOX = "adalovelace@googlemail.com"


def ses_event(event_type: str, *recipients: str, **details: Any) -> dict[str, Any]:
    """An event as SES publishes it through a configuration set (abridged)."""
    event: dict[str, Any] = {
        "eventType": event_type,
        "mail": {"messageId": "0100-test", "destination": list(recipients), "source": "letters@example.org"},
    }
    if event_type == "Bounce":
        event["bounce"] = {
            "bounceType": details.get("bounce_type", "Permanent"),
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": r, "action": "failed", "status": "5.1.1"} for r in recipients],
        }
    elif event_type == "Complaint":
        event["complaint"] = {
            "complainedRecipients": [{"emailAddress": r} for r in recipients],
            "complaintFeedbackType": details.get("feedback_type", "abuse"),
        }
    elif event_type == "Delivery":
        event["delivery"] = {"recipients": list(recipients)}
    elif event_type == "Reject":
        event["reject"] = {"reason": "Bad content"}
    return event


def sns_delivery(*events: dict[str, Any] | str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "Sns": {"MessageId": f"m-{n}", "Message": e if isinstance(e, str) else json.dumps(e)},
            }
            for n, e in enumerate(events)
        ]
    }


@pytest.fixture
def suppression_table(embedded_aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    name = table_name("SuppressionTable")
    monkeypatch.setenv("SUPPRESSION_TABLE", name)
    return name


def stored_items(name: str) -> list[dict[str, Any]]:
    return boto3.client("dynamodb", region_name=REGION).scan(TableName=name)["Items"]


def test_a_permanent_bounce_suppresses_every_spelling_of_that_mailbox(suppression_table: str) -> None:
    assert not suppression.is_suppressed(ADDRESS)
    assert suppression.record(ses_event("Bounce", ADDRESS)) == suppression.Recorded("Bounce", 1)
    assert suppression.is_suppressed(ADDRESS)
    assert suppression.is_suppressed(SAME_MAILBOX)
    assert not suppression.is_suppressed("someone.else@gmail.com")


def test_a_transient_bounce_leaves_the_address_mailable(suppression_table: str) -> None:
    assert suppression.record(ses_event("Bounce", ADDRESS, bounce_type="Transient")).suppressed == 0
    assert suppression.record(ses_event("Bounce", ADDRESS, bounce_type="Undetermined")).suppressed == 0
    assert not suppression.is_suppressed(ADDRESS)


def test_a_complaint_suppresses_but_a_not_spam_report_does_not(suppression_table: str) -> None:
    suppression.record(ses_event("Complaint", "reader@example.net", feedback_type="not-spam"))
    assert not suppression.is_suppressed("reader@example.net")
    suppression.record(ses_event("Complaint", "reader@example.net"))
    assert suppression.is_suppressed("READER@example.net")


def test_deliveries_and_rejects_suppress_nobody(suppression_table: str) -> None:
    assert suppression.record(ses_event("Delivery", ADDRESS)) == suppression.Recorded("Delivery", 0)
    assert suppression.record(ses_event("Reject", ADDRESS)) == suppression.Recorded("Reject", 0)
    assert not suppression.is_suppressed(ADDRESS)
    assert stored_items(suppression_table) == []


def test_the_table_keeps_a_keyed_hash_and_the_reasons_never_the_address(suppression_table: str) -> None:
    suppression.record(ses_event("Bounce", ADDRESS))
    suppression.record(ses_event("Complaint", SAME_MAILBOX))
    suppression.record(ses_event("Bounce", ADDRESS))  # redelivered
    (item,) = stored_items(suppression_table)
    assert set(item["reasons"]["SS"]) == {"bounce", "complaint"}
    assert set(item) == {"address_hash", "reasons", "first_at", "last_at"}
    flat = json.dumps(item).lower()
    for fragment in ("ada", "lovelace", "gmail", "googlemail"):
        assert fragment not in flat


def test_mail_events_counts_each_type_and_logs_no_address(
    suppression_table: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    counts = invoke(
        "MailEventsFunction",
        sns_delivery(
            ses_event("Bounce", ADDRESS, "second@example.net"),
            ses_event("Complaint", "reader@example.net"),
            ses_event("Delivery", "fine@example.net"),
            ses_event("Reject", "fine@example.net"),
            "not json at all <ada.lovelace@gmail.com>",
        ),
    )
    assert counts == {"MailBounces": 1, "MailComplaints": 1, "MailDeliveries": 1, "MailRejects": 1, "AddressesSuppressed": 3}
    assert suppression.is_suppressed("second@example.net") and suppression.is_suppressed("reader@example.net")
    assert not suppression.is_suppressed("fine@example.net")
    output = capsys.readouterr()
    emf = [json.loads(line) for line in output.out.splitlines() if '"_aws"' in line]
    assert emf, "no metrics were emitted"
    assert emf[-1]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Undersigned"
    published = {name: value[0] if isinstance(value, list) else value for name, value in emf[-1].items()}
    assert published["MailBounces"] == 1 and published["AddressesSuppressed"] == 3
    assert {m["Name"] for m in emf[-1]["_aws"]["CloudWatchMetrics"][0]["Metrics"]} >= {"MailComplaints", "MailRejects"}
    everything = (output.out + output.err + caplog.text).lower()
    for address in ("lovelace", "second@", "reader@", "fine@"):
        assert address not in everything


def test_an_event_that_cannot_be_stored_fails_so_that_lambda_retries_it(suppression_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPRESSION_TABLE", "undersigned-NoSuchTable")
    with pytest.raises(Exception, match="ResourceNotFound|non-existent|not found"):
        invoke("MailEventsFunction", sns_delivery(ses_event("Complaint", "reader@example.net")))


def test_a_signer_whose_address_bounced_gets_no_email_and_the_same_answer(api, demo, mailbox):
    invoke("MailEventsFunction", sns_delivery(ses_event("Bounce", ADDRESS)))
    bounced = api.post("/campaigns/demo/signatures", json_body={"name": "Ada", "email": SAME_MAILBOX})
    fresh = api.post("/campaigns/demo/signatures", json_body={"name": "Grace", "email": "grace@example.org"})
    assert (bounced.status, bounced.text) == (fresh.status, fresh.text) == (202, '{"status":"pending_verification"}')
    assert mailbox.to(SAME_MAILBOX) == [] and len(mailbox.to("grace@example.org")) == 1
