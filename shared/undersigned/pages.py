"""The few HTML pages a person meets: the confirm and withdraw buttons behind email
links, and answers to form posts. Everything shown is HTML-escaped.

Mail scanners fetch links in emails, so a GET only ever shows a button; the POST
behind the button acts.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from undersigned.errors import FieldProblem

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    # The token is in the URL: no referrer may carry it elsewhere.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1f2937}"
    "button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1d4ed8;color:#fff;cursor:pointer}"
    "button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}"
)


def page(title: str, body_html: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body_html}</main></body></html>"
    )


def _button_form(action: str, token: str, label: str) -> str:
    return (
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f"<button type=\"submit\">{escape(label)}</button></form>"
    )


def confirm_page(token: str, campaign_title: str) -> str:
    return page(
        "Confirm your signature",
        f"<p>You are about to add your signature to \u201c{escape(campaign_title)}\u201d.</p>"
        + _button_form("/verify", token, "Confirm my signature"),
    )


def withdraw_page(token: str, campaign_title: str) -> str:
    return page(
        "Withdraw your signature",
        f"<p>This takes your signature off \u201c{escape(campaign_title)}\u201d and erases your details.</p>"
        + _button_form("/withdraw", token, "Withdraw my signature"),
    )


def message_page(title: str, text: str) -> str:
    return page(title, f"<p>{escape(text)}</p>")


def error_page(message: str, problems: list[FieldProblem]) -> str:
    items = "".join(f"<li><strong>{escape(p.field)}</strong>: {escape(p.message)}</li>" for p in problems)
    details = f"<ul>{items}</ul>" if items else ""
    return page(
        "There is a problem",
        f"<p>{escape(message)}</p>{details}<p>Go back and try again.</p>",
    )
