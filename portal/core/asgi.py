"""Django's ASGI handler with one thread hop per request instead of a dozen (ADR 0432).

Every view of the portal is synchronous, and so is a third of its middleware (WhiteNoise, the
metrics and language middleware). Django's own `ASGIHandler` loads the middleware for the
event loop: each async-capable `MiddlewareMixin` then runs its `process_request`,
`process_view` and `process_response` through `sync_to_async`, the chain crosses back to the
loop at the first sync-only middleware (`async_to_sync`), and the view is one more
`sync_to_async` — about a dozen hand-overs between the loop and the request's thread, each a
future, a copied context and two thread wake-ups, for no request that gains anything from the
loop. Here the chain is loaded as under WSGI and the whole request — every middleware and the
view — runs in one call on the request's thread (`thread_sensitive`, so the same thread as
`request_started`/`request_finished` and the database connection they open and close). The
loop keeps what it is for: reading the body, watching for the client's disconnect, sending the
response and the WebSocket side (Channels, unchanged).
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        # ASGIHandler.__init__ asks for the async chain; build the synchronous one instead.
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_asgi_application() -> SyncChainASGIHandler:
    """`django.core.asgi.get_asgi_application` with this handler."""
    import django

    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
