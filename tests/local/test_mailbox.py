"""/_dev/mailbox shows what the functions sent, with text, links and time, and escapes it for people."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack import mailbox
from devstack.account import REGION

SENDER = "letters@example.org"


@pytest.fixture
def sesv2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("sesv2", region_name=REGION)
        client.create_email_identity(EmailIdentity="example.org")
        mailbox.watch()
        yield client


def _send_simple(client: Any, body: dict[str, Any], subject: str = "Confirm") -> None:
    client.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["ada@example.net"]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": body}},
    )


def test_html_message_gets_text_links_and_send_time(sesv2: Any) -> None:
    html = '<p>Hello &amp; welcome</p><p><a href="http://127.0.0.1:3000/verify?token=abc">Confirm</a></p>'
    _send_simple(sesv2, {"Html": {"Data": html}, "Text": {"Data": "ignored by moto"}})
    [message] = mailbox.messages()
    assert message["to"] == ["ada@example.net"]
    assert message["subject"] == "Confirm"
    assert message["html"] == html
    assert "Hello & welcome" in message["text"]
    assert "Confirm (http://127.0.0.1:3000/verify?token=abc)" in message["text"]
    assert message["links"] == ["http://127.0.0.1:3000/verify?token=abc"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", message["sent_at"])


def test_text_message_keeps_its_text_and_finds_its_links(sesv2: Any) -> None:
    _send_simple(sesv2, {"Text": {"Data": "Confirm: http://127.0.0.1:3000/verify?token=x\nThanks"}})
    [message] = mailbox.messages()
    assert message["html"] is None
    assert message["links"] == ["http://127.0.0.1:3000/verify?token=x"]


def test_raw_mime_message_is_read_part_by_part(sesv2: Any) -> None:
    mime = EmailMessage()
    mime["From"], mime["To"], mime["Subject"] = SENDER, "Ada <ada@example.net>", "Raw"
    mime.set_content("Plain http://127.0.0.1:3000/withdraw?token=w")
    mime.add_alternative('<a href="http://127.0.0.1:3000/withdraw?token=w">Withdraw</a>', subtype="html")
    sesv2.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["ada@example.net"]},
        Content={"Raw": {"Data": mime.as_bytes()}},
    )
    [message] = mailbox.messages()
    assert message["to"] == ["ada@example.net"]
    assert message["text"].startswith("Plain")
    assert "Withdraw" in message["html"]
    assert message["links"] == ["http://127.0.0.1:3000/withdraw?token=w"]


def test_messages_are_listed_oldest_first(sesv2: Any) -> None:
    for subject in ("first", "second"):
        _send_simple(sesv2, {"Text": {"Data": "x"}}, subject=subject)
    assert [message["subject"] for message in mailbox.messages()] == ["first", "second"]


def test_mailbox_page_escapes_everything(sesv2: Any) -> None:
    _send_simple(sesv2, {"Html": {"Data": '<p>Hi <img src=x onerror="alert(1)"></p>'}}, subject="<script>x</script>")
    page = mailbox.page(mailbox.messages())
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<img" not in page  # the HTML version sits escaped in a sandboxed iframe's srcdoc
    assert "<iframe sandbox=" in page
