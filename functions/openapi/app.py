"""GET /openapi.json: the public API's OpenAPI 3 document, generated from the routes and
answer shapes of every function beside this one, so it cannot drift from the code."""

import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from undersigned import http

app = http.make_app(cors=http.any_origin)
FUNCTIONS_DIR = Path(__file__).resolve().parents[1]
TITLE = "Undersigned"
VERSION = "1"
DESCRIPTION = (
    "Collects signatures for open letters and petitions. Errors are "
    '`{"error": {"code", "message", "details"}}`; browser form posts get HTML pages instead.'
)


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"undersigned_function_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def http_function_modules() -> list[ModuleType]:
    """Every sibling function that answers HTTP (has a resolver called `app`)."""
    modules = []
    for path in sorted(FUNCTIONS_DIR.glob("*/app.py")):
        if path.resolve() == Path(__file__).resolve():
            continue
        module = _load(path)
        if hasattr(getattr(module, "app", None), "get_openapi_schema"):
            modules.append(module)
    return modules


@lru_cache(maxsize=1)
def openapi_document() -> str:
    merge = OpenAPIMerge(title=TITLE, version=VERSION, description=DESCRIPTION, on_conflict="error")
    for module in http_function_modules():
        merge.add_schema(module.app.get_openapi_schema())
    merge.add_schema(app.get_openapi_schema())
    return merge.get_openapi_json_schema()


@app.get("/openapi.json", summary="This document", responses={200: {"description": "OpenAPI 3 JSON."}})
def get_openapi():  # noqa: ANN201 - an HTML/JSON document, described in `responses`
    return Response(
        status_code=200,
        content_type=http.JSON_TYPE,
        body=openapi_document(),
        headers={**http.ANY_ORIGIN_HEADERS, "Cache-Control": "public, max-age=300"},
    )


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
