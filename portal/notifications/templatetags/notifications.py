"""`{% follow_button obj %}`: a small form other pages place to set the reader's level."""

from __future__ import annotations

from django import template

from ..actions import target_of
from ..models import Follow, Level

register = template.Library()


def follow_context(user, obj, next_url: str = "") -> dict:
    if isinstance(obj, str):
        kind, key, label = "tag", obj.strip().lower(), obj
    else:
        kind, key = target_of(obj)
        label = str(obj)
    follow = None
    if user.is_authenticated:
        follow = Follow.objects.filter(user=user, target_kind=kind, target_key=key).first()
    level = follow.level if follow else Level.NORMAL
    return {
        "target": f"{kind}:{key}",
        "label": label,
        "level": level,
        "level_label": Level(level).label,
        "levels": Level.choices,
        "next": next_url,
        "user": user,
    }


@register.inclusion_tag("notifications/includes/follow_button.html", takes_context=True)
def follow_button(context, obj) -> dict:
    """Place on any page of a followable thing (a model instance, or a tag name)."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    data = follow_context(user, obj, request.get_full_path() if request else "")
    data["csrf_token"] = context.get("csrf_token")
    return data
