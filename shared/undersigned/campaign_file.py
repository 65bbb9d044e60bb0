"""A direct writer of campaign documents, for seeding a table without the API.

    python -m undersigned.campaign_file campaign.json [more.json ...]

Uses the tables named by CAMPAIGNS_TABLE and COUNTERS_TABLE (the count's item keeps a
copy of the goal) and the usual AWS credentials
(AWS_ENDPOINT_URL points it at a local stack). Never touches the count. Organisers
use `undersigned create` instead: it goes through the admin API and the audit log.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from undersigned.campaign import campaign_from_document, format_instant, utc_now
from undersigned.store.campaigns import Campaigns


def put_campaign(document: dict[str, Any]) -> None:
    campaign, store = campaign_from_document(document), Campaigns()
    # A campaign new to the table starts its count item at 0 (nothing in the old place).
    store.save(campaign, format_instant(utc_now()), must_be_new=store.get(campaign.id) is None)


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                put_campaign(json.load(handle))
        except (OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        print(f"{path}: saved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
