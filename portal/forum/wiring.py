"""Subscriptions to other apps' events, related panels on record pages, the dashboard panel
and the worker job (registered from AppConfig.ready)."""

from __future__ import annotations

from portal.core import events
from portal.core.dashboard import Panel, register_panel
from portal.core.related import register_related
from portal.core.worker import register_job

# Which event names a record whose access changed, and the model it names.
ACCESS_EVENTS = {
    "records.customer_access_changed": ("records.customer", "customer_id"),
    "records.deal_access_changed": ("records.deal", "deal_id"),
    "knowledge.page_access_changed": (None, "page_id"),
}


def on_access_changed(event: events.Event) -> None:
    from .actions import rekey_topics_referencing

    model_label, field = ACCESS_EVENTS[event.name]
    object_id = event.get(field)
    if not isinstance(object_id, int):
        return
    if model_label is None:  # a knowledge page: referenced by its specific page model
        from . import references

        for kind in references.available_kinds():
            if kind.is_page:
                rekey_topics_referencing(kind.model_label, object_id)
        return
    rekey_topics_referencing(model_label, object_id)


def discussions_panel(request, obj):
    """ "Discussions" on a customer, deal, product or competitor page."""
    from .queries import topics_about

    if not request.user.is_authenticated:
        return None
    topics = list(topics_about(request.user, obj)[:10])
    from .references import kind_for_model

    kind = kind_for_model(type(obj))
    return Panel(
        "forum/includes/discussions_panel.html",
        {"topics": topics, "ref_filter": f"{kind.name}:{obj.pk}" if kind else ""},
        order=60,
    )


def dashboard_panel(request):
    from .queries import TopicFilters, topic_list

    if not request.user.is_authenticated:
        return None
    topics = list(topic_list(request.user, TopicFilters())[:6])
    return Panel("forum/includes/dashboard_panel.html", {"topics": topics}, order=40)


def refresh_access_job() -> int:
    from .actions import refresh_materialised_access

    return refresh_materialised_access()


def connect() -> None:
    events.subscribe(*ACCESS_EVENTS)(on_access_changed)
    register_related(
        "records.customer", "records.deal", "knowledge.productpage", "knowledge.competitorpage"
    )(discussions_panel)
    register_panel(dashboard_panel)
    register_job("forum.refresh_access", every_seconds=300)(refresh_access_job)
