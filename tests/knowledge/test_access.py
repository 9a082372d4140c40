"""Restricted standard documents: page, file and API answer 404 to outsiders (DESIGN.md)."""

from __future__ import annotations

import pytest

from portal.core import visibility
from portal.knowledge.permissions import page_keys

from .conftest import SECRET_BYTES

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_restricted_document_is_404_everywhere_for_an_outsider(kb, people, client_for):
    # given sales1 (role Sales, department Sales East), outside the matrix's Managers role
    secret = kb["secret"]
    client = client_for(people["sales1"])
    # when they try the page, the file URL (Wagtail's serve view) and the API
    page_response = client.get(secret.url)
    file_response = client.get(secret.document.url)
    api_detail = client.get(f"/api/v1/knowledge/{secret.pk}/")
    api_list = client.get("/api/v1/knowledge/?type=document")
    # then every one is a 404 and the file's bytes were never sent
    assert page_response.status_code == 404
    assert file_response.status_code == 404
    assert SECRET_BYTES not in _body(file_response)
    assert b"SECRET-MARKER" not in _body(file_response)
    assert api_detail.status_code == 404
    assert api_detail.json() == {"detail": "Not found."} or "detail" in api_detail.json()
    listed = {row["id"] for row in api_list.json()["results"]}
    assert secret.pk not in listed
    assert kb["open_doc"].pk in listed


def test_allowed_role_gets_the_page_the_file_and_the_api(kb, people, client_for):
    secret = kb["secret"]
    client = client_for(people["manager"])
    assert client.get(secret.url).status_code == 200
    file_response = client.get(secret.document.url)
    assert file_response.status_code == 200
    assert _body(file_response) == SECRET_BYTES
    detail = client.get(f"/api/v1/knowledge/{secret.pk}/").json()
    assert detail["type"] == "document"
    assert detail["details"]["restricted"] is True


def test_editors_and_administrators_reach_restricted_documents(kb, people, client_for):
    secret = kb["secret"]
    for name in ("editor", "admin"):
        client = client_for(people[name])
        assert client.get(secret.url).status_code == 200, name
        assert client.get(secret.document.url).status_code == 200, name


def test_anonymous_visitors_are_sent_to_sign_in_without_the_file(kb, client):
    response = client.get(kb["secret"].document.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert SECRET_BYTES not in response.content
    assert client.get(kb["s1"].url).status_code == 302


def test_restricted_keys_name_roles_departments_owner_and_editors(kb, people, org):
    # given the matrix is opened to the Service department as well
    secret = kb["secret"]
    secret.allowed_departments = [org["service"]]
    secret.save_revision(user=people["admin"]).publish(user=people["admin"])
    # then its keys are exactly those, and the service engineer may read it
    managers = visibility.group_key(secret.allowed_groups.get().pk)
    keys = visibility.object_keys(secret.page_ptr)
    assert keys == page_keys(secret)
    assert managers in keys
    assert visibility.department_key(org["service"].pk) in keys
    assert visibility.STAFF not in keys


def test_open_pages_are_readable_by_all_staff(kb, people, client_for):
    assert visibility.object_keys(kb["s1"].page_ptr) == {visibility.STAFF}
    client = client_for(people["newhire"])
    assert client.get(kb["s1"].url).status_code == 200
    assert client.get(kb["open_doc"].document.url).status_code == 200
