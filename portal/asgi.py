"""ASGI entry point: HTTP through Django, WebSockets through Channels (session auth; the origin's
scheme, host and port must be the site's own, as Django's CSRF check compares them)."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

from portal.core.asgi import get_asgi_application  # noqa: E402

# Django's ASGI handler, with the middleware chain and the view run in one thread hop (ADR 0432).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from portal.notifications.routing import SameOriginValidator, websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# What start-up loaded (settings, apps, the URLconf and every view it imports) lives as long as
# the process. Out of the collector's sight, a full collection no longer walks it in the middle
# of a fan-out's frames (ADR 0712).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - imports the views now, not on the first request
gc.collect()
gc.freeze()
# Collect young objects every 10,000 net allocations instead of 700 (and the older generations
# accordingly): a process holding a thousand sockets ran five full collections of ≈ 50 ms each
# in a 40-announcement fan-out run, every one a pause for every frame in flight (ADR 0714,
# the bench's garbage-collection line). Cycles are still collected, less often.
gc.set_threshold(10_000, 10, 10)
