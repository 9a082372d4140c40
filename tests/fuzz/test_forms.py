"""Every HTML form of the portal × hostile values (overlong, NUL, invalid UTF-8, huge and
negative numbers, impossible dates, scripts), as each demo role: no 500, nothing written by a
refused form, and the page still renders afterwards (ADR 0802). `make form-fuzz` runs it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from portal.accounts.models import User

from .forms import HOSTILE_VALUES, Outcome, crawl, fuzz_form

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

ROLES = ["admin", "manager", "sales1", "sales2", "service", "editor", "newhire"]
START = [
    "/",
    "/forum/",
    "/knowledge/",
    "/records/customers/",
    "/records/deals/",
    "/records/service/",
    "/notifications/",
    "/notifications/interests/",
    "/accounts/profile/",
    "/accounts/password/",
    "/search/?q=agora",
]


def _is_records(key: str) -> bool:
    return " /records/" in key


def _run(*, records: bool) -> list[tuple[str, int, Outcome]]:
    """Seed once, then crawl and fuzz as each role; forms already fuzzed by an earlier role
    are not sent again (the shape of a form is its action and its field names)."""
    call_command("seed_demo", verbosity=0)
    done: set[str] = set()
    results = []
    for username in ROLES:
        client = Client(raise_request_exception=True)
        client.force_login(User.objects.get(username=username))
        _pages, forms = crawl(client, START)
        chosen = [
            form
            for key, form in sorted(forms.items())
            if _is_records(key) == records and key not in done
        ]
        done.update(form.key for form in chosen)
        outcome = Outcome()
        for form in chosen:
            fuzz_form(client, form, outcome)
        results.append((username, len(chosen), outcome))
    return results


def _report(results) -> str:
    lines = []
    for username, forms, outcome in results:
        lines.append(
            f"{username}: {forms} forms × {len(HOSTILE_VALUES)} values = {outcome.tried} "
            f"submissions, {len(outcome.failures)} failures"
        )
        lines += [f"  {failure}" for failure in outcome.failures]
    return "\n".join(lines)


def test_portal_forms_survive_hostile_values():
    results = _run(records=False)
    print(_report(results))  # noqa: T201 - the figures for the log
    assert sum(forms for _user, forms, _outcome in results) > 5
    assert not any(outcome.failures for _user, _forms, outcome in results), _report(results)


def test_the_login_form_survives_hostile_values():
    client = Client(raise_request_exception=True)
    from .forms import Form

    form = Form(
        "/accounts/login/",
        "http://testserver/accounts/login/",
        "post",
        [("username", "text", ""), ("password", "password", ""), ("next", "hidden", "/")],
    )
    outcome = Outcome()
    fuzz_form(client, form, outcome)
    assert outcome.tried == len(HOSTILE_VALUES)
    assert not outcome.failures, outcome.failures


def test_records_forms_survive_hostile_values():
    results = _run(records=True)
    print(_report(results))  # noqa: T201
    assert sum(forms for _user, forms, _outcome in results) > 5
    assert not any(outcome.failures for _user, _forms, outcome in results), _report(results)
