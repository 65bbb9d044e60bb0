"""The letter's own page (`GET /letters/{campaign_id}`), and the share links a signer gets
after signing: HTML, no framework. Everything an organiser or a signer wrote is escaped.

The page is whole without JavaScript: the letter, its count, the organisations that
signed and a plain sign form (a form post, like a partner page's). The widget's script,
from our own origin, takes the form's place when it loads (`<undersigned-sign form-only>`)
and, once someone signed through it, the page shows its share links. Share links are
plain links to each service's share URL: the page loads nothing from anyone else.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from undersigned import catalogue, pages
from undersigned.campaign import Campaign

DESCRIPTION_LENGTH = 200

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2937;background:#fff}"
    "h1{font-size:1.8rem;line-height:1.2}h2{font-size:1.25rem;margin-top:2rem}"
    ".statement p{white-space:pre-line}.count{font-size:1.1rem}.small,.hint{color:#4b5563;font-size:.9rem}"
    "progress{width:100%;height:.8rem}a{color:#1d4ed8}"
    "label,legend{display:block;font-weight:600}fieldset{border:0;padding:0;margin:0 0 1rem}"
    ".choice label,.check label{display:inline;font-weight:400;margin-inline-start:.4rem}"
    "input[type=text],input[type=email]{display:block;box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:.3rem}"
    "button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1d4ed8;color:#fff;cursor:pointer}"
    ":focus-visible{outline:3px solid #f59e0b;outline-offset:2px}"
    ".orgs{padding:0;list-style:none}.orgs li{padding:.4rem 0;border-bottom:1px solid #e5e7eb}"
    ".verified{color:#166534;font-size:.9rem;white-space:nowrap}.share ul{padding-inline-start:1.2rem}"
    ".share-url{word-break:break-all}"
)

# Shows the share links once the widget says someone signed, and makes the copy button work.
_SCRIPT = (
    '(()=>{const share=document.getElementById("share");if(!share)return;'
    'document.addEventListener("undersigned:signed",()=>{share.hidden=false;});'
    'const copy=document.getElementById("copy"),said=document.getElementById("copied");'
    "if(!copy||!navigator.clipboard)return;copy.hidden=false;"
    'copy.addEventListener("click",()=>navigator.clipboard.writeText(copy.dataset.url)'
    ".then(()=>{said.textContent=copy.dataset.done;}));})();"
)


def _source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Our own script (the widget) and the one inline script and style above, by their hashes.
_SOURCES = f"default-src 'none'; script-src 'self' {_source_hash(_SCRIPT)}; style-src {_source_hash(_STYLE)}; connect-src 'self'; img-src 'self'"


def content_security_policy(campaign: Campaign) -> str:
    """Nothing from elsewhere. The form may also land on the organiser's thank-you page (a
    redirect after the post), so its origin may receive the form."""
    return f"{_SOURCES}; form-action {pages.form_targets(campaign)}; frame-ancestors 'none'; base-uri 'none'"


def letter_url(base_url: str, campaign_id: str, lang: str | None = None) -> str:
    return f"{base_url}/letters/{campaign_id}" + (f"?{urlencode({'lang': lang})}" if lang else "")


def description(statement: str) -> str:
    """The statement's beginning on one line, for link previews."""
    text = re.sub(r"\s+", " ", statement).strip()
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def share_links(url: str, title: str, lang: str, *, copy_button: bool) -> str:
    """The share section: each service's share URL as a plain link, and the letter's URL
    itself (to copy by hand; with JavaScript a button copies it)."""
    t = catalogue.section(lang, "letter")
    message = catalogue.fill(t["share_message"], title=title)
    links = [
        (t["email"], "mailto:?" + "&".join(f"{key}={quote(value, safe='')}" for key, value in (("subject", title), ("body", f"{message}\n\n{url}")))),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{message} {url}"})),
        ("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": message})),
        ("X", "https://twitter.com/intent/tweet?" + urlencode({"text": message, "url": url})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
    ]
    items = "".join(f'<li><a href="{escape(href)}" rel="noreferrer">{escape(label)}</a></li>' for label, href in links)
    copy = (
        f'<button type="button" id="copy" hidden data-url="{escape(url)}" data-done="{escape(t["copied"])}">{escape(t["copy"])}</button>'
        '<p id="copied" class="small" role="status"></p>'
        if copy_button
        else ""
    )
    return (
        f'<h2 id="h-share">{escape(t["share_title"])}</h2><ul>{items}</ul>'
        f'<p>{escape(t["link"])}: <a class="share-url" href="{escape(url)}">{escape(url)}</a></p>{copy}'
    )


