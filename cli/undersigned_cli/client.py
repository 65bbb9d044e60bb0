"""HTTP to the Undersigned API: plain to a local stack, SigV4-signed to a deployed one."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

_EXECUTE_API_REGION = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")


class CliError(Exception):
    """Something the organiser can act on; printed without a traceback."""


def is_local(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def region_of(base_url: str) -> str | None:
    found = _EXECUTE_API_REGION.search(urlsplit(base_url).hostname or "")
    return found.group(1) if found else None


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class Client:
    def __init__(self, base_url: str, *, sign: bool | None = None, region: str | None = None, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.sign = (not is_local(base_url)) if sign is None else sign
        self.region = region or region_of(base_url)
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Reply:
        params = {name: value for name, value in (query or {}).items() if value is not None}
        url = self.base_url + path + (f"?{urlencode(params)}" if params else "")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json", "User-Agent": "undersigned-cli"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.sign:
            headers = self._signed(method, url, data, headers)
        try:
            with urlopen(Request(url, data=data, headers=headers, method=method), timeout=self.timeout) as answer:  # noqa: S310 - http(s) base URL given by the organiser
                return Reply(answer.status, dict(answer.headers), answer.read())
        except HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())
        except URLError as error:
            raise CliError(f"Cannot reach {self.base_url}: {error.reason}") from None

    def _signed(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> dict[str, str]:
        # Imported here: only signed calls need botocore (and the caller's credentials).
        import botocore.session
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        session = botocore.session.Session()
        credentials = session.get_credentials()
        if credentials is None:
            raise CliError("No AWS credentials found: set a profile (AWS_PROFILE) or keys, or use --unsigned for a local stack.")
        region = self.region or session.get_config_variable("region")
        if not region:
            raise CliError("Cannot tell the API's region from its URL: pass --region.")
        request = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(credentials.get_frozen_credentials(), "execute-api", region).add_auth(request)
        return dict(request.headers.items())

    def call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        """The JSON answer, or CliError with the API's own message."""
        reply = self.request(method, path, body, query)
        if 200 <= reply.status < 300:
            return reply.json()
        raise CliError(describe_error(reply))


def describe_error(reply: Reply) -> str:
    try:
        error = reply.json()["error"]
    except (ValueError, KeyError, TypeError):
        if reply.status == 403:
            return "403: refused. Is your AWS identity allowed execute-api:Invoke on the admin routes?"
        return f"{reply.status}: {reply.body[:200].decode(errors='replace')}"
    lines = [f"{reply.status} {error.get('code')}: {error.get('message')}"]
    lines += [f"  {detail['field']}: {detail['message']}" for detail in error.get("details", [])]
    return "\n".join(lines)
