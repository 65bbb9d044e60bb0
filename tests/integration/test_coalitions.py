"""Organisations sign as organisations (contract v1.1): verified by their domain, listed and
counted apart, featured by organisers; and nobody learns a person's email domain."""

from __future__ import annotations

import json

import pytest

from integration.admin_client import Admin
from integration.test_admin_api import signers
from integration.test_recount import run_recount
from integration.test_signing_journey import sign, verify

HOPE = {
    "name": "Tim Nelson",
    "email": "someone@HopeForJustice.org",
    "signing_as": "organisation",
    "organisation": "Hope for Justice",
    "role": "CEO",
    "country": "GB",
    "public": True,
}
AT_GMAIL = {**HOPE, "name": "Ann Other", "email": "coalition.desk@gmail.com", "organisation": "Freedom Fund", "country": "UA"}
PERSON = {"name": "Olena Koval", "email": "olena@kyiv-lawyers.ua", "organisation": "Kyiv Lawyers", "country": "UA", "public": True}


def signed(api, mailbox, stream, body, campaign="demo"):
    assert sign(api, body, campaign=campaign).status == 202
    mail = mailbox.last_to(delivered_to(body["email"]))
    assert verify(api, mail.token("/verify")).json()["status"] == "verified"
    stream.drain()
    return mail


