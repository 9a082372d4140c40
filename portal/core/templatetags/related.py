"""{% related_panels obj %} renders the panels other apps contribute to a record's page."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portal.core.related import related_panels as collect

register = template.Library()


@register.simple_tag(takes_context=True)
def related_panels(context, obj) -> str:
    request = context["request"]
    return mark_safe(  # noqa: S308 (each panel is rendered and escaped by its own template)
        "".join(
            render_to_string(panel.template, {**panel.context, "object": obj}, request=request)
            for panel in collect(request, obj)
        )
    )
