"""A campaign: one open letter or petition, its settings, and the rules that depend on it alone.

Every setting an organiser may give is declared once, as a field of `Campaign` made with
`setting(...)`: its type, its default and the rule its value must meet. The store's
stored attributes, the admin API's validation and its OpenAPI schema
(`schemas.CampaignSettingsIn`) all derive from those fields.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any, Callable, Literal, get_args
from urllib.parse import urlsplit

from undersigned import catalogue

CAMPAIGN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ANY_ORIGIN = "*"
# Proof of human a campaign may ask for: none, the self-hosted proof of work, or a hosted widget.
HumanCheck = Literal["none", "altcha", "turnstile", "hcaptcha"]
HUMAN_CHECKS: tuple[str, ...] = get_args(HumanCheck)
# What happens to a submission from a throwaway-mailbox service.
DisposablePolicy = Literal["quarantine", "refuse", "accept"]
DISPOSABLE_POLICIES: tuple[str, ...] = get_args(DisposablePolicy)
MAX_MILESTONES = 50
MAX_TITLE, MAX_STATEMENT = 200, 20_000
LETTER_PARTS = ("title", "statement")
DEFAULT_SENDER = "Undersigned"
# The signature layout of a campaign created before signatures were spread over several
# partition keys (see `store.signatures`): all on the campaign's one key.
ONE_KEY = 1

# A rule answers what is wrong with a value (a sentence naming the field), or None.
Rule = Callable[[Any], "str | None"]


def is_campaign_id(value: str) -> bool:
    return bool(CAMPAIGN_ID.match(value or ""))


def parse_instant(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_instant(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- the rules settings follow
def _whole(value: object, low: int, high: int | None = None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value and (high is None or value <= high)


def _between(name: str, high: int) -> Rule:
    return lambda value: None if _whole(value, 1, high) else f"{name} must be a whole number from 1 to {high}"


def _one_of(name: str, choices: tuple[str, ...]) -> Rule:
    return lambda value: None if value in choices else f"{name} must be one of " + ", ".join(choices)


def _text(name: str) -> Rule:
    return lambda value: None if isinstance(value, str) and value.strip() else f"{name} is required text"


def _id_rule(value: Any) -> str | None:
    return None if is_campaign_id(str(value or "")) else "id must match ^[a-z0-9][a-z0-9-]{1,62}$"


def _goal_rule(value: Any) -> str | None:
    return None if value is None or _whole(value, 1) else "goal must be a positive whole number or null"


def _instant_or_none(value: Any) -> datetime | None:
    return parse_instant(value) if value is not None else None


def _closes_at_rule(value: Any) -> str | None:
    try:
        _instant_or_none(value)
    except (TypeError, ValueError, AttributeError):
        return "closes_at must be an ISO 8601 instant such as 2027-01-31T23:59:59Z"
    return None


# A host as a CSP source may name it: a DNS name (IDNA-encoded) or an IP address.
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]` of an http(s) URL (no user, path or query), or None where the URL
    names no host that a header (CORS, a page's CSP) could carry as it is."""
    if not url:
        return None
    parts = urlsplit(url)
    try:
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    host = f"[{host}]" if ":" in host else host
    if parts.scheme.lower() not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def _origin_ok(origin: object) -> bool:
    if origin == ANY_ORIGIN:
        return True
    if not isinstance(origin, str):
        return False
    return origin_of(origin) == origin


def _origins_rule(value: Any) -> str | None:
    if isinstance(value, list) and all(map(_origin_ok, value)):
        return None
    return 'allowed_origins must be a list of origins like "https://example.org", or "*"'


def _thank_you_rule(value: Any) -> str | None:
    # The answer's Location header carries it as it is: no space or control character.
    if value is None or (isinstance(value, str) and origin_of(value) and value.isprintable() and " " not in value):
        return None
    return "thank_you_url must be an http(s) URL with a host name"


def _network_ok(text: object) -> bool:
    try:
        ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        return False
    return isinstance(text, str)


def _trusted_rule(value: Any) -> str | None:
    if isinstance(value, list) and all(map(_network_ok, value)):
        return None
    return 'trusted_addresses must be a list of addresses or networks like "192.0.2.0/24"'


def _milestones_rule(value: Any) -> str | None:
    milestones = value or []
    if isinstance(milestones, list) and len(milestones) <= MAX_MILESTONES and all(_whole(m, 1) for m in milestones):
        return None
    return f"milestones must be a list of at most {MAX_MILESTONES} positive whole numbers"


