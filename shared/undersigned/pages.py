"""The few HTML pages a person meets: the confirm and withdraw buttons behind email
links, and answers to form posts. Everything shown is HTML-escaped.

Each page is in one language (the catalogue's `page` texts), named by `<html lang dir>`.
Mail scanners fetch links in emails, so a GET only ever shows a button; the POST
behind the button acts.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from undersigned import catalogue
from undersigned.campaign import origin_of

if TYPE_CHECKING:
    from undersigned.campaign import Campaign
    from undersigned.errors import FieldProblem

FORM_TYPE = "application/x-www-form-urlencoded"

def form_targets(campaign: Campaign | None = None) -> str:
    """The CSP `form-action` sources of a page whose form posts to us: `'self'`, and the origin
    of the campaign's thank-you URL, where the post's answer may redirect the browser
    (`email_links.after_form_post`): browsers hold a form's redirects to `form-action` too."""
    origin = origin_of(campaign.thank_you_url) if campaign else None
    return "'self'" + (f" {origin}" if origin else "")


def _policy(form_action: str) -> str:
    return f"default-src 'none'; style-src 'unsafe-inline'; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    # The token is in the URL: no referrer may carry it elsewhere.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": _policy(form_targets()),
    "X-Content-Type-Options": "nosniff",
}


def security_headers(campaign: Campaign | None = None) -> dict[str, str]:
    """SECURITY_HEADERS for a page whose form's post may land on the campaign's thank-you page."""
    return {**SECURITY_HEADERS, "Content-Security-Policy": _policy(form_targets(campaign))}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1f2937}"
    "button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1d4ed8;color:#fff;cursor:pointer}"
    "button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}"
)


def request_language(event: Any, default: str = catalogue.DEFAULT) -> str:
    """The language of a page answering this request: the posted form's `locale` (the pages'
    own forms carry theirs) or the query's `lang` (the letter's page), else the
    `Accept-Language` header, else `default` (the campaign's default language, where it is known)."""
    headers = event.headers or {}
    form_locale = None
    if (headers.get("content-type") or "").split(";")[0].strip().lower() == FORM_TYPE:
        try:
            form_locale = dict(parse_qsl(event.decoded_body or "")).get("locale")
        except (ValueError, UnicodeDecodeError):
            form_locale = None
    wanted = catalogue.supported(form_locale) or catalogue.supported((event.query_string_parameters or {}).get("lang"))
    return catalogue.choose(wanted, headers.get("accept-language"), default)


def _texts(lang: str) -> dict[str, Any]:
    return catalogue.section(catalogue.choose(lang), "page")


def page(title: str, body_html: str, lang: str = catalogue.DEFAULT) -> str:
    lang = catalogue.choose(lang)
    return (
        f'<!doctype html><html lang="{lang}" dir="{catalogue.direction(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body_html}</main></body></html>"
    )


def _button_form(action: str, token: str, label: str, lang: str) -> str:
    # The page's language goes with the button, so that the page after the POST keeps it.
    return (
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<input type="hidden" name="locale" value="{escape(lang)}">'
        f"<button type=\"submit\">{escape(label)}</button></form>"
    )


def _button_page(texts: str, action: str, token: str, campaign_title: str, lang: str) -> str:
    """The page behind an email link: what its button does, and the button that posts the token."""
    t = _texts(lang)
    return page(
        t[f"{texts}_title"],
        f"<p>{escape(catalogue.fill(t[f'{texts}_text'], title=campaign_title))}</p>"
        + _button_form(action, token, t[f"{texts}_button"], catalogue.choose(lang)),
        lang,
    )


def confirm_page(token: str, campaign_title: str, lang: str = catalogue.DEFAULT) -> str:
    return _button_page("confirm", "/verify", token, campaign_title, lang)


def withdraw_page(token: str, campaign_title: str, lang: str = catalogue.DEFAULT) -> str:
    return _button_page("withdraw", "/withdraw", token, campaign_title, lang)


def message_page(kind: str, lang: str = catalogue.DEFAULT, after: str = "") -> str:
    """One of the catalogue's short pages: `verified`, `withdrawn` or `check` (your email),
    with `after` (markup) below its text."""
    t = _texts(lang)
    return page(t[f"{kind}_title"], f"<p>{escape(t[f'{kind}_text'])}</p>{after}", lang)


def error_page(code: str, message: str, problems: list[FieldProblem], lang: str = catalogue.DEFAULT) -> str:
    """The error in the page's language. Field problems use the widget's words for the field;
    English, and a field the catalogue has no words for, get the API's own message."""
    lang = catalogue.choose(lang)
    t = _texts(lang)
    field_words = catalogue.section(lang, "widget")["error"]
    items = []
    for problem in problems:
        if lang != catalogue.DEFAULT and problem.field in field_words:
            items.append(f"<li>{escape(field_words[problem.field])}</li>")
        else:
            items.append(f"<li><strong>{escape(problem.field)}</strong>: {escape(problem.message)}</li>")
    details = f"<ul>{''.join(items)}</ul>" if items else ""
    message = t["error"].get(code) or message
    return page(t["problem_title"], f"<p>{escape(message)}</p>{details}<p>{escape(t['go_back'])}</p>", lang)
