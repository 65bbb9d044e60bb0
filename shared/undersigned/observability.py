"""The functions' logger, in one place. Never give it personal data (address, name, IP)."""

import traceback
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger()


def fault_report(error: BaseException) -> dict[str, Any]:
    """Where a fault happened, without its message or source lines: either may quote personal data."""
    frames = traceback.extract_tb(error.__traceback__)
    return {
        "error_type": type(error).__name__,
        "where": [f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno} in {frame.name}" for frame in frames[-8:]],
    }
