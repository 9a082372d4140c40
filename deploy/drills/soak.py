"""Drill: soak — mixed HTTP load (pages, API, search, writes) plus notification sockets and the
workers, all through nginx, for --minutes (15 by default).

    AGORA_RUN=/tmp/agora-deploy .venv/bin/python deploy/drills/soak.py --minutes 15 --clients 200

Prints per minute: requests, 5xx, latency p50/p95, the daphne processes' memory; at the end:
0 responses 5xx, 0 notifications lost (every socket holds exactly the store's numbers), memory
growth between the first third and the end under 10 % (minute 5 and 15 of a 15-minute run)."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

PAGES = [
    "/",
    "/records/customers/",
    "/records/deals/",
    "/records/service/",
    "/knowledge-tools/",
    "/forum-tools/",
    "/notifications/",
    "/tasks/",
    "/records/calendar/",
    "/records/contracts/",
    "/records/customers/pool/",
    "/records/statistics/customers/",
    "/search/?q=soak",
    "/api/v1/customers/",
    "/api/v1/deals/",
    "/api/v1/search/?q=soak",
    "/api/v1/notifications/",
    "/api/v1/tasks/",
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Load(threading.Thread):
    """One user clicking around: a page or API call, now and then a write that notifies the
    other person (a deal handed over)."""

    def __init__(self, config: dict, who: str, other: str, stats: dict, lock: threading.Lock):
        super().__init__(daemon=True)
        self.config, self.who, self.other = config, who, other
        self.stats, self.lock = stats, lock
        self.running = True

    def run(self) -> None:
        client = common.login(self.config, self.who)
        api = self.config["url"] + "/api/v1"
        customer = client.post(api + "/customers/", json={"name": f"Soak {time.time_ns()}"})
        deal_id = client.post(
            api + "/deals/", json={"name": "Soak deal", "customer": customer.json()["id"]}
        ).json()["id"]
        mine = True
        while self.running:
            if mine and random.random() < 0.1:
                path = f"/api/v1/deals/{deal_id}/handover/"
                started = time.monotonic()
                response = client.post(
                    self.config["url"] + path,
                    json={"to_user": self.config[self.other]["username"]},
                    timeout=60,
                )
                mine = response.status_code != 200
            else:
                path = random.choice(PAGES)
                started = time.monotonic()
                response = client.get(self.config["url"] + path, timeout=60)
            seconds = time.monotonic() - started
            with self.lock:
                minute = self.stats.setdefault(int((time.monotonic() - START) // 60), [])
                minute.append((response.status_code, seconds))
            if response.status_code >= 500:
                print(f"5xx: {response.status_code} {path}")
            time.sleep(random.uniform(0.05, 0.3))


START = time.monotonic()


async def main(args) -> int:
    global START
    config = common.load()
    audience = await common.Audience.connect(config, args.clients, timeout=300)
    listeners = audience.listeners
    people = common.PEOPLE
    daphnes = {name: pid for name, pid in common.pids().items() if name.startswith("daphne")}
    START = time.monotonic()
    stats: dict[int, list] = {}
    lock = threading.Lock()
    loaders = [
        Load(config, people[i % 2], people[(i + 1) % 2], stats, lock) for i in range(args.users)
    ]
    for loader in loaders:
        loader.start()
    memory: dict[int, float] = {}
    for minute in range(args.minutes):
        await asyncio.sleep(max(0.0, START + 60 * (minute + 1) - time.monotonic()))
        memory[minute + 1] = sum(rss_mb(pid) for pid in daphnes.values())
        with lock:
            rows = list(stats.get(minute, []))
        times = [seconds for _status, seconds in rows]
        fives = sum(status >= 500 for status, _s in rows)
        print(f"minute {minute + 1}: {len(rows)} requests, {fives} 5xx, p50 "
              f"{common.percentile(times, 0.5) * 1000:.0f} ms, p95 "
              f"{common.percentile(times, 0.95) * 1000:.0f} ms; daphne RSS "
              f"{memory[minute + 1]:.0f} MB; sockets open "
              f"{sum(1 for lst in listeners if lst.ready.is_set())}")  # fmt: skip
    for loader in loaders:
        loader.running = False
    for loader in loaders:
        loader.join(60)
    expected = await audience.settle(60)
    statuses = Counter(status for rows in stats.values() for status, _s in rows)
    fives = sum(n for status, n in statuses.items() if status >= 500)
    lost = audience.lost(expected)
    doubled = audience.doubled()
    first = memory[max(1, args.minutes // 3)]
    growth = (memory[args.minutes] - first) / first * 100
    mark = max(1, args.minutes // 3)
    notified = sum(len(v) for v in expected.values())
    print(
        f"total: {sum(statuses.values())} requests {dict(statuses)}; 5xx {fives}; "
        f"notifications {notified}, lost {lost}, doubled {doubled}; daphne memory minute "
        f"{mark} {first:.0f} MB → minute {args.minutes} {memory[args.minutes]:.0f} MB "
        f"({growth:+.1f} %); load: {common.uptime()}"
    )
    return 0 if fives == 0 and lost == 0 and doubled == 0 and growth < 10 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=15)
    parser.add_argument("--clients", type=int, default=200, help="notification sockets")
    parser.add_argument("--users", type=int, default=6, help="concurrent HTTP users")
    sys.exit(asyncio.run(main(parser.parse_args())))
