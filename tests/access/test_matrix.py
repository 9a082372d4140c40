"""An authorization matrix generated from the URL resolver (not hand-listed): every GET route
without arguments, and every route taking one record id, against the demo roles. The customer
of sales1 (with contacts and a deal) must leave no trace for those who may not open it, and
its owner must reach it (so the denials mean something). Prints the matrix size."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.records.deal_helpers import open_deal

pytestmark = [
    pytest.mark.django_db,
    # Unfinished (issue 14, item 5): the first full run (912 cells, 17 min under load) shared
    # one signed-in client between all readers (client_for reuses `client`), so every reader
    # was the last one signed in; each reader now has its own client, but this version has not
    # had a full run yet. Skipped rather than claimed green.
    pytest.mark.skip(reason="authorization matrix not yet run green: see the note above"),
]

ROLES = ["admin", "manager", "sales1", "sales2", "service", "editor", "newhire"]
ALLOWED = {"admin", "manager", "sales1"}  # owner, manager chain, administrators
SKIPPED_NAMESPACES = {"admin", "wagtailadmin", "wagtaildocs", "wagtailimages"}
SKIPPED_NAMES = {"logout", "api-docs", "api-schema"}


def _routes(resolver=None, prefix="", namespace=""):
    """(path, name, converters) of every pattern, walking includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIPPED_NAMESPACES or ns.startswith("wagtail"):
                continue
            yield from _routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            route = prefix + str(entry.pattern)
            if "^" in route or "$" in route or "(?P" in route or "\\" in route:
                continue  # regex routes (catch-alls, media): not generated from here
            converters = getattr(entry.pattern, "converters", {}) or {}
            yield route, f"{namespace}:{entry.name}" if namespace else entry.name, converters


def _secrets(customer, deal):
    return [customer.name, customer.phone, "wangfang@hdjj.example.cn", deal.name]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")


def _signed_in(user) -> Client:
    http = Client()
    http.force_login(user)
    return http


def test_the_authorization_matrix_over_every_get_route(customer, people):
    deal = open_deal(customer, people["sales1"], name="机密产线改造")
    secrets = _secrets(customer, deal)
    plain, by_id = [], []
    for route, name, converters in _routes():
        if name.split(":")[-1] in SKIPPED_NAMES:
            continue
        if not converters:
            plain.append(("/" + route, name))
        elif len(converters) == 1 and "pk" in next(iter(converters)):
            kind = "deal" if "deal" in name else "customer" if "customer" in name else None
            if kind:
                pk = deal.pk if kind == "deal" else customer.pk
                placeholder = f"<int:{next(iter(converters))}>"
                by_id.append(("/" + route.replace(placeholder, str(pk)), name))
    clients = {role: _signed_in(people[role]) for role in ROLES}
    client = Client()
    cells = 0
    failures = []
    for url, name in plain:
        for role, http in [*clients.items(), ("anonymous", client)]:
            response = http.get(url)
            cells += 1
            if response.status_code >= 500:
                failures.append((role, name, response.status_code))
            if role not in ALLOWED:
                body = _body(response)
                leaked = [s for s in secrets if s and s in body]
                if leaked:
                    failures.append((role, name, leaked))
    for url, name in by_id:
        for role, http in [*clients.items(), ("anonymous", client)]:
            response = http.get(url)
            cells += 1
            if role in ALLOWED:
                # Reading is theirs (a detail page answers 200); some actions are not (403).
                refused = response.status_code != 200 and name.endswith("_detail")
                if response.status_code >= 500 or refused:
                    failures.append((role, name, response.status_code, "owner side refused"))
            else:
                if response.status_code not in (302, 403, 404, 405):
                    failures.append((role, name, response.status_code))
                leaked = [s for s in secrets if s and s in _body(response)]
                if leaked:
                    failures.append((role, name, leaked))
    print(  # noqa: T201 (the matrix size is part of the report)
        f"authorization matrix: {len(plain)} plain GET routes + {len(by_id)} record routes "
        f"x {len(ROLES) + 1} readers = {cells} cells"
    )
    assert plain and by_id
    assert failures == []
