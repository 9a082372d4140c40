"""WebSocket routes (DESIGN.md: /ws/notifications/)."""

websocket_urlpatterns: list = []
