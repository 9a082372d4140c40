"""Search adapters of the records (owned by the search app): customers and their contacts,
both readable exactly as the customer is (its visibility keys); records in the recycle bin are
not searchable. Deals and service cases register here when their models exist."""

from __future__ import annotations

from collections.abc import Iterator

from portal.core.visibility import keys_by_object
from portal.records.customers.models import Contact, Customer
from portal.search.documents import SearchDocument
from portal.search.registry import SearchAdapter, register

CUSTOMER_EVENTS = (
    "records.customer_created", "records.customer_updated", "records.customer_deleted",
    "records.customer_restored", "records.customer_transferred", "records.customer_shared",
    "records.customer_access_changed",
)  # fmt: skip


def _join(*parts: object) -> str:
    return "\n".join(str(part) for part in parts if part)


class CustomerAdapter(SearchAdapter):
    def __init__(self) -> None:
        super().__init__(
            kinds=("customer",), group="records", models=(Customer,),
            index_events=dict.fromkeys(CUSTOMER_EVENTS, "customer_id"),
            remove_events={"records.customer_purged": "customer_id"},
        )  # fmt: skip

    def queryset(self):
        return Customer.objects.select_related("owner", "category")

    def build(self, objects: list, keys: dict[int, set[str]]) -> Iterator[SearchDocument]:
        for customer in objects:
            if customer.deleted_at:
                continue
            category = customer.category
            yield SearchDocument(
                kind="customer", object_id=str(customer.pk), title=customer.name,
                body=_join(
                    customer.short_name, customer.code, customer.get_industry_display(),
                    customer.province, customer.city, customer.address, customer.phone,
                    category.name_zh if category else "", customer.notes,
                ),
                url=customer.get_absolute_url(), keys=sorted(keys.get(customer.pk, set())),
                tags=customer.tag_list, category=category.name if category else "",
                owner=customer.owner.get_username(), created_at=customer.created_at,
                updated_at=customer.updated_at,
            )  # fmt: skip


class ContactAdapter(SearchAdapter):
    def __init__(self) -> None:
        super().__init__(
            kinds=("contact",), group="records", models=(Contact,),
            index_events={"records.contact_created": "contact_id",
                          "records.contact_updated": "contact_id"}
            | dict.fromkeys(CUSTOMER_EVENTS, "customer_id"),
            remove_events={"records.contact_deleted": "contact_id"},
        )  # fmt: skip

    def queryset(self):
        return Contact.objects.filter(customer__deleted_at__isnull=True).select_related(
            "customer", "customer__owner"
        )

    def refs_for_event(self, name: str, payload: dict) -> tuple[str, list]:
        if self.index_events.get(name) == "customer_id":
            customer_id = payload.get("customer_id")
            return "index", list(
                Contact.all_objects.filter(customer_id=customer_id).values_list("pk", flat=True)
            )
        return super().refs_for_event(name, payload)

    def keys_for(self, objects: list) -> dict[int, set[str]]:
        by_customer = keys_by_object(Customer, {contact.customer_id for contact in objects})
        return {contact.pk: by_customer.get(contact.customer_id, set()) for contact in objects}

    def build(self, objects: list, keys: dict[int, set[str]]) -> Iterator[SearchDocument]:
        for contact in objects:
            customer = contact.customer
            if contact.deleted_at or customer.deleted_at:
                continue
            yield SearchDocument(
                kind="contact", object_id=str(contact.pk), title=contact.name,
                body=_join(customer.name, contact.title, contact.department, contact.phone,
                           contact.mobile, getattr(contact, "email", ""), contact.notes),
                url=contact.get_absolute_url(), keys=sorted(keys.get(contact.pk, set())),
                owner=customer.owner.get_username(), created_at=contact.created_at,
                updated_at=contact.updated_at,
            )  # fmt: skip


register(CustomerAdapter())
register(ContactAdapter())
