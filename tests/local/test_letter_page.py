"""The letter's own page over real HTTP on `make dev`'s stack: served from the template's
route, and its plain form, posted as a browser posts it, becomes a signature."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
import requests

from local.stack_process import StackProcess, mail_to

HTTP_TIMEOUT = 30

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def _form_fields(text: str) -> tuple[str, dict[str, str]]:
    (form,) = re.findall(r"<form .*?</form>", text)
    action = re.search(r'action="([^"]+)"', form).group(1)
    fields = {
        name: value
        for name, value in re.findall(r'<input type="(?:hidden|text)"[^>]*? name="([^"]+)"(?: value="([^"]*)")?', form)
    }
    return action, fields


def test_the_letters_page_is_served_in_the_readers_language(local_stack: StackProcess) -> None:
    page = requests.get(f"{local_stack.base_url}/letters/demo", headers={"Accept-Language": "uk"}, timeout=HTTP_TIMEOUT)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="uk" dir="ltr">' in page.text
    assert f'<link rel="canonical" href="{local_stack.base_url}/letters/demo?lang=uk">' in page.text
    missing = requests.get(f"{local_stack.base_url}/letters/no-such-letter?lang=ar", timeout=HTTP_TIMEOUT)
    assert missing.status_code == 404 and '<html lang="ar" dir="rtl">' in missing.text


def test_the_pages_form_posted_as_a_browser_would_reaches_a_signature(local_stack: StackProcess) -> None:
    base, email = local_stack.base_url, f"letter-{uuid.uuid4().hex[:12]}@example.net"
    page = requests.get(f"{base}/letters/demo?lang=pl", timeout=HTTP_TIMEOUT)
    action, fields = _form_fields(page.text)
    assert action == "/campaigns/demo/signatures" and fields["locale"] == "pl"
    fields.update(name="Maria Skłodowska", email=email, signing_as="person", public="true")
    posted = requests.post(f"{base}{action}", data=fields, headers={"Origin": base}, allow_redirects=False, timeout=HTTP_TIMEOUT)
    assert posted.status_code == 303, posted.text
    message = mail_to(base, email)
    assert any(urlsplit(link).path == "/verify" for link in message["links"])
    assert "podpis" in message["subject"].lower(), "the page's language went with the form"
