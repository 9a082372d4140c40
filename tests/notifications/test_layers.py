"""The embedded channel layer: Channels' in-memory layer with its expiry sweep throttled."""

import asyncio

from portal.notifications.layers import InMemoryChannelLayer


async def test_expired_messages_are_still_swept_but_at_most_once_per_interval():
    layer = InMemoryChannelLayer(expiry=0.05, clean_interval=1.0)
    channel = await layer.new_channel()
    await layer.group_add("notifications.user.1", channel)
    await layer.send(channel, {"type": "notification.created"})
    await layer.group_send("notifications.user.2", {"type": "x"})  # sweeps: nothing expired yet
    await asyncio.sleep(0.1)
    # within the interval no sweep runs: the expired message and the membership stay
    await layer.group_send("notifications.user.2", {"type": "x"})
    assert channel in layer.groups["notifications.user.1"]
    await asyncio.sleep(1.0)
    # after it, the next call sweeps as the stock layer does (the channel leaves its groups)
    await layer.group_send("notifications.user.2", {"type": "x"})
    assert channel not in layer.groups.get("notifications.user.1", {})
    assert channel not in layer.channels


async def test_messages_flow_as_on_the_stock_layer():
    layer = InMemoryChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("notifications.user.7", channel)
    await layer.group_send("notifications.user.7", {"type": "notification.created", "n": 1})
    await layer.group_send("notifications.user.7", {"type": "notification.created", "n": 2})
    assert [(await layer.receive(channel))["n"] for _ in range(2)] == [1, 2]


def test_the_heartbeat_brings_back_a_pruned_presence_and_refreshes_the_others(people):
    import datetime

    from django.utils import timezone

    from portal.notifications.consumers import _heartbeat_all
    from portal.notifications.models import Presence

    old = timezone.now() - datetime.timedelta(minutes=5)
    Presence.objects.create(channel_name="kept", user=people["sales1"], seen_at=old)
    # "pruned" lost its row to the presence job after a missed beat; its socket is still open
    beat = _heartbeat_all.func  # the statement itself, without the async wrapper
    beat([("kept", people["sales1"].pk), ("pruned", people["sales2"].pk)])
    rows = {p.channel_name: p for p in Presence.objects.all()}
    assert set(rows) == {"kept", "pruned"}
    assert rows["pruned"].user_id == people["sales2"].pk
    assert rows["kept"].seen_at > old
