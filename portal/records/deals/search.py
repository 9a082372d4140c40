"""Search adapter of deals (kind "deal"): readable exactly as the deal is (its own keys:
customer's keys, owner's chain, co-owners). Imported from records/search.py."""

from __future__ import annotations

from collections.abc import Iterator

from portal.records.customers.search import _join
from portal.records.deals.models import Deal
from portal.search.documents import SearchDocument
from portal.search.registry import SearchAdapter, register

DEAL_EVENTS = (
    "records.deal_created", "records.deal_updated", "records.deal_stage_changed",
    "records.deal_won", "records.deal_lost", "records.deal_abandoned", "records.deal_reopened",
    "records.deal_completed", "records.deal_handed_over", "records.deal_access_changed",
    "records.deal_competitor_added",
)  # fmt: skip


# A customer going to (or back from) the recycle bin takes its deals out of (or back into) search.
CUSTOMER_EVENTS = ("records.customer_deleted", "records.customer_restored")


class DealAdapter(SearchAdapter):
    def __init__(self) -> None:
        super().__init__(
            kinds=("deal",), group="records", models=(Deal,),
            index_events={
                **dict.fromkeys(DEAL_EVENTS, "deal_id"),
                **dict.fromkeys(CUSTOMER_EVENTS, "customer_id"),
            },
        )  # fmt: skip

    def queryset(self):
        from portal.records.deals.policy import live_deals

        return (
            live_deals()
            .select_related("owner", "customer", "stage")
            .prefetch_related("products", "competitors")
        )

    def refs_for_event(self, name: str, payload: dict) -> tuple[str, list]:
        if name in CUSTOMER_EVENTS:
            # Re-index the customer's deals: those of a binned customer are not searchable,
            # so indexing removes them; restoring indexes them again.
            deals = Deal.objects.filter(customer_id=payload.get("customer_id"))
            return "index", list(deals.values_list("pk", flat=True))
        return super().refs_for_event(name, payload)

    def build(self, objects: list, keys: dict[int, set[str]]) -> Iterator[SearchDocument]:
        for deal in objects:
            yield SearchDocument(
                kind="deal", object_id=str(deal.pk), title=f"{deal.number} {deal.name}",
                body=_join(
                    deal.customer.name, deal.customer.code, deal.get_state_display(),
                    deal.stage.name if deal.stage_id else "", deal.close_reason, deal.notes,
                    " ".join(entry.name for entry in deal.competitors.all()),
                ),
                url=deal.get_absolute_url(), keys=sorted(keys.get(deal.pk, set())),
                category=deal.state, owner=deal.owner.get_username(),
                products=[product.title for product in deal.products.all()],
                created_at=deal.created_at, updated_at=deal.updated_at,
            )  # fmt: skip


register(DealAdapter())
