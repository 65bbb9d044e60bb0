"""The embedded AWS: moto's server, in this process, on a loopback port.

In-process (not `moto_server` as a child) so that nothing outlives Ctrl-C and the
mailbox can read SES's sent messages straight from moto's backend.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

from devstack.account import REGION

# Variables that could point boto3 at a real account; removed so nothing leaves the machine.
_REAL_ACCOUNT_VARIABLES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN")


@dataclass
class EmbeddedAws:
    server: ThreadedMotoServer
    endpoint_url: str

    def stop(self) -> None:
        self.server.stop()


def use_dummy_credentials(endpoint_url: str) -> None:
    """Points every boto3 client of this process, the functions' included, at moto.

    A per-service variable a developer set (AWS_ENDPOINT_URL_DYNAMODB, ..._DYNAMODB_STREAMS)
    still wins, by botocore's precedence: that is how DynamoDB Local stands in for moto's.
    """
    for name in _REAL_ACCOUNT_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ENDPOINT_URL=endpoint_url,
    )


def start(port: int = 0) -> EmbeddedAws:
    """Starts moto on 127.0.0.1 (port 0: a free one) and points this process at it."""
    # werkzeug logs one line per moto call; the dev console shows requests to the API instead.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound_port = server.get_host_and_port()
    endpoint_url = f"http://{host}:{bound_port}"
    use_dummy_credentials(endpoint_url)
    return EmbeddedAws(server=server, endpoint_url=endpoint_url)
