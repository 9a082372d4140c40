"""Customer pages: list with filters and keyset pages, detail, create, edit, bin, transfer."""

from django.urls import reverse

from portal.records.customers import actions
from portal.records.models import Customer


def make_many(owner, count, prefix="Firm"):
    return [
        actions.create_customer(
            acting_user=owner, name=f"{prefix} {i:03d}", region="north" if i % 2 else "east"
        )
        for i in range(count)
    ]


def test_list_shows_only_visible_customers(client_for, people, customer, sales3):
    response = client_for(people["sales1"]).get(reverse("records:customer_list"))
    assert response.status_code == 200
    assert customer.name in response.content.decode()
    response = client_for(sales3).get(reverse("records:customer_list"))
    assert customer.name not in response.content.decode()
    page = response.content.decode()
    assert "No customers to show yet." in page
    assert reverse("records:customer_create") in page
    assert 'id="bulk-actions"' not in page
    assert (
        'id="bulk-actions"'
        in client_for(people["sales1"]).get(reverse("records:customer_list")).content.decode()
    )


def test_empty_list_invites_to_register_only_who_may(client_for, people):
    # The editor may read customers but not register them: no invitation to do what he may not.
    page = client_for(people["editor"]).get(reverse("records:customer_list")).content.decode()
    assert "No customers to show yet." in page
    assert "Customers your team registers or shares with you show here." in page
    assert reverse("records:customer_create") not in page
    assert reverse("records:import_start") not in page
    assert 'id="bulk-actions"' not in page  # nothing to select, no actions on a selection


def test_list_query_count_does_not_grow_with_the_page(
    client_for, people, django_assert_num_queries
):
    make_many(people["sales1"], 30)
    client = client_for(people["sales1"])
    client.get(reverse("records:customer_list"))  # warm the content-type cache
    with django_assert_num_queries(8):
        response = client.get(reverse("records:customer_list"))
    assert response.content.decode().count('name="ids"') == 25
    make_many(people["sales1"], 30, prefix="More")
    with django_assert_num_queries(8):
        client.get(reverse("records:customer_list"), {"sort": "-updated"})


def test_keyset_pages_walk_forward_and_back_without_gaps(client_for, people):
    make_many(people["sales1"], 60)
    from portal.records.customers.queries import (
        CustomerFilters,
        keyset_page,
        visible_filtered_customers,
    )

    queryset = visible_filtered_customers(people["sales1"], CustomerFilters())
    first = keyset_page(queryset, "name")
    second = keyset_page(queryset, "name", after=first.next_cursor)
    third = keyset_page(queryset, "name", after=second.next_cursor)
    names = [c.name for page in (first, second, third) for c in page.items]
    assert names == [f"Firm {i:03d}" for i in range(60)]
    assert not third.next_cursor and not first.previous_cursor
    back = keyset_page(queryset, "name", before=third.previous_cursor)
    assert [c.name for c in back.items] == [c.name for c in second.items]
    newest = keyset_page(queryset, "-created", size=10)
    assert [c.name for c in newest.items][0] == "Firm 059"


def test_filters_and_search_as_you_type(client_for, people, customer):
    make_many(people["sales1"], 3)
    client = client_for(people["sales1"])
    html = client.get(
        reverse("records:customer_list"),
        {"q": "华东"},
        headers={"HX-Request": "true", "HX-Target": "customer-rows"},
    ).content.decode()
    assert customer.name in html and "Firm 000" not in html and "<html" not in html
    html = client.get(reverse("records:customer_list"), {"q": customer.code}).content.decode()
    assert customer.name in html
    html = client.get(reverse("records:customer_list"), {"region": "north"}).content.decode()
    assert "Firm 001" in html and "Firm 000" not in html and customer.name not in html


def test_detail_page_shows_everything_and_404s_for_others(client_for, people, customer, sales3):
    html = client_for(people["sales1"]).get(customer.get_absolute_url()).content.decode()
    for text in (customer.name, customer.code, "王芳", "刘强", "do not email", "History"):
        assert text in html
    assert client_for(sales3).get(customer.get_absolute_url()).status_code == 404
    assert client_for(people["manager"]).get(customer.get_absolute_url()).status_code == 200


