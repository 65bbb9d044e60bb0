"""Proof of human, per campaign: the self-hosted proof of work (ALTCHA) and hosted
widgets (Turnstile, hCaptcha) checked against a fake provider on loopback."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from altcha import Challenge, Payload, Solution, solve_challenge

from integration.conftest import DEMO
from integration.safety_helpers import count, only_signature, sign, signatures, verify
from undersigned import config, humancheck, keys
from undersigned.campaign_file import put_campaign

SIGNER = {"name": "Hana Human", "email": "hana@example.org"}


@pytest.fixture
def cheap_work(monkeypatch):
    """The same protocol with a tenth of the rounds, so that solving in a test is quick."""
    monkeypatch.setattr(humancheck, "COST", 500)


@pytest.fixture
def altcha_campaign(embedded_aws, cheap_work):
    put_campaign({**DEMO, "human_check": "altcha"})
    put_campaign({**DEMO, "id": "other-letter", "human_check": "altcha"})


def fetch_challenge(api, campaign="demo") -> dict:
    answer = api.get(f"/campaigns/{campaign}/challenge")
    assert answer.status == 200
    assert answer.header("cache-control") == "no-store"
    assert answer.header("access-control-allow-origin") == "*"
    return answer.json()


def solved(challenge: dict) -> str:
    parsed = Challenge.from_dict(challenge)
    return Payload(parsed, solve_challenge(parsed)).to_base64()


def with_solution(challenge: dict, counter: int, derived_key: str) -> str:
    return Payload(Challenge.from_dict(challenge), Solution(counter, derived_key)).to_base64()


class TestProofOfWork:
    def test_a_solved_challenge_lets_a_person_sign_and_count(self, api, altcha_campaign, mailbox, stream):
        answer = sign(api, {**SIGNER, "altcha": solved(fetch_challenge(api))})
        assert answer.status == 202
        verify(api, mailbox, "hana@example.org")
        stream.drain()
        assert count(api) == 1

    def test_the_campaign_tells_the_sign_form_which_proof_to_send(self, api, altcha_campaign, embedded_aws):
        assert api.get("/campaigns/demo").json()["human_check"] == "altcha"
        put_campaign({**DEMO, "id": "plain-letter"})
        assert api.get("/campaigns/plain-letter").json()["human_check"] == "none"

    def test_the_challenge_is_bound_to_its_campaign_and_expires(self, api, altcha_campaign):
        challenge = fetch_challenge(api)
        assert challenge["parameters"]["data"] == {"campaign": "demo"}
        assert challenge["parameters"]["algorithm"] == "PBKDF2/SHA-256"
        assert challenge["parameters"]["keyPrefix"] == humancheck.KEY_PREFIX
        assert api.get("/campaigns/nowhere/challenge").status == 404

    @pytest.mark.parametrize("proof", [None, "", "not base64!", base64.b64encode(b"[]").decode(), "x" * 5000])
    def test_a_missing_or_broken_proof_is_refused_and_nothing_stored(self, api, altcha_campaign, proof):
        body = {**SIGNER} if proof is None else {**SIGNER, "altcha": proof}
        answer = sign(api, body)
        assert answer.status == 400
        assert [detail["field"] for detail in answer.json()["error"]["details"]] == ["altcha"]
        assert signatures() == []

    def test_a_zero_work_solution_is_refused(self, api, altcha_campaign):
        challenge = fetch_challenge(api)
        prefix = challenge["parameters"]["keyPrefix"]
        # A key that merely claims the prefix, and counters that did no search.
        for proof in (
            with_solution(challenge, 0, prefix + "0" * 62),
            with_solution(challenge, 0, "ff" * 32),
            with_solution(challenge, 0, ""),
        ):
            assert sign(api, {**SIGNER, "altcha": proof}).status == 400
        assert signatures() == []

    def test_a_key_derived_for_the_wrong_counter_is_refused(self, api, altcha_campaign):
        challenge = fetch_challenge(api)
        good = Challenge.from_dict(challenge)
        solution = solve_challenge(good)
        wrong = with_solution(challenge, solution.counter + 1, solution.derived_key)
        assert sign(api, {**SIGNER, "altcha": wrong}).status == 400

    def test_a_challenge_made_easier_by_the_client_is_refused(self, api, altcha_campaign):
        challenge = fetch_challenge(api)
        challenge["parameters"]["keyPrefix"] = ""
        easy = Challenge.from_dict(challenge)
        assert sign(api, {**SIGNER, "altcha": Payload(easy, solve_challenge(easy)).to_base64()}).status == 400

    def test_a_used_challenge_is_not_accepted_twice(self, api, altcha_campaign):
        proof = solved(fetch_challenge(api))
        assert sign(api, {**SIGNER, "altcha": proof}).status == 202
        replay = sign(api, {"name": "Bot", "email": "bot@example.org", "altcha": proof})
        assert replay.status == 400
        assert len(signatures()) == 1

    def test_a_challenge_for_another_campaign_is_refused(self, api, altcha_campaign):
        proof = solved(fetch_challenge(api, "other-letter"))
        assert sign(api, {**SIGNER, "altcha": proof}).status == 400

    def test_an_expired_challenge_is_refused(self, api, altcha_campaign, monkeypatch):
        import time

        challenge = fetch_challenge(api)
        proof = solved(challenge)
        later = time.time() + humancheck.CHALLENGE_SECONDS + 1
        monkeypatch.setattr("altcha.v2.time.time", lambda: later)
        assert sign(api, {**SIGNER, "altcha": proof}).status == 400

    def test_used_challenges_are_remembered_only_until_they_expire(self, api, altcha_campaign):
        from integration.safety_helpers import items

        challenge = fetch_challenge(api)
        sign(api, {**SIGNER, "altcha": solved(challenge)})
        used = [item for item in items("LimitsTable") if item["id"].startswith("pow#")]
        assert [item["expires_at"] for item in used] == [challenge["parameters"]["expiresAt"]]

    def test_a_campaign_without_a_check_ignores_the_field(self, api, demo):
        assert sign(api, {**SIGNER, "altcha": "anything"}).status == 202


class FakeProvider:
    """A siteverify endpoint on loopback: tokens starting with "pass" are genuine."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                fields = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                provider.requests.append(fields)
                success = fields.get("secret") == ["provider-secret"] and fields["response"][0].startswith("pass")
                body = json.dumps({"success": success}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/siteverify"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(monkeypatch):
    fake = FakeProvider()
    yield fake
    fake.stop()


@pytest.fixture(params=["turnstile", "hcaptcha"])
def hosted_campaign(request, embedded_aws, provider, monkeypatch):
    kind = request.param
    monkeypatch.setenv(f"{kind.upper()}_VERIFY_URL", provider.url)
    monkeypatch.setattr(keys, "_load_secret", lambda: {"master_key": "k", f"{kind}_secret_key": "provider-secret"})
    config.reset()
    keys.keys.cache_clear()
    put_campaign({**DEMO, "human_check": kind})
    return kind


class TestHostedWidgets:
    def test_a_genuine_token_passes_and_the_callers_address_is_not_sent(self, api, hosted_campaign, provider, mailbox):
        answer = sign(api, {**SIGNER, "captcha": "pass-123"}, source_ip="198.51.100.9")
        assert answer.status == 202
        assert provider.requests == [{"secret": ["provider-secret"], "response": ["pass-123"]}]
        assert "quarantined" not in only_signature()

    def test_a_rejected_or_missing_token_is_refused(self, api, hosted_campaign):
        for body in ({**SIGNER, "captcha": "fail-1"}, SIGNER):
            answer = sign(api, body)
            assert answer.status == 400
            assert answer.json()["error"]["details"][0]["field"] == "captcha"
        assert signatures() == []

    def test_a_form_post_may_carry_the_widgets_own_field(self, api, hosted_campaign):
        field = "cf-turnstile-response" if hosted_campaign == "turnstile" else "h-captcha-response"
        form = {"name": "Hana", "email": "hana@example.org", field: "pass-9"}
        if hosted_campaign == "hcaptcha":
            form["g-recaptcha-response"] = "pass-9"
        answer = api.post("/campaigns/demo/signatures", form=form)
        assert answer.status == 303
        assert len(signatures()) == 1

    def test_when_the_provider_is_down_the_signature_is_kept_in_quarantine(self, api, hosted_campaign, provider, mailbox):
        provider.stop()
        answer = sign(api, {**SIGNER, "captcha": "pass-1"})
        assert answer.status == 202
        assert only_signature()["quarantined"] is True
        assert mailbox.last_to("hana@example.org")