def signed_page(campaign: Campaign, base_url: str, lang: str) -> str:
    """The page after a form post without a thank-you URL: check your email, and share the letter."""
    share = share_links(letter_url(base_url, campaign.id, lang), campaign.title_in(lang), lang, copy_button=False)
    return pages.message_page("check", lang, after=f'<section class="share" aria-labelledby="h-share">{share}</section>')


def _count(campaign: Campaign, lang: str, words: dict[str, Any]) -> str:
    def bold(message: Any, n: int) -> str:
        return catalogue.fill(escape(catalogue.pick(lang, message, n)), n=f"<b>{escape(catalogue.number(lang, n))}</b>")

    organisations = min(campaign.organisations, campaign.count)
    if organisations:
        said = catalogue.fill(
            escape(words["signed_by"]),
            organisations=bold(words["organisations"], organisations),
            people=bold(words["people"], campaign.count - organisations),
        )
    else:
        said = bold(words["signatures"], campaign.count)
    if not campaign.goal:
        return f'<p class="count">{said}</p>'
    goal = escape(catalogue.fill(words["goal"], n=catalogue.number(lang, campaign.goal)))
    return (
        f'<p class="count">{said} <span class="small">{goal}</span></p>'
        f'<progress max="{campaign.goal}" value="{min(campaign.count, campaign.goal)}" aria-label="{escape(words["progress"])}"></progress>'
    )


def _organisation(item: dict[str, Any], lang: str, words: dict[str, Any]) -> str:
    verified = ""
    if item.get("organisation_domain"):
        verified = ' <span class="verified">' + catalogue.fill(escape(words["verified"]), domain=f"<bdi>{escape(item['organisation_domain'])}</bdi>") + "</span>"
    country = catalogue.country_name(lang, item["country"]) if item.get("country") else None
    who = ", ".join(f"<bdi>{escape(part)}</bdi>" for part in (item.get("name"), item.get("role"), country) if part)
    return f"<li><strong><bdi>{escape(item['organisation'] or '')}</bdi></strong>{verified}" + (f'<span class="small"> · {who}</span>' if who else "") + "</li>"


def _form(campaign: Campaign, lang: str, words: dict[str, Any], letter: dict[str, str]) -> str:
    label, hint = words["label"], words["hint"]

    def field(name: str, text: str, kind: str = "text", attributes: str = "", hint_text: str | None = None) -> str:
        described = f' aria-describedby="{name}-hint"' if hint_text else ""
        hinted = f'<span class="hint" id="{name}-hint">{escape(hint_text)}</span>' if hint_text else ""
        return f'<p><label for="{name}">{escape(text)}</label>{hinted}<input type="{kind}" id="{name}" name="{name}"{attributes}{described}></p>'

    def choice(kind: str, name: str, value: str, text: str, extra: str = "") -> str:
        return f'<p class="{kind}"><input type="{"radio" if kind == "choice" else "checkbox"}" id="{name}-{value}" name="{name}" value="{value}"{extra}><label for="{name}-{value}">{escape(text)}</label></p>'

    signing_as = words["signing_as"]
    return (
        f'<form method="post" action="/campaigns/{escape(campaign.id)}/signatures">'
        + field("name", label["name"], attributes=' required maxlength="120" autocomplete="name"')
        + field("email", label["email"], "email", ' required maxlength="254" autocomplete="email" spellcheck="false"', hint["email"])
        + f'<fieldset><legend>{escape(signing_as["legend"])}</legend>'
        + choice("choice", "signing_as", "person", signing_as["person"], " checked")
        + choice("choice", "signing_as", "organisation", signing_as["organisation"])
        + "</fieldset>"
        + field("organisation", letter["organisation"], attributes=' maxlength="200" autocomplete="organization"', hint_text=hint["organisation_for"])
        + field("role", label["role"], attributes=' maxlength="120" autocomplete="organization-title"')
        + choice("check", "public", "true", label["public"], ' aria-describedby="public-hint"')
        + f'<p class="hint" id="public-hint">{escape(hint["public"])}</p>'
        + choice("check", "updates", "true", label["updates"])
        + f'<p hidden><label for="website">{escape(words["honeypot"])}</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></p>'
        + f'<input type="hidden" name="locale" value="{escape(lang)}">'
        + f'<p class="small">{escape(words["privacy"])}</p>'
        + f'<button type="submit">{escape(words["sign"])}</button></form>'
    )


