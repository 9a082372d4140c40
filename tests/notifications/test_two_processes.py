"""Two daphne processes on Redis: a notification reaches a user's sockets on both (one bus
publish, each process delivers to its own), a socket that was away resumes on the other process
with exactly what it missed, and a stopped daphne leaves no presence behind."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from portal.notifications import actions
from portal.notifications.models import Kind, Presence
from tests.notifications.sockets import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def _open(port: int, cookie: str):
    import websockets

    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/notifications/",
        additional_headers={"Cookie": cookie},
        origin=f"http://127.0.0.1:{port}",
    )
    assert json.loads(await ws.recv())["type"] == "unread"
    return ws


async def _notifications(ws, n: int, timeout: float = 10) -> list[dict]:
    found = []
    while len(found) < n:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame["type"] == "notification":
            found.append(frame)
    return found


async def _quiet(ws, seconds: float = 0.7) -> bool:
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), seconds))
            if frame["type"] == "notification":
                return False
    except TimeoutError:
        return True


@pytest.fixture
def two_daphnes(serve_portal):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the two-process test needs channels_redis")
    if connection.vendor != "postgresql":
        pytest.skip("the daphne subprocesses must share the test database: needs PostgreSQL")
    # portal.core.serve: what the systemd unit and deploy/local-up start
    servers = [serve_portal(module="portal.core.serve") for _ in range(2)]
    return [port for port, _ in servers], [process for _, process in servers]


async def test_two_daphne_processes_deliver_and_resume(people, two_daphnes):
    (port_a, port_b), _processes = two_daphnes
    sales2 = people["sales2"]
    cookie = await database_sync_to_async(session_cookie)(sales2)
    notify = database_sync_to_async(actions.notify)
    # given sales2 has a tab on each process
    tab_a = await _open(port_a, cookie)
    tab_b = await _open(port_b, cookie)
    for tab in (tab_a, tab_b):
        await tab.send(json.dumps({"type": "resume", "after": 0}))
    await asyncio.sleep(0.3)
    # when a notification is committed in a third process (this one)
    await notify([sales2.pk], Kind.TOPIC, "竞品降价", dedupe_key="t1")
    # then both tabs receive it through Redis
    assert [f["id"] for f in await _notifications(tab_a, 1)] == [1]
    assert [f["id"] for f in await _notifications(tab_b, 1)] == [1]
    # when tab A's connection drops and three more are made
    await tab_a.close()
    for n in range(2, 5):
        await notify([sales2.pk], Kind.REPLY, f"Reply {n}", dedupe_key=f"r{n}")
    # then tab A, reconnecting to the other process, gets exactly those three, in order, once
    again = await _open(port_b, cookie)
    await again.send(json.dumps({"type": "resume", "after": 1}))
    frames = await _notifications(again, 3)
    assert [f["id"] for f in frames] == [2, 3, 4]
    assert [f["title"] for f in frames] == ["Reply 2", "Reply 3", "Reply 4"]
    assert await _quiet(again)
    # and tab B, connected throughout, saw them live
    assert [f["id"] for f in await _notifications(tab_b, 3)] == [2, 3, 4]
    for tab in (tab_b, again):
        await tab.close()


async def test_a_stopped_daphne_clears_its_presence_and_the_tab_resumes_on_the_other(
    people, two_daphnes
):
    import websockets

    (port_a, port_b), (daphne_a, _daphne_b) = two_daphnes
    sales2 = people["sales2"]
    cookie = await database_sync_to_async(session_cookie)(sales2)
    notify = database_sync_to_async(actions.notify)
    tab = await _open(port_a, cookie)
    await tab.send(json.dumps({"type": "resume", "after": 0}))
    await asyncio.sleep(0.3)
    await notify([sales2.pk], Kind.TOPIC, "Before the deploy", dedupe_key="d1")
    assert [f["id"] for f in await _notifications(tab, 1)] == [1]
    # when daphne A is stopped as systemd stops it (SIGTERM)
    daphne_a.terminate()
    # then the socket is closed with 1012 "service restart" (portal.core.serve, ADR 0701)
    # (frame 1 carried its unread count: no frame is on its way, ADR 0714)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            assert json.loads(await asyncio.wait_for(tab.recv(), 30))["type"] == "unread"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    await asyncio.wait_for(asyncio.to_thread(daphne_a.wait), 30)
    # and its presence went with it (nobody is "present" through a stopped server)
    count = database_sync_to_async(Presence.objects.filter(user=sales2).count)
    assert await count() == 0
    # when two more are made while the tab reconnects to the other process
    await notify([sales2.pk], Kind.REPLY, "During", dedupe_key="d2")
    await notify([sales2.pk], Kind.REPLY, "After", dedupe_key="d3")
    again = await _open(port_b, cookie)
    await again.send(json.dumps({"type": "resume", "after": 1}))
    # then it gets exactly those, in order, once
    assert [f["id"] for f in await _notifications(again, 2)] == [2, 3]
    assert await _quiet(again)
    assert await count() == 1
    await again.close()
