"""Writes for notifications: notify, read state, follows, interests, preferences, reminders,
and the worker's delivery of due reminders and emails (check → write → audit → event)."""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections.abc import Callable, Hashable, Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Model
from django.db.models.constants import OnConflict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.core import audit, events, visibility
from portal.core.lookups import ids_sql
from portal.search import interests as search_interests

from . import delivery, messages
from .models import (
    CategoryDefault,
    DeliverySettings,
    EmailMode,
    Follow,
    KeywordInterest,
    Kind,
    Level,
    Notification,
    Presence,
    Reminder,
    UserSequence,
)

logger = logging.getLogger(__name__)
User = get_user_model()

PRESENCE_EXPIRY = datetime.timedelta(seconds=90)
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
DIGEST_PERIODS = {
    EmailMode.DAILY: datetime.timedelta(days=1),
    EmailMode.WEEKLY: datetime.timedelta(days=7),
}


# --- who may receive ----------------------------------------------------------------------


def _access_object(obj: Model) -> Model:
    """The instance whose visibility keys count: Wagtail keys every page on the base Page."""
    from wagtail.models import Page

    if isinstance(obj, Page) and type(obj) is not Page:
        return Page(pk=obj.pk)
    return obj


def _policy(obj: Model):
    """The record kind's access policy (module gate, recycle bin, keys), None if it has none."""
    from portal.core.policy import policy_for

    try:
        return policy_for(obj)
    except LookupError:
        return None


#: What may be followed as an object: records with a page of their own and a follow button,
#: forum topics, and every Wagtail page (categories, knowledge pages). Nothing else — an API
#: token or a session is not "followable" even for an administrator who may open anything.
#: The record kind's access policy says so (`AccessPolicy.followable`): notifications names no
#: other app's models in its code, and there is one place to look (decision 0140).


def end_sockets(user_id: int) -> None:
    """Close every open notification socket of this person, in every process (a leaver was
    deactivated): they are closed with 4401, which browsers do not reconnect after."""
    delivery.publish([(user_id, {"type": "session.ended"})])


def is_followable(model: type[Model]) -> bool:
    from wagtail.models import Page

    concrete = model._meta.concrete_model
    if issubclass(concrete, Page):
        return True
    policy = _policy(concrete)
    return policy is not None and policy.followable


def may_open(user, obj: Model) -> bool:
    policy = _policy(obj)
    if policy is not None:
        return policy.is_visible(user, obj)
    return visibility.can_see(user, _access_object(obj))


