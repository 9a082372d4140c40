"""Template tags of the page shell."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.inclusion_tag("core/includes/nav_item.html", takes_context=True)
def nav_item(context, url_name: str, label: str, icon: str = "", module: str = "") -> dict:
    """A navigation link that only appears once the page it points to exists and, when it
    belongs to a module (customers, deals, service…), only to people who may view it."""
    from portal.accounts.permissions import has_module_perm

    try:
        url = reverse(url_name)
    except NoReverseMatch:
        url = None
    user = context.get("user")
    if url and module and not (user is not None and has_module_perm(user, module, "view")):
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
