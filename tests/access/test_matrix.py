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
from collections import Counter
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from django.apps import apps
from django.urls import reverse

from portal.core.policy import policy_for, registered
from portal.core.testing import capture_events
from portal.forum import actions as forum_actions
from portal.notifications.actions import target_of
from portal.notifications.models import Follow, Level
from portal.notifications.notices import url_of
from portal.records.customers import actions
from portal.records.deals import actions as deal_actions
from tests.access import matrix_world
from tests.access.matrix_world import MARKER, ROLES, clients_for, routes
from tests.access.test_matrix_others import COVERED
from tests.notifications.sockets import notifications, open_socket
from tests.records.deal_helpers import open_deal

pytestmark = [pytest.mark.django_db, pytest.mark.authz_matrix]

CHAIN = {"admin", "manager", "sales1"}  # owner, manager chain, administrators
OUTSIDERS = [role for role in ROLES if role not in CHAIN]
SKIPPED_NAMES = {"logout", "set_language"}  # they end the session or only set a cookie
MISSING = 987654
QUERY = "华东精机"  # the customer's short name (the secrets are its full name, phone, …)
SNAPSHOT_APPS = ("records", "core", "forum")
SNAPSHOT_MODELS = ("notifications.Follow", "notifications.Reminder")


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
    # Indexed as a rebuild indexes, so the searched cells below can find (or leak) them.
    matrix_world.index_everything()
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


def test_the_authorization_matrix(world, people):
    clients = clients_for(people)
    secrets = world["secrets"]
    ids = {kind: world[kind].pk for kind in ("customer", "contact", "deal")}
    plain, by_id, not_generated = [], [], []
    for name, args in routes():
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
            elif role in CHAIN and "?q=" in url and name.endswith("search"):
                # the search finds it for the owner's chain (so the outsiders' misses mean
                # something)
                if world["customer"].get_absolute_url() not in _body(response):
                    failures.append((role, name, url, "the owner's chain did not find it"))
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
        f"{cells} cells; {len(not_generated)} patterns take other ids (test_matrix_others)"
    )
    assert len(plain) > 20 and len(by_id) > 10
    # Every other route with an id says who may read what it shows (test_matrix_others).
    unchecked = sorted({name for _url, name in not_generated} - COVERED)
    assert unchecked == [], f"routes no matrix reads: {unchecked}"
    assert failures == [], "\n".join(map(repr, failures))


def test_the_route_kind_guess_names_the_record_it_takes():
    assert _kind("records:customer_detail") == "customer"
    assert _kind("records:deal_edit") == "deal"
    assert _kind("api:contact-detail") == "contact"
    assert _kind("records:service_case_detail") is None
    assert re.match(r"^/", reverse("records:customer_list"))


# --- search: results, counts, facets, suggestions and autocomplete ------------------------------


def _expected(found, user) -> list:
    return [doc for doc in found if matrix_world.may_see(user, doc.obj)]


def _facet_counts(docs) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter] = {}
    for doc in docs:
        for name, value in doc.facets:
            counts.setdefault(name, Counter())[value] += 1
    return {name: dict(values) for name, values in counts.items()}


def _page_numbers(html: str) -> tuple[int | None, dict[str, int]]:
    """The search page's result count and its per-type facet counts."""
    count = re.search(r'id="result-count">\s*(\d+) results?', html)
    block = html.partition('id="facet-kind"')[2].partition("</div>")[0]
    kinds = {
        kind: int(n)
        for kind, n in re.findall(
            r'href="[^"]*[?&;]type=(\w+)[^"]*">\s*<span>[^<]*</span>'
            r'<span class="badge[^"]*">(\d+)</span>', block
        )
    }  # fmt: skip
    return (int(count.group(1)) if count else None), kinds


def _lookuproutes() -> list[str]:
    """Every named route that completes what is typed (autocomplete, lookups, suggestions)."""
    return sorted(
        name
        for name, args in routes()
        if not args
        and not name.startswith("wagtail")  # the CMS's own (staff only; see matrix_world.routes)
        and re.search(r"autocomplete|lookup|suggest", name.rsplit(":", 1)[-1])
    )


#: What a route that completes typing may name beyond the policy's readers, and why: the
#: service desk registers a complaint for whichever customer calls, so it may pick any live one.
LEGITIMATELY_KNOWN = {
    "records:service_lookup": lambda user, doc: (
        doc.kind == "customer" and matrix_world.may_see_live(doc.obj)
    ),
}