def test_create_page_warns_about_duplicates_with_a_link(client_for, people, customer):
    client = client_for(people["sales1"])
    response = client.post(
        reverse("records:customer_create"), {"name": customer.name, "level": "C"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This customer may already exist" in html
    assert customer.get_absolute_url() in html
    assert Customer.objects.count() == 1
    response = client.post(
        reverse("records:customer_create"),
        {"name": customer.name, "level": "C", "allow_duplicate": "1"},
    )
    assert response.status_code == 302
    assert Customer.objects.count() == 2


def test_edit_by_a_reader_is_forbidden_and_nothing_changes(client_for, people, customer):
    actions.share_customer(customer, acting_user=people["sales1"], user=people["sales2"])
    response = client_for(people["sales2"]).post(
        reverse("records:customer_edit", args=[customer.pk]), {"name": "Hacked", "level": "C"}
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "上海华东精密机械有限公司"


def test_add_contact_inline_and_share_and_transfer_from_the_page(client_for, people, customer):
    client = client_for(people["sales1"])
    response = client.post(
        reverse("records:contact_create", args=[customer.pk]),
        {"name": "Tom Baker", "email": "tom@example.com"},
    )
    assert response.status_code == 302
    assert customer.contacts.filter(name="Tom Baker").exists()
    client.post(
        reverse("records:customer_share", args=[customer.pk]), {"user": people["sales2"].pk}
    )
    assert client_for(people["sales2"]).get(customer.get_absolute_url()).status_code == 200
    client = client_for(people["manager"])
    client.post(
        reverse("records:customer_transfer", args=[customer.pk]), {"to_user": people["sales2"].pk}
    )
    customer.refresh_from_db()
    assert customer.owner == people["sales2"]


def test_bulk_transfer_from_the_list(client_for, people):
    firms = make_many(people["sales1"], 3)
    response = client_for(people["manager"]).post(
        reverse("records:customers_bulk"),
        {"action": "transfer", "to_user": people["sales2"].pk, "ids": [firms[0].pk, firms[1].pk]},
    )
    assert response.status_code == 302
    owners = dict(Customer.objects.values_list("name", "owner__username"))
    assert owners == {"Firm 000": "sales2", "Firm 001": "sales2", "Firm 002": "sales1"}


def test_rep_cannot_bulk_transfer(client_for, people):
    firms = make_many(people["sales1"], 2)
    client_for(people["sales1"]).post(
        reverse("records:customers_bulk"),
        {"action": "transfer", "to_user": people["sales2"].pk, "ids": [f.pk for f in firms]},
    )
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"sales1"}


def test_delete_restore_and_purge_pages(client_for, people, customer):
    client = client_for(people["sales1"])
    client.post(reverse("records:customer_delete", args=[customer.pk]))
    assert client.get(customer.get_absolute_url()).status_code == 404
    html = client.get(reverse("records:recycle_bin")).content.decode()
    assert customer.name in html and "Delete for good" not in html
    client.post(reverse("records:customer_restore", args=[customer.pk]))
    assert client.get(customer.get_absolute_url()).status_code == 200
    client.post(reverse("records:customer_delete", args=[customer.pk]))
    admin = client_for(people["admin"])
    purge_url = reverse("records:customer_purge", args=[customer.pk])
    assert admin.get(purge_url).status_code == 200
    admin.post(purge_url, {"confirm": "nope"})
    assert Customer.all_objects.filter(pk=customer.pk).exists()
    admin.post(purge_url, {"confirm": customer.code})
    assert not Customer.all_objects.filter(pk=customer.pk).exists()


def test_dashboard_shows_my_customers(client_for, people, customer, sales3):
    html = client_for(people["sales1"]).get("/").content.decode()
    assert "My customers" in html and customer.name in html
    html = client_for(sales3).get("/").content.decode()
    assert customer.name not in html
    assert "You do not look after any customers yet." in html
