"""The whole local stack: embedded AWS, resources and seed data, API server, stream and
queue pollers, and the functions' instances (child processes, which it stops before it exits).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import boto3

from devstack import console, embedded_aws, environment, mailbox, queues, resources, seed, streams
from devstack.functions import FunctionFailed, LocalFunction, local_functions, wait_for_all
from devstack.routing import Router
from devstack.server import DevServer, LocalApi, bind
from devstack.template import functions, load_template, queue_consumers, resources_of_type, routes, stream_consumers

# How long a stop waits for events in flight (and cold starts) before it kills their instances.
_STOP_GRACE_SECONDS = 2

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
    pollers: list[threading.Thread] = field(default_factory=list)
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
        """Starts an instance of every function now (Lambda would on first use), so that
        import errors show at start and the first requests find them warm."""
        started = time.perf_counter()

        def start_one(function: LocalFunction) -> bool:
            try:
                function.load()
                return True
            except FunctionFailed:  # shown on the console; its routes answer 500 until fixed
                return False

        # As many at a time as there are CPUs: a cold start is CPU-bound, and the functions
        # first in the template (the signer's path) are then ready first.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            loaded = sum(pool.map(start_one, self.functions.values()))
        console.say(f"functions: {loaded} of {len(self.functions)} started in {time.perf_counter() - started:.1f} s")

    def stop(self) -> None:
        self.stop_event.set()
        if self._serving:
            self.server.shutdown()
        self.server.server_close()
        for poller in self.pollers:
            poller.join(timeout=5)
        for function in self.functions.values():
            function.stop()
        wait_for_all(self.functions, timeout=_STOP_GRACE_SECONDS)
        for function in self.functions.values():
            function.kill_remaining()
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


def _queue_mappings(local: dict[str, LocalFunction], refs: dict[str, str]) -> list[queues.QueueMapping]:
    mappings = []
    for function_id, queue_id, properties in queue_consumers():
        concurrency = properties.get("ScalingConfig", {}).get("MaximumConcurrency", 1)
        where = f"{function_id}.Events.ScalingConfig.MaximumConcurrency"
        mappings.append(
            queues.QueueMapping(
                function=local[function_id],
                queue_url=refs[queue_id],
                properties=properties,
                concurrency=int(environment.resolve(concurrency, refs, where)),
            )
        )
    return mappings


def _seed(base_url: str, port: int, refs: dict[str, str]) -> list[str]:
    """Seeds the demo campaigns; a failure is reported, not fatal, so the rest stays usable."""
    # The campaign command reads its tables from the environment, as an organiser runs it.
    os.environ["CAMPAIGNS_TABLE"] = refs["CampaignsTable"]
    os.environ["COUNTERS_TABLE"] = refs["CountersTable"]
    try:
        return seed.seed_campaigns(base_url, port)
    except Exception as error:
        console.say(f"demo campaigns NOT seeded: {error!r}")
        return []


def start(port: int, aws_port: int = 0) -> LocalStack:
    """Starts everything; the API serves once this returns and `serve()` is called."""
    base_url = f"http://127.0.0.1:{port}"
    template = load_template()
    specs = functions(template)
    aws = embedded_aws.start(aws_port)
    local: dict[str, LocalFunction] = {}
    server: DevServer | None = None
    try:
        for name, value in _LOCAL_DEFAULTS.items():
            os.environ.setdefault(name, value)
        created = _create_resources(base_url)
        refs = environment.references(created, {"PublicBaseUrl": base_url}, template)
        local = local_functions(specs, environment.instance_environments(specs, refs, dict(os.environ)))
        server = bind(LocalApi(local, Router(routes(template))), port)
        mailbox.watch()
        seeded = _seed(base_url, port, refs)
        stack = LocalStack(port=port, aws=aws, server=server, functions=local, seeded=seeded)
        stack.pollers = [
            *streams.start_pollers(_stream_mappings(local, refs), stack.stop_event),
            *queues.start_pollers(_queue_mappings(local, refs), stack.stop_event),
        ]
    except BaseException:
        if server:
            server.server_close()
        aws.stop()
        raise
    return stack
