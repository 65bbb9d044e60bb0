"""A tiny HTTP server on 127.0.0.1 in front of the in-process functions, so that the CLI
can be driven over real HTTP. A request carrying a SigV4 Authorization header gets the
IAM identity API Gateway would pass after checking it (this server does not check it)."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integration.lambda_api import http_event, invoke

SIGNED_CALLER_ARN = "arn:aws:iam::123456789012:user/cli-organiser"


class LoopbackApi:
    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {key.lower(): value for key, value in self.headers.items()}
                api.seen.append({"method": self.command, "path": self.path, **headers})
                try:
                    function, event = http_event(self.command, self.path, body=body, headers=headers, source_ip="127.0.0.1")
                except LookupError:
                    self.send_response(404)
                    self.end_headers()
                    return
                if headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 "):
                    event["requestContext"]["authorizer"] = {"iam": {"userArn": SIGNED_CALLER_ARN}}
                result = invoke(function, event)
                payload = result.get("body") or ""
                raw = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
                self.send_response(result["statusCode"])
                for name, value in (result.get("headers") or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PATCH = _serve

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
