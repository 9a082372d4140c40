"""Customer actions: create with code and duplicates, update, contacts, the recycle bin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core import audit, visibility
from portal.records.customers import actions
from portal.records.customers.policy import customers_visible_to
from portal.records.models import Contact, Customer, CustomerShare, ProtectionRules


def test_creating_a_customer_issues_a_code_and_defaults_owner_and_category(people, events):
    # given sales1, when they register a customer with only a name
    customer = actions.create_customer(acting_user=people["sales1"], name="Acme Robotics Ltd")
    # then it has a code from the numbering rule, sales1 owns it, it is "potential"
    assert customer.code.startswith("C") and customer.code.endswith("00001")
    assert customer.owner == people["sales1"]
    assert customer.category.key == "potential"
    assert customer.department == people["sales1"].department
    assert visibility.object_keys(customer) == visibility.owner_keys(people["sales1"])
    assert "records.customer_created" in events.names
    assert "records.customer_access_changed" in events.names
    assert audit.history(customer).filter(action="customer.created").exists()


def test_codes_are_consecutive(people):
    first = actions.create_customer(acting_user=people["sales1"], name="One")
    second = actions.create_customer(acting_user=people["sales1"], name="Two")
    assert int(second.code[-5:]) == int(first.code[-5:]) + 1


def test_duplicate_name_phone_or_email_is_refused_with_the_existing_customer(customer, people):
    # The warning path: a duplicate that is not protected (a protected one is refused outright,
    # tests/records/test_protection.py).
    ProtectionRules(enabled=False).save()
    for fields in (
        {"name": "上海华东精密机械有限公司"},
        {"name": "Other", "phone": customer.phone},
        {"name": "Other 2", "email": "INFO@hdjj.example.cn"},
    ):
        with pytest.raises(actions.DuplicateCustomer) as caught:
            actions.create_customer(acting_user=people["sales2"], **fields)
        assert caught.value.duplicates == [customer]
    assert Customer.objects.count() == 1
    # and it can be created anyway when the person confirms it is a different customer
    actions.create_customer(
        acting_user=people["sales2"], name="上海华东精密机械有限公司", allow_duplicate=True
    )
    assert Customer.objects.count() == 2


def test_a_customer_needs_a_name_and_valid_email(people):
    with pytest.raises(ValidationError) as caught:
        actions.create_customer(acting_user=people["sales1"], name=" ", email="not-an-email")
    assert {"name", "email"} <= set(caught.value.message_dict)
    assert not Customer.objects.exists()


def test_people_without_the_register_permission_cannot_create(people):
    with pytest.raises(PermissionDenied):
        actions.create_customer(acting_user=people["newhire"], name="Nope Ltd")
    assert not Customer.objects.exists()


def test_a_rep_cannot_register_a_customer_for_someone_else(people):
    with pytest.raises(PermissionDenied):
        actions.create_customer(acting_user=people["sales1"], owner=people["sales2"], name="X")
    assert not Customer.objects.exists()
    customer = actions.create_customer(
        acting_user=people["manager"], owner=people["sales2"], name="Y"
    )
    assert customer.owner == people["sales2"]


def test_update_records_the_changes_and_an_event(customer, people, events):
    actions.update_customer(customer, acting_user=people["sales1"], city="苏州", level="A")
    customer.refresh_from_db()
    assert customer.city == "苏州" and customer.level == "A"
    entry = audit.history(customer).filter(action="customer.updated").get()
    assert entry.changes["city"] == ["上海", "苏州"]
    assert events.named("records.customer_updated")[0]["customer_id"] == customer.pk


def test_another_rep_cannot_update_and_nothing_changes(customer, people):
    with pytest.raises(PermissionDenied):
        actions.update_customer(customer, acting_user=people["sales2"], city="北京")
    customer.refresh_from_db()
    assert customer.city == "上海"


def test_contacts_get_codes_and_belong_to_the_customer(customer):
    contacts = list(customer.contacts.order_by("pk"))
    assert [c.name for c in contacts] == ["王芳", "刘强"]
    assert all(c.code.startswith("P") for c in contacts)
    assert contacts[1].do_not_email and not contacts[1].may_email


def test_delete_moves_to_the_bin_and_restore_brings_everything_back(customer, people, events):
    contact_ids = set(customer.contacts.values_list("pk", flat=True))
    actions.share_customer(customer, acting_user=people["sales1"], user=people["sales2"])
    # when deleted
    actions.delete_customer(customer, acting_user=people["sales1"])
    # then it is hidden everywhere but kept, with who and when
    assert not Customer.objects.filter(pk=customer.pk).exists()
    binned = Customer.all_objects.get(pk=customer.pk)
    assert binned.deleted_by == people["sales1"] and binned.deleted_at
    assert not customers_visible_to(people["sales1"]).exists()
    assert not Contact.objects.filter(customer__deleted_at__isnull=True).exists()
    # when restored
    actions.restore_customer(binned, acting_user=people["sales1"])
    restored = Customer.objects.get(pk=customer.pk)
    assert set(restored.contacts.values_list("pk", flat=True)) == contact_ids
    assert CustomerShare.objects.filter(customer=restored, user=people["sales2"]).exists()
    assert [e.action for e in audit.history(restored)][:2] == [
        "customer.restored",
        "customer.deleted",
    ]
    assert {"records.customer_deleted", "records.customer_restored"} <= set(events.names)


def test_purge_is_for_administrators_after_typing_the_code(customer, people, events):
    actions.delete_customer(customer, acting_user=people["sales1"])
    binned = Customer.all_objects.get(pk=customer.pk)
    with pytest.raises(PermissionDenied):
        actions.purge_customer(binned, acting_user=people["manager"], confirm=binned.code)
    with pytest.raises(ValidationError):
        actions.purge_customer(binned, acting_user=people["admin"], confirm="wrong")
    assert Customer.all_objects.filter(pk=customer.pk).exists()
    actions.purge_customer(binned, acting_user=people["admin"], confirm=binned.code)
    assert not Customer.all_objects.filter(pk=customer.pk).exists()
    assert not Contact.all_objects.filter(customer_id=customer.pk).exists()
    assert "records.customer_purged" in events.names


def test_purge_keeps_a_customer_that_has_deals_and_changes_nothing(customer, people, events):
    from portal.core.models import AuditEntry
    from portal.records.deals import actions as deals

    deals.create_deal(acting_user=people["sales1"], customer=customer, name="Tills for 40 stores")
    binned = actions.delete_customer(customer, acting_user=people["sales1"])
    contacts_before = Contact.all_objects.filter(customer=binned).count()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="still has 1 deal;"):
        actions.purge_customer(binned, acting_user=people["admin"], confirm=binned.code)
    assert Customer.all_objects.filter(pk=binned.pk).exists()
    assert Contact.all_objects.filter(customer=binned).count() == contacts_before
    assert AuditEntry.objects.count() == audit_before
    assert "records.customer_purged" not in events.names


def test_purge_refuses_a_customer_that_is_not_in_the_bin(customer, people):
    with pytest.raises(ValidationError):
        actions.purge_customer(customer, acting_user=people["admin"], confirm=customer.code)
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_deleting_a_contact_keeps_it_in_the_bin(customer, people, events):
    contact = customer.contacts.first()
    actions.delete_contact(contact, acting_user=people["sales1"])
    assert not customer.contacts.filter(pk=contact.pk).exists()
    assert Contact.all_objects.filter(pk=contact.pk, deleted_at__isnull=False).exists()
    assert events.named("records.contact_deleted")[0]["customer_id"] == customer.pk