def _active_people(user_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """{user id: (email, language)} of the active users among `user_ids`."""
    ids = list({int(uid) for uid in user_ids})
    rows = User.objects.filter(pk__in_ids=ids, is_active=True).values_list(
        "pk", "email", "language"
    )
    return {pk: (email, language) for pk, email, language in rows}


def _who_may_open(active_ids: Iterable[int], item: Model | None) -> set[int]:
    ids = set(active_ids)
    if item is None or not ids:
        return ids
    policy = _policy(item)
    if policy is not None:
        # Set-based: module gate, recycle bin and keys in a few queries (decision 0140).
        return policy.who_can_see(item, among=ids)
    item = _access_object(item)
    if visibility.STAFF in visibility.object_keys(item):
        # Public to staff: every active user holds the staff key, so one query decides for a
        # thousand recipients instead of one query (or four) per recipient.
        return ids
    return {user.pk for user in User.objects.filter(pk__in=ids) if visibility.can_see(user, item)}


def visible_recipients(user_ids: Iterable[int], item: Model | None) -> set[int]:
    """Active users among `user_ids` who may open `item` (all active users when no item)."""
    return _who_may_open(_active_people(user_ids), item)


def present_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Users with at least one live notification socket (heartbeat younger than the expiry)."""
    since = timezone.now() - PRESENCE_EXPIRY
    return set(
        Presence.objects.filter(user_id__in_ids=user_ids, seen_at__gte=since).values_list(
            "user_id", flat=True
        )
    )


def quiet_until(prefs: DeliverySettings | None, now: datetime.datetime) -> datetime.datetime | None:
    """End of the user's quiet hours if `now` falls inside them (local time), else None."""
    if prefs is None or prefs.quiet_start is None or prefs.quiet_end is None:
        return None
    local = timezone.localtime(now)
    start, end, t = prefs.quiet_start, prefs.quiet_end, local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_dt = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_dt <= local:
        end_dt += datetime.timedelta(days=1)
    return end_dt


# --- notify -------------------------------------------------------------------------------


def _take_numbers(user_ids: list[int], unread_ids: set[int]) -> dict[int, tuple[int, int]]:
    """One UPDATE … RETURNING over the users' counter rows: the next number for each, and the
    unread count once the new notification of each user in `unread_ids` is counted. Users
    without a counter row are left out. On PostgreSQL the rows are locked in user order first,
    so that two fan-outs over overlapping people cannot deadlock (SQLite's IMMEDIATE
    transactions already hold its one write lock). The rows stay locked until commit, so one
    user's notifications commit in number order and a resume cursor never skips one."""
    ops = connection.ops
    table = ops.quote_name(UserSequence._meta.db_table)
    user, last, unread = (
        ops.quote_name(UserSequence._meta.get_field(name).column)
        for name in ("user", "last", "unread")
    )
    among, among_params = ids_sql(f"s.{user}", user_ids, connection)
    counted, counted_params = ids_sql(
        f"s.{user}", [uid for uid in user_ids if uid in unread_ids], connection
    )
    assign = f"{last} = s.{last} + 1, {unread} = s.{unread} + CASE WHEN {counted} THEN 1 ELSE 0 END"
    # Only quoted names and placeholders go into the SQL; the ids are parameters.
    if connection.vendor == "postgresql":
        sql = (
            f"WITH locked AS MATERIALIZED (SELECT s.{user} FROM {table} s WHERE {among} "  # noqa: S608
            f"ORDER BY s.{user} FOR UPDATE) "
            f"UPDATE {table} s SET {assign} FROM locked WHERE s.{user} = locked.{user}"
        )
        returning = f" RETURNING s.{user}, s.{last}, s.{unread}"
        params = among_params + counted_params
    else:
        sql = f"UPDATE {table} AS s SET {assign} WHERE {among}"  # noqa: S608
        returning = f" RETURNING {user}, {last}, {unread}"  # SQLite: not through the alias
        params = counted_params + among_params
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:  # UPDATE … RETURNING too
            cursor.execute(sql + returning, params)
        else:  # SQLite before 3.35
            cursor.execute(sql, params)
            select = f"SELECT s.{user}, s.{last}, s.{unread} FROM {table} s WHERE {among}"  # noqa: S608
            cursor.execute(select, among_params)
        return {uid: (number, count) for uid, number, count in cursor.fetchall()}


def _allocate_numbers(user_ids: list[int], unread_ids: set[int]) -> dict[int, tuple[int, int]]:
    """{user: (next number, unread count including the new one)} for each of `user_ids`."""
    numbers = _take_numbers(user_ids, unread_ids)
    # Counters are made on a user's first notification: a fan-out to people who all have one
    # (nearly always) is the one statement above.
    missing = [uid for uid in user_ids if uid not in numbers]
    if missing:
        UserSequence.objects.bulk_create(
            [UserSequence(user_id=uid) for uid in missing], ignore_conflicts=True
        )
        numbers.update(_take_numbers(missing, unread_ids))
    return numbers


# Rows per INSERT at most.
INSERT_BATCH = 1000


def _ready(field, values: list) -> list:
    """`values` made ready for the database, each distinct one once (the parameters dict,
    unhashable, is one object shared by every row)."""
    done: dict = {}
    out = []
    for value in values:
        key = (type(value), value) if isinstance(value, Hashable) else id(value)
        if key not in done:
            done[key] = field.get_db_prep_save(value, connection)
        out.append(done[key])
    return out


def _insert_ignoring_conflicts(
    rows: list[Notification], created_at: datetime.datetime
) -> dict[int, int]:
    """`bulk_create(rows, ignore_conflicts=True)`; returns {user id: primary key} of the rows
    actually inserted (the others lost to a row with the same dedupe key). Each row is for a
    different user; the rows of one call share their `created_at`: one happening, committed
    together.

    A fan-out's rows differ only in recipient, number, language and read and e-mail state.
    Django's compiler readies every value of every row and sends a placeholder each (40 % of
    writing a 300-recipient announcement, ADR 0712). Here a column whose value is the same in
    every row is sent once, and the others as one parameter: an array per column on
    PostgreSQL (`unnest`), one JSON array of rows on SQLite (`json_each`) — a 1,000-row
    insert is one statement with a dozen parameters, not 15,000 (ADR 0713)."""
    meta = Notification._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    postgresql = connection.vendor == "postgresql"
    head = "{} {} ({}) ".format(
        ops.insert_statement(on_conflict=OnConflict.IGNORE),
        ops.quote_name(meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
    )
    tail = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    returning = connection.features.can_return_columns_from_insert
    if returning:
        back, _params = ops.return_insert_columns([meta.get_field("user"), meta.pk])
        tail = f"{tail} {back}"
    inserted: dict[int, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            for row in batch:
                row.created_at = created_at
            selected, shared, varying = [], [], []
            for field in fields:
                values = [getattr(row, field.attname) for row in batch]
                first = values[0]
                # The recipient always varies: it gives the source one row per notification.
                if field.name != "user" and all(value == first for value in values):
                    cast = f"::{field.db_type(connection)}" if postgresql else ""
                    selected.append(f"%s{cast}")
                    shared.append(field.get_db_prep_save(first, connection))
                elif postgresql:
                    selected.append(f"r.c{len(varying)}")
                    varying.append((field, _ready(field, values)))
                else:
                    selected.append(f"json_extract(r.value, '$[{len(varying)}]')")
                    varying.append((field, _ready(field, values)))
            if postgresql:
                arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field, _v in varying)
                names = ", ".join(f"c{i}" for i in range(len(varying)))
                source = f"unnest({arrays}) AS r({names})"
                params = [*shared, *(values for _field, values in varying)]
            else:
                source = "json_each(%s) AS r"
                by_row = zip(*(values for _field, values in varying), strict=True)
                params = [*shared, json.dumps([list(values) for values in by_row])]
            # Quoted names, column types and placeholders only; every value is a parameter.
            sql = f"{head}SELECT {', '.join(selected)} FROM {source} {tail}"  # noqa: S608
            cursor.execute(sql, params)
            if returning:
                inserted.update(cursor.fetchall())
    if not returning:  # SQLite before 3.35: which rows are ours, read back
        numbers = {row.user_id: row.seq for row in rows}
        inserted = {
            uid: pk
            for uid, seq, pk in Notification.objects.filter(
                user_id__in_ids=list(numbers), dedupe_key=rows[0].dedupe_key if rows else ""
            ).values_list("user_id", "seq", "pk")
            if numbers[uid] == seq
        }
    return inserted


def notify(
    user_ids: Iterable[int],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    *,
    dedupe_key: str,
    actor_id: int | None = None,
    item: Model | None = None,
) -> list[Notification]:
    """Store text that is already written (one language for everyone): an announcement, a
    test. Domain notices go through `portal.notifications.notices.deliver` instead, which
    stores a message and its parameters so that each reader sees their own language."""
    return store(
        user_ids,
        kind=kind,
        message=messages.TEXT,
        params={},
        title=title,
        body=body,
        url=url,
        dedupe_key=dedupe_key,
        actor_id=actor_id,
        item=item,
    )


def store(
    user_ids: Iterable[int],
    *,
    kind: str,
    message: str,
    params: dict,
    url: str = "",
    dedupe_key: str,
    actor_id: int | None = None,
    item: Model | None = None,
    title: str = "",
    body: str = "",
) -> list[Notification]:
    """Store one notification per recipient and push it live after commit.

    Never the actor; never someone who may not open `item`; at most one per
    (recipient, dedupe_key) — a second call with the same key is a no-op for that user.
    The row keeps `message` + `params` (rendered in the reader's language when shown) and
    the text as rendered in the recipient's language now (`title` / `body` when given)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown notification kind: %(kind)s") % {"kind": kind}})
    wanted = {int(uid) for uid in user_ids} - {actor_id}
    if not wanted:
        return []
    with transaction.atomic():
        people = _active_people(wanted)
        emails = {uid: email for uid, (email, _language) in people.items()}
        recipients = _who_may_open(emails, item)
        recipients -= set(
            Notification.objects.filter(
                user_id__in_ids=recipients, dedupe_key=dedupe_key
            ).values_list("user_id", flat=True)
        )
        prefs = {
            row.user_id: row for row in DeliverySettings.objects.filter(user_id__in_ids=recipients)
        }
        web = {uid for uid in recipients if uid not in prefs or prefs[uid].wants(kind, "web")}
        email = {
            uid
            for uid in recipients
            if prefs.get(uid) is None
            or (prefs[uid].wants(kind, "email") and prefs[uid].email_mode != EmailMode.NEVER)
        }
        recipients &= web | email
        if not recipients:
            return []
        ordered = sorted(recipients)
        numbers = _allocate_numbers(ordered, web)
        present = present_user_ids(ordered)
        now = timezone.now()
        rows = []
        written: dict[str, tuple[str, str]] = {}
        for uid in ordered:
            language = people[uid][1] or settings.LANGUAGE_CODE
            if language not in written:
                written[language] = (
                    (title, body) if title else messages.render(message, params, language)
                )
            row = Notification(
                user_id=uid,
                seq=numbers[uid][0],
                kind=kind,
                message=message,
                params=params,
                title=written[language][0][:255],
                body=written[language][1],
                url=url,
                actor_id=actor_id,
                dedupe_key=dedupe_key[:200],
                read_at=None if uid in web else now,
            )
            if uid in email and emails.get(uid) and not (uid in web and uid in present):
                mode = prefs[uid].email_mode if uid in prefs else EmailMode.IMMEDIATE
                if mode == EmailMode.IMMEDIATE:
                    row.email_state = Notification.EmailState.IMMEDIATE
                    row.email_due_at = quiet_until(prefs.get(uid), now) or now
                else:
                    row.email_state = Notification.EmailState.DIGEST
            rows.append(row)
        # A concurrent call with the same dedupe key may have won the race for a user: its
        # row stands, ours is dropped, and the number we took is simply never used.
        inserted = _insert_ignoring_conflicts(rows, now)
        created = []
        lost_unread = []
        for row in rows:
            row.pk = inserted.get(row.user_id)
            if row.pk is not None:
                row._state.adding = False
                row._state.db = "default"
                created.append(row)
            elif row.read_at is None:
                lost_unread.append(row.user_id)
        if lost_unread:
            # Counted unread when numbered, never stored: the count follows the rows.
            UserSequence.objects.filter(user_id__in=lost_unread).update(unread=F("unread") - 1)
        # The frames are built now from the rows in hand, not read back after commit, and
        # carry the unread count the numbering returned: the push is one bus message and no
        # query (ADR 0502, 0710, 0713). Rows in one language read alike: each language is
        # rendered once, not once per recipient.
        shown: dict[str, tuple[str, str]] = {}
        frames = []
        for row in created:
            if row.read_at is not None:
                continue
            language = people[row.user_id][1] or settings.LANGUAGE_CODE
            if language not in shown:
                shown[language] = row.render(language)
            frames.append((row.user_id, row.frame(text=shown[language]), numbers[row.user_id][1]))
        if frames:
            transaction.on_commit(partial(delivery.push_frames, frames))
    return created


# --- read state ---------------------------------------------------------------------------


def _count_read(user_id: int, unread):
    """Mark as read the user's notifications in `unread` (a queryset of their unread rows)
    and take them off the user's unread count, in the caller's transaction; returns how many
    changed. The counter row is locked first, as notifying locks it before writing rows, so
    the two never wait on each other in opposite orders."""
    if connection.features.has_select_for_update:
        list(UserSequence.objects.select_for_update().filter(user_id=user_id).values_list("pk"))
    changed = unread.update(read_at=timezone.now())
    if changed:
        UserSequence.objects.filter(user_id=user_id).update(unread=F("unread") - changed)
        transaction.on_commit(partial(delivery.push_unread, [user_id]))
    return changed


def mark_read(numbers: Iterable[int], *, acting_user) -> int:
    """Mark the user's notifications with these numbers read; returns how many changed."""
    with transaction.atomic():
        unread = Notification.objects.filter(
            user=acting_user, seq__in=list(numbers), read_at__isnull=True
        )
        return _count_read(acting_user.pk, unread)


def mark_all_read(*, acting_user, kind: str | None = None) -> int:
    with transaction.atomic():
        unread = Notification.objects.filter(user=acting_user, read_at__isnull=True)
        if kind:
            unread = unread.filter(kind=kind)
        return _count_read(acting_user.pk, unread)


# --- follows and interests ----------------------------------------------------------------


def target_of(obj: Model) -> tuple[str, str]:
    """(kind, key) addressing a model instance; every Wagtail page is addressed as a page so
    a forum category or knowledge page is one target whatever its specific type."""
    from wagtail.models import Page

    if isinstance(obj, Page):
        return "wagtailcore.page", str(obj.pk)
    meta = obj._meta.concrete_model._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk)


def _target_url(obj: Model) -> str:
    for attr in ("get_absolute_url", "get_url"):
        method = getattr(obj, attr, None)
        if callable(method):
            try:
                return method() or ""
            except Exception:  # noqa: S112 - a missing URL must not stop a follow
                continue
    return getattr(obj, "url", "") or ""


def set_follow_level(
    *,
    acting_user,
    obj: Model | None = None,
    target_kind: str = "",
    target_key: str = "",
    level: int,
    label: str = "",
) -> Follow | None:
    """Follow, mute or stop following something; level None-equivalent NORMAL keeps a row
    only when it differs from the default (a muted category stays muted)."""
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a valid level.")})
    url = ""
    if obj is not None:
        if not is_followable(type(obj)):
            raise ValidationError({"target": _("This cannot be followed.")})
        if not may_open(acting_user, obj):
            raise PermissionDenied(_("You cannot follow something you may not open."))
        target_kind, target_key = target_of(obj)
        label = label or str(obj)
        url = _target_url(obj)
    if not target_kind or not target_key:
        raise ValidationError({"target": _("Say what to follow.")})
    target_key = target_key.strip().lower() if target_kind == "tag" else target_key
    with transaction.atomic():
        follow, created = Follow.objects.update_or_create(
            user=acting_user,
            target_kind=target_kind,
            target_key=target_key,
            defaults={"level": level, "label": label[:255], "url": url[:500]},
        )
        audit.record(
            acting_user,
            "notifications.follow_set",
            follow,
            changes={"level": level, "target": f"{target_kind}:{target_key}"},
        )
        events.publish(
            "notifications.follow_changed",
            actor_id=acting_user.pk,
            follow_id=follow.pk,
            level=level,
        )
    return follow


def _own(model, pk: int, acting_user, refusal: str):
    """The acting person's own follow or interest, or PermissionDenied (nobody removes
    another person's)."""
    row = model.objects.filter(user=acting_user, pk=pk).first()
    if row is None:
        raise PermissionDenied(refusal)
    return row


def remove_follow(follow_id: int, *, acting_user) -> None:
    with transaction.atomic():
        follow = _own(Follow, follow_id, acting_user, _("That follow is not yours."))
        audit.record(acting_user, "notifications.follow_removed", follow)
        follow.delete()
        events.publish(
            "notifications.follow_changed", actor_id=acting_user.pk, follow_id=follow_id, level=None
        )


def add_keyword_interest(
    query: str, *, acting_user, level: int = Level.WATCHING
) -> KeywordInterest:
    query = " ".join((query or "").split())
    if not query:
        raise ValidationError({"query": _("Enter a keyword or phrase.")})
    if len(query) > 200:
        raise ValidationError({"query": _("Keep it under 200 characters.")})
    if level not in Level.values:
        raise ValidationError({"level": _("Choose a valid level.")})
    if KeywordInterest.objects.filter(user=acting_user, query__iexact=query).exists():
        raise ValidationError({"query": _("You already follow “%(query)s”.") % {"query": query}})
    with transaction.atomic():
        interest = KeywordInterest.objects.create(user=acting_user, query=query, level=level)
        # search keeps the analysed query that keyword matching runs against
        search_interests.save_interest_query(interest_id=interest.pk, query=query)
        audit.record(
            acting_user, "notifications.interest_added", interest, changes={"query": query}
        )
        events.publish(
            "notifications.interest_changed", actor_id=acting_user.pk, interest_id=interest.pk
        )
    return interest


def remove_keyword_interest(interest_id: int, *, acting_user) -> None:
    with transaction.atomic():
        interest = _own(KeywordInterest, interest_id, acting_user, _("That interest is not yours."))
        search_interests.delete_interest_query(interest_id)
        audit.record(acting_user, "notifications.interest_removed", interest)
        interest.delete()
        events.publish(
            "notifications.interest_changed", actor_id=acting_user.pk, interest_id=interest_id
        )


def apply_default_follows(user) -> int:
    """Give a new person the administrators' default follows for everyone and their
    department (and the departments above it)."""
    department_ids: list[int] = []
    if user.department_id:
        department_ids = user.department.ancestor_ids(include_self=True)
    defaults = CategoryDefault.objects.filter(
        department__isnull=True
    ) | CategoryDefault.objects.filter(department_id__in=department_ids)
    made = 0
    with transaction.atomic():
        for default in defaults:
            _, created = Follow.objects.get_or_create(
                user=user,
                target_kind=default.target_kind,
                target_key=default.target_key,
                defaults={"level": default.level, "label": default.label},
            )
            made += int(created)
    return made


def watch_pages(user, page_ids: Iterable[int], *, reason: dict, acting_user=None) -> int:
    """Make `user` watch these live pages (say, the steps of an onboarding path) unless they
    already chose a level for one, never a page they may not open; `reason` goes to the
    audit row."""
    from wagtail.models import Page

    made = 0
    with transaction.atomic():
        for page in Page.objects.filter(pk__in=list(page_ids), live=True).order_by("path"):
            if not may_open(user, page):
                continue
            _follow, created = Follow.objects.get_or_create(
                user=user,
                target_kind="wagtailcore.page",
                target_key=str(page.pk),
                defaults={
                    "level": Level.WATCHING,
                    "label": page.title[:255],
                    "url": (page.url or "")[:500],
                },
            )
            made += int(created)
        if made:
            audit.record(
                acting_user,
                "notifications.onboarding_follows",
                user,
                changes={**reason, "follows": made},
            )
    return made


# --- preferences --------------------------------------------------------------------------


def settings_for(user) -> DeliverySettings:
    prefs, _created = DeliverySettings.objects.get_or_create(user=user)
    return prefs


def update_delivery_settings(
    *,
    acting_user,
    email_mode: str,
    quiet_start: datetime.time | None,
    quiet_end: datetime.time | None,
    channels: dict[str, dict[str, bool]],
) -> DeliverySettings:
    if email_mode not in EmailMode.values:
        raise ValidationError({"email_mode": _("Choose a valid email option.")})
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError({"quiet_end": _("Give both ends of the quiet hours, or neither.")})
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError({"quiet_end": _("Quiet hours must not start and end together.")})
    unknown = set(channels) - set(Kind.values)
    if unknown:
        raise ValidationError(
            {"channels": _("Unknown kinds: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))}}
        )
    with transaction.atomic():
        prefs = settings_for(acting_user)
        fields = ("email_mode", "quiet_start", "quiet_end", "channels")
        before = audit.snapshot(prefs, fields)
        prefs.email_mode = email_mode
        prefs.quiet_start = quiet_start
        prefs.quiet_end = quiet_end
        prefs.channels = {
            kind: {"web": bool(value.get("web", True)), "email": bool(value.get("email", True))}
            for kind, value in channels.items()
        }
        prefs.save(update_fields=list(fields))
        changes = audit.diff(before, audit.snapshot(prefs, fields))
        if changes:
            audit.record(acting_user, "notifications.settings_changed", prefs, changes=changes)
    return prefs


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe(token: str) -> tuple[int, str]:
    """Turn off email for one kind from a signed link; returns (user id, kind)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=60 * 60 * 24 * 365)
    except signing.BadSignature as exc:
        raise ValidationError(_("This unsubscribe link is not valid.")) from exc
    user_id, kind = int(data["u"]), str(data["k"])
    if kind not in Kind.values:
        raise ValidationError(_("This unsubscribe link is not valid."))
    with transaction.atomic():
        user = User.objects.get(pk=user_id)
        prefs = DeliverySettings.objects.select_for_update().filter(user=user).first()
        prefs = prefs or settings_for(user)
        channels = dict(prefs.channels)
        channels[kind] = {"web": prefs.wants(kind, "web"), "email": False}
        prefs.channels = channels
        prefs.save(update_fields=["channels"])
        audit.record(user, "notifications.unsubscribed", prefs, changes={"kind": kind})
    return user_id, kind


# --- announcements ------------------------------------------------------------------------


def announce(acting_user, *, title: str, body: str = "", url: str = "") -> list[Notification]:
    """An administrator tells every active person something (also the benchmark's fan-out)."""
    if not visibility.is_administrator(acting_user):
        raise PermissionDenied(_("Only administrators may send announcements."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("An announcement needs a title.")})
    with transaction.atomic():
        user_ids = list(User.objects.filter(is_active=True).values_list("pk", flat=True))
        key = f"announcement:{uuid.uuid4().hex}"
        created = notify(
            user_ids, Kind.ANNOUNCEMENT, title, body, url, dedupe_key=key, actor_id=acting_user.pk
        )
        audit.record(acting_user, "notifications.announced", acting_user, message=title[:200])
        events.publish("notifications.announced", actor_id=acting_user.pk, recipients=len(created))
    return created


# --- reminders ----------------------------------------------------------------------------


def create_reminder(
    *,
    user_ids: Iterable[int],
    due_at: datetime.datetime,
    subject: str,
    body: str = "",
    url: str = "",
    kind: str = Kind.REMINDER,
    source: str = "",
    message: str = messages.TEXT,
    params: dict | None = None,
    acting_user=None,
) -> list[Reminder]:
    """Schedule a reminder for each person; the worker delivers it once when it falls due.
    Other apps (deals, payments, knowledge review dates) call this. With a registered
    `message` and its `params` it is shown in the reader's language; `subject` / `body` are
    then the text as written for the log and the admin."""
    if timezone.is_naive(due_at):
        raise ValidationError({"due_at": _("Give the time with its time zone.")})
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": _("A reminder needs a subject.")})
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown notification kind: %(kind)s") % {"kind": kind}})
    ids = sorted({int(uid) for uid in user_ids})
    if not ids:
        raise ValidationError({"user_ids": _("Say who should be reminded.")})
    with transaction.atomic():
        reminders = [
            Reminder.objects.create(
                user_id=uid,
                due_at=due_at,
                subject=subject[:255],
                body=body,
                message=message,
                params=params or {},
                url=url,
                kind=kind,
                source=source[:100],
                created_by=acting_user,
            )
            for uid in ids
        ]
        for reminder in reminders:
            audit.record(
                acting_user,
                "notifications.reminder_created",
                reminder,
                changes={"due_at": due_at, "user_id": reminder.user_id},
            )
            events.publish(
                "notifications.reminder_created",
                actor_id=getattr(acting_user, "pk", None),
                reminder_id=reminder.pk,
                user_id=reminder.user_id,
            )
    return reminders


def cancel_reminders(*, sources: Iterable[str]) -> int:
    """Cancel the reminders scheduled for `sources` (what the caller passed as `source` to
    `create_reminder`) that have not been delivered yet; returns how many were cancelled.
    Delivered ones stay: they are the notices people already got."""
    sources = [source[:100] for source in sources if source]
    if not sources:
        return 0
    deleted, _rows = Reminder.objects.filter(source__in=sources, delivered_at__isnull=True).delete()
    return deleted


def retarget_reminders(*, sources: Iterable[str], from_user_id: int, to_user_id: int) -> int:
    """Move the undelivered reminders of `sources` from one person to another (a leaver's
    handover): the new owner is reminded instead, never both, never twice."""
    sources = [source for source in sources if source]
    if not sources:
        return 0
    with transaction.atomic():
        pending = Reminder.objects.filter(
            source__in=sources, user_id=from_user_id, delivered_at__isnull=True
        )
        already = set(
            Reminder.objects.filter(
                source__in=sources, user_id=to_user_id, delivered_at__isnull=True
            ).values_list("source", "due_at")
        )
        moved = 0
        for reminder in pending.select_for_update():
            if (reminder.source, reminder.due_at) in already:
                reminder.delete()
                continue
            reminder.user_id = to_user_id
            reminder.save(update_fields=["user"])
            moved += 1
    # The handover that asks records it in its own audit row (with these counts).
    return moved


def _claim(queryset, pk: int, **changes) -> bool:
    """Atomic compare-and-set: only one worker's UPDATE matches the still-unclaimed row."""
    return queryset.filter(pk=pk).update(**changes) == 1


def deliver_due_reminders(*, now: datetime.datetime | None = None, batch: int = 100) -> int:
    """Worker job: turn due reminders into notifications, exactly once across workers.

    One short transaction per reminder: it claims the row and writes the notification, so a
    crash in between rolls both back, and no transaction holds two people's number locks (two
    workers taking them in different orders would deadlock)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    delivered = 0
    skip_locked = connection.features.has_select_for_update_skip_locked
    for _round in range(batch):
        with transaction.atomic():
            due = Reminder.objects.filter(delivered_at__isnull=True, due_at__lte=now).order_by(
                "due_at", "pk"
            )
            if skip_locked:
                # PostgreSQL: a second worker skips the row this one holds instead of waiting.
                due = due.select_for_update(skip_locked=True)
            reminder = due.first()
            if reminder is None:
                break
            unclaimed = Reminder.objects.filter(delivered_at__isnull=True)
            if not _claim(unclaimed, reminder.pk, delivered_at=now, claimed_by=token):
                continue
            store(
                [reminder.user_id],
                kind=reminder.kind,
                message=reminder.message,
                params=reminder.params,
                title=reminder.subject if reminder.message == messages.TEXT else "",
                body=reminder.body,
                url=reminder.url,
                dedupe_key=f"reminder:{reminder.pk}",
            )
            events.publish(
                "notifications.reminder_delivered",
                actor_id=None,
                reminder_id=reminder.pk,
                user_id=reminder.user_id,
            )
            delivered += 1
    return delivered


# --- email --------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return url if url.startswith(("http://", "https://")) else f"{base}{url or '/'}"


def _send_email(
    user, subject: Callable[[], str], template: str, context: dict, kinds: list[str]
) -> None:
    """Subject, text and links in the reader's language (`subject` runs with it active)."""
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = subject()
        links = {
            kind: _absolute(
                reverse("notifications:unsubscribe", args=[unsubscribe_token(user.pk, kind)])
            )
            for kind in kinds
        }
        labels = dict(Kind.choices)
        context = {
            **context,
            "user": user,
            "unsubscribe_links": [(str(labels[kind]), link) for kind, link in links.items()],
            "center_url": _absolute(reverse("notifications:center")),
            "settings_url": _absolute(reverse("notifications:interests")),
        }
        text = render_to_string(f"notifications/email/{template}.txt", context)
        html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    if len(links) == 1:
        message.extra_headers["List-Unsubscribe"] = f"<{next(iter(links.values()))}>"
    message.send()


def send_pending_emails(*, now: datetime.datetime | None = None, batch: int = 100) -> int:
    """Worker job: email each notification its absent recipient has not read, once."""
    now = now or timezone.now()
    pending = Notification.objects.filter(
        email_state=Notification.EmailState.IMMEDIATE, email_due_at__lte=now
    )
    sent = 0
    for row in list(pending.select_related("user").order_by("email_due_at", "pk")[:batch]):
        with transaction.atomic():
            claimed = _claim(
                Notification.objects.filter(email_state=Notification.EmailState.IMMEDIATE),
                row.pk,
                email_state=Notification.EmailState.SENT,
            )
            if not claimed:
                continue
            if row.read_at is not None or not row.user.email:
                continue  # read in the meantime: no email needed (state stays SENT = handled)
            # If sending raises, the claim rolls back and the next run tries again.
            _send_email(
                row.user,
                lambda row=row: row.shown_title,
                "notification",
                {"notification": row, "url": _absolute(row.url)},
                [row.kind],
            )
            sent += 1
    return sent


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """Worker job: one email per digest reader whose period has passed, listing what they have
    not read (Discourse's activity summary); each user's digest is claimed atomically."""
    now = now or timezone.now()
    sent = 0
    digest_prefs = DeliverySettings.objects.filter(
        email_mode__in=list(DIGEST_PERIODS)
    ).select_related("user")
    for prefs in digest_prefs:
        pending = Notification.objects.filter(
            user_id=prefs.user_id, email_state=Notification.EmailState.DIGEST
        ).order_by("seq")
        first = pending.first()
        if first is None:
            continue
        since = prefs.last_digest_at or first.created_at
        if now - since < DIGEST_PERIODS[prefs.email_mode]:
            continue
        with transaction.atomic():
            same = (
                DeliverySettings.objects.filter(last_digest_at=prefs.last_digest_at)
                if (prefs.last_digest_at)
                else DeliverySettings.objects.filter(last_digest_at__isnull=True)
            )
            if not _claim(same, prefs.pk, last_digest_at=now):
                continue
            rows = list(pending.filter(read_at__isnull=True)[:50])
            pending.update(email_state=Notification.EmailState.SENT)
            if rows and prefs.user.email:
                count = len(rows)
                _send_email(
                    prefs.user,
                    lambda count=count: (
                        _("Your Agora summary: %(count)s unread") % {"count": count}
                    ),
                    "digest",
                    {"notifications": rows, "urls": {row.pk: _absolute(row.url) for row in rows}},
                    sorted({row.kind for row in rows}),
                )
                sent += 1
    return sent


def prune_presence(*, now: datetime.datetime | None = None) -> int:
    """Worker job: forget sockets whose server died without saying goodbye."""
    now = now or timezone.now()
    deleted, _ = Presence.objects.filter(seen_at__lt=now - PRESENCE_EXPIRY).delete()
    return deleted
