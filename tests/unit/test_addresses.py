"""Duplicate detection sees one mailbox under its many spellings; mail still goes where it was sent."""

import pytest

from undersigned.addresses import canonical_address, is_disposable, organisation_domain
from undersigned.submission import parse_signature


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Alice@Example.org", "alice@example.org"),
        ("a.l.i.c.e+petitions@gmail.com", "alice@gmail.com"),
        ("Alice.Adams@GoogleMail.com", "aliceadams@gmail.com"),
        ("alice+news@outlook.com", "alice@outlook.com"),
        ("alice.adams+x@icloud.com", "alice.adams@icloud.com"),
        ("alice+tag@proton.me", "alice@proton.me"),
    ],
)
def test_spellings_of_one_mailbox_share_a_canonical_form(given, canonical):
    assert canonical_address(given) == canonical


@pytest.mark.parametrize(
    "distinct",
    ["alice+sales@example.org", "a.lice@example.org", "alice.adams@outlook.com"],
)
def test_where_the_provider_may_tell_them_apart_nothing_but_case_is_folded(distinct):
    assert canonical_address(distinct) == distinct.lower()


def test_the_canonical_form_never_changes_where_mail_goes():
    request = parse_signature({"name": "Alice", "email": "A.lice+Letters@gmail.com"}, from_form=False)
    assert request.email == "A.lice+Letters@gmail.com"
    assert request.canonical_email == "alice@gmail.com"


@pytest.mark.parametrize(
    ("address", "disposable"),
    [
        ("someone@mailinator.com", True),
        ("someone@sub.mailinator.com", True),
        ("someone@MAILINATOR.COM", True),
        ("someone@example.org", False),
        ("someone@gmail.com", False),
    ],
)
def test_throwaway_mailbox_services_are_recognised(address, disposable):
    assert is_disposable(address) is disposable


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("someone@HopeForJustice.org", "hopeforjustice.org"),
        ("desk@uk.hopeforjustice.org", "uk.hopeforjustice.org"),
        ("x@gmail.com", None),
        ("x@googlemail.com", None),
        ("x@hotmail.co.uk", None),
        ("x@wp.pl", None),
        ("x@ukr.net", None),
        ("x@web.de", None),
        ("x@yahoo.ro", None),
        ("x@laposte.net", None),
        ("x@tuta.io", None),
        ("x@riseup.net", None),
        ("x@anyone.onmicrosoft.com", None),
        ("x@mailinator.com", None),
    ],
)
def test_only_a_domain_where_not_anyone_can_have_an_address_speaks_for_an_organisation(address, domain):
    assert organisation_domain(address) == domain
