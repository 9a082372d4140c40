"""A topic's visibility keys: its category's rule AND the rule of every record it is about.

Keys are OR-ed per object, so an intersection has to be expressed as one set of keys
(docs/decisions/0300-forum-topic-visibility.md):
- rules that admit all staff drop out (they restrict nothing);
- no rule left → ``{staff}``; one rule left (or several identical ones) → that rule's keys;
- otherwise (a restricted category and restricted records, or two differently restricted
  records) the keys are *materialised*: one ``u:<id>`` key per active person satisfying every
  rule. Those topics are flagged and refreshed by the worker job ``forum.refresh_access``, so
  later changes to roles or departments reach them within minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.core import visibility

from . import references

if TYPE_CHECKING:
    from .models import Topic


def record_rules(topic: Topic) -> list[set[str]]:
    rules = []
    for reference in topic.references.all():
        resolved = references.resolve(reference.kind, reference.object_id)
        if resolved is None:
            # A record that is gone (or a kind no longer known) must not open the topic wider
            # than it was: keep the topic to administrators until a moderator unlinks it.
            kind = references.KINDS.get(reference.kind)
            if kind is not None:
                obj = kind.model._base_manager.filter(pk=reference.object_id).first()
                rules.append(kind.keys_of(obj) if obj is not None else set())
            continue
        kind, obj = resolved
        rules.append(kind.keys_of(obj))
    return rules


def compute_topic_keys(topic: Topic) -> tuple[set[str], bool]:
    """(keys, materialised) for the topic as it is now."""
    from .permissions import category_read_keys

    rules = [category_read_keys(topic.category), *record_rules(topic)]
    restricting = []
    for rule in rules:
        if visibility.STAFF in rule:
            continue
        if frozenset(rule) not in {frozenset(r) for r in restricting}:
            restricting.append(rule)
    if not restricting:
        return {visibility.STAFF}, False
    if len(restricting) == 1:
        return set(restricting[0]), False
    return materialise(restricting), True


def materialise(rules: list[set[str]]) -> set[str]:
    """One user key per active person who satisfies every rule (administrators need none)."""
    from portal.accounts.models import User

    keys = set()
    for user in User.objects.filter(is_active=True).only("id", "department_id", "is_active"):
        held = visibility.user_keys(user)
        if all(held & rule for rule in rules):
            keys.add(visibility.user_key(user.pk))
    # An empty set would be fine (administrators only), but keep a harmless marker row so that
    # "no keys at all" never looks like a topic whose keys were never set.
    return keys or {"forum:nobody"}
