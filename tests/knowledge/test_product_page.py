"""Reading a product page: content, the records slot, and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.knowledge import actions
from portal.knowledge.models import ProductDocument, ProductPage

from .conftest import make_document

pytestmark = pytest.mark.django_db


def _grow(kb, people, extra: int, start: int = 0) -> ProductPage:
    """Give S1 `extra` more related products and documents."""
    s1 = ProductPage.objects.get(pk=kb["s1"].pk)
    related = list(s1.related_products.all()) or [kb["s2"]]
    for number in range(start, start + extra):
        related.append(
            actions.create_page(
                kb["products"],
                ProductPage(
                    title=f"Extra {number}", slug=f"extra-{number}", product_line="terminals"
                ),
                acting_user=people["admin"],
            )
        )
        s1.documents.add(
            ProductDocument(
                document=make_document(f"Sheet {number}", f"sheet-{number}.pdf", b"%PDF-1.4")
            )
        )
    s1.related_products.set(related)
    actions.publish_page(s1, acting_user=people["admin"])
    return s1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_product_page_shows_pricing_specs_competitors_and_the_records_slot(kb, people, client_for):
    response = client_for(people["sales1"]).get(kb["s1"].url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "AG-T100" in html and "3,999.00" in html and "15.6 inch" in html
    assert "RuiLink R9" in html  # the competing product, from the competitor page
    assert "kb-related-records" in html  # the slot where records and forum contribute panels


def test_product_page_query_count_does_not_grow_with_related_items(
    kb, people, client_for, django_assert_max_num_queries
):
    client = client_for(people["sales1"])
    small = _grow(kb, people, 1)
    client.get(small.url)  # warm the per-process caches (site root paths, content types)
    baseline = _queries(client, small.url)
    large = _grow(kb, people, 6, start=1)
    with django_assert_max_num_queries(baseline):
        response = client.get(large.url)
    assert response.status_code == 200
    assert response.content.decode().count("Extra ") >= 6
    # The page itself plus the panels other apps contribute (deals naming the product, its
    # sales record, the follow button, discussions): a ceiling that catches a new N+1.
    assert baseline <= 34


def test_records_can_contribute_a_panel_to_competitor_pages(kb, people, client_for):
    # given another app registers a panel for competitor pages (as deals will)
    from portal.core import related
    from portal.core.dashboard import Panel

    def deals_panel(request, obj):
        return Panel("knowledge/tests/panel_probe.html", {"title": obj.title})

    related.register_related("knowledge.competitorpage")(deals_panel)
    try:
        html = client_for(people["sales1"]).get(kb["competitor"].url).content.decode()
    finally:
        related._factories["knowledge.competitorpage"].remove(deals_panel)
    # then its HTML is rendered (not escaped) inside the records slot
    assert '<p class="probe">Open deals naming RuiLink</p>' in html
