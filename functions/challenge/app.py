"""GET /campaigns/{campaign_id}/challenge: a fresh proof-of-work challenge (ALTCHA v2)
for the sign form of a campaign that asks for proof of human (`human_check: altcha`)."""

import time

from aws_lambda_powertools.event_handler import Response

from undersigned import http, humancheck, schemas
from undersigned.keys import keys
from undersigned.store.campaigns import Campaigns

app = http.make_app(cors=http.any_origin)


@http.route(app.get, "/campaigns/<campaign_id>/challenge", schemas.answers(schemas.ChallengeOut, "A signed challenge.", 404))
def get_challenge(campaign_id: str) -> Response[schemas.ChallengeOut]:
    """A proof-of-work challenge for the sign form

    For campaigns that ask for proof of human with ALTCHA: the widget solves it and the submission
    sends the solution in `altcha`. Bound to the campaign, valid for 10 minutes, accepted once.
    Never cached.
    """
    campaign = Campaigns().existing(campaign_id)
    challenge = humancheck.new_challenge(campaign.id, keys(), time.time())
    return http.json_response(200, challenge, http.ANY_ORIGIN_HEADERS)


@http.logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
