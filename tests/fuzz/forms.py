"""The form fuzzer's machinery: crawl the portal as one person, collect every HTML form, send
each one a fixed set of hostile values, and record what went wrong (ADR 0802)."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.apps import apps
from django.db import connection

#: (name, value): bytes values are sent as they are (not valid UTF-8 on purpose).
HOSTILE_VALUES: list[tuple[str, str | bytes]] = [
    ("overlong", "x" * 20_000),
    ("nul", "a\x00b"),
    ("invalid-utf8", b"\xff\xfe\xc3(\xa0"),
    ("huge-int", str(2**63)),
    ("huger-int", "9" * 40),
    ("huge-float", "1e309"),
    ("huge-amount", "9.2e18"),
    ("negative", "-9223372036854775809"),
    ("impossible-date", "2026-02-30"),
    ("zero-date", "0000-00-00T25:61"),
    ("script", '"><script>alert(1)</script><img src=x onerror=alert(1)>'),
    ("bidi-emoji", "\u202e😀𝔘\ufeff"),
]

#: Not crawled: third-party admins (Django admin, Wagtail's editor), the API (schemathesis'
#: job), files, and leaving (sign-out would end the crawl).
SKIPPED = re.compile(
    r"^/(admin|cms|api|static|media|documents|__)/|/logout/|/export|\.(csv|xlsx|pdf|ics)$"
    r"|/download|/attachments/|/files/"
)
#: Tables written by reading (read marks, sessions, lock counters, the audit of views):
#: a re-rendered form may touch them without having half-written anything.
READ_SIDE_TABLES = {
    "forum_topicread",
    "django_session",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "notifications_presence",
}


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[tuple[str, str, str]]  # (name, type, default value)

    @property
    def key(self) -> str:
        shape = re.sub(r"/\d+/", "/N/", urlsplit(self.action).path)
        return f"{self.method} {shape} [{','.join(sorted({n for n, _t, _v in self.fields}))}]"


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page, attrs["href"]))
        elif tag == "form":
            action = urljoin(self.page, attrs.get("action") or self.page)
            method = (attrs.get("method") or "get").lower()
            self._form = Form(self.page, action, method, [])
        elif self._form is None:
            return
        elif tag in {"input", "button"} and attrs.get("name"):
            kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                value = attrs.get("value", "on")
                if any(name == attrs["name"] for name, _t, _v in self._form.fields):
                    return
            else:
                value = attrs.get("value", "")
            if kind == "file":
                return
            self._form.fields.append((attrs["name"], kind, value or ""))
        elif tag == "select" and attrs.get("name"):
            self._select, self._select_value = attrs["name"], None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in attrs:
                self._select_value = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form.fields.append((attrs["name"], "textarea", ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append((self._select, "select", self._select_value or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def crawl(client, start: list[str], *, max_pages: int = 150, per_shape: int = 2):
    """Pages reachable from `start` (same site, GET, not skipped) → (pages, forms by key)."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(start)
    forms: dict[str, Form] = {}
    pages: list[str] = []
    while queue and len(pages) < max_pages:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in {"", "testserver"} or parts.scheme not in {"", "http"}:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen or SKIPPED.search(parts.path):
            continue
        seen.add(path)
        shape = re.sub(r"\d+", "N", parts.path)
        if shapes.get(shape, 0) >= per_shape:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages.append(path)
        parser = _FormParser(f"http://testserver{path}")
        parser.feed(response.content.decode("utf-8", "replace"))
        for form in parser.forms:
            if SKIPPED.search(urlsplit(form.action).path):
                continue
            forms.setdefault(form.key, form)
        queue.extend(link.split("#", 1)[0] for link in parser.links)
    return pages, forms


def hostile_body(form: Form, value: str | bytes) -> bytes:
    """The form's fields, every one a user can type into set to `value` (hidden fields such as
    the CSRF token, checkboxes and submit buttons keep theirs)."""
    pairs = []
    for name, kind, default in form.fields:
        if kind in {"hidden", "submit", "checkbox", "radio"} and name != "reply_to":
            pairs.append((name, default))
        else:
            pairs.append((name, value))
    return urlencode(pairs).encode("ascii")


def row_counts() -> dict[str, int]:
    """Rows of every table of the portal's models, in one query."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        }
        - READ_SIDE_TABLES
    )
    sql = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


@dataclass
class Outcome:
    tried: int = 0
    failures: list[str] = field(default_factory=list)


def fuzz_form(client, form: Form, outcome: Outcome) -> None:
    for label, value in HOSTILE_VALUES:
        outcome.tried += 1
        before = row_counts()
        body = hostile_body(form, value)
        target = urlsplit(form.action)
        path = target.path or "/"
        try:
            if form.method == "post":
                response = client.post(
                    path + (f"?{target.query}" if target.query else ""),
                    body,
                    content_type="application/x-www-form-urlencoded",
                )
            else:
                response = client.get(f"{path}?{body.decode('ascii')}")
        except Exception as exc:  # the client re-raises a view's exception: a 500
            outcome.failures.append(f"{form.key} ← {label}: {type(exc).__name__}: {exc}"[:400])
            continue
        if response.status_code >= 500:
            outcome.failures.append(f"{form.key} ← {label}: HTTP {response.status_code}")
            continue
        if form.method == "post" and response.status_code not in {301, 302, 303}:
            changed = {t: (n, before.get(t)) for t, n in row_counts().items() if before.get(t) != n}
            # Audit rows of refused actions are not "half-written" records, but rows of the
            # form's own kind are: a refused form writes nothing.
            changed.pop("core_auditentry", None)
            if changed:
                outcome.failures.append(
                    f"{form.key} ← {label}: refused ({response.status_code}) yet wrote {changed}"
                )
        try:
            after = client.get(form.page)
        except Exception as exc:
            outcome.failures.append(
                f"{form.key} ← {label}: page {form.page} broke afterwards: {exc}"[:400]
            )
            continue
        if after.status_code >= 500:
            outcome.failures.append(
                f"{form.key} ← {label}: page {form.page} now {after.status_code}"
            )
