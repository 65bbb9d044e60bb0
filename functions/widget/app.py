"""GET /widget.js and GET /widget/{version}/{file}: the sign widget, served to partner pages
from `static/` beside this file (see `undersigned.widget_assets`)."""

from __future__ import annotations

from pathlib import Path

from undersigned import http, http_errors
from undersigned.widget_assets import WidgetAssets

app = http.make_app(cors=http.any_origin)
ASSETS = WidgetAssets(Path(__file__).resolve().parent / "static")
SCRIPT = {200: {"description": "JavaScript.", "content": {"text/javascript": {}}}}
FILE = {
    200: {"description": "JavaScript or JSON.", "content": {"text/javascript": {}, "application/json": {}}},
    404: {"description": "`not_found`.", "content": {"application/json": {"model": http_errors.ErrorBody}}},
}


@http.route(app.get, "/widget.js", SCRIPT, compress=True)
def widget_script():  # noqa: ANN201 - JavaScript, described in `responses`
    """The sign widget's script

    The `<undersigned-sign>` element for partner pages (see the README). Cached for 5 minutes.
    """
    return ASSETS.script(app)


@http.route(app.get, "/widget/<version>/<file>", FILE, compress=True)
def widget_file(version: str, file: str):  # noqa: ANN201 - described in `responses`
    """A file of the sign widget, by version

    What `/widget.js` loads: `widget.js`, one `{lang}.json` of strings, and for campaigns with a
    proof of work `altcha.js` (an ES module). Immutable.
    """
    return ASSETS.versioned(app, version, file)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
