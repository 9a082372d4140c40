"""The authorization matrix (issue 14, item 5; decision 0140), generated from the URL resolver,
not hand-listed: every named URL pattern (pages and the API's router routes alike) × the 7 demo
roles and an anonymous visitor.

- Routes without arguments are read by everyone (lists, search and autocomplete also with a
  query that finds the customer): never a 5xx, and nothing of sales1's customer
  (its name, phone, a contact's e-mail, its deal, a binned customer) reaches a reader outside the
  owner's chain (owner, manager, administrator).
- Routes taking one record id get sales1's customer, contact or deal (by the route's name):
  readers outside the chain get 404 (403 where the object is legitimately known; 302 to the
  login page for the anonymous visitor) and no trace of it, the owner's chain reads the detail
  pages and API objects (200) — so the denials mean something.
- Every such route is also written to (POST; PATCH and DELETE on the API) by each role outside
  the chain: a snapshot of the records, access-key, forum and follow tables is the same after.

Slow (hundreds of requests): marked `authz_matrix`, run by `make authz-matrix`, deselected by
`make test`. The size of the matrix is printed."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from portal.records.customers import actions
from tests.records.deal_helpers import open_deal

pytestmark = [pytest.mark.django_db, pytest.mark.authz_matrix]

ROLES = ["admin", "manager", "sales1", "sales2", "service", "editor", "newhire"]
CHAIN = {"admin", "manager", "sales1"}  # owner, manager chain, administrators
OUTSIDERS = [role for role in ROLES if role not in CHAIN]
# Django's admin and Wagtail's admin (/cms/) have their own permission systems, staff only;
# their pages are not generated here.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"logout", "set_language"}  # they end the session or only set a cookie
MISSING = 987654
QUERY = "华东精机"  # the customer's short name (the secrets are its full name, phone, …)
SNAPSHOT_APPS = ("records", "core", "forum")
SNAPSHOT_MODELS = ("notifications.Follow", "notifications.Reminder")


def _routes(resolver=None, namespace=""):
    """(qualified name, argument names) of every named pattern, walking includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(part for part in (namespace, entry.namespace or "") if part)
            if (entry.namespace or "") in SKIPPED_NAMESPACES:
                continue
            yield from _routes(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, tuple(entry.pattern.regex.groupindex)


def _url(name: str, kwargs: dict | None = None) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except Exception:  # noqa: BLE001 (a route that cannot be built from these arguments)
        return None


def _kind(name: str) -> str | None:
    short = name.rsplit(":", 1)[-1].lower()
    for kind in ("contact", "customer", "deal"):
        if short.startswith(kind) or f"-{kind}" in short or f"_{kind}" in short:
            return kind
    return None


def _is_detail(name: str) -> bool:
    short = name.rsplit(":", 1)[-1]
    return short.endswith(("_detail", "-detail"))


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _snapshot() -> dict[str, list]:
    models = [m for label in SNAPSHOT_APPS for m in apps.get_app_config(label).get_models()]
    models += [apps.get_model(label) for label in SNAPSHOT_MODELS]
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


@pytest.fixture
def world(customer, people):
    """sales1's customer (two contacts) and deal; a binned customer of sales1."""
    deal = open_deal(customer, people["sales1"], name="机密产线改造")
    binned = actions.create_customer(acting_user=people["sales1"], name="已删除的秘密客户")
    actions.delete_customer(binned, acting_user=people["sales1"])
    contact = customer.contacts.order_by("pk").first()
    return {
        "customer": customer,
        "contact": contact,
        "deal": deal,
        "secrets": [
            customer.name,
            customer.phone,
            "wangfang@hdjj.example.cn",
            deal.name,
            binned.name,
        ],
    }


def _clients(people) -> dict[str, Client]:
    clients: dict[str, Client] = {}
    for role in ROLES:
        http = APIClient()
        http.force_login(people[role])
        clients[role] = http
    clients["anonymous"] = APIClient()
    return clients


def test_the_authorization_matrix(world, people):
    clients = _clients(people)
    secrets = world["secrets"]
    ids = {kind: world[kind].pk for kind in ("customer", "contact", "deal")}
    plain, by_id, not_generated = [], [], []
    for name, args in _routes():
        short = name.rsplit(":", 1)[-1]
        if short in SKIPPED_NAMES or name.startswith("wagtail") or "format" in args:
            continue
        if not args:
            url = _url(name)
            (plain if url else not_generated).append((url or name, name))
            continue
        kind = _kind(name)
        if kind and args[0] == "pk":
            # sub-records of the record (a share, an activity) get an id that does not exist:
            # the record's own refusal must come first
            extra = dict.fromkeys(args[1:], MISSING)
            url = _url(name, {"pk": ids[kind], **extra})
            if url:
                by_id.append((url, name))
                continue
        not_generated.append((name, name))
    cells, failures = 0, []

    # Reads of the routes without arguments; lists and search also with a query that finds
    # the customer (results, counts, facets and suggestions must not name it to outsiders).
    searched = [
        (f"{url}?q={QUERY}", name)
        for url, name in plain
        if name.endswith(("list", "search", "autocomplete"))
    ]
    for url, name in plain + searched:
        for role, http in clients.items():
            response = http.get(url)
            cells += 1
            if response.status_code >= 500:
                failures.append((role, name, url, response.status_code))
            elif role not in CHAIN:
                leaked = [s for s in secrets if s in _body(response)]
                if leaked:
                    failures.append((role, name, url, "leaks", leaked))

    # Reads of the routes taking sales1's record.
    for url, name in by_id:
        for role, http in clients.items():
            response = http.get(url)
            cells += 1
            status = response.status_code
            if status >= 500:
                failures.append((role, name, url, status))
            elif role in CHAIN:
                if _is_detail(name) and status != 200:
                    failures.append((role, name, url, status, "the owner's chain refused"))
            else:
                allowed = {403, 404, 405} | ({302} if role == "anonymous" else set())
                if status not in allowed:
                    failures.append((role, name, url, status, "read not refused"))
                leaked = [s for s in secrets if s in _body(response)]
                if leaked:
                    failures.append((role, name, url, "leaks", leaked))

    # Writes to the routes taking sales1's record, by everyone outside the chain: refused,
    # and nothing changed.
    writes = 0
    before = _snapshot()
    for url, name in by_id:
        methods = ["post"]
        if url.startswith("/api/"):
            methods += ["patch", "delete"]
        for role in [*OUTSIDERS, "anonymous"]:
            http = clients[role]
            for method in methods:
                response = getattr(http, method)(url, {"name": "overwritten"}, format="json")
                cells += 1
                writes += 1
                if response.status_code >= 500:
                    failures.append((role, method, name, url, response.status_code))
                elif 200 <= response.status_code < 300:
                    failures.append((role, method, name, url, response.status_code, "accepted"))
                after = _snapshot()
                if after != before:
                    changed = [label for label in after if after[label] != before[label]]
                    failures.append((role, method, name, url, "changed", changed))
                    before = after

    print(  # noqa: T201 (the matrix size is part of the report)
        f"\nauthorization matrix: {len(plain)} routes without arguments (+{len(searched)} "
        f"searched) + {len(by_id)} record "
        f"routes × {len(clients)} readers (7 roles + anonymous), {writes} refused writes = "
        f"{cells} cells; {len(not_generated)} patterns take other ids (not built)"
    )
    assert len(plain) > 20 and len(by_id) > 10
    assert failures == [], "\n".join(map(repr, failures))


def test_the_route_kind_guess_names_the_record_it_takes():
    assert _kind("records:customer_detail") == "customer"
    assert _kind("records:deal_edit") == "deal"
    assert _kind("api:contact-detail") == "contact"
    assert _kind("records:service_case_detail") is None
    assert re.match(r"^/", reverse("records:customer_list"))
