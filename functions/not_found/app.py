"""$default: every request that no other route serves (another path, another method, a
trailing slash) answers the contract's `404 not_found`, not API Gateway's own `{"message"}`.

The resolver has no routes: each request is its not-found case (`http.make_app`)."""

from undersigned import http

app = http.make_app(cors=http.any_origin)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
