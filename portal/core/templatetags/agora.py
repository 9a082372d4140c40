"""Template tags of the page shell."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.inclusion_tag("core/includes/nav_item.html", takes_context=True)
def nav_item(context, url_name: str, label: str, icon: str = "") -> dict:
    """A navigation link that only appears once the page it points to exists."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        url = None
    request = context.get("request")
    path = request.path if request else ""
    active = bool(url) and (path == url if url == "/" else path.startswith(url))
    return {"url": url, "label": label, "icon": icon, "active": active}


@register.simple_tag
def url_or_none(url_name: str, *args) -> str | None:
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None
