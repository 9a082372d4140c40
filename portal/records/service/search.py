"""Search adapter of the service cases (kind "service_case"): readable exactly as the case is
(its own visibility keys, which follow its customer's)."""

from __future__ import annotations

from collections.abc import Iterator

from portal.records.service.actions import CASE_EVENTS
from portal.records.service.models import ServiceCase
from portal.search.documents import SearchDocument
from portal.search.registry import SearchAdapter, register


class ServiceCaseAdapter(SearchAdapter):
    def __init__(self) -> None:
        super().__init__(
            kinds=("service_case",),
            group="records",
            models=(ServiceCase,),
            index_events=dict.fromkeys(
                (*CASE_EVENTS, "records.service_case_access_changed"), "case_id"
            ),
        )

    def queryset(self):
        return ServiceCase.objects.select_related("category", "product", "registered_by")

    def build(self, objects: list, keys: dict[int, set[str]]) -> Iterator[SearchDocument]:
        for case in objects:
            parts = (
                case.number, case.customer_name, case.contact_name, case.description,
                case.assessment, case.resolution, case.outcome, case.summary,
            )  # fmt: skip
            yield SearchDocument(
                kind="service_case",
                object_id=str(case.pk),
                title=f"{case.number} {case.title}",
                body="\n".join(part for part in parts if part),
                url=case.get_absolute_url(),
                keys=sorted(keys.get(case.pk, set())),
                category=case.category.name if case.category_id else "",
                owner=case.registered_by.get_username(),
                products=[case.product.title] if case.product_id else [],
                created_at=case.created_at,
                updated_at=case.updated_at,
            )


register(ServiceCaseAdapter())
