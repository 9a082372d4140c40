"""The notification socket as the tests open it: a communicator on the ASGI application, signed
in with a real session cookie, from the test server's own origin."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from portal.asgi import application

PATH = "/ws/notifications/"
SAME_ORIGIN = [(b"origin", b"http://testserver"), (b"host", b"testserver")]


def session_cookie(user) -> str:
    """`sessionid=…` of a fresh session of `user` (for a communicator or a real socket)."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def connect(
    user=None, *, headers: list[tuple[bytes, bytes]] = SAME_ORIGIN, scheme: str = "ws"
) -> tuple[WebsocketCommunicator, bool, int | None]:
    """A handshake on the socket: the communicator, whether it was accepted, the close code."""
    headers = list(headers)
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, PATH, headers=headers)
    communicator.scope["scheme"] = scheme
    connected, code = await communicator.connect(timeout=30)
    return communicator, connected, code


async def open_socket(user, *, after: int | None = None) -> WebsocketCommunicator:
    """A connected socket of `user` whose first frame (the unread count) has been read; with
    `after`, the client has said where it stands (a resume after that number)."""
    communicator, connected, code = await connect(user)
    assert connected, code
    assert (await communicator.receive_json_from(timeout=10))["type"] == "unread"
    if after is not None:
        await communicator.send_json_to({"type": "resume", "after": after})
    return communicator


async def notifications(communicator: WebsocketCommunicator, timeout: float = 0.5) -> list[dict]:
    """Every notification frame until the socket goes quiet (unread frames skipped)."""
    found = []
    while True:
        # receive_nothing waits without cancelling the application (a timed-out receive does)
        if await communicator.receive_nothing(timeout=timeout, interval=0.02):
            return found
        frame = await communicator.receive_json_from()
        if frame["type"] == "notification":
            found.append(frame)