def test_the_search_matrix(people, org, forum, kb):
    """Per role, from the policies: the search API and page find exactly the marked objects the
    reader may open — results, total count, per-type counts and facet counts, each type's own
    count, the broader-query suggestion's count; autocomplete and every lookup route name
    nothing else."""
    with capture_events():
        matrix_world.build(people, org, forum, kb)
    found = matrix_world.index_everything()
    assert {doc.kind for doc in found} >= {"customer", "contact", "deal", "topic", "document"}
    clients = clients_for(people)
    readers = {role: people.get(role) for role in clients}
    kinds = sorted({doc.kind for doc in found})
    lookups = _lookuproutes()
    cells, failures = 0, []
    every_role_sees = set.intersection(
        *({doc.ref for doc in _expected(found, user)} for user in people.values())
    )
    assert {doc.ref for doc in found} - every_role_sees, "the world must deny someone something"
    for role, http in clients.items():
        user = readers[role]
        expected = _expected(found, user)
        refs = {doc.ref for doc in expected}
        denied = [doc for doc in found if doc.ref not in refs]
        titles = {doc.title for doc in expected}

        def fail(*what, role=role):
            failures.append((role, *what))

        # The API: results, count and facets.
        response = http.get("/api/v1/search/", {"q": MARKER, "page_size": 50})
        cells += 1
        if user is None:
            if response.status_code not in (401, 403) or MARKER in _body(response):
                fail("api-search", response.status_code)
        else:
            data = response.json()
            got = {(row["type"], str(row["id"])) for row in data["results"]}
            if got != refs:
                fail("api-search results", sorted(got - refs), "missing", sorted(refs - got))
            if data["count"] != len(refs):
                fail("api-search count", data["count"], len(refs))
            facets = {
                name: {row["value"]: row["count"] for row in rows}
                for name, rows in data["facets"].items()
            }
            wanted = _facet_counts(expected)
            for name in set(facets) | set(wanted):
                if facets.get(name, {}) != wanted.get(name, {}):
                    fail("api-search facet", name, facets.get(name), wanted.get(name))
        # Each type alone: its count.
        for kind in kinds:
            response = http.get("/api/v1/search/", {"q": MARKER, "type": kind})
            cells += 1
            want = sum(doc.kind == kind for doc in expected)
            count = response.json().get("count") if user is not None else None
            if user is not None and count != want:
                fail("api-search type", kind, count, want)
            elif user is None and response.status_code not in (401, 403):
                fail("api-search type", kind, response.status_code)
        # A filter that finds nothing: the broader query it suggests is counted for the reader.
        response = http.get("/api/v1/search/", {"q": f"{MARKER} tag:no-such-tag"})
        cells += 1
        if user is not None:
            suggested = {s["query"]: s["count"] for s in response.json()["suggestions"]}
            if suggested.get(MARKER, 0) != len(refs):
                fail("api-search suggestion", suggested, len(refs))
        # The page: the hits' links, the count and the per-type counts.
        response = http.get(reverse("search:search"), {"q": MARKER})
        cells += 1
        html = _body(response)
        if user is None:
            if response.status_code != 302 or MARKER in html:
                fail("search page", response.status_code)
        else:
            linked = {doc.ref for doc in found if f'href="{doc.url}"' in html}
            shown = {doc.ref for doc in expected if f'href="{doc.url}"' in html}
            if linked - refs or shown != refs:
                fail("search page links", sorted(linked - refs), "missing", sorted(refs - shown))
            count, per_kind = _page_numbers(html)
            if refs and count != len(refs):
                fail("search page count", count, len(refs))
            if per_kind != _facet_counts(expected).get("type", {}):
                fail("search page type counts", per_kind, _facet_counts(expected).get("type"))
            leaked = [doc.title for doc in denied if doc.title not in titles and doc.title in html]
            if leaked:
                fail("search page leaks", leaked)
        # Autocomplete (the API's and the page's) and every other lookup route.
        typed = MARKER[:5]
        for name in lookups:
            url = reverse(name)
            params = dict.fromkeys(("q", "customer", "customer_code", "question"), typed)
            response = http.get(url, params)
            cells += 1
            html = _body(response)
            if response.status_code >= 500:
                fail(name, response.status_code)
                continue
            known = LEGITIMATELY_KNOWN.get(name, lambda user, doc: False)
            named = {doc.title for doc in found if doc.title in html}
            allowed = titles | {doc.title for doc in found if user and known(user, doc)}
            if named - allowed:
                fail(name, "names", sorted(named - allowed))
            if "autocomplete" in name and user is not None:  # search's: pages, API
                # eight titles at most: all of them when fewer (so the denials mean something)
                if len(named) < min(len(titles), 8):
                    fail(name, "misses", sorted(titles - named))
    print(  # noqa: T201 (the matrix size is part of the report)
        f"\nsearch matrix: {len(found)} marked documents of {len(kinds)} kinds × "
        f"{len(clients)} readers; search, {len(kinds)} types, suggestion, page, autocomplete "
        f"and {len(lookups)} lookup routes ({', '.join(lookups)}) = {cells} cells"
    )
    assert failures == [], "\n".join(map(repr, failures))


# --- notifications: the stored notices, their list and API, and the WebSocket frames ----------

