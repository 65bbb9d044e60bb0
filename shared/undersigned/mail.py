"""The emails a signer gets: "confirm your signature" and "you have already signed".

Plain text and HTML, the signer's name HTML-escaped, subjects and sender names free
of line breaks (no header injection), sent with SES v2. Links are absolute.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from email.header import Header
from urllib.parse import urlencode

from undersigned import aws

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x00-\x1f\x7f]+")

TEXTS = {
    "en": {
        "confirm_subject": "Confirm your signature: {title}",
        "confirm_greeting": "Hello {name},",
        "confirm_body": "Thank you for signing \u201c{title}\u201d. Your signature counts once you confirm it:",
        "confirm_button": "Confirm my signature",
        "confirm_expiry": "This link works for {days} days. If you did not sign, ignore this email: nothing will be published.",
        "already_subject": "You have already signed: {title}",
        "already_body": "Someone (probably you) tried to sign \u201c{title}\u201d again with this address. Your signature is already counted; there is nothing more to do.",
        "withdraw_line": "Changed your mind? Withdraw your signature and erase your details:",
        "withdraw_button": "Withdraw my signature",
    },
}
DEFAULT_LOCALE = "en"
_PLACEHOLDER = re.compile(r"\{(title|name|days)\}")
# An organiser's texts for a campaign, per locale: {"de": {"confirm_subject": ...}}.
CampaignTexts = dict[str, dict[str, str]]


def texts_for(locale: str | None, campaign_texts: CampaignTexts | None = None) -> dict[str, str]:
    """The service's texts for the locale, with the campaign's own texts for it on top."""
    primary = (locale or DEFAULT_LOCALE).split("-")[0].lower()
    own = (campaign_texts or {}).get(primary) or (campaign_texts or {}).get(DEFAULT_LOCALE) or {}
    return {**TEXTS.get(primary, TEXTS[DEFAULT_LOCALE]), **own}


def fill(template: str, **values: object) -> str:
    """Puts {title}, {name} and {days} in; unlike str.format, nothing else in an
    organiser's text is interpreted."""
    return _PLACEHOLDER.sub(lambda found: str(values.get(found.group(1), found.group(0))), template)


def header_safe(text: str) -> str:
    """One line: what goes into a header can never start another header."""
    return _LINE_BREAKS.sub(" ", text).strip()


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def link(base_url: str, path: str, token: str) -> str:
    return f"{base_url}{path}?{urlencode({'token': token})}"


def _button(url: str, label: str) -> str:
    return (
        f'<p><a href="{html.escape(url)}" style="display:inline-block;padding:10px 16px;'
        f'background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px">{html.escape(label)}</a></p>'
    )


def _page(paragraphs: list[str]) -> str:
    return '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">' + "".join(paragraphs) + "</body></html>"


def confirm_email(
    to: str,
    name: str,
    title: str,
    verify_url: str,
    withdraw_url: str,
    days: int,
    locale: str | None,
    campaign_texts: CampaignTexts | None = None,
) -> Email:
    t = texts_for(locale, campaign_texts)
    greeting, body = fill(t["confirm_greeting"], name=name), fill(t["confirm_body"], title=title)
    expiry = fill(t["confirm_expiry"], days=days)
    text = "\n\n".join([greeting, body, verify_url, expiry, t["withdraw_line"], withdraw_url]) + "\n"
    markup = _page(
        [
            f"<p>{html.escape(greeting)}</p>",
            f"<p>{html.escape(body)}</p>",
            _button(verify_url, t["confirm_button"]),
            f"<p>{html.escape(expiry)}</p>",
            f'<p style="font-size:small">{html.escape(t["withdraw_line"])} '
            f'<a href="{html.escape(withdraw_url)}">{html.escape(t["withdraw_button"])}</a></p>',
        ]
    )
    return Email(to, header_safe(fill(t["confirm_subject"], title=title)), text, markup)


def already_signed_email(
    to: str, title: str, withdraw_url: str, locale: str | None, campaign_texts: CampaignTexts | None = None
) -> Email:
    t = texts_for(locale, campaign_texts)
    body = fill(t["already_body"], title=title)
    text = "\n\n".join([body, t["withdraw_line"], withdraw_url]) + "\n"
    markup = _page(
        [
            f"<p>{html.escape(body)}</p>",
            f'<p style="font-size:small">{html.escape(t["withdraw_line"])} '
            f'<a href="{html.escape(withdraw_url)}">{html.escape(t["withdraw_button"])}</a></p>',
        ]
    )
    return Email(to, header_safe(fill(t["already_subject"], title=title)), text, markup)


def from_header(sender_name: str, sender_address: str) -> str:
    """`"Name" <address>`; a name beyond ASCII as an RFC 2047 encoded word, as SES requires."""
    name = header_safe(sender_name).replace('"', "").replace("\\", "")
    if not name.isascii():
        name = Header(name, "utf-8").encode()
        return f"{name} <{sender_address}>"
    return f'"{name}" <{sender_address}>'


def send(email: Email, sender_name: str, sender_address: str, configuration_set: str = "") -> None:
    """Raises botocore's errors when SES refuses or cannot be reached. The configuration
    set publishes the email's bounces and complaints to the suppression list."""
    extra = {"ConfigurationSetName": configuration_set} if configuration_set else {}
    aws.client("sesv2").send_email(
        **extra,
        FromEmailAddress=from_header(sender_name, sender_address),
        Destination={"ToAddresses": [email.to]},
        Content={
            "Simple": {
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": email.text, "Charset": "UTF-8"},
                    "Html": {"Data": email.html, "Charset": "UTF-8"},
                },
            }
        },
    )