def _email_texts_rule(value: Any) -> str | None:
    allowed = frozenset(catalogue.section(catalogue.DEFAULT, "email"))
    if value is None or (
        isinstance(value, dict)
        and all(
            isinstance(locale, str)
            and isinstance(texts, dict)
            and set(texts) <= allowed
            and all(isinstance(text, str) and len(text) <= 2000 for text in texts.values())
            for locale, texts in value.items()
        )
    ):
        return None
    return f"email_texts must map locales to objects with {sorted(allowed)} as text"


def _language_rule(value: Any) -> str | None:
    return None if value in catalogue.LANGUAGES else "default_locale must be one of " + ", ".join(catalogue.LANGUAGES)


def _letter_ok(letter: Any) -> bool:
    return (
        isinstance(letter, dict)
        and set(letter) == set(LETTER_PARTS)
        and all(isinstance(letter[part], str) and letter[part].strip() for part in LETTER_PARTS)
        and len(letter["title"]) <= MAX_TITLE
        and len(letter["statement"]) <= MAX_STATEMENT
    )


def _translations_rule(value: Any) -> str | None:
    if value is None or (isinstance(value, dict) and all(lang in catalogue.LANGUAGES and _letter_ok(letter) for lang, letter in value.items())):
        return None
    return (
        "translations must map languages (" + ", ".join(catalogue.LANGUAGES) + ') to {"title": ..., "statement": ...}'
        f" (title at most {MAX_TITLE} characters, statement at most {MAX_STATEMENT})"
    )


def _letters(value: Any) -> dict[str, dict[str, str]] | None:
    return {lang: {part: letter[part].strip() for part in LETTER_PARTS} for lang, letter in value.items()} if value else None


def _instant_text(value: Any) -> str | None:
    moment = _instant_or_none(value)
    return format_instant(moment) if moment else None


def _networks(value: Any) -> tuple[str, ...]:
    return tuple(str(ipaddress.ip_network(entry, strict=False)) for entry in value or ())


def _stripped(value: Any) -> str:
    return value.strip()


def setting(default: Any, rule: Rule | None = None, normalise: Callable[[Any], Any] | None = None) -> Any:
    """A field an organiser sets: its default, the rule its value meets, and how it is kept."""
    return field(default=default, metadata={"setting": True, "rule": rule, "normalise": normalise})


