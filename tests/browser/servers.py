"""The two web servers of a widget test: a partner's site, and (until a test needs the real
local stack) a small fake of the public API that keeps to the contract's shapes and CORS rules.

Both listen on loopback only, each on its own free port, so the partner page and the API are
different origins, as on the web.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
WIDGET_APP = ROOT / "functions" / "widget" / "app.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_widget_app() -> Any:
    """functions/widget/app.py as a module of its own (every function's module is called app)."""
    spec = importlib.util.spec_from_file_location("widget_app", WIDGET_APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def http_api_event(method: str, path: str, query: str, headers: dict[str, str]) -> dict[str, Any]:
    """A minimal API Gateway HTTP API (payload 2.0) event."""
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {name.lower(): value for name, value in headers.items()},
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": ""},
            "requestId": "fake",
            "routeKey": f"{method} {path}",
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }


class LambdaContext:
    function_name = "WidgetFunction"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:WidgetFunction"
    aws_request_id = "fake"


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet: pytest shows failures, not every request
        pass

    def send(self, status: int, body: bytes | str = b"", headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class _Running:
    def __init__(self, handler: type[_Handler], owner: Any) -> None:
        self.port = free_port()
        self.httpd = _Server(("127.0.0.1", self.port), handler)
        self.httpd.owner = owner  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ------------------------------------------------------------------ the partner's site
class _PartnerHandler(_Handler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        page = self.server.owner.pages.get(urlsplit(self.path).path)  # type: ignore[attr-defined]
        if page is None:
            self.send(404, "not found", {"Content-Type": "text/plain"})
        else:
            self.send(200, page, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"})


class PartnerSite:
    """Serves the HTML pages a test writes, from its own origin."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self._running = _Running(_PartnerHandler, self)
        self.origin = f"http://127.0.0.1:{self._running.port}"

    def page(self, path: str, html: str) -> str:
        self.pages[path] = html
        return self.origin + path

    def stop(self) -> None:
        self._running.stop()


def embed_page(
    api: str,
    *,
    campaign: str = "demo",
    attributes: str = "",
    head: str = "",
    body_before: str = "",
    nojs_form: bool = True,
    copies: int = 1,
    lang: str = "en",
) -> str:
    """A partner page with the embed snippet of docs/widget.md, no-JS form included."""
    form = nojs_form_html(api, campaign) if nojs_form else ""
    elements = "\n".join(
        f'<undersigned-sign campaign="{campaign}" {attributes}>{form}</undersigned-sign>' for _ in range(copies)
    )
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A partner's page</title>{head}</head>
<body><main><h1>A partner's page</h1>{body_before}
{elements}
</main>
<script nonce="partner">
  window.widgetEvents = [];
  for (const name of ["ready", "submit", "signed", "invalid", "error", "count"]) {{
    document.addEventListener("undersigned:" + name, (e) => window.widgetEvents.push({{type: e.type, detail: e.detail}}));
  }}
</script>
<script src="{api}/widget.js" async></script>
</body></html>"""


def nojs_form_html(api: str, campaign: str) -> str:
    """The no-JavaScript form exactly as docs/widget.md gives it to partners."""
    docs = (ROOT / "docs" / "widget.md").read_text(encoding="utf-8")
    form = re.search(r'<form method="post" action="https://API/campaigns/demo/signatures">.*?</form>', docs, re.S).group(0)
    return form.replace("https://API", api).replace("/campaigns/demo/", f"/campaigns/{campaign}/")


# ------------------------------------------------------------------ a fake of the public API
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class FakeCampaign:
    id: str
    title: str = "Open the door: a letter on safe passage"
    statement: str = "We, the undersigned, ask for safe passage.\n\nAnd for a welcome that lasts."
    goal: int | None = 100
    status: str = "open"
    count: int = 41
    public_signatories: bool = True
    allowed_origins: set[str] = field(default_factory=set)
    signatories: list[dict[str, Any]] = field(default_factory=list)
    human_check: str = "none"
    # What the campaign answer says, where it lags `count` (the real one is cached for 30 s + 60 s stale).
    cached_count: int | None = None


@dataclass
class Scripted:
    """The answer the fake gives to the next submission instead of its own."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class _ApiHandler(_Handler):
    @property
    def api(self) -> FakeApi:
        return self.server.owner  # type: ignore[attr-defined]

    def json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send(status, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})

    def error(self, status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        self.json(status, {"error": {"code": code, "message": message, **extra}}, headers)

    def campaign(self, campaign_id: str) -> FakeCampaign | None:
        return self.api.campaigns.get(campaign_id)

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        self.api.requests.append(("GET", url.path, dict(self.headers), b""))
        if url.path == "/widget.js" or url.path.startswith("/widget/"):
            return self.widget_file(url.path, url.query)
        match = re.fullmatch(r"/campaigns/([^/]+)(/count|/signatories|/challenge)?", url.path)
        campaign = self.campaign(match.group(1)) if match else None
        if campaign is None:
            return self.error(404, "campaign_not_found", "There is no such campaign.", {"Access-Control-Allow-Origin": "*"})
        cors = {"Access-Control-Allow-Origin": "*"}
        if match.group(2) == "/count":
            body = {"campaign_id": campaign.id, "count": campaign.count, "goal": campaign.goal, "updated_at": "2026-11-28T12:00:00Z"}
            etag = f'"{campaign.count}"'
            if self.headers.get("If-None-Match") == etag:
                return self.send(304, b"", {**cors, "ETag": etag})
            return self.json(200, body, {**cors, "ETag": etag, "Cache-Control": "public, max-age=5, stale-while-revalidate=30, stale-if-error=300"})
        if match.group(2) == "/challenge":
            challenge = self.api.new_challenge(campaign)
            return self.json(200, challenge, {**cors, "Cache-Control": "no-store"})
        if match.group(2) == "/signatories":
            query = parse_qs(url.query)
            limit = int(query.get("limit", ["50"])[0])
            start = int(query.get("cursor", ["0"])[0])
            items = campaign.signatories[start : start + limit]
            following = start + limit if start + limit < len(campaign.signatories) else None
            return self.json(200, {"items": items, "next_cursor": str(following) if following else None}, cors)
        return self.json(200, {
            "id": campaign.id, "title": campaign.title, "statement": campaign.statement, "goal": campaign.goal,
            "closes_at": None, "status": campaign.status,
            "count": campaign.count if campaign.cached_count is None else campaign.cached_count,
            "public_signatories": campaign.public_signatories, "human_check": campaign.human_check,
        }, cors)

    def widget_file(self, path: str, query: str) -> None:
        event = http_api_event("GET", path, query, dict(self.headers))
        answer = self.api.widget_app.lambda_handler(event, LambdaContext())
        body = answer.get("body") or ""
        data = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
        self.send(answer["statusCode"], data, answer.get("headers") or {})

    def cors_for(self, campaign: FakeCampaign) -> dict[str, str] | None:
        origin = self.headers.get("Origin")
        if origin is None:
            return {}
        if "*" in campaign.allowed_origins or origin in campaign.allowed_origins:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Access-Control-Expose-Headers": "Retry-After"}
        return None

    def do_OPTIONS(self) -> None:  # noqa: N802
        match = re.fullmatch(r"/campaigns/([^/]+)/signatures", urlsplit(self.path).path)
        campaign = self.campaign(match.group(1)) if match else None
        cors = self.cors_for(campaign) if campaign else None
        if not cors:
            return self.send(403, b"")
        self.send(204, b"", {**cors, "Access-Control-Allow-Methods": "POST, OPTIONS",
                             "Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "600"})

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        raw = self.read_body()
        self.api.requests.append(("POST", url.path, dict(self.headers), raw))
        match = re.fullmatch(r"/campaigns/([^/]+)/signatures", url.path)
        campaign = self.campaign(match.group(1)) if match else None
        if campaign is None:
            return self.error(404, "campaign_not_found", "There is no such campaign.")
        cors = self.cors_for(campaign)
        if cors is None:
            return self.error(403, "origin_not_allowed", "This website may not collect signatures for this campaign.")
        if self.api.script:
            scripted = self.api.script.pop(0)
            time.sleep(scripted.delay)
            if scripted.status == 202:
                self.api.submissions.append(json.loads(raw))
            return self.json(scripted.status, scripted.body or {}, {**cors, **scripted.headers})
        if campaign.status == "closed":
            return self.error(410, "campaign_closed", "This campaign is closed.", cors)
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            body = {key: values[0] for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()}
        else:
            body = json.loads(raw or b"null")
        details = []
        if campaign.human_check == "altcha" and not self.api.proof_accepted(body.get("altcha")):
            details.append({"field": "altcha", "message": "The check that you are a person did not complete."})
        if not str(body.get("name", "")).strip():
            details.append({"field": "name", "message": "Enter your name."})
        if not EMAIL.match(str(body.get("email", "")).strip()):
            details.append({"field": "email", "message": "Enter a valid email address, like name@example.org."})
        if details:
            return self.error(400, "validation_error", "Some fields need attention.", cors, details=details)
        self.api.submissions.append(body)
        self.json(202, {"status": "pending_verification"}, cors)


class FakeApi:
    """The public API's shapes, scripted answers for states the real stack rarely shows."""

    CHALLENGE_KEY = "fake-challenge-key"

    def __init__(self, allowed_origins: set[str]) -> None:
        self.widget_app = load_widget_app()
        people = [
            {"name": f"Signer {n}", "role": "Volunteer" if n % 2 else None, "organisation": "Open Doors" if n % 3 == 0 else None,
             "country": ["UA", "PL", "RO", "DE"][n % 4], "signed_at": "2026-11-28T10:00:00Z"}
            for n in range(1, 13)
        ]
        self.campaigns = {
            "demo": FakeCampaign("demo", allowed_origins=set(allowed_origins), signatories=people),
            "demo-closed": FakeCampaign("demo-closed", status="closed", allowed_origins=set(allowed_origins)),
        }
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.submissions: list[dict[str, Any]] = []
        self.script: list[Scripted] = []
        self.challenges: list[dict[str, Any]] = []
        self.used_nonces: set[str] = set()
        self._running = _Running(_ApiHandler, self)
        self.url = f"http://127.0.0.1:{self._running.port}"

    def new_challenge(self, campaign: FakeCampaign) -> dict[str, Any]:
        """A challenge as the real API makes it (humancheck.py), with its cost and prefix."""
        from altcha import create_challenge

        from undersigned import humancheck

        challenge = create_challenge(
            algorithm=humancheck.ALGORITHM, cost=humancheck.COST, key_prefix=humancheck.KEY_PREFIX,
            expires_at=int(time.time()) + humancheck.CHALLENGE_SECONDS, data={"campaign": campaign.id},
            hmac_secret=self.CHALLENGE_KEY,
        ).to_dict()
        self.challenges.append(challenge)
        return challenge

    def proof_accepted(self, payload: Any) -> bool:
        """The real library's verdict on the widget's solution, and each challenge used once."""
        from altcha import verify_solution

        if not isinstance(payload, str) or not verify_solution(payload, self.CHALLENGE_KEY).verified:
            return False
        nonce = json.loads(base64.b64decode(payload))["challenge"]["parameters"]["nonce"]
        if nonce in self.used_nonces:
            return False
        self.used_nonces.add(nonce)
        return True

    def stop(self) -> None:
        self._running.stop()
