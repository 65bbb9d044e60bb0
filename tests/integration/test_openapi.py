"""GET /openapi.json: generated from the functions' own routes, matching the template."""

from devstack.template import routes


def test_the_document_covers_every_public_route_of_the_template(api):
    answer = api.get("/openapi.json")
    assert answer.status == 200
    document = answer.json()
    assert document["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}
    # The `$default` route is API Gateway's catch-all (404 not_found), not an operation.
    declared = {(route.method, route.path) for route in routes() if route.method != "OPTIONS" and not route.is_default}
    assert documented == declared


def test_the_submission_schema_is_the_validation_model(api):
    document = api.get("/openapi.json").json()
    schema = document["components"]["schemas"]["SignatureRequest"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "email"]
    assert schema["properties"]["name"]["maxLength"] == 120
    responses = document["paths"]["/campaigns/{campaign_id}/signatures"]["post"]["responses"]
    assert {"202", "400", "403", "404", "410", "413", "415"} <= set(responses)
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


def test_form_encoded_bodies_are_documented_where_forms_are_accepted(api):
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("/campaigns/{campaign_id}/signatures", "/verify", "/withdraw"):
        content = paths[path]["post"]["requestBody"]["content"]
        assert set(content) == {"application/json", "application/x-www-form-urlencoded"}, path


def test_proof_of_human_is_documented_additively(api):
    document = api.get("/openapi.json").json()
    fields = document["components"]["schemas"]["SignatureRequest"]["properties"]
    assert fields["altcha"]["maxLength"] == fields["captcha"]["maxLength"] == 4096
    assert "altcha" not in document["components"]["schemas"]["SignatureRequest"]["required"]
    challenge = document["paths"]["/campaigns/{campaign_id}/challenge"]["get"]["responses"]["200"]
    schema = challenge["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/ChallengeOut")
    assert "429" in document["paths"]["/campaigns/{campaign_id}/signatures"]["post"]["responses"]


def test_the_count_is_documented_by_its_handler_and_its_answer_shape(api):
    # The count answers without the resolver (undersigned.one_route); its route is still
    # declared once, in its function, and documented as the resolver's routes are.
    operation = api.get("/openapi.json").json()["paths"]["/campaigns/{campaign_id}/count"]["get"]
    assert operation["summary"] == "A campaign's count of verified signatures"
    assert operation["description"].startswith("May lag the truth by a few seconds.")
    assert [parameter["name"] for parameter in operation["parameters"]] == ["campaign_id"]
    for status in ("200", "304"):
        assert operation["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith("/CountOut")
    assert {"404", "503"} <= set(operation["responses"])
