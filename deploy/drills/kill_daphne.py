"""Drill: kill one daphne while clients are connected through nginx.

    AGORA_RUN=/tmp/agora-deploy .venv/bin/python deploy/drills/kill_daphne.py --clients 200

Sockets of two people (half each) connect through nginx, which spreads them over both daphne.
Those two hand one deal back and forth (every handover notifies the new owner) at --rate
per second; after a few seconds one daphne is killed (SIGKILL; --signal TERM for a graceful
stop). Its clients reconnect through nginx to the survivor and resume after the last number
they saw. At the end every socket must hold exactly the numbers the store holds for its
person, in order: none lost, none twice. The killed daphne is started again afterwards."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


async def main(args) -> int:
    config = common.load()
    started = time.monotonic()
    audience = await common.Audience.connect(config, args.clients, timeout=300)
    sessions, listeners = audience.sessions, audience.listeners
    print(f"{args.clients} sockets connected through nginx in {time.monotonic() - started:.1f}s")

    api = config["url"] + "/api/v1"
    first = sessions["sales2"]
    customer = first.post(api + "/customers/", json={"name": f"Drill {time.time_ns()}"})
    deal = first.post(
        api + "/deals/", json={"name": "Drill deal", "customer": customer.json()["id"]}
    )
    deal_id = deal.json()["id"]
    owner = "sales2"
    victim = common.Process.remember(f"daphne-{config['daphne_ports'][0]}")
    handovers = errors = 0
    killed_at = None
    interval = 1.0 / args.rate
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        if killed_at is None and time.monotonic() > deadline - args.seconds + args.kill_after:
            victim.kill(getattr(signal, f"SIG{args.signal}"))
            killed_at = time.monotonic()
            print(f"killed {victim.name} (pid {victim.pid}, SIG{args.signal})")
        target = "sales" if owner == "sales2" else "sales2"
        response = await asyncio.to_thread(
            sessions[owner].post,
            f"{api}/deals/{deal_id}/handover/",
            json={"to_user": config[target]["username"]},
            timeout=30,
        )
        if response.status_code == 200:
            handovers += 1
            owner = target
        else:
            errors += 1
            print(f"handover answered {response.status_code}")
        await asyncio.sleep(interval)

    expected = await audience.settle(args.settle)
    victim.wait_gone(10)
    victim.start_again()
    listening = victim.wait_listening(config["daphne_ports"][0])

    dropped = [lst for lst in listeners if lst.drops]
    reconnects = [s for lst in listeners for s in lst.reconnect_seconds]
    lost = audience.lost(expected)
    doubled = audience.doubled()
    out_of_order = sum(lst.received != sorted(lst.received) for lst in listeners)
    exact = audience.exact(expected)
    print(
        f"handovers: {handovers} ok, {errors} refused; notifications in the store: "
        f"{sum(len(v) for v in expected.values())}"
    )
    print(
        f"sockets dropped by the kill: {len(dropped)} of {len(listeners)}; reconnected: "
        f"{len(reconnects)}; reconnect time p50 {common.percentile(reconnects, 0.5):.2f}s "
        f"p99 {common.percentile(reconnects, 0.99):.2f}s max {max(reconnects, default=0):.2f}s"
    )
    print(
        f"per socket: {exact}/{len(listeners)} hold exactly the store's numbers; lost {lost}, "
        f"doubled {doubled}, out of order {out_of_order}"
    )
    codes = Counter(code for lst in listeners for code in lst.close_codes)
    print(f"close codes seen by the clients: {dict(codes)} (None = no close frame)")
    state = "listening" if listening else "NOT listening after 90 s"
    print(f"restarted {victim.name} as pid {victim.pid} ({state}); load: {common.uptime()}")
    return 0 if exact == len(listeners) and errors == 0 and dropped and listening else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=4.0, help="handovers per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--kill-after", type=float, default=6.0)
    parser.add_argument("--settle", type=float, default=60.0)
    parser.add_argument("--signal", choices=["KILL", "TERM"], default="KILL")
    sys.exit(asyncio.run(main(parser.parse_args())))