def letter_page(campaign: Campaign, organisations: list[dict[str, Any]], lang: str, base_url: str, is_open: bool) -> str:
    """The whole page in `lang` (the letter itself in `lang` where the organiser wrote one,
    marked with its own language where it is another)."""
    lang = catalogue.choose(lang)
    words, letter = catalogue.section(lang, "widget"), catalogue.section(lang, "letter")
    letter_lang, title, statement = campaign.letter(lang)
    url = letter_url(base_url, campaign.id, lang)
    summary = description(statement)
    meta = "".join(
        f'<meta {key}="{name}" content="{escape(value)}">'
        for key, name, value in (
            ("name", "description", summary),
            ("property", "og:type", "website"),
            ("property", "og:title", title),
            ("property", "og:description", summary),
            ("property", "og:url", url),
            ("name", "twitter:card", "summary"),
            ("name", "twitter:title", title),
            ("name", "twitter:description", summary),
        )
    )
    alternates = "".join(
        f'<link rel="alternate" hreflang="{other}" href="{escape(letter_url(base_url, campaign.id, other))}">' for other in campaign.languages()
    )
    paragraphs = "".join(f'<p dir="auto">{escape(part.strip())}</p>' for part in re.split(r"\n\s*\n", statement) if part.strip())
    own = "" if letter_lang == lang else f' lang="{letter_lang}" dir="{catalogue.direction(letter_lang)}"'
    if is_open:
        sign = (
            f'<section aria-labelledby="h-sign"><h2 id="h-sign">{escape(words["sign"])}</h2>'
            f'<undersigned-sign campaign="{escape(campaign.id)}" lang="{lang}" form-only>{_form(campaign, lang, words, letter)}</undersigned-sign></section>'
            f'<section id="share" class="share" aria-labelledby="h-share" hidden>{share_links(url, title, lang, copy_button=True)}</section>'
        )
    else:
        sign = f'<p class="closed">{escape(words["closed"])}</p>'
    listed = ""
    if organisations:
        items = "".join(_organisation(item, lang, words) for item in organisations)
        listed = f'<section aria-labelledby="h-orgs"><h2 id="h-orgs">{escape(words["wall"]["organisation"])}</h2><ul class="orgs">{items}</ul></section>'
    scripts = f'<script src="/widget.js" async></script><script>{_SCRIPT}</script>' if is_open else ""
    return (
        f'<!doctype html><html lang="{lang}" dir="{catalogue.direction(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title>{meta}<link rel="canonical" href="{escape(url)}">{alternates}'
        f"<style>{_STYLE}</style></head><body><main>"
        f'<article{own}><h1 dir="auto">{escape(title)}</h1><div class="statement">{paragraphs}</div></article>'
        f"{_count(campaign, lang, words)}{sign}{listed}</main>{scripts}</body></html>"
    )
