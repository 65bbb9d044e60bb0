"""Small steps the widget's browser tests share."""

from __future__ import annotations

import itertools
from typing import Any

from tests.browser.servers import PartnerSite, embed_page

_pages = itertools.count()


def open_widget(page: Any, partner: PartnerSite, api: str, *, wait: bool = True, **options: Any) -> Any:
    """Opens a partner page holding the widget; returns the locator of the (first) widget's inside."""
    url = partner.page(f"/page-{next(_pages)}.html", embed_page(api, **options))
    page.goto(url)
    widget = page.locator("undersigned-sign .w").first
    if wait:
        widget.wait_for()
    return widget


def events(page: Any, kind: str | None = None) -> list[dict[str, Any]]:
    found = page.evaluate("() => window.widgetEvents")
    return [e for e in found if kind is None or e["type"] == "undersigned:" + kind]


def focused(page: Any) -> dict[str, Any]:
    """What has the focus, looking through shadow roots."""
    return page.evaluate(
        """() => { let el = document.activeElement;
             while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
             return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, part: el.getAttribute('part'),
                     text: (el.textContent || '').trim().slice(0, 200)}; }"""
    )


def fill_form(widget: Any, name: str, email: str) -> None:
    """Types a name and an address, whatever the widget's language."""
    widget.locator("#f-name").fill(name)
    widget.locator("#f-email").fill(email)
