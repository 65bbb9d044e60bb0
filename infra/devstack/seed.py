"""The campaigns `make dev` starts with, exactly as the contract's "Local development" lists them.

They are written through the core's own campaign command, so the local stack stores
campaigns the way an organiser's deploy does.
"""

from __future__ import annotations

from typing import Any

DEMO_STATEMENT = (
    "We, the undersigned, ask that every open letter be easy to sign, hard to fake and honest about its count."
)
# The demo letter in two more languages, so that a reader in them gets it in theirs.
DEMO_TRANSLATIONS = {
    "uk": {
        "title": "Демонстраційний лист",
        "statement": "Ми, що нижче підписалися, просимо, щоб кожен відкритий лист було легко підписати, важко підробити і чесно полічити.",
    },
    "ar": {
        "title": "رسالة تجريبية",
        "statement": "نحن الموقّعين أدناه نطالب بأن تكون كل رسالة مفتوحة سهلة التوقيع، صعبة التزوير، وصادقة في عدّ تواقيعها.",
    },
}


def demo_campaigns(base_url: str, port: int) -> list[dict[str, Any]]:
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    common = {
        "statement": DEMO_STATEMENT,
        "closes_at": None,
        "allowed_origins": origins,
        "sender_name": "Undersigned (local)",
    }
    return [
        {
            **common,
            "id": "demo",
            "title": "Demo letter",
            "goal": 100,
            "closed": False,
            # The demo partner page: form posts come back to it with ?status=...
            "thank_you_url": f"{base_url}/_dev/demo",
            "public_signatories": True,
            "translations": DEMO_TRANSLATIONS,
        },
        {
            **common,
            "id": "demo-closed",
            "title": "Demo letter (closed)",
            "goal": None,
            "closed": True,
            "thank_you_url": None,
            "public_signatories": True,
        },
        {
            **common,
            "id": "demo-private",
            "title": "Demo letter (private list)",
            "goal": None,
            "closed": False,
            "thank_you_url": None,
            "public_signatories": False,
        },
    ]


def seed_campaigns(base_url: str, port: int) -> list[str]:
    """Stores the demo campaigns (env CAMPAIGNS_TABLE and COUNTERS_TABLE must be set); returns their ids."""
    from undersigned.campaign_file import put_campaign  # the core; imported once its env is set

    documents = demo_campaigns(base_url, port)
    for document in documents:
        put_campaign(document)
    return [document["id"] for document in documents]
