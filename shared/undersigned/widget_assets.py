"""The sign widget's files as served to partner pages: the script from the widget
function's `static/`, and its strings, the `widget` part of the service's one catalogue
(`undersigned/locales/{lang}.json`), served as `{lang}.json`, one language at a time.

The script ships as it is: no build step, so what is reviewed is what runs. The version
is a hash of all of it, filled into widget.js when it is served, as is the list of
languages. `/widget.js` is cached for minutes and loads everything else from
`/widget/{version}/…`, cached for a year: a deploy changes the version, never a cached file.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from undersigned import catalogue, errors, http

SERVED_NAME = re.compile(r"^(widget\.js|altcha\.js)$")
VERSION_SHAPE = re.compile(r"^[0-9a-f]{12}$")
VERSION_PLACEHOLDER = b"%%UNDERSIGNED_VERSION%%"
LANGUAGES_PLACEHOLDER = b"%%UNDERSIGNED_LANGUAGES%%"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8"}
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"


class WidgetAssets:
    """Every served file of one folder, read once per instance, with its version and ETags.
    A language's strings are built from the catalogue when first asked for: an instance
    parses only the languages its readers use (the version hashes every language's file)."""

    def __init__(self, folder: Path) -> None:
        files = {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if SERVED_NAME.match(path.name)}
        files["widget.js"] = files["widget.js"].replace(LANGUAGES_PLACEHOLDER, ",".join(catalogue.LANGUAGES).encode())
        digest = hashlib.sha256()
        sources = {**files, **{f"{lang}.json": catalogue.source(lang) for lang in catalogue.LANGUAGES}}
        for name, body in sources.items():
            digest.update(name.encode() + b"\0" + body + b"\0")
        self.version = digest.hexdigest()[:12]
        files["widget.js"] = files["widget.js"].replace(VERSION_PLACEHOLDER, self.version.encode())
        self.files = files
        self.names = frozenset(sources)
        self.etags: dict[str, str] = {}

    def body(self, name: str) -> bytes:
        if name not in self.files:
            lang = name.removesuffix(".json")
            self.files[name] = json.dumps(catalogue.section(lang, "widget"), ensure_ascii=False, separators=(",", ":")).encode()
        return self.files[name]

    def etag(self, name: str) -> str:
        # Weak: the same file goes out gzipped or not, and both are equally good copies.
        if name not in self.etags:
            self.etags[name] = 'W/"' + hashlib.sha256(self.body(name)).hexdigest()[:20] + '"'
        return self.etags[name]

    def script(self, app: APIGatewayHttpResolver) -> Response:
        return self._file(app, "widget.js", SHORT_CACHE)

    def versioned(self, app: APIGatewayHttpResolver, version: str, name: str) -> Response:
        if name not in self.names or not VERSION_SHAPE.match(version):
            raise errors.WidgetFileNotFound()
        # A page may still hold the previous widget.js for a few minutes after a deploy: it gets
        # today's files, but not for a year.
        return self._file(app, name, LONG_CACHE if version == self.version else SHORT_CACHE)

    def _file(self, app: APIGatewayHttpResolver, name: str, cache_control: str) -> Response:
        headers = {
            "Cache-Control": cache_control,
            "ETag": self.etag(name),
            **http.ANY_ORIGIN_HEADERS,
            "Cross-Origin-Resource-Policy": "cross-origin",
            "X-Content-Type-Options": "nosniff",
            "Vary": "Accept-Encoding",
        }
        if app.current_event.headers.get("if-none-match") == self.etag(name):
            return Response(status_code=304, body="", headers=headers)
        content_type = CONTENT_TYPES[Path(name).suffix]
        return Response(status_code=200, content_type=content_type, body=self.body(name).decode("utf-8"), headers=headers)
