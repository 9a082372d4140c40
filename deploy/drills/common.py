"""What every drill shares: the topology deploy/local-up described in $AGORA_RUN, sessions
through nginx, notification sockets that reconnect and resume, and process control by pid."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
import websockets

RUN = Path(os.environ.get("AGORA_RUN", "/tmp/agora-deploy"))


def load() -> dict:
    path = RUN / "smoke.json"
    if not path.exists():
        raise SystemExit(f"{path} is missing: bring the topology up first (make prod-up)")
    config = json.loads(path.read_text())
    config["env"] = read_env(RUN / "agora.env")
    return config


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip('"')
    return values


def session(config: dict) -> requests.Session:
    client = requests.Session()
    client.trust_env = False
    client.verify = config["ca"]
    return client


class LoginFailed(RuntimeError):
    """The login form through nginx did not sign the demo user in."""


def login(config: dict, who: str) -> requests.Session:
    """A session signed in as `config[who]` through the login form, ready for form posts."""
    client = session(config)
    url = config["url"] + "/accounts/login/"
    page = client.get(url, timeout=30)
    if page.status_code != 200:
        raise LoginFailed(f"the login page answered {page.status_code}")
    person = config[who]
    response = client.post(
        url,
        data={
            "username": person["username"],
            "password": person["password"],
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
        headers={"Referer": url},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302 or "sessionid" not in client.cookies:
        raise LoginFailed(
            f"login as {person['username']} failed: {response.status_code} {response.text[:300]}"
        )
    client.headers.update({"X-CSRFToken": client.cookies["csrftoken"], "Referer": url})
    return client


def database(config: dict) -> psycopg.Connection:
    return psycopg.connect(config["env"]["DATABASE_URL"], autocommit=True)


def latest_seq(config: dict, username: str) -> int:
    with database(config) as conn:
        row = conn.execute(
            "SELECT COALESCE(MAX(n.seq), 0) FROM notifications_notification n "
            "JOIN accounts_user u ON u.id = n.user_id WHERE u.username = %s",
            [username],
        ).fetchone()
    return int(row[0])


def seqs_after(config: dict, username: str, after: int) -> list[int]:
    with database(config) as conn:
        rows = conn.execute(
            "SELECT n.seq FROM notifications_notification n JOIN accounts_user u "
            "ON u.id = n.user_id WHERE u.username = %s AND n.seq > %s ORDER BY n.seq",
            [username, after],
        ).fetchall()
    return [row[0] for row in rows]


# --- processes (by the pids deploy/local-up recorded) ---------------------------------------


def pids() -> dict[str, int]:
    return {
        name: int(pid)
        for name, pid in (line.split() for line in (RUN / "pids").read_text().splitlines())
    }


@dataclass
class Process:
    name: str
    pid: int
    argv: list[str]
    cwd: str
    env: dict[str, str]

    @classmethod
    def remember(cls, name: str) -> Process:
        pid = pids()[name]
        proc = Path("/proc") / str(pid)
        argv = [part.decode() for part in proc.joinpath("cmdline").read_bytes().split(b"\0")[:-1]]
        env = dict(
            item.decode().split("=", 1)
            for item in proc.joinpath("environ").read_bytes().split(b"\0")
            if b"=" in item
        )
        return cls(name, pid, argv, os.readlink(proc / "cwd"), env)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        os.kill(self.pid, sig)

    def wait_gone(self, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
                # A zombie of ours is gone for our purposes.
                state = Path(f"/proc/{self.pid}/stat").read_text().split()[2]
                if state == "Z":
                    return True
            except (ProcessLookupError, FileNotFoundError):
                return True
            time.sleep(0.1)
        return False

    def start_again(self) -> None:
        log = open(RUN / "logs" / f"{self.name}.log", "ab")  # noqa: SIM115
        child = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        lines = (RUN / "pids").read_text().splitlines()
        lines = [line for line in lines if line.split()[0] != self.name]
        lines.append(f"{self.name} {child.pid}")
        (RUN / "pids").write_text("\n".join(lines) + "\n")
        self.pid = child.pid

    def wait_listening(self, port: int, timeout: float = 90) -> bool:
        """Wait until the restarted process accepts connections on `port`, so that the next
        drill does not find every socket sent to the other process."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.2)
        return False


# --- notification sockets that reconnect and resume ------------------------------------------


