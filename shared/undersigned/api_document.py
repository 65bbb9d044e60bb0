"""The OpenAPI document of the public API, merged from the routes and answer shapes of
every function's resolver, so it cannot drift from the code."""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from undersigned import config, http, schemas

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


def http_function_modules(functions_dir: Path, besides: Path) -> list[ModuleType]:
    """Every function in `functions_dir` but `besides` that answers HTTP (has a resolver
    called `app`). Loaded to read their routes only, not to serve: their settings are
    not this function's."""
    modules = []
    for path in sorted(functions_dir.glob("*/app.py")):
        if path.resolve() == besides.resolve():
            continue
        with config.documenting():
            module = _load(path)
        if hasattr(getattr(module, "app", None), "get_openapi_schema"):
            modules.append(module)
    return modules


HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}


def document_form_bodies(document: dict[str, Any]) -> None:
    """Operations marked as taking forms accept the JSON body's fields form-encoded too,
    and answer a failed form post with an HTML page instead of the JSON error."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if operation.get(schemas.FORM_EXTENSION) and http.JSON_TYPE in content:
                content[http.FORM_TYPE] = content[http.JSON_TYPE]
                for status, response in operation.get("responses", {}).items():
                    if status >= "400" and http.JSON_TYPE in response.get("content", {}):
                        response["content"].update(HTML_PAGE)


def drop_unreferenced_schemas(document: dict[str, Any]) -> None:
    """The resolver adds its own validation-error schemas, which this API never answers."""
    schemas_ = document.get("components", {}).get("schemas", {})
    while True:
        text = json.dumps({key: value for key, value in document.items() if key != "components"}) + json.dumps(schemas_)
        unused = [name for name in schemas_ if f'"#/components/schemas/{name}"' not in text]
        if not unused:
            return
        for name in unused:
            del schemas_[name]


@lru_cache(maxsize=1)
def openapi_document(own_app: Any, own_file: Path) -> str:
    """The merged document of `own_app` (the OpenAPI function's) and its siblings' resolvers."""
    merge = OpenAPIMerge(title=TITLE, version=VERSION, description=DESCRIPTION, on_conflict="error")
    for module in http_function_modules(own_file.resolve().parents[1], own_file):
        merge.add_schema(module.app.get_openapi_schema())
    merge.add_schema(own_app.get_openapi_schema())
    document = json.loads(merge.get_openapi_json_schema())
    document_form_bodies(document)
    drop_unreferenced_schemas(document)
    return json.dumps(document, separators=(",", ":"))
