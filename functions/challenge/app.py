"""GET /campaigns/{campaign_id}/challenge: a fresh proof-of-work challenge (ALTCHA v2)
for the sign form of a campaign that asks for proof of human (`human_check: altcha`)."""

import time

from undersigned import http_answers, humancheck, schemas
from undersigned.keys import keys
from undersigned.observability import logger
from undersigned.one_route import Routes
from undersigned.store.campaigns import Campaigns

app = Routes(cors=http_answers.ANY_ORIGIN_HEADERS)


@http_answers.route(app.get, "/campaigns/<campaign_id>/challenge", schemas.answers(schemas.ChallengeOut, "A signed challenge.", 404))
def get_challenge(campaign_id: str) -> http_answers.Reply[schemas.ChallengeOut]:
    """A proof-of-work challenge for the sign form

    For campaigns that ask for proof of human with ALTCHA: the widget solves it and the submission
    sends the solution in `altcha`. Bound to the campaign, valid for 10 minutes, accepted once.
    Never cached.
    """
    campaign = Campaigns().existing(campaign_id)
    challenge = humancheck.new_challenge(campaign.id, keys(), time.time())
    return http_answers.json_reply(200, challenge, http_answers.ANY_ORIGIN_HEADERS)


@logger.inject_lambda_context
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
