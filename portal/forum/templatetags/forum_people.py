"""Template filters that show forum people by name."""

from django import template

register = template.Library()


@register.filter
def person_named(username: str) -> str:
    """The display name behind a username in a filter chip ("service" → 陈静 Chen Jing); the
    username itself when nobody has it."""
    from portal.accounts.models import User

    user = User.objects.filter(username=username).first() if username else None
    return str(user) if user else username
