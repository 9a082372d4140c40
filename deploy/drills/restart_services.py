"""Drill: PostgreSQL and Redis go down and come back; the app answers 503 meanwhile and
recovers by itself, without restarting daphne or the workers.

    .venv/bin/python deploy/drills/restart_services.py

Never touches the machine's shared servers: the drill starts its own PostgreSQL cluster
(initdb in a temporary directory, port 8140) and redis-server (port 8141), brings a topology up
on them with deploy/local-up (nginx :8142, daphne :8144 :8145, run dir /tmp/agora-drill-services),
stops and restarts each service while probing through nginx, then tears all of it down."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT, REDIS_PORT, HTTPS_PORT, HTTP_PORT = 8140, 8141, 8142, 8143
DAPHNE_PORTS = "8144 8145"
RUN = "/tmp/agora-drill-services"


def as_postgres(*argv: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


class Spare:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="agora-drill-pg-"))
        self.data = self.dir / "data"
        self.redis: subprocess.Popen | None = None
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def init(self) -> None:
        subprocess.run(
            as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
            check=True, capture_output=True,
        )  # fmt: skip

    def pg_start(self) -> None:
        options = f"-p {PG_PORT} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                        "-l", str(self.dir / "pg.log"), "-w", "start"),
            check=True, capture_output=True,
        )  # fmt: skip

    def pg_stop(self) -> None:
        subprocess.run(
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"),
            check=True, capture_output=True,
        )  # fmt: skip

    def redis_start(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)

    def redis_stop(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(10)
            self.redis = None

    def remove(self) -> None:
        self.redis_stop()
        subprocess.run(
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"),
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)


class Probe(threading.Thread):
    """Asks /readyz and a signed-in page through nginx every 0.25 s; keeps (time, statuses)."""

    def __init__(self, config: dict) -> None:
        super().__init__(daemon=True)
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import common

        self.client = common.login(config, "sales")
        self.url = config["url"]
        self.samples: list[tuple[float, int, int]] = []
        self.running = True

    def status(self, path: str) -> int:
        try:
            return self.client.get(self.url + path, timeout=5, allow_redirects=False).status_code
        except Exception:  # the proxy itself never goes away here, but count it
            return 0

    def run(self) -> None:
        while self.running:
            self.samples.append((time.monotonic(), self.status("/readyz"), self.status("/")))
            time.sleep(0.25)

    def wait_for(self, ready: bool, since: float, timeout: float = 60) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, readyz, _page in list(self.samples):
                if at >= since and (readyz == 200) == ready:
                    return at - since
            time.sleep(0.1)
        return None

    def between(self, start: float, end: float) -> list[tuple[int, int]]:
        return [(r, p) for at, r, p in self.samples if start <= at <= end]


def outage(name: str, probe: Probe, stop, start, down_seconds: float) -> bool:
    began = time.monotonic()
    stop()
    to_503 = probe.wait_for(False, began)
    time.sleep(down_seconds)
    restarted = time.monotonic()
    start()
    to_200 = probe.wait_for(True, restarted)
    during = probe.between(began + (to_503 or 0), restarted)
    pages = sorted({page for _r, page in during})
    five_hundreds = sum(page == 500 or readyz == 500 for readyz, page in during)
    print(f"{name} down: /readyz 503 after {to_503 if to_503 is None else round(to_503, 2)}s; "
          f"page statuses while down {pages}; 500s: {five_hundreds}; back to 200 "
          f"{to_200 if to_200 is None else round(to_200, 2)}s after restart")  # fmt: skip
    return to_503 is not None and to_200 is not None and five_hundreds == 0


def worker_delivers(config: dict, common) -> bool:
    """After both outages the workers (never restarted) still turn a reminder into a
    notification that reaches the store."""
    import datetime

    client = common.login(config, "sales")
    api = config["url"] + "/api/v1"
    customer = client.post(api + "/customers/", json={"name": f"After {time.time_ns()}"})
    deal = client.post(api + "/deals/", json={"name": "After", "customer": customer.json()["id"]})
    subject = f"after-outage {time.time_ns()}"
    due = datetime.datetime.now(datetime.UTC).isoformat()
    client.post(
        api + "/reminders/", json={"deal": deal.json()["id"], "due_at": due, "subject": subject}
    )
    started = time.monotonic()
    with common.database(config) as db:
        while time.monotonic() - started < 60:
            row = db.execute(
                "SELECT COUNT(*) FROM notifications_notification WHERE title = %s", [subject]
            ).fetchone()
            if row[0]:
                print(f"worker delivered a reminder {time.monotonic() - started:.1f}s after due")
                return True
            time.sleep(0.5)
    print("the workers did not deliver a reminder within 60 s after the outages")
    return False


def main(args) -> int:
    spare = Spare()
    env = {
        **os.environ,
        "AGORA_RUN": RUN,
        "AGORA_HTTPS_PORT": str(HTTPS_PORT),
        "AGORA_HTTP_PORT": str(HTTP_PORT),
        "AGORA_DAPHNE_PORTS": DAPHNE_PORTS,
        "AGORA_DEPLOY_DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/agora_deploy_drill",
        "AGORA_DEPLOY_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    }
    ok = False
    try:
        spare.init()
        spare.pg_start()
        spare.redis_start()
        subprocess.run([str(ROOT / "deploy" / "local-up")], env=env, check=True, timeout=1800)
        os.environ["AGORA_RUN"] = RUN
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import common

        common.RUN = Path(RUN)
        config = common.load()
        before = common.pids()
        probe = Probe(config)
        probe.start()
        time.sleep(2)
        ok_pg = outage("PostgreSQL", probe, spare.pg_stop, spare.pg_start, args.down)
        ok_redis = outage("Redis", probe, spare.redis_stop, spare.redis_start, args.down)
        probe.running = False
        worker_ok = worker_delivers(config, common)
        after = common.pids()
        alive = all(Path(f"/proc/{pid}").exists() for pid in after.values())
        print(f"same processes throughout: {before == after and alive}; load: {common.uptime()}")
        ok = ok_pg and ok_redis and worker_ok and before == after and alive
    finally:
        subprocess.run([str(ROOT / "deploy" / "local-down")], env=env, timeout=120)
        spare.remove()
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--down", type=float, default=8.0, help="seconds each service stays down")
    sys.exit(main(parser.parse_args()))
