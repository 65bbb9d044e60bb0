"""The whole local stack: embedded AWS, resources and seed data, API server, stream pollers.

Everything runs in this one process (threads, no children), so stopping the process
stops everything and nothing is left behind.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

import boto3

from devstack import console, embedded_aws, environment, mailbox, resources, seed, streams
from devstack.functions import LocalFunction, local_functions
from devstack.routing import Router
from devstack.server import DevServer, LocalApi, bind
from devstack.template import functions, load_template, resources_of_type, routes, stream_consumers

# Local defaults for the functions' libraries; a developer's own setting wins.
_LOCAL_DEFAULTS = {
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
    "POWERTOOLS_METRICS_DISABLED": "true",  # EMF lines would drown the request log
}


@dataclass
class LocalStack:
    port: int
    aws: embedded_aws.EmbeddedAws
    server: DevServer
    functions: dict[str, LocalFunction]
    seeded: list[str]
    stop_event: threading.Event = field(default_factory=threading.Event)
    pollers: list[streams.ShardPoller] = field(default_factory=list)
    _serving: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self) -> None:
        self._serving = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name="api", daemon=True
        )
        self._serving.start()

    def warm_up(self) -> None:
        """Imports every function now (Lambda would on first use) so import errors show at start."""
        started = time.perf_counter()
        failed = []
        for function in self.functions.values():
            try:
                function.load()
            except Exception as error:  # reported; the route answers 500 until fixed
                failed.append(function.name)
                console.say(f"    {function.name} | cannot be loaded: {error!r}")
        loaded = len(self.functions) - len(failed)
        console.say(f"functions: {loaded} of {len(self.functions)} loaded in {time.perf_counter() - started:.1f} s")

    def stop(self) -> None:
        self.stop_event.set()
        if self._serving:
            self.server.shutdown()
        self.server.server_close()
        for poller in self.pollers:
            poller.join(timeout=5)
        self.aws.stop()


def _create_resources(base_url: str) -> dict[str, str]:
    """Creates the template's resources in moto; returns what `!Ref` gives for each."""
    created: dict[str, str] = {}
    created.update(resources.create_tables(boto3.client("dynamodb")))
    created.update(resources.create_secrets(boto3.client("secretsmanager")))
    created.update(resources.create_queues(boto3.client("sqs")))
    identity = resources.verify_sender(boto3.client("sesv2"))
    created.update({logical_id: identity for logical_id in resources_of_type("AWS::SES::EmailIdentity")})
    return created


def _stream_mappings(local: dict[str, LocalFunction], refs: dict[str, str]) -> list[streams.StreamMapping]:
    mappings = []
    for function_id, table_id, properties in stream_consumers():
        destination = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        queue_id = destination["Fn::GetAtt"][0] if isinstance(destination, dict) else None
        mappings.append(
            streams.StreamMapping(
                function=local[function_id],
                table_name=resources.table_name(table_id),
                properties=properties,
                on_failure_queue_url=refs.get(queue_id) if queue_id else None,
            )
        )
    return mappings


def _seed(base_url: str, port: int) -> list[str]:
    """Seeds the demo campaigns; a failure is reported, not fatal, so the rest stays usable."""
    try:
        return seed.seed_campaigns(base_url, port)
    except Exception as error:
        console.say(f"demo campaigns NOT seeded: {error!r}")
        return []


def start(port: int, aws_port: int = 0) -> LocalStack:
    """Starts everything; the API serves once this returns and `serve()` is called."""
    console.install()
    base_url = f"http://127.0.0.1:{port}"
    template = load_template()
    specs = functions(template)
    local = local_functions(specs)
    server = bind(LocalApi(local, Router(routes(template))), port)
    aws = embedded_aws.start(aws_port)
    try:
        for name, value in _LOCAL_DEFAULTS.items():
            os.environ.setdefault(name, value)
        created = _create_resources(base_url)
        refs = environment.references(created, {"PublicBaseUrl": base_url}, template)
        os.environ.update(environment.union(specs, refs))
        # The template may declare AWS_ENDPOINT_URL (empty) for `sam local` users; here the
        # embedded AWS must win.
        embedded_aws.use_dummy_credentials(aws.endpoint_url)
        mailbox.watch()
        seeded = _seed(base_url, port)
        stack = LocalStack(port=port, aws=aws, server=server, functions=local, seeded=seeded)
        stack.pollers = streams.start_pollers(_stream_mappings(local, refs), stack.stop_event)
    except BaseException:
        server.server_close()
        aws.stop()
        raise
    return stack