@dataclass(frozen=True)
class Campaign:
    id: str = setting("", _id_rule)
    title: str = setting("", _text("title"), _stripped)
    statement: str = setting("", _text("statement"), _stripped)
    goal: int | None = setting(None, _goal_rule)
    closes_at: str | None = setting(None, _closes_at_rule, _instant_text)
    closed: bool = setting(False, normalise=bool)
    allowed_origins: tuple[str, ...] = setting((), _origins_rule, tuple)
    thank_you_url: str | None = setting(None, _thank_you_rule)
    public_signatories: bool = setting(False, normalise=bool)
    sender_name: str = setting(DEFAULT_SENDER, normalise=lambda value: value or DEFAULT_SENDER)
    # Counts announced as MilestoneReached (the goal is announced too).
    milestones: tuple[int, ...] = setting((), _milestones_rule, lambda value: tuple(sorted(set(value or ()))))
    # The organiser's own email texts per locale: {"de": {"subject": ..., "intro": ...}}.
    email_texts: dict[str, dict[str, str]] | None = setting(None, _email_texts_rule, lambda value: value or None)
    # Trust and safety (see README, "Security and privacy"): submissions per caller address per
    # minute and per hour before they are quarantined (far beyond: 429).
    burst_limit: int = setting(10, _between("burst_limit", 10_000))
    hourly_limit: int = setting(60, _between("hourly_limit", 100_000))
    # Addresses or networks (CIDR) exempt from the limits, e.g. an NGO office behind one NAT.
    trusted_addresses: tuple[str, ...] = setting((), _trusted_rule, _networks)
    human_check: HumanCheck = setting("none", _one_of("human_check", HUMAN_CHECKS))
    disposable_addresses: DisposablePolicy = setting("quarantine", _one_of("disposable_addresses", DISPOSABLE_POLICIES))
    # Days after the campaign closes until its signatures are anonymised.
    retention_days: int = setting(365, _between("retention_days", 3650))
    # The language `title` and `statement` are written in, and the letter in others:
    # {"uk": {"title": ..., "statement": ...}}. Also the signer's language when nothing else tells.
    default_locale: str = setting(catalogue.DEFAULT, _language_rule)
    translations: dict[str, dict[str, str]] | None = setting(None, _translations_rule, _letters)
    # Kept by the service, never set by an organiser: the count and the bookkeeping around it.
    count: int = 0
    # Of the count, the verified organisation signatures (the tally moves both together).
    organisations: int = 0
    count_updated_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    # How many partition keys its signatures are spread over, fixed when the campaign is
    # created (`store.campaigns.Campaigns.save`); a campaign stored without it has one.
    signature_shards: int = ONE_KEY

    def is_open(self, now: datetime) -> bool:
        if self.closed:
            return False
        closes = parse_instant(self.closes_at)
        return closes is None or now < closes

    def status(self, now: datetime) -> str:
        return "open" if self.is_open(now) else "closed"

    def closed_since(self, now: datetime) -> datetime | None:
        """When the campaign stopped taking signatures: its closing time, or for one
        closed by hand, the last change of its settings. None while it is open."""
        if self.is_open(now):
            return None
        closes = parse_instant(self.closes_at)
        if closes is not None and closes <= now:
            return closes
        return parse_instant(self.updated_at) or closes or now

    def allows_origin(self, origin: str | None) -> bool:
        """Requests without an Origin (servers, some form posts) are always allowed."""
        if origin is None:
            return True
        return ANY_ORIGIN in self.allowed_origins or origin in self.allowed_origins

    def languages(self) -> list[str]:
        """Every language the letter is written in."""
        return sorted({self.default_locale, *(self.translations or {})})

    def letter(self, wanted: str | None) -> tuple[str, str, str]:
        """(language, title, statement): the letter in `wanted` where the organiser wrote
        one, else in the campaign's default language."""
        translated = (self.translations or {}).get(wanted or "")
        if translated and wanted != self.default_locale:
            return wanted, translated["title"], translated["statement"]  # type: ignore[return-value]
        return self.default_locale, self.title, self.statement

    def title_in(self, lang: str | None) -> str:
        """The letter's title in `lang` where written (for emails and pages), else the default's."""
        return self.letter(lang)[1]

    def public_view(self, now: datetime, wanted: str | None = None) -> dict[str, Any]:
        lang, title, statement = self.letter(wanted)
        return {
            "id": self.id,
            "title": title,
            "statement": statement,
            "goal": self.goal,
            "closes_at": self.closes_at,
            "status": self.status(now),
            "count": self.count,
            "public_signatories": self.public_signatories,
            # The sign form must know which proof of human to send (see humancheck.py).
            "human_check": self.human_check,
            "lang": lang,
            "languages": self.languages(),
        }

    def announced_counts(self) -> list[int]:
        """The counts that raise MilestoneReached: the milestones and the goal, ascending."""
        return sorted({*self.milestones, *([self.goal] if self.goal else [])})

    def settings_document(self) -> dict[str, Any]:
        """Everything an organiser sets, in the shape `campaign_from_document` reads."""
        return {name: list(value) if isinstance(value, tuple) else value for name, value in self.settings().items()}

    def settings(self) -> dict[str, Any]:
        """Every setting's value as kept (tuples, not lists)."""
        return {name: getattr(self, name) for name in SETTINGS}

    def count_view(self) -> dict[str, Any]:
        return {
            "campaign_id": self.id,
            "count": self.count,
            "organisations": self.organisations,
            "goal": self.goal,
            "updated_at": self.count_updated_at or self.created_at or "1970-01-01T00:00:00Z",
        }


SETTINGS = {spec.name: spec for spec in fields(Campaign) if spec.metadata.get("setting")}
REQUIRED_SETTINGS = ("id", "title", "statement")


class CampaignSettingsError(ValueError):
    """A campaign document breaks rules; `problems` pairs each field with what to fix."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(text for _, text in problems))
        self.problems = problems


def campaign_from_document(document: dict[str, Any]) -> Campaign:
    """A campaign from an organiser's settings (JSON), or an error that says what to fix."""
    problems = [(name, f"unknown field {name!r}") for name in sorted(set(document) - set(SETTINGS))]
    for name, spec in SETTINGS.items():
        rule = spec.metadata["rule"]
        # An optional setting left out takes its default, which needs no checking.
        if rule is None or (name not in document and name not in REQUIRED_SETTINGS):
            continue
        text = rule(document.get(name))
        if text:
            problems.append((name, text))
    if problems:
        raise CampaignSettingsError(problems)
    return Campaign(**{name: _kept(name, document.get(name, spec.default)) for name, spec in SETTINGS.items()})


def _kept(name: str, value: Any) -> Any:
    normalise = SETTINGS[name].metadata["normalise"]
    return normalise(value) if normalise else value


def campaign_from_stored(values: dict[str, Any]) -> Campaign:
    """A campaign as the store read it: absent settings take their defaults."""
    kept = {name: _kept(name, values[name]) for name in SETTINGS if values.get(name) is not None}
    service = {name: values[name] for name in ("count_updated_at", "created_at", "updated_at", "signature_shards") if name in values}
    return Campaign(**kept, **service, count=values.get("verified_count", 0), organisations=values.get("organisation_count", 0))
