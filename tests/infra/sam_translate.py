"""Prints template.yaml translated to plain CloudFormation, as JSON, offline.

Runs with the tools venv's Python (`$UNDERSIGNED_TOOLS_BIN/python`), not the
app's: aws-sam-translator pins pydantic ~=2.13 while the app pins 2.14.
Usage: python sam_translate.py TEMPLATE > translated.json
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

# The translator resolves ARNs with the partition of the region; any region will do.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

PLACEHOLDER_BUCKET = "s3://undersigned-placeholder"


class NoManagedPolicies:
    """Stands in for the IAM lookup the translator makes for a policy name it does not know.

    The translator ships the names of AWS's managed policies; a name beyond those
    would need AWS, so offline the translation fails here instead.
    """

    def load(self) -> dict[str, str]:
        raise RuntimeError("the template names a managed policy the offline translator does not know")


def with_placeholder_code(template: dict[str, Any]) -> dict[str, Any]:
    """Points local CodeUri/ContentUri at S3, as `sam package` would, so the translator accepts them."""
    for logical_id, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = f"{PLACEHOLDER_BUCKET}/{logical_id}.zip"
    return template


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        template = with_placeholder_code(yaml_parse(handle.read()))
    json.dump(transform(template, {}, NoManagedPolicies()), sys.stdout, indent=1, default=str)


if __name__ == "__main__":
    main(sys.argv[1])
