"""`/_dev/demo`: a partner's page for the `demo` campaign, to try the whole flow in a browser.

The sign widget with a plain form inside (what people without JavaScript use). Everything
shown comes from the public API (the local stack calls its own routes), as a partner's
server would see it.
"""

from __future__ import annotations

import html
from typing import Any

CAMPAIGN_ID = "demo"

_STATUS_MESSAGES = {
    "pending_verification": "Thank you. Check the mailbox for the confirmation email.",
    "verified": "Your signature is confirmed. The count updates within a few seconds.",
    "already_verified": "Your signature was already confirmed.",
    "withdrawn": "Your signature is withdrawn.",
}

_SIGN_FORM = """
<form method="post" action="/campaigns/{campaign}/signatures">
  <label>Name <input name="name" required maxlength="120" autocomplete="name"></label>
  <label>Email <input name="email" type="email" required maxlength="254" autocomplete="email"></label>
  <fieldset><legend>Who is signing?</legend>
    <label class="check"><input type="radio" name="signing_as" value="person" checked> I sign as myself</label>
    <label class="check"><input type="radio" name="signing_as" value="organisation"> On behalf of an organisation</label>
  </fieldset>
  <label>Organisation (required on behalf of one) <input name="organisation" maxlength="200" autocomplete="organization"></label>
  <label>Role (optional) <input name="role" maxlength="120"></label>
  <label>Country (optional, e.g. DE) <input name="country" maxlength="2" pattern="[A-Z]{{2}}"></label>
  <label>Comment (optional, never shown) <textarea name="comment" maxlength="1000"></textarea></label>
  <label class="check"><input type="checkbox" name="public" value="true"> Show my name on the public list</label>
  <label class="check"><input type="checkbox" name="updates" value="true"> I want to hear from the organiser</label>
  <label class="trap" aria-hidden="true">Leave empty <input name="website" tabindex="-1" autocomplete="off"></label>
  <input type="hidden" name="source" value="dev-demo">
  <button>Sign</button>
</form>
"""


def page(status: int, campaign: dict[str, Any] | None, outcome: str | None) -> str:
    """The demo page; `campaign` is GET /campaigns/demo's JSON when it answered 200."""
    if campaign is None:
        main = (
            f"<p>GET /campaigns/{CAMPAIGN_ID} answered {status}: the campaign is not available. "
            "The console shows why.</p>"
        )
    else:
        goal = f" of {html.escape(str(campaign['goal']))}" if campaign.get("goal") else ""
        form = _SIGN_FORM.format(campaign=CAMPAIGN_ID) if campaign.get("status") == "open" else "<p>Closed.</p>"
        # The embeddable widget, as docs/widget.md tells partners to embed it: with JavaScript
        # it takes the place of what is inside; without, the plain form below is what people use.
        main = (
            f'<undersigned-sign campaign="{CAMPAIGN_ID}" source="dev-demo">'
            f"<h1>{html.escape(str(campaign['title']))}</h1>"
            f"<blockquote>{html.escape(str(campaign['statement']))}</blockquote>"
            f'<p><strong id="count">{html.escape(str(campaign["count"]))}</strong>{goal} signatures</p>'
            f"{form}"
            "</undersigned-sign>"
            '<script src="/widget.js" async></script>'
        )
    notice = f'<p class="notice">{html.escape(_STATUS_MESSAGES.get(outcome, outcome))}</p>' if outcome else ""
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Demo partner page · Undersigned dev</title>"
        "<style>body{font:16px system-ui;max-width:40rem;margin:2rem auto;padding:0 1rem}"
        "form{display:grid;gap:.6rem}label{display:grid;gap:.2rem}.check{display:flex;align-items:center}.trap{position:absolute;left:-9999px}"
        "blockquote{font-style:italic}.notice{background:#eef7ee;padding:.6rem;border-radius:6px}</style>"
        '<p><small>A partner site, as served by <code>make dev</code> · <a href="/_dev/mailbox.html">mailbox</a>'
        "</small></p>"
        f"{notice}{main}</html>"
    )
