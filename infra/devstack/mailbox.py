"""The emails the functions sent, read from moto's SES (v1 and v2 both land there).

moto keeps no send time, so `watch` stamps each message as moto appends it. A simple
SESv2 message with both Html and Text keeps only the Html in moto: the text is derived
from it then. Raw (MIME) messages are parsed for their parts.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
import time
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

from moto.ses.models import ses_backends

from devstack.account import ACCOUNT_ID, REGION

_URL = re.compile(r"https?://[^\s<>\"')\]]+")


class _StampedList(list):  # type: ignore[type-arg]
    """moto's sent_messages, remembering when each message arrived."""

    def __init__(self, existing: list[Any]) -> None:
        super().__init__(existing)
        self.sent_at: dict[str, str] = {}

    def append(self, message: Any) -> None:
        self.sent_at[message.id] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        super().append(message)


def _backend() -> Any:
    return ses_backends[ACCOUNT_ID][REGION]


def watch() -> None:
    """Starts stamping sent messages with their time; call once moto runs."""
    backend = _backend()
    if not isinstance(backend.sent_messages, _StampedList):
        backend.sent_messages = _StampedList(backend.sent_messages)


class _TextAndLinks(HTMLParser):
    """Readable text of an HTML email, with each link's target after its words."""

    _BREAKS = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._href: list[str | None] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head"):
            self._skip += 1
        if tag in self._BREAKS:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            self._href.append(href)
            if href and href.startswith(("http://", "https://")):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head"):
            self._skip = max(0, self._skip - 1)
        if tag == "a" and self._href:
            href = self._href.pop()
            if href:
                self.parts.append(f" ({href})")
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        joined = re.sub(r"[ \t]+", " ", "".join(self.parts))
        return re.sub(r"\n\s*\n+", "\n\n", joined).strip()


def _looks_like_html(body: str) -> bool:
    return bool(re.search(r"<(html|body|p|a|div|br|table)\b", body, re.IGNORECASE))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _from_parts(to: list[str], subject: str, text: str | None, html_body: str | None) -> dict[str, Any]:
    links: list[str] = []
    if html_body:
        parser = _TextAndLinks()
        parser.feed(html_body)
        links += parser.links
        text = text or parser.text()
    links += _URL.findall(text or "")
    return {"to": to, "subject": subject, "text": text or "", "html": html_body, "links": _unique(links)}


def _simple(message: Any) -> dict[str, Any]:
    to = list(message.destinations.get("ToAddresses", []))
    body = message.body or ""
    if _looks_like_html(body):
        return _from_parts(to, message.subject, None, body)
    return _from_parts(to, message.subject, body, None)


def _raw(message: Any) -> dict[str, Any]:
    parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    to = [address for _, address in getaddresses([str(parsed.get("To", ""))]) if address]
    return _from_parts(
        to or list(message.destinations),
        str(parsed.get("Subject", "")),
        text_part.get_content() if text_part else None,
        html_part.get_content() if html_part else None,
    )


def messages() -> list[dict[str, Any]]:
    """Every sent email, oldest first, in the contract's `/_dev/mailbox` shape."""
    sent = _backend().sent_messages
    stamps = getattr(sent, "sent_at", {})
    found = []
    for message in list(sent):
        if hasattr(message, "raw_data"):
            entry = _raw(message)
        elif hasattr(message, "body"):
            entry = _simple(message)
        else:
            continue  # templated sends: the core sends none
        entry["sent_at"] = stamps.get(message.id)
        found.append(entry)
    return found


def page(entries: list[dict[str, Any]]) -> str:
    """`/_dev/mailbox.html`: the same messages for a person, newest first, all escaped."""
    items = []
    for entry in reversed(entries):
        links = "".join(f'<li><a href="{html.escape(link)}">{html.escape(link)}</a></li>' for link in entry["links"])
        # Sandboxed: no scripts, no forms; its links open in a new tab, outside the sandbox.
        rendered = (
            '<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" title="HTML version" '
            f'srcdoc="{html.escape("<base target=_blank>" + entry["html"])}"></iframe>'
            if entry["html"]
            else ""
        )
        items.append(
            "<article>"
            f"<h2>{html.escape(entry['subject'])}</h2>"
            f"<p class=meta>To {html.escape(', '.join(entry['to']))} · {html.escape(entry['sent_at'] or '')}</p>"
            f"<ul>{links}</ul>"
            f"<pre>{html.escape(entry['text'])}</pre>"
            f"{rendered}"
            "</article>"
        )
    body = "".join(items) or "<p>No email sent yet. Sign on the <a href=/_dev/demo>demo page</a>.</p>"
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Mailbox · Undersigned dev</title>"
        "<style>body{font:16px system-ui;max-width:50rem;margin:2rem auto;padding:0 1rem}"
        "article{border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0}"
        ".meta{color:#555}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}"
        "li,pre{overflow-wrap:anywhere}"
        "iframe{width:100%;height:20rem;border:1px solid #ddd}</style>"
        f"<h1>Mailbox</h1><p>{len(entries)} email(s), newest first. "
        "Nothing here was sent anywhere. JSON: <a href=/_dev/mailbox>/_dev/mailbox</a></p>"
        f"{body}</html>"
    )
