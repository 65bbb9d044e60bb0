"""The emails a signer gets: "confirm your signature" and "you have already signed", in the
signer's language (the catalogue's `email` texts; an organiser's own texts for that language
on top).

Plain text and HTML (with the language's `lang` and `dir`), the signer's name HTML-escaped,
subjects and sender names free of line breaks (no header injection), sent with SES v2.
Links are absolute.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from email.header import Header
from urllib.parse import urlencode

from undersigned import aws, catalogue

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x00-\x1f\x7f]+")
# An organiser's texts for a campaign, per locale: {"de": {"confirm_subject": ...}}.
CampaignTexts = dict[str, dict[str, str]]


def texts_for(lang: str, campaign_texts: CampaignTexts | None = None) -> dict[str, catalogue.Message]:
    """The service's texts for the language, with the campaign's own texts for that language on
    top. An organiser's texts for another language are never mixed into it."""
    lang = catalogue.choose(lang)
    own = (campaign_texts or {}).get(lang) or {}
    return {**catalogue.section(lang, "email"), **{key: text for key, text in own.items() if isinstance(text, str)}}


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


def _page(lang: str, paragraphs: list[str]) -> str:
    return (
        f'<!doctype html><html lang="{lang}" dir="{catalogue.direction(lang)}">'
        '<body style="font-family:sans-serif;line-height:1.5">' + "".join(paragraphs) + "</body></html>"
    )


def _withdraw_paragraph(t: dict[str, catalogue.Message], withdraw_url: str) -> str:
    return (
        f'<p style="font-size:small">{html.escape(str(t["withdraw_line"]))} '
        f'<a href="{html.escape(withdraw_url)}">{html.escape(str(t["withdraw_button"]))}</a></p>'
    )


def confirm_email(
    to: str,
    name: str,
    title: str,
    verify_url: str,
    withdraw_url: str,
    days: int,
    lang: str,
    expires_on: date,
    campaign_texts: CampaignTexts | None = None,
) -> Email:
    """`expires_on`: the day (UTC) the verify link stops working, shown in the language's format."""
    lang = catalogue.choose(lang)
    t = texts_for(lang, campaign_texts)
    greeting = catalogue.fill(str(t["confirm_greeting"]), name=name)
    body = catalogue.fill(str(t["confirm_body"]), title=title)
    expiry = catalogue.fill(
        catalogue.pick(lang, t["confirm_expiry"], days),
        days=catalogue.number(lang, days),
        date=catalogue.long_date(lang, expires_on),
    )
    text = "\n\n".join([greeting, body, verify_url, expiry, str(t["withdraw_line"]), withdraw_url]) + "\n"
    markup = _page(
        lang,
        [
            f"<p>{html.escape(greeting)}</p>",
            f"<p>{html.escape(body)}</p>",
            _button(verify_url, str(t["confirm_button"])),
            f"<p>{html.escape(expiry)}</p>",
            _withdraw_paragraph(t, withdraw_url),
        ],
    )
    return Email(to, header_safe(catalogue.fill(str(t["confirm_subject"]), title=title)), text, markup)


def already_signed_email(
    to: str, title: str, withdraw_url: str, lang: str, campaign_texts: CampaignTexts | None = None
) -> Email:
    lang = catalogue.choose(lang)
    t = texts_for(lang, campaign_texts)
    body = catalogue.fill(str(t["already_body"]), title=title)
    text = "\n\n".join([body, str(t["withdraw_line"]), withdraw_url]) + "\n"
    markup = _page(lang, [f"<p>{html.escape(body)}</p>", _withdraw_paragraph(t, withdraw_url)])
    return Email(to, header_safe(catalogue.fill(str(t["already_subject"]), title=title)), text, markup)


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
