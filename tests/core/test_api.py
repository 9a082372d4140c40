"""API base: token and session auth, JSON errors everywhere under /api/, the schema."""

from django.core.management import call_command
from rest_framework.authtoken.models import Token


def test_api_token_command_prints_a_working_token(people, api_client, capsys):
    call_command("api_token", "sales1")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=people["sales1"]).key == key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api_client.get("/api/v1/people/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "sales1"


def test_api_token_for_an_unknown_user_fails_clearly(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named"):
        call_command("api_token", "ghost")


def test_anonymous_requests_get_json_401_or_403(api_client, db):
    response = api_client.get("/api/v1/people/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_unknown_api_paths_answer_json_404(client, db):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_collections_are_paginated(api_client, people):
    api_client.force_authenticate(people["sales1"])
    body = api_client.get("/api/v1/people/", {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 7 and len(body["results"]) == 2 and body["next"]


def test_bad_page_is_a_json_404(api_client, people):
    api_client.force_authenticate(people["sales1"])
    response = api_client.get("/api/v1/people/", {"page": 99})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/people/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg.com" not in docs.content


def test_an_actions_refusal_reaches_the_api_caller_with_its_own_message(people, api_client):
    from portal.records.models import Customer

    api_client.force_authenticate(people["newhire"])
    response = api_client.post("/api/v1/customers/", {"name": "Nope Ltd"}, format="json")
    assert response.status_code == 403
    # the action's own words, not DRF's "You do not have permission to perform this action."
    assert "“register” permission for Customer records" in response.json()["detail"]
    assert not Customer.all_objects.filter(name="Nope Ltd").exists()
