"""Fixtures for the widget's tests in a real headless Chromium (Debian's package).

Two origins, as on the web: a partner's site, and the API (a fake that keeps to the
contract for states that are hard to provoke, or the real local stack `python -m devstack`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.servers import ROOT, FakeApi, PartnerSite, free_port


ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# NOTES.md: never `playwright install`; drive the system's Chromium with these flags.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


def _missing(what: str) -> None:
    """In CI a missing prerequisite is a failure; on a laptop, a reason to skip."""
    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("UNDERSIGNED_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        _missing("Chromium is missing: apt-get update && apt-get install -y chromium")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is missing: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 800, "height": 1000}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def partner() -> Iterator[PartnerSite]:
    site = PartnerSite()
    yield site
    site.stop()


@pytest.fixture
def fake_api(partner: PartnerSite) -> Iterator[FakeApi]:
    api = FakeApi(allowed_origins={partner.origin})
    yield api
    api.stop()


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback only
        return json.loads(answer.read())


# A campaign like `demo` that asks for proof of human with the self-hosted proof of work.
ALTCHA_CAMPAIGN = "demo-altcha"
COALITION_CAMPAIGN = "demo-coalition"
# The letter's own page (tests/browser/test_letter_page.py): in three languages, no thank-you URL.
LETTER_CAMPAIGN = "demo-letter"
# Its thank-you page is the partner's (another origin than the stack's): tests/browser/test_email_links.py.
THANKS_CAMPAIGN = "demo-thanks"
THANKS_PATH = "/thank-you"
LETTER_TRANSLATIONS = {
    "uk": {"title": "Безпечний шлях для людей, які тікають від війни", "statement": "Ми закликаємо уряди відкрити безпечні маршрути для людей, які рятуються від війни, і захистити їх від торгівлі людьми."},
    "ar": {"title": "ممر آمن للفارين من الحرب", "statement": "ندعو الحكومات إلى فتح طرق آمنة للفارين من الحرب وحمايتهم من الاتجار بالبشر."},
}


def _save_partner_campaigns(api: str, port: int, aws_port: int, origin: str) -> None:
    """Adds the partner's origin to `demo`'s allowed origins, and writes `demo-altcha` (the same
    letter, with `human_check: altcha`), as an organiser would: with the campaign command,
    against the stack's embedded AWS. The seed itself only allows the stack's own origin
    (contract, "Local development")."""
    from devstack.resources import physical_name
    from devstack.seed import demo_campaigns

    document = next(d for d in demo_campaigns(api, port) if d["id"] == "demo")
    document["allowed_origins"] = [*document["allowed_origins"], origin]
    documents = {
        "demo-campaign-with-partner.json": document,
        "demo-altcha-campaign.json": {**document, "id": ALTCHA_CAMPAIGN, "title": "Demo letter (proof of work)", "human_check": "altcha"},
        # Organisations sign this one (tests/browser/test_coalitions.py): the others' counts stay plain.
        "demo-coalition-campaign.json": {**document, "id": COALITION_CAMPAIGN, "title": "A coalition's letter", "goal": None},
        "demo-letter-campaign.json": {
            **document, "id": LETTER_CAMPAIGN, "title": "Safe passage for people fleeing the war",
            "statement": "We call on every government to open safe routes for people fleeing the war, and to protect them from trafficking.\n\nWe, the undersigned organisations and people, stand ready to help.",
            "goal": 1000, "thank_you_url": None, "translations": LETTER_TRANSLATIONS,
        },
        "demo-thanks-campaign.json": {
            **document, "id": THANKS_CAMPAIGN, "title": "A letter thanked on the partner's site", "goal": None,
            "thank_you_url": origin + THANKS_PATH,
        },
    }
    paths = []
    for name, body in documents.items():
        paths.append(str(ARTIFACTS / name))
        (ARTIFACTS / name).write_text(json.dumps(body), encoding="utf-8")
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
        # The stack's embedded AWS keeps its tables in us-east-1 (its banner says so).
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "CAMPAIGNS_TABLE": physical_name("CampaignsTable"),
        "COUNTERS_TABLE": physical_name("CountersTable"),
    }
    subprocess.run([sys.executable, "-m", "undersigned.campaign_file", *paths], cwd=ROOT, env=env, check=True)


@pytest.fixture(scope="session")
def stack(partner: PartnerSite) -> Iterator[str]:
    """The real local stack (`make dev`), started the way a developer starts it, on free ports,
    with the partner's origin allowed to post to `demo` and `demo-altcha`."""
    import importlib.util

    if importlib.util.find_spec("devstack.__main__") is None:
        _missing("The local stack (devstack, `make dev`) is not in this tree yet")
    port, aws_port = free_port(), free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "devstack-widget.log", "wb")  # noqa: SIM115 - closed below
    env = {**os.environ, "PORT": str(port), "AWS_PORT": str(aws_port)}
    process = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            get_json(url + "/campaigns/demo")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail(f"the local stack did not start: see {ARTIFACTS / 'devstack-widget.log'}")
            time.sleep(0.2)
    try:
        _save_partner_campaigns(url, port, aws_port, partner.origin)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing("axe-core is missing: npm ci")
    return AXE.read_text(encoding="utf-8")


def run_axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """WCAG 2.2 AA violations on the page, open shadow roots included (axe-core from node_modules)."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target)}))",
        WCAG_22_AA,
    )
    return result


def save_screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.locator("undersigned-sign .w").first.screenshot(path=str(path))
    return path
