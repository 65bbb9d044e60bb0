"""The letter's own page, `GET /letters/{id}` (CONTRACT v1.1, "The letter's own page"): in the
reader's language, whole without JavaScript, safe to cache and to share, and it never shows
what a signer did not agree to show."""

from __future__ import annotations

import base64
import hashlib
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from integration.conftest import BASE_URL, DEMO
from integration.test_coalitions import AT_GMAIL, HOPE, PERSON, signed
from integration.test_letter_languages import LETTER as SAFE_PASSAGE
from undersigned.campaign_file import put_campaign

LETTER = {
    **DEMO,
    "id": SAFE_PASSAGE["id"],
    "title": SAFE_PASSAGE["title"],
    "statement": SAFE_PASSAGE["statement"] + "\n\nAnd to protect those who flee.",
    "thank_you_url": None,
    "translations": {"uk": SAFE_PASSAGE["translations"]["uk"], "ar": {"title": "ممر آمن للفارين من الحرب", "statement": "ندعو الحكومات إلى فتح طرق آمنة."}},
}


class Page(HTMLParser):
    """What a browser (and a link preview) reads from the page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.html: dict[str, str] = {}
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.anchors: list[str] = []
        self.scripts: list[dict[str, str]] = []
        self.inline_scripts: list[str] = []
        self.forms: list[dict[str, str]] = []
        self.fields: list[dict[str, str]] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html = found
        elif tag == "meta" and "content" in found:
            self.meta[found.get("property") or found.get("name", "")] = found["content"]
        elif tag == "link":
            self.links.append(found)
        elif tag == "a":
            self.anchors.append(found.get("href", ""))
        elif tag == "script":
            self.scripts.append(found)
            self._in_script = "src" not in found
        elif tag == "form":
            self.forms.append(found)
        elif tag in ("input", "textarea", "select"):
            self.fields.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts.append(data)

    def canonical(self) -> str:
        return next(link["href"] for link in self.links if link.get("rel") == "canonical")


@pytest.fixture
def letter(embedded_aws) -> dict:
    put_campaign(LETTER)
    return LETTER


def page(api, target: str, **kwargs):
    answer = api.get(target, **kwargs)
    assert answer.status == 200, answer.text
    return answer, Page(answer.text)


class TestLanguages:
    def test_lang_gives_the_page_and_the_letter_in_ukrainian(self, api, letter):
        answer, read = page(api, "/letters/safe-passage?lang=uk")
        assert (read.html["lang"], read.html["dir"]) == ("uk", "ltr")
        assert LETTER["translations"]["uk"]["title"] in answer.text
        assert "Підписати лист" in answer.text and "Хто підписує?" in answer.text

    def test_arabic_from_accept_language_is_right_to_left(self, api, letter):
        answer, read = page(api, "/letters/safe-passage", headers={"accept-language": "ar-EG,ar;q=0.9,en;q=0.4"})
        assert (read.html["lang"], read.html["dir"]) == ("ar", "rtl")
        assert LETTER["translations"]["ar"]["title"] in answer.text

    def test_a_language_the_letter_lacks_gets_the_words_in_it_and_the_letter_in_its_own(self, api, letter):
        answer, read = page(api, "/letters/safe-passage?lang=de")
        assert read.html["lang"] == "de" and "Brief unterschreiben" in answer.text
        assert '<article lang="en" dir="ltr">' in answer.text, "the letter is marked as English inside a German page"
        assert LETTER["title"] in answer.text

    def test_without_a_language_the_campaigns_default_language(self, api, embedded_aws):
        put_campaign({**LETTER, "id": "lyst", "default_locale": "uk", "translations": None})
        _, read = page(api, "/letters/lyst")
        assert read.html["lang"] == "uk"

    def test_count_and_goal_are_written_in_the_pages_language(self, api, letter):
        answer, _ = page(api, "/letters/safe-passage?lang=pl")
        assert "<b>0</b> podpisów" in answer.text and "Cel: 100" in answer.text

    def test_the_count_is_the_tallys_once_signatures_are_verified(self, api, letter, mailbox, stream):
        signed(api, mailbox, stream, PERSON, campaign="safe-passage")
        signed(api, mailbox, stream, HOPE, campaign="safe-passage")
        answer, _ = page(api, "/letters/safe-passage?lang=en")
        assert api.get("/campaigns/safe-passage/count").json()["count"] == 2
        assert "<b>1</b> organisation and <b>1</b>" in answer.text


class TestNotFound:
    @pytest.mark.parametrize("campaign", ["no-such-letter", "Not_An_Id!", "x"])
    def test_an_unknown_or_impossible_campaign_is_a_404_page(self, api, letter, campaign):
        answer = api.get(f"/letters/{campaign}?lang=uk")
        assert answer.status == 404
        assert answer.header("content-type") == "text/html; charset=utf-8"
        assert Page(answer.text).html["lang"] == "uk"

    def test_the_404_page_is_in_arabic_right_to_left_for_an_arabic_reader(self, api, letter):
        answer = api.get("/letters/no-such-letter", headers={"accept-language": "ar"})
        assert answer.status == 404
        assert (Page(answer.text).html["lang"], Page(answer.text).html["dir"]) == ("ar", "rtl")


class TestSharing:
    def test_link_previews_get_title_description_and_the_public_url(self, api, letter):
        _, read = page(api, "/letters/safe-passage?lang=uk")
        url = f"{BASE_URL}/letters/safe-passage?lang=uk"
        assert read.canonical() == url
        assert read.meta["og:url"] == url and read.meta["og:type"] == "website"
        assert read.meta["og:title"] == read.meta["twitter:title"] == LETTER["translations"]["uk"]["title"]
        assert read.meta["og:description"] == read.meta["twitter:description"] == LETTER["translations"]["uk"]["statement"]
        assert read.meta["twitter:card"] == "summary"

    def test_the_share_links_are_plain_links_to_each_service_carrying_the_letters_url(self, api, letter):
        _, read = page(api, "/letters/safe-passage?lang=en")
        url = f"{BASE_URL}/letters/safe-passage?lang=en"
        by_host = {urlsplit(href).netloc or urlsplit(href).scheme: href for href in read.anchors}
        assert url in parse_qs(urlsplit(by_host["mailto"]).query)["body"][0]
        assert url in parse_qs(urlsplit(by_host["wa.me"]).query)["text"][0]
        assert parse_qs(urlsplit(by_host["t.me"]).query)["url"] == [url]
        assert parse_qs(urlsplit(by_host["twitter.com"]).query)["url"] == [url]
        assert parse_qs(urlsplit(by_host["www.facebook.com"]).query)["u"] == [url]
        assert url in read.anchors, "the URL itself, to copy without JavaScript"

    def test_a_long_statement_is_shortened_for_previews(self, api, embedded_aws):
        put_campaign({**LETTER, "id": "long", "statement": "word " * 400})
        _, read = page(api, "/letters/long")
        assert len(read.meta["og:description"]) <= 200 and read.meta["og:description"].endswith("…")


class TestOrganisations:
    def test_verified_organisations_show_their_domain_and_others_none(self, api, letter, mailbox, stream):
        signed(api, mailbox, stream, HOPE, campaign="safe-passage")
        signed(api, mailbox, stream, AT_GMAIL, campaign="safe-passage")
        answer, _ = page(api, "/letters/safe-passage?lang=en")
        hope = re.search(r"<li><strong><bdi>Hope for Justice</bdi></strong>(.*?)</li>", answer.text).group(1)
        freedom = re.search(r"<li><strong><bdi>Freedom Fund</bdi></strong>(.*?)</li>", answer.text).group(1)
        assert "verified: <bdi>hopeforjustice.org</bdi>" in hope
        assert "verified" not in freedom and "gmail.com" not in answer.text
        assert "Signed by <b>2</b> organisations and <b>0</b> people" in answer.text

    def test_a_persons_email_domain_never_shows_nor_do_people_among_organisations(self, api, letter, mailbox, stream):
        signed(api, mailbox, stream, PERSON, campaign="safe-passage")
        signed(api, mailbox, stream, HOPE, campaign="safe-passage")
        answer, _ = page(api, "/letters/safe-passage?lang=en")
        assert "kyiv-lawyers.ua" not in answer.text
        assert "Olena Koval" not in answer.text, "the page lists organisations; people are counted"
        assert "someone@" not in answer.text and "@" not in re.sub(r'href="mailto:[^"]*"', "", answer.text)

    def test_without_a_public_list_no_organisation_is_shown(self, api, embedded_aws, mailbox, stream):
        put_campaign({**LETTER, "id": "quiet", "public_signatories": False})
        signed(api, mailbox, stream, HOPE, campaign="quiet")
        answer, _ = page(api, "/letters/quiet")
        assert "Hope for Justice" not in answer.text and "Organisations that signed" not in answer.text


class TestEscaping:
    def test_script_in_a_title_and_an_organisation_name_is_shown_as_text(self, api, embedded_aws, mailbox, stream):
        hostile = "<script>alert(1)</script>"
        put_campaign({**LETTER, "id": "hostile", "title": f"Title {hostile}", "statement": f"Statement {hostile}", "translations": None})
        signed(api, mailbox, stream, {**HOPE, "organisation": f"Org {hostile}"}, campaign="hostile")
        answer, read = page(api, "/letters/hostile")
        assert "<script>alert" not in answer.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
        assert read.meta["og:title"] == f"Title {hostile}", "the attribute holds the text, escaped"
        assert unescape(re.search(r"<title>(.*?)</title>", answer.text).group(1)) == f"Title {hostile}"


class TestHeaders:
    def test_a_public_cacheable_html_page_varying_by_language(self, api, letter):
        answer, _ = page(api, "/letters/safe-passage")
        assert answer.header("content-type") == "text/html; charset=utf-8"
        cache = answer.header("cache-control")
        assert cache.startswith("public, max-age=") and int(re.search(r"max-age=(\d+)", cache).group(1)) <= 60
        assert answer.header("vary") == "Accept-Language"
        assert answer.header("x-content-type-options") == "nosniff"

    def test_the_policy_runs_only_our_own_scripts_and_the_one_hashed_inline_script(self, api, letter):
        answer, read = page(api, "/letters/safe-passage")
        policy = answer.header("content-security-policy")
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
        (inline,) = read.inline_scripts
        digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
        assert directives["script-src"] == f"'self' 'sha256-{digest}'"
        assert [script["src"] for script in read.scripts if "src" in script] == ["/widget.js"]

    def test_a_reader_with_the_current_copy_gets_304(self, api, letter):
        first = api.get("/letters/safe-passage?lang=en")
        again = api.get("/letters/safe-passage?lang=en", headers={"if-none-match": first.header("etag")})
        assert again.status == 304 and again.text == ""

    def test_a_closed_letter_shows_no_form_and_says_it_is_closed(self, api, embedded_aws):
        put_campaign({**LETTER, "id": "over", "closed": True})
        answer, read = page(api, "/letters/over")
        assert not read.forms and "no longer accepts signatures" in answer.text


class TestSigningFromThePage:
    def form_of(self, text: str) -> tuple[str, dict[str, str]]:
        read = Page(text)
        (form,) = read.forms
        fields = {field["name"]: field.get("value", "") for field in read.fields if field.get("type") not in ("radio", "checkbox")}
        return form["action"], fields

    def test_the_pages_form_posted_as_a_browser_would_stores_a_signature_and_offers_sharing(self, api, letter, mailbox):
        answer, _ = page(api, "/letters/safe-passage?lang=uk")
        action, fields = self.form_of(answer.text)
        assert (action, fields["locale"], fields["website"]) == ("/campaigns/safe-passage/signatures", "uk", "")
        fields.update(name="Olena Koval", email="olena@example.org", signing_as="person", public="true")
        # A browser sends the page's own origin with a form post; the campaign does not list it.
        posted = api.post(action, form=fields, headers={"origin": BASE_URL})
        assert posted.status == 200, posted.text
        after = Page(posted.text)
        assert after.html["lang"] == "uk"
        assert any(href.startswith("https://wa.me/") for href in after.anchors)
        assert f"{BASE_URL}/letters/safe-passage?lang=uk" in after.anchors
        assert "підпис" in mailbox.last_to("olena@example.org").subject.lower()

    def test_another_sites_origin_is_still_refused(self, api, letter):
        posted = api.post("/campaigns/safe-passage/signatures", form={"name": "Mallory", "email": "m@example.org"}, headers={"origin": "https://evil.example"})
        assert posted.status == 403
