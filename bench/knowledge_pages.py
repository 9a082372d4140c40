"""Knowledge page rendering with 5,000 pages in the tree: p50/p95 per page type, uncached.

    .venv/bin/python bench/knowledge_pages.py [--pages 5000] [--requests 300]

Builds a throwaway SQLite database (or uses DATABASE_URL when it is set: give it a scratch
database), migrates, creates the people and a knowledge home through the app's actions, then
adds the bulk of the product pages directly in the page tree (going through Wagtail's publish
for 5,000 pages would take many minutes and is not what is measured). Every request is a full
Django request through Wagtail's serve view, signed in as a sales person, with no cache.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["AGORA_VAR_DIR"] = tempfile.mkdtemp(prefix="agora-bench-knowledge-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def build(pages: int):
    from django.core.management import call_command
    from django.db import connection, transaction
    from wagtail.models import Page, Site

    from portal.accounts import demo as accounts_demo
    from portal.accounts.models import User
    from portal.core import visibility
    from portal.core.models import ObjectAccess
    from portal.knowledge import actions
    from portal.knowledge.models import (
        CompetitorIndexPage,
        CompetitorPage,
        CompetitorProduct,
        KnowledgeHome,
        ProductIndexPage,
        ProductPage,
    )
    from portal.knowledge.permissions import page_content_type

    call_command("migrate", verbosity=0)
    accounts_demo.seed()
    admin = User.objects.get(username="admin")
    if KnowledgeHome.objects.exists():
        index = ProductIndexPage.objects.get()
        competitors = CompetitorIndexPage.objects.get()
    else:
        root = Site.objects.get(is_default_site=True).root_page
        home = actions.create_page(
            root, KnowledgeHome(title="KB", slug="knowledge"), acting_user=admin
        )
        index = actions.create_page(
            home, ProductIndexPage(title="Products", slug="products"), acting_user=admin
        )
        competitors = actions.create_page(
            home, CompetitorIndexPage(title="Competitors", slug="competitors"), acting_user=admin
        )
    existing = ProductPage.objects.count()
    wanted = pages - existing
    if wanted <= 0:
        return index
    from django.contrib.contenttypes.models import ContentType

    product_ct = ContentType.objects.get_for_model(ProductPage)
    specs = [{"type": "spec", "value": {"label": f"Spec {n}", "value": "42"}} for n in range(6)]
    body = []
    for section in range(5):
        body.append({"type": "heading", "value": f"Section {section}"})
        body.append({"type": "paragraph", "value": "<p>" + "Lorem ipsum dolor. " * 40 + "</p>"})
    started = time.perf_counter()
    index = ProductIndexPage.objects.get(pk=index.pk)
    lines = ["terminals", "scanners", "printers", "software"]
    with transaction.atomic():
        start = index.numchild
        base_rows = []
        for n in range(wanted):
            slug = f"bench-{start + n}"
            base_rows.append(
                Page(
                    path=index._get_path(index.path, index.depth + 1, start + n + 1),
                    depth=index.depth + 1,
                    numchild=0,
                    title=f"Bench product {start + n}",
                    draft_title=f"Bench product {start + n}",
                    slug=slug,
                    url_path=f"{index.url_path}{slug}/",
                    content_type=product_ct,
                    live=True,
                    has_unpublished_changes=False,
                    owner=admin,
                    locale_id=index.locale_id,
                    first_published_at=index.first_published_at,
                    last_published_at=index.first_published_at,
                )
            )
        Page.objects.bulk_create(base_rows, batch_size=500)
        created = Page.objects.filter(
            path__startswith=index.path, depth=index.depth + 1, slug__startswith="bench-"
        ).values_list("pk", "slug")
        for pk, slug in created:
            if ProductPage.objects.filter(pk=pk).exists():
                continue
            number = int(slug.split("-")[1])
            child = ProductPage(
                page_ptr_id=pk,
                product_line=lines[number % 4],
                product_number=f"B-{number}",
                model_name=f"M{number}",
                pitch="A benchmark product.",
                specifications=specs,
                body=body,
                list_price=Decimal("999.00"),
                summary="Benchmark product page.",
            )
            child.save_base(raw=True)
        Page.objects.filter(pk=index.pk).update(numchild=start + wanted)
        page_ct = page_content_type()
        have = set(
            ObjectAccess.objects.filter(content_type=page_ct).values_list("object_id", flat=True)
        )
        ObjectAccess.objects.bulk_create(
            [
                ObjectAccess(content_type=page_ct, object_id=pk, key=visibility.STAFF)
                for pk, _slug in created
                if pk not in have
            ],
            batch_size=1000,
        )
        # Some realism: each product has 3 related products, every tenth a competitor.
        ids = [pk for pk, _slug in created]
        through = ProductPage.related_products.through
        through.objects.bulk_create(
            [
                through(from_productpage_id=pk, to_productpage_id=random.choice(ids))
                for pk in ids
                for _ in range(3)
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
    if not CompetitorPage.objects.exists():
        competitor = CompetitorPage(title="Rival", slug="rival")
        for pk in ids[::500]:
            competitor.products.add(CompetitorProduct(name=f"Rival {pk}", our_product_id=pk))
        actions.create_page(competitors, competitor, acting_user=admin)
    # Statistics for the bulk-loaded tables, as production's autovacuum would have gathered by
    # now (and a server with autovacuum off never would): without them PostgreSQL drove the
    # related-products panels from every visible page's access rows (35 ms each) instead of
    # from the page's three related rows.
    import benchdb

    benchdb.analyze()
    print(
        f"built {wanted} product pages in {time.perf_counter() - started:.1f} s "
        f"({connection.vendor})"
    )
    return index


BREAKDOWN = False  # --breakdown: where each page type's time goes, with the slowest plans


def measure(label: str, client, urls: list[str], requests: int) -> None:
    import benchdb

    timings, queries = benchdb.get_pages(client, urls, requests, choose=random.choice)
    p50, p95 = benchdb.p50_p95(timings)
    print(
        f"{label:<28} n={requests:<5} p50={p50:6.1f} ms  "
        f"p95={p95:6.1f} ms  max={timings[-1]:6.1f} ms  queries={min(queries)}–{max(queries)}"
        f"  (load average {benchdb.load()}; {benchdb.cpu_note()})"
    )
    if BREAKDOWN:
        benchdb.page_breakdown(client, urls[:20], label)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--breakdown", action="store_true",
        help="per page type: connection, statements, rendering and the slowest statements' plans",
    )  # fmt: skip
    args = parser.parse_args()
    global BREAKDOWN
    BREAKDOWN = args.breakdown
    import benchdb

    benchdb.prepare(fresh=False)  # PostgreSQL: create the scratch database when missing
    setup_django()
    from django.test import Client
    from wagtail.models import Page

    from portal.accounts.models import User
    from portal.knowledge.models import CompetitorPage, ProductPage

    random.seed(5)
    index = build(args.pages)
    total = Page.objects.count()
    client = Client()
    client.force_login(User.objects.get(username="sales1"))
    products = [p.url for p in ProductPage.objects.live().order_by("?")[:500]]
    print(f"pages in the tree: {total}")
    client.get(products[0])  # first request warms imports and template loading
    measure("product page", client, products, args.requests)
    measure(
        "competitor page",
        client,
        [p.url for p in CompetitorPage.objects.live()],
        max(args.requests // 5, 20),
    )
    index_url = Page.objects.get(pk=index.pk).specific.url
    measure(
        "product index (page 1..5)",
        client,
        [f"{index_url}?page={n}" for n in range(1, 6)],
        max(args.requests // 5, 20),
    )
    measure(
        "product index filtered",
        client,
        [f"{index_url}?line=scanners&page=3"],
        max(args.requests // 10, 20),
    )
    measure("knowledge home", client, ["/knowledge/"], max(args.requests // 10, 20))
    measure(
        "API list ?type=product",
        client,
        ["/api/v1/knowledge/?type=product&page=7"],
        max(args.requests // 10, 20),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
