"""GET /widget.js and GET /widget/{version}/{file}: the sign widget, served to partner pages.

`static/` beside this file is the widget's script and ships as it is: no build step, so
what is reviewed is what runs. Its strings are the `widget` part of the service's one
catalogue (`undersigned/locales/{lang}.json`), served as `{lang}.json`, one language at a
time. The version is a hash of all of it, filled into widget.js when it is served, as is the
list of languages. `/widget.js` is cached for minutes and loads everything else from
`/widget/{version}/…`, cached for a year: a deploy changes the version, never a cached file.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from undersigned import catalogue, http, schemas
from undersigned.errors import ApiError

STATIC = Path(__file__).resolve().parent / "static"
SERVED_NAME = re.compile(r"^(widget\.js|altcha\.js)$")
VERSION_SHAPE = re.compile(r"^[0-9a-f]{12}$")
VERSION_PLACEHOLDER = b"%%UNDERSIGNED_VERSION%%"
LANGUAGES_PLACEHOLDER = b"%%UNDERSIGNED_LANGUAGES%%"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8"}
SHORT_CACHE = "public, max-age=300"
LONG_CACHE = "public, max-age=31536000, immutable"

app = http.make_app(cors=http.any_origin)


def _load(folder: Path) -> tuple[str, dict[str, bytes]]:
    """The version (a hash of every served file) and each file's bytes as served."""
    files = {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if SERVED_NAME.match(path.name)}
    for lang in catalogue.LANGUAGES:
        strings = catalogue.section(lang, "widget")
        files[f"{lang}.json"] = json.dumps(strings, ensure_ascii=False, separators=(",", ":")).encode()
    files["widget.js"] = files["widget.js"].replace(LANGUAGES_PLACEHOLDER, ",".join(catalogue.LANGUAGES).encode())
    digest = hashlib.sha256()
    for name, body in files.items():
        digest.update(name.encode() + b"\0" + body + b"\0")
    version = digest.hexdigest()[:12]
    files["widget.js"] = files["widget.js"].replace(VERSION_PLACEHOLDER, version.encode())
    return version, files


VERSION, FILES = _load(STATIC)
# Weak: the same file goes out gzipped or not, and both are equally good copies.
ETAGS = {name: 'W/"' + hashlib.sha256(body).hexdigest()[:20] + '"' for name, body in FILES.items()}


def _file(name: str, cache_control: str) -> Response:
    headers = {
        "Cache-Control": cache_control,
        "ETag": ETAGS[name],
        **http.ANY_ORIGIN_HEADERS,
        "Cross-Origin-Resource-Policy": "cross-origin",
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
    }
    if app.current_event.headers.get("if-none-match") == ETAGS[name]:
        return Response(status_code=304, body="", headers=headers)
    content_type = CONTENT_TYPES[Path(name).suffix]
    return Response(status_code=200, content_type=content_type, body=FILES[name].decode("utf-8"), headers=headers)


@app.get(
    "/widget.js",
    compress=True,
    summary="The sign widget's script",
    description="The `<undersigned-sign>` element for partner pages (see the README). Cached for 5 minutes.",
    responses={200: {"description": "JavaScript.", "content": {"text/javascript": {}}}},
)
def widget_script():  # noqa: ANN201 - JavaScript, described in `responses`
    return _file("widget.js", SHORT_CACHE)


@app.get(
    "/widget/<version>/<file>",
    compress=True,
    summary="A file of the sign widget, by version",
    description=(
        "What `/widget.js` loads: `widget.js`, one `{lang}.json` of strings, and for campaigns with a "
        "proof of work `altcha.js` (an ES module). Immutable."
    ),
    responses={
        200: {"description": "JavaScript or JSON.", "content": {"text/javascript": {}, "application/json": {}}},
        404: {"description": "`not_found`.", "content": {"application/json": {"model": schemas.ErrorBody}}},
    },
)
def widget_file(version: str, file: str):  # noqa: ANN201 - described in `responses`
    if file not in FILES or not VERSION_SHAPE.match(version):
        raise ApiError(404, "not_found", "There is no such widget file. Load the widget from /widget.js.")
    # A page may still hold the previous widget.js for a few minutes after a deploy: it gets
    # today's files, but not for a year.
    return _file(file, LONG_CACHE if version == VERSION else SHORT_CACHE)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
