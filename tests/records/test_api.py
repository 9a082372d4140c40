"""The customer and contact API: same visibility and permissions as the pages."""

from portal.records.customers import actions
from portal.records.models import Customer, ProtectionRules


def test_create_needs_only_a_name(api_client, people):
    api_client.force_authenticate(people["sales1"])
    response = api_client.post("/api/v1/customers/", {"name": "Nordic Pumps AB"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith("C") and body["owner"] == "sales1"
    assert body["category"] == "potential"


def test_create_errors_are_json_field_errors(api_client, people):
    api_client.force_authenticate(people["sales1"])
    response = api_client.post("/api/v1/customers/", {"name": "", "email": "bad"}, format="json")
    assert response.status_code == 400
    assert {"name", "email"} <= set(response.json())
    assert not Customer.objects.exists()


def test_duplicates_answer_409_with_the_existing_customer(api_client, people, customer):
    ProtectionRules(enabled=False).save()  # a duplicate that is not protected: only a warning
    api_client.force_authenticate(people["sales2"])
    response = api_client.post("/api/v1/customers/", {"name": customer.name}, format="json")
    assert response.status_code == 409
    # sales2 may not open sales1's customer: told who owns it, nothing else (issue 14)
    assert response.json()["duplicates"] == [{"owner": "sales1"}]
    assert customer.phone not in response.content.decode()
    assert customer.code not in response.content.decode()
    assert Customer.objects.count() == 1


def test_a_duplicate_the_requester_may_open_is_named(api_client, people, customer):
    ProtectionRules(enabled=False).save()  # a duplicate that is not protected: only a warning
    api_client.force_authenticate(people["manager"])
    response = api_client.post("/api/v1/customers/", {"name": customer.name}, format="json")
    assert response.status_code == 409
    assert response.json()["duplicates"][0]["id"] == customer.pk


def test_list_and_detail_obey_visibility(api_client, people, customer, sales3):
    api_client.force_authenticate(sales3)
    assert api_client.get("/api/v1/customers/").json()["count"] == 0
    assert api_client.get(f"/api/v1/customers/{customer.pk}/").status_code == 404
    assert api_client.get("/api/v1/contacts/").json()["count"] == 0
    api_client.force_authenticate(people["sales1"])
    body = api_client.get("/api/v1/customers/", {"region": "east"}).json()
    assert body["count"] == 1 and set(body) == {"count", "next", "previous", "results"}
    assert api_client.get("/api/v1/contacts/", {"customer": customer.pk}).json()["count"] == 2


def test_shared_reader_may_read_but_not_update(api_client, people, customer):
    actions.share_customer(customer, acting_user=people["sales1"], user=people["sales2"])
    api_client.force_authenticate(people["sales2"])
    assert api_client.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    response = api_client.patch(
        f"/api/v1/customers/{customer.pk}/", {"city": "北京"}, format="json"
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.city == "上海"


def test_update_and_delete_to_the_bin(api_client, people, customer):
    api_client.force_authenticate(people["sales1"])
    response = api_client.patch(f"/api/v1/customers/{customer.pk}/", {"level": "A"}, format="json")
    assert response.status_code == 200 and response.json()["level"] == "A"
    assert api_client.delete(f"/api/v1/customers/{customer.pk}/").status_code == 204
    assert Customer.all_objects.get(pk=customer.pk).deleted_at is not None
    assert api_client.get(f"/api/v1/customers/{customer.pk}/").status_code == 404


def test_contacts_can_be_added_only_to_editable_customers(api_client, people, customer, sales3):
    api_client.force_authenticate(sales3)
    response = api_client.post(
        "/api/v1/contacts/", {"customer": customer.pk, "name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert customer.contacts.count() == 2
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "name": "Anna Berg", "email": "anna@example.se"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert customer.contacts.count() == 3


def test_manager_transfers_through_the_api(api_client, people, customer):
    api_client.force_authenticate(people["manager"])
    response = api_client.patch(
        f"/api/v1/customers/{customer.pk}/", {"owner": "sales2"}, format="json"
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.owner == people["sales2"]


def test_a_rep_cannot_transfer_through_the_api(api_client, people, customer):
    api_client.force_authenticate(people["sales1"])
    response = api_client.patch(
        f"/api/v1/customers/{customer.pk}/", {"owner": "sales2"}, format="json"
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.owner == people["sales1"]
