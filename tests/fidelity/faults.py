"""Faults in the tally's count transactions, injected into the core's own DynamoDB client.

A refused transaction never reaches the database; a lost answer is one that landed but
whose reply never came back (a timeout), so the tally reports a failure for work that is done.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

import urllib.request

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from devstack.resources import table_name

_COUNTERS = table_name("CountersTable")
_OPERATION = "dynamodb.TransactWriteItems"


def _campaign_of(actions: list[dict[str, Any]]) -> str | None:
    for action in actions:
        update = action.get("Update", {})
        # A count item (the campaign's, or its shard's: `count#3`), in every count transaction.
        if update.get("TableName") == _COUNTERS and update["Key"].get("counter", {}).get("S", "").partition("#")[0] == "count":
            return update["Key"]["campaign_id"]["S"]
    return None


class TransactionFaults:
    def __init__(self, client: Any) -> None:
        self._refuse: dict[str, set[int]] = {}
        self._lose: dict[str, set[int]] = {}
        self._drop: dict[str, set[int]] = {}
        self.calls: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self._lock = threading.Lock()
        client.meta.events.register(f"before-parameter-build.{_OPERATION}", self._before)
        client.meta.events.register(f"after-call.{_OPERATION}", self._after)
        client.meta.events.register_first(f"before-send.{_OPERATION}", self._send_and_drop)

    def refuse(self, campaign_id: str, call: int = 1) -> None:
        """The campaign's `call`-th count transaction fails before it is sent."""
        self._refuse.setdefault(campaign_id, set()).add(call)

    def lose_answer(self, campaign_id: str, call: int = 1) -> None:
        """The campaign's `call`-th count transaction lands, but its answer is lost."""
        self._lose.setdefault(campaign_id, set()).add(call)

    def drop_connection(self, campaign_id: str, call: int = 1) -> None:
        """The campaign's `call`-th count transaction reaches the database and commits, but the
        connection drops before the answer: botocore itself sends it again, unseen by the tally."""
        self._drop.setdefault(campaign_id, set()).add(call)

    def _send_and_drop(self, request: Any, **_: Any) -> None:
        campaign_id = _campaign_of(json.loads(request.body or b"{}").get("TransactItems", []))
        with self._lock:
            due = self.calls[campaign_id] in self._drop.get(campaign_id, set())
            if due:
                self._drop[campaign_id].discard(self.calls[campaign_id])
        if not due:
            return
        # The signed request as botocore would send it; its answer is thrown away.
        sent = urllib.request.Request(request.url, data=request.body, headers=dict(request.headers), method=request.method)
        with urllib.request.urlopen(sent, timeout=10) as answer:
            assert answer.status == 200, "the dropped transaction committed"
        self.dropped[campaign_id] += 1
        raise ConnectionClosedError(endpoint_url=request.url)

    def _before(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        campaign_id = _campaign_of(params.get("TransactItems", []))
        if campaign_id is None:
            return
        with self._lock:
            self.calls[campaign_id] += 1
            call = self.calls[campaign_id]
        context["fault"] = (campaign_id, call)
        if call in self._refuse.get(campaign_id, ()):
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "injected: throttled"}},
                "TransactWriteItems",
            )

    def _after(self, context: dict[str, Any], **_: Any) -> None:
        campaign_id, call = context.get("fault", (None, 0))
        if call in self._lose.get(campaign_id, ()):
            raise ReadTimeoutError(endpoint_url="injected: the answer was lost")
