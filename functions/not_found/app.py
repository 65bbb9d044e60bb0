"""$default: every request that no other route serves (another path, another method, a
trailing slash) answers the contract's `404 not_found`, not API Gateway's own `{"message"}`.

It has no routes: each request is its not-found case (`one_route.Routes`, without the
resolver, so that a scanner's stray requests start it cheaply)."""

from undersigned import http_answers
from undersigned.observability import logger
from undersigned.one_route import Routes

app = Routes(cors=http_answers.ANY_ORIGIN_HEADERS)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