@dataclass
class Listener:
    """One browser tab: a socket through nginx that, when closed, reconnects and resumes
    after the last number it saw (what static/notifications/notifications.js does)."""

    config: dict
    cookie: str
    after: int
    received: list[int] = field(default_factory=list)
    duplicates: int = 0
    gaps: int = 0
    connects: int = 0
    close_codes: list[int | None] = field(default_factory=list)
    drops: list[float] = field(default_factory=list)
    reconnect_seconds: list[float] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    stop: bool = False

    async def run(self) -> None:
        context = ssl.create_default_context(cafile=self.config["ca"])
        url = self.config["url"].replace("https://", "wss://") + "/ws/notifications/"
        dropped_at: float | None = None
        attempt = 0
        while not self.stop:
            try:
                async with websockets.connect(
                    url,
                    ssl=context,
                    additional_headers={"Cookie": self.cookie},
                    origin=self.config["url"],
                    open_timeout=30,
                    ping_interval=None,
                ) as socket:
                    self.connects += 1
                    attempt = 0
                    if dropped_at is not None:
                        self.reconnect_seconds.append(time.monotonic() - dropped_at)
                        dropped_at = None
                    resumed_after, seen_here = self.last, set()
                    await socket.send(json.dumps({"type": "resume", "after": resumed_after}))
                    self.ready.set()
                    while not self.stop:
                        try:
                            raw = await asyncio.wait_for(socket.recv(), 0.5)
                        except TimeoutError:
                            continue
                        frame = json.loads(raw)
                        if frame.get("type") != "notification":
                            continue
                        number = frame["id"]
                        if number in seen_here or number <= resumed_after:
                            self.duplicates += 1
                            continue
                        if number != self.last + 1:
                            self.gaps += 1
                        seen_here.add(number)
                        self.received.append(number)
            except (OSError, websockets.WebSocketException, TimeoutError) as exc:
                if isinstance(exc, websockets.ConnectionClosed):
                    self.close_codes.append(exc.rcvd.code if exc.rcvd else None)
                if self.stop:
                    break
                if dropped_at is None:
                    dropped_at = time.monotonic()
                    self.drops.append(dropped_at)
                # The browser's backoff (static/notifications/notifications.js): exponential
                # from 0.5 s with jitter, capped at 30 s.
                await asyncio.sleep(min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2))
                attempt += 1

    @property
    def last(self) -> int:
        return max(self.received) if self.received else self.after


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


PEOPLE = ("sales", "sales2")


@dataclass
class Audience:
    """Sockets of the two smoke-test people (half each) that started at the store's numbers
    of the moment: at the end each must hold exactly what the store holds after those."""

    config: dict
    sessions: dict[str, requests.Session]
    baseline: dict[str, int]
    listeners: list[Listener]
    owner_of: dict[int, str]
    tasks: list[asyncio.Task]

    @classmethod
    async def connect(cls, config: dict, clients: int, timeout: float) -> Audience:
        sessions = {who: login(config, who) for who in PEOPLE}
        baseline = {who: latest_seq(config, config[who]["username"]) for who in PEOPLE}
        cookies = {
            who: "; ".join(f"{k}={v}" for k, v in sessions[who].cookies.items()) for who in PEOPLE
        }
        listeners = [
            Listener(config, cookies[PEOPLE[i % 2]], baseline[PEOPLE[i % 2]])
            for i in range(clients)
        ]
        owner_of = {id(listener): PEOPLE[i % 2] for i, listener in enumerate(listeners)}
        tasks = [asyncio.create_task(listener.run()) for listener in listeners]
        await asyncio.wait_for(asyncio.gather(*(lst.ready.wait() for lst in listeners)), timeout)
        return cls(config, sessions, baseline, listeners, owner_of, tasks)

    async def settle(self, seconds: float) -> dict[str, list[int]]:
        """Wait (bounded) until every socket caught up with the store, then close them all;
        returns the store's numbers per person."""
        expected = {
            who: seqs_after(self.config, self.config[who]["username"], self.baseline[who])
            for who in PEOPLE
        }
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.exact(expected) < len(self.listeners):
            await asyncio.sleep(0.5)
        for listener in self.listeners:
            listener.stop = True
        await asyncio.gather(*self.tasks, return_exceptions=True)
        return expected

    def exact(self, expected: dict[str, list[int]]) -> int:
        return sum(lst.received == expected[self.owner_of[id(lst)]] for lst in self.listeners)

    def lost(self, expected: dict[str, list[int]]) -> int:
        return sum(
            len(set(expected[self.owner_of[id(lst)]]) - set(lst.received)) for lst in self.listeners
        )

    def doubled(self) -> int:
        return sum(lst.duplicates for lst in self.listeners)
