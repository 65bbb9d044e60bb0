"""Every test runs with dummy AWS credentials, a fixed region and loopback-only network
(pytest-socket's --allow-hosts in pyproject.toml): no test can reach AWS."""

import os

import pytest

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    # moto 5 with botocore 1.44: streams need this (see NOTES.md).
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_SERVICE_NAME": "undersigned-tests",
    "POWERTOOLS_DEV": "false",
}


@pytest.fixture(autouse=True, scope="session")
def _aws_test_environment():
    saved = {key: os.environ.get(key) for key in TEST_ENV}
    os.environ.update(TEST_ENV)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(key, None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