def delivered_to(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def listed(api, query="", campaign="demo"):
    answer = api.get(f"/campaigns/{campaign}/signatories{query}")
    assert answer.status == 200, answer.text
    return answer.json()


def counts(api, campaign="demo"):
    return api.get(f"/campaigns/{campaign}/count").json()


def countries(api, campaign="demo"):
    return api.get(f"/campaigns/{campaign}/count/countries").json()


@pytest.fixture
def admin(embedded_aws) -> Admin:
    return Admin()


def signer_of(admin, name):
    return next(item["signer"] for item in signers(admin) if item["name"] == name)


class TestSigningAsAnOrganisation:
    def test_an_address_at_the_organisations_domain_verifies_it(self, api, demo, mailbox, stream):
        signed(api, mailbox, stream, HOPE)
        (item,) = listed(api)["items"]
        assert item["kind"] == "organisation" and item["organisation"] == "Hope for Justice"
        assert item["organisation_domain"] == "hopeforjustice.org", "the part after @, lower case"
        assert item["featured"] is False

    def test_an_address_at_a_public_mail_provider_verifies_nothing(self, api, demo, mailbox, stream):
        signed(api, mailbox, stream, AT_GMAIL)
        (item,) = listed(api)["items"]
        assert item["kind"] == "organisation" and item["organisation_domain"] is None

    @pytest.mark.parametrize("address", ["desk@outlook.com", "desk@ukr.net", "desk@proton.me", "desk@ngo.onmicrosoft.com"])
    def test_no_public_mail_provider_ever_gives_a_domain(self, api, demo, mailbox, stream, address):
        signed(api, mailbox, stream, {**HOPE, "email": address})
        (item,) = listed(api)["items"]
        assert item["organisation_domain"] is None

    def test_a_throwaway_mailbox_gives_no_domain(self, api, demo, mailbox, stream, admin):
        signed(api, mailbox, stream, {**HOPE, "email": "desk@mailinator.com"})
        (item,) = signers(admin)
        assert item["state"] == "quarantined" and item["kind"] == "organisation" and item["organisation_domain"] is None

    def test_until_the_address_is_confirmed_the_domain_is_only_claimed(self, api, demo, mailbox, admin):
        sign(api, HOPE)
        (item,) = signers(admin)
        assert item["state"] == "pending" and item["organisation_domain"] is None

    def test_signing_as_an_organisation_requires_the_organisation(self, api, demo):
        answer = sign(api, {**HOPE, "organisation": "  "})
        assert answer.status == 400
        assert answer.json()["error"]["details"] == [{"field": "organisation", "message": "Enter the organisation you sign for."}]
        both = sign(api, {**HOPE, "name": "", "organisation": None})
        assert {detail["field"] for detail in both.json()["error"]["details"]} == {"name", "organisation"}

    def test_signing_as_anything_else_is_refused(self, api, demo):
        answer = sign(api, {**HOPE, "signing_as": "company"})
        assert answer.status == 400 and answer.json()["error"]["details"][0]["field"] == "signing_as"

    def test_the_form_without_javascript_signs_as_an_organisation(self, api, demo, mailbox, stream):
        form = {key: str(value).lower() if isinstance(value, bool) else value for key, value in HOPE.items()}
        assert api.post("/campaigns/demo/signatures", form=form).status == 303
        verify(api, mailbox.last_to(delivered_to(HOPE["email"])).token("/verify"))
        stream.drain()
        assert listed(api)["items"][0]["organisation_domain"] == "hopeforjustice.org"

    def test_the_form_without_an_organisation_gets_a_page_asking_for_it(self, api, demo):
        answer = api.post("/campaigns/demo/signatures", form={"name": "Tim", "email": "tim@hopeforjustice.org", "signing_as": "organisation"})
        assert answer.status == 400 and answer.header("content-type").startswith("text/html")
        assert "Enter the organisation you sign for." in answer.text


class TestTheList:
    def test_kind_filters_and_pages_stay_whole(self, api, demo, mailbox, stream):
        for number in range(3):
            signed(api, mailbox, stream, {**PERSON, "name": f"Person {number}", "email": f"p{number}@example.org"})
            signed(api, mailbox, stream, {**HOPE, "name": f"Signer {number}", "email": f"s{number}@org{number}.example", "organisation": f"Org {number}"})
        organisations = listed(api, "?kind=organisation")["items"]
        assert [item["organisation"] for item in organisations] == ["Org 2", "Org 1", "Org 0"], "newest first"
        assert {item["kind"] for item in listed(api, "?kind=person")["items"]} == {"person"}
        first = listed(api, "?kind=organisation&limit=2")
        second = listed(api, f"?kind=organisation&limit=2&cursor={first['next_cursor']}")
        assert [item["organisation"] for item in first["items"] + second["items"]] == ["Org 2", "Org 1", "Org 0"]
        assert second["next_cursor"] is None
        people = listed(api, "?kind=person&limit=2")
        rest = listed(api, f"?kind=person&limit=2&cursor={people['next_cursor']}")
        assert [item["name"] for item in people["items"] + rest["items"]] == ["Person 2", "Person 1", "Person 0"], "full pages past organisations"
        assert rest["next_cursor"] is None
        assert len(listed(api)["items"]) == 6

    def test_a_bad_kind_or_featured_is_a_validation_error(self, api, demo):
        for query in ("?kind=company", "?featured=yes"):
            answer = api.get(f"/campaigns/demo/signatories{query}")
            assert answer.status == 400 and answer.json()["error"]["code"] == "validation_error"

    def test_organisers_feature_and_unfeature_and_it_is_audited(self, api, demo, mailbox, stream, admin):
        signed(api, mailbox, stream, HOPE)
        signed(api, mailbox, stream, AT_GMAIL)
        signed(api, mailbox, stream, PERSON)
        hope = signer_of(admin, "Tim Nelson")
        assert admin.post(f"/admin/campaigns/demo/signatures/{hope}/feature").json() == {"status": "featured", "signer": hope}
        (featured,) = listed(api, "?featured=true")["items"]
        assert featured["organisation"] == "Hope for Justice" and featured["featured"] is True
        assert listed(api, "?featured=true&kind=organisation")["items"] == [featured]
        assert listed(api, "?featured=true&kind=person")["items"] == []
        assert [item["featured"] for item in listed(api)["items"]] == [False, False, True]
        assert admin.post(f"/admin/campaigns/demo/signatures/{hope}/unfeature").json()["status"] == "unfeatured"
        assert listed(api, "?featured=true")["items"] == []
        actions = [entry["action"] for entry in admin.get("/admin/campaigns/demo/audit").json()["items"]]
        assert actions[:2] == ["unfeature", "feature"]

    def test_only_a_listed_signature_can_be_featured(self, api, demo, mailbox, stream, admin):
        signed(api, mailbox, stream, {**HOPE, "public": False})
        answer = admin.post(f"/admin/campaigns/demo/signatures/{signer_of(admin, 'Tim Nelson')}/feature")
        assert answer.status == 409 and answer.json()["error"]["code"] == "not_listed"

    def test_hiding_takes_a_featured_signatory_off_every_list(self, api, demo, mailbox, stream, admin):
        signed(api, mailbox, stream, HOPE)
        hope = signer_of(admin, "Tim Nelson")
        admin.post(f"/admin/campaigns/demo/signatures/{hope}/feature")
        admin.post(f"/admin/campaigns/demo/signatures/{hope}/hide")
        assert [listed(api, query)["items"] for query in ("", "?kind=organisation", "?featured=true")] == [[], [], []]

    def test_review_and_export_carry_kind_domain_and_featured(self, api, demo, mailbox, stream, admin):
        signed(api, mailbox, stream, HOPE)
        signed(api, mailbox, stream, PERSON)
        admin.post(f"/admin/campaigns/demo/signatures/{signer_of(admin, 'Tim Nelson')}/feature")
        reviewed = {item["name"]: item for item in signers(admin)}
        assert (reviewed["Tim Nelson"]["kind"], reviewed["Tim Nelson"]["organisation_domain"], reviewed["Tim Nelson"]["featured"]) == (
            "organisation", "hopeforjustice.org", True,
        )
        assert (reviewed["Olena Koval"]["kind"], reviewed["Olena Koval"]["organisation_domain"]) == ("person", None)
        exported = {row["name"]: row for row in admin.get("/admin/campaigns/demo/export").json()["items"]}
        assert (exported["Tim Nelson"]["kind"], exported["Tim Nelson"]["organisation_domain"], exported["Tim Nelson"]["featured"]) == (
            "organisation", "hopeforjustice.org", True,
        )
        assert exported["Olena Koval"]["organisation_domain"] is None


class TestCounts:
    def test_organisations_and_countries_are_counted_and_withdrawal_takes_them_down(self, api, demo, mailbox, stream):
        hope = signed(api, mailbox, stream, HOPE)
        signed(api, mailbox, stream, AT_GMAIL)
        signed(api, mailbox, stream, PERSON)
        signed(api, mailbox, stream, {**PERSON, "email": "nobody@example.org", "country": None})
        assert (counts(api)["count"], counts(api)["organisations"]) == (4, 2)
        assert countries(api) == {
            "campaign_id": "demo", "count": 4, "countries": {"GB": 1, "UA": 2}, "unspecified": 1,
            "updated_at": countries(api)["updated_at"],
        }
        api.post("/withdraw", json_body={"token": hope.token("/withdraw")})
        stream.drain()
        assert (counts(api)["count"], counts(api)["organisations"]) == (3, 1)
        assert countries(api)["countries"] == {"UA": 2}

    def test_counts_stay_exact_under_redelivery_and_a_late_duplicate(self, api, demo, mailbox, stream):
        sign(api, HOPE)
        verify(api, mailbox.last_to(delivered_to(HOPE["email"])).token("/verify"))
        batch = stream.read()
        for _ in range(2):
            assert stream.deliver(batch) == {"batchItemFailures": []}
        assert (counts(api)["organisations"], countries(api)["countries"]) == (1, {"GB": 1})
        api.post("/withdraw", json_body={"token": mailbox.last_to(delivered_to(HOPE["email"])).token("/withdraw")})
        stream.drain()
        assert stream.deliver(batch) == {"batchItemFailures": []}, "the old batch again, after the withdrawal"
        assert (counts(api)["count"], counts(api)["organisations"], countries(api)["countries"]) == (0, 0, {})

    def test_a_signer_who_withdraws_and_signs_again_as_a_person_is_counted_as_one(self, api, demo, mailbox, stream):
        hope = signed(api, mailbox, stream, HOPE)
        api.post("/withdraw", json_body={"token": hope.token("/withdraw")})
        stream.drain()
        signed_again = {**PERSON, "email": HOPE["email"]}
        sign(api, signed_again)
        verify(api, mailbox.last_to(delivered_to(HOPE["email"])).token("/verify"))
        stream.drain()
        assert (counts(api)["count"], counts(api)["organisations"]) == (1, 0)
        assert countries(api)["countries"] == {"UA": 1}

    def test_the_recount_repairs_organisations_and_countries_too(self, api, demo, mailbox, stream, capsys):
        sign(api, HOPE)
        verify(api, mailbox.last_to(delivered_to(HOPE["email"])).token("/verify"))
        stream.read()  # lost: the tally never gets it
        answer, _ = run_recount(capsys)
        assert answer["repairs"] > 1, "the count, the organisations and the country, at least"
        assert (counts(api)["count"], counts(api)["organisations"], countries(api)["countries"]) == (1, 1, {"GB": 1})

    def test_count_countries_is_cacheable_with_an_etag_for_any_origin(self, api, demo):
        answer = api.get("/campaigns/demo/count/countries", headers={"origin": "https://partner.example"})
        assert answer.status == 200
        assert answer.header("access-control-allow-origin") == "*"
        assert answer.header("cache-control").startswith("public, max-age=")
        assert "stale-while-revalidate" in answer.header("cache-control")
        again = api.get("/campaigns/demo/count/countries", headers={"if-none-match": answer.header("etag")})
        assert again.status == 304
        assert api.get("/campaigns/nope/count/countries").status == 404


class TestPrivacy:
    """A person's email domain is never shown anywhere public, nor kept."""

    def test_no_email_domain_leaks_for_people(self, api, demo, mailbox, stream, admin):
        person = {**PERSON, "email": "olena@secret-employer.example", "organisation": None}
        signed(api, mailbox, stream, person)
        # Someone typing "organisation" in the organisation field but signing as a person.
        signed(api, mailbox, stream, {**PERSON, "name": "Petro", "email": "petro@another-employer.example"})
        public = [
            listed(api),
            listed(api, "?kind=person"),
            listed(api, "?kind=organisation"),
            counts(api),
            countries(api),
            api.get("/campaigns/demo").json(),
            api.get("/campaigns/demo/count/sources").json(),
        ]
        exported = admin.get("/admin/campaigns/demo/export").json()  # neither consented to updates
        reviewed = signers(admin)
        for seen in [*public, exported, reviewed]:
            text = json.dumps(seen)
            assert "secret-employer" not in text and "another-employer" not in text, seen
        assert all(item["organisation_domain"] is None for item in listed(api)["items"])

    def test_a_person_signature_never_stores_a_domain(self, api, demo, mailbox, stream):
        import boto3

        signed(api, mailbox, stream, {**PERSON, "email": "olena@secret-employer.example"})
        (item,) = boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable")["Items"]
        assert "secret-employer" not in json.dumps(item), "only a keyed hash of the domain is kept"

    def test_an_organisation_that_is_not_public_shows_nothing(self, api, demo, mailbox, stream):
        signed(api, mailbox, stream, {**HOPE, "public": False})
        assert listed(api)["items"] == [] and listed(api, "?kind=organisation")["items"] == []
        assert "hopeforjustice" not in json.dumps([counts(api), countries(api)])

    def test_withdrawal_erases_the_organisations_domain(self, api, demo, mailbox, stream):
        import boto3

        hope = signed(api, mailbox, stream, HOPE)
        api.post("/withdraw", json_body={"token": hope.token("/withdraw")})
        stream.drain()
        (item,) = boto3.client("dynamodb").scan(TableName="undersigned-SignaturesTable")["Items"]
        assert "hopeforjustice" not in json.dumps(item).lower()