#: How each followable kind is changed by the person who owns it (the event whose notice is
#: checked); a kind made followable without an entry here fails the test below.
TOUCH = {
    "records.customer": lambda obj: actions.update_customer(
        obj, acting_user=obj.owner, phone="021-5555-0199"
    ),
    "records.deal": lambda obj: deal_actions.update_deal(
        obj, acting_user=obj.owner, amount=Decimal("260000")
    ),
    "forum.topic": lambda obj: forum_actions.reply(
        obj, acting_user=obj.author, body="Here is where it stands."
    ),
}


def _actor(obj):
    return getattr(obj, "owner", None) or obj.author


def _name(obj) -> str:
    return getattr(obj, "title", None) or obj.name


def _world_for_notices(people, org, forum):
    with capture_events():
        matrix_world.build(people, org, forum)
    followed = [
        doc.obj
        for doc in matrix_world.index_everything()
        if policy_for(doc.obj).followable
    ]  # fmt: skip
    kinds = {label for label, policy in registered().items() if policy.followable}
    assert kinds <= set(TOUCH), f"followable kinds without a change to notice: {kinds - set(TOUCH)}"
    # Everyone follows everything, as if each had followed it while they could see it: the
    # policy alone must keep a notice from whoever may not open the object.
    for user in people.values():
        for obj in followed:
            kind, key = target_of(obj)
            Follow.objects.create(user=user, target_kind=kind, target_key=key, level=Level.WATCHING)
    return followed


def _which(url: str, followed) -> object | None:
    hits = [obj for obj in followed if url.startswith(url_of(obj))]
    return max(hits, key=lambda obj: len(url_of(obj)), default=None)


@pytest.mark.django_db(transaction=True)
async def test_the_notification_matrix(people, org, forum):
    """Per role, from the policies: when the owner changes each followable object that every
    role follows, a WebSocket frame, a row of the notifications API and a line of the
    notification centre reach exactly the roles whose policy lets them open it."""
    followed = await database_sync_to_async(_world_for_notices)(people, org, forum)
    assert {type(obj)._meta.label_lower for obj in followed} >= set(TOUCH)
    sockets = {role: await open_socket(user, after=0) for role, user in people.items()}
    for communicator in sockets.values():
        await notifications(communicator, timeout=1.5)  # anything from building the world
    for obj in followed:
        await database_sync_to_async(TOUCH[type(obj)._meta.label_lower])(obj)

    def key(obj):
        return (type(obj)._meta.label_lower, obj.pk)

    def expected_for(user) -> set:
        return {
            key(obj)
            for obj in followed
            if matrix_world.may_see(user, obj) and _actor(obj).pk != user.pk
        }

    expected = await database_sync_to_async(
        lambda: {role: expected_for(user) for role, user in people.items()}
    )()
    visible = await database_sync_to_async(
        lambda: {
            role: {key(obj) for obj in followed if matrix_world.may_see(user, obj)}
            for role, user in people.items()
        }
    )()
    assert set.union(*expected.values()) == {(type(o)._meta.label_lower, o.pk) for o in followed}
    assert any(len(refs) < len(followed) - 1 for refs in expected.values()), "nobody is denied"

    cells, failures = 0, []
    for role, communicator in sockets.items():
        frames = await notifications(communicator, timeout=1.5)
        cells += 1
        got = {key(obj) for f in frames if (obj := _which(f["url"], followed))}
        if got != expected[role]:
            failures.append((role, "frames", sorted(got - expected[role]), "missing",
                             sorted(expected[role] - got)))  # fmt: skip
        await communicator.disconnect()

    def read_lists():
        clients = clients_for(people)
        for role, http in clients.items():
            rows = http.get("/api/v1/notifications/").json()
            page = _body(http.get(reverse("notifications:center")))
            if role == "anonymous":
                if "results" in rows or any(_name(obj) in page for obj in followed):
                    failures.append((role, "notifications read without signing in"))
                continue
            got = {key(obj) for row in rows["results"] if (obj := _which(row["url"], followed))}
            if got != expected[role]:
                failures.append((role, "api", sorted(got - expected[role]), "missing",
                                 sorted(expected[role] - got)))  # fmt: skip
            # The centre names what else reached them too (a complaint about their customer):
            # every object it names must be one they may open, and each change must be there.
            named = {key(obj) for obj in followed if _name(obj) in page}
            leaked = named - visible[role]
            if leaked or not expected[role] <= named:
                failures.append((role, "centre", sorted(leaked), "missing",
                                 sorted(expected[role] - named)))  # fmt: skip
        return 2 * len(clients)

    cells += await database_sync_to_async(read_lists)()
    print(  # noqa: T201 (the matrix size is part of the report)
        f"\nnotification matrix: {len(followed)} followed objects of {len(TOUCH)} kinds, each "
        f"changed once × {len(people)} roles' sockets, API and centre (+ anonymous) = "
        f"{cells} cells"
    )
    assert failures == [], "\n".join(map(repr, failures))
