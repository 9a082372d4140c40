"""Drill: kill a worker in the middle of delivering reminders and e-mails (two workers run).

    AGORA_RUN=/tmp/agora-deploy .venv/bin/python deploy/drills/kill_worker.py --reminders 150

Reminders on a deal are made through the API, all due at the same moment; when the workers
have delivered some but not all, worker-1 is killed with SIGKILL and started again a few
seconds later. Every reminder must become exactly one notification per person, and every
notification that was e-mailed must be in the mail directory exactly once."""

from __future__ import annotations

import argparse
import datetime
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def main(args) -> int:
    config = common.load()
    client = common.login(config, "sales")
    api = config["url"] + "/api/v1"
    tag = f"Drill{time.time_ns() % 10**9}"
    customer = client.post(api + "/customers/", json={"name": f"{tag} customer"}, timeout=30)
    deal = client.post(
        api + "/deals/", json={"name": f"{tag} deal", "customer": customer.json()["id"]}, timeout=30
    ).json()
    due = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=args.lead)
    started = time.monotonic()
    for number in range(args.reminders):
        response = client.post(
            api + "/reminders/",
            json={"deal": deal["id"], "due_at": due.isoformat(), "subject": f"{tag} #{number}"},
            timeout=30,
        )
        if response.status_code != 201:
            raise SystemExit(f"reminder {number}: {response.status_code} {response.text[:200]}")
    print(f"{args.reminders} reminders made through the API in {time.monotonic() - started:.1f}s")
    if datetime.datetime.now(datetime.UTC) >= due:
        raise SystemExit("the reminders fell due while being made: raise --lead")

    like = f"{tag} #%"
    db = common.database(config)

    def delivered() -> int:
        return db.execute(
            "SELECT COUNT(*) FROM notifications_reminder WHERE subject LIKE %s "
            "AND delivered_at IS NOT NULL",
            [like],
        ).fetchone()[0]

    victim = common.Process.remember("worker-1")
    killed_with = None
    deadline = time.monotonic() + args.lead + 60
    while time.monotonic() < deadline:
        done = delivered()
        if 0 < done < args.reminders:
            victim.kill(signal.SIGKILL)
            killed_with = done
            break
        if done == args.reminders:
            break
        time.sleep(0.02)
    if killed_with is None:
        print("the workers finished before the kill: rerun with more --reminders")
        return 1
    print(f"SIGKILL worker-1 (pid {victim.pid}) with {killed_with}/{args.reminders} delivered")
    victim.wait_gone(10)
    time.sleep(args.down)
    victim.start_again()
    print(f"worker-1 started again as pid {victim.pid}")

    settle = time.monotonic() + args.settle
    pending = None
    while time.monotonic() < settle:
        pending = db.execute(
            "SELECT COUNT(*) FROM notifications_notification WHERE title LIKE %s "
            "AND email_state = 'immediate'",
            [like],
        ).fetchone()[0]
        if delivered() == args.reminders and pending == 0:
            break
        time.sleep(1)
    rows = db.execute(
        "SELECT title, email_state FROM notifications_notification WHERE title LIKE %s", [like]
    ).fetchall()
    per_reminder = Counter(title for title, _state in rows)
    states = Counter(state for _title, state in rows)
    mailed = Counter()
    for path in (common.RUN / "mail").glob("*"):
        for subject in re.findall(rf"^Subject: ({re.escape(tag)} #\d+)$", path.read_text(), re.M):
            mailed[subject] += 1
    should_mail = {title for title, state in rows if state == "sent"}
    print(
        f"reminders delivered: {delivered()}/{args.reminders}; notifications: {len(rows)} "
        f"({len(per_reminder)} distinct, {sum(n > 1 for n in per_reminder.values())} doubled, "
        f"{args.reminders - len(per_reminder)} missing); e-mail states {dict(states)}"
    )
    print(
        f"e-mails in the mail directory: {sum(mailed.values())} for {len(should_mail)} "
        f"notifications marked sent; doubled {sum(n > 1 for n in mailed.values())}, "
        f"missing {len(should_mail - set(mailed))}; load: {common.uptime()}"
    )
    ok = (
        len(per_reminder) == args.reminders
        and all(n == 1 for n in per_reminder.values())
        and all(n == 1 for n in mailed.values())
        and set(mailed) == should_mail
        and pending == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=150)
    parser.add_argument("--lead", type=float, default=45.0, help="seconds until they fall due")
    parser.add_argument("--down", type=float, default=3.0, help="seconds the worker stays dead")
    parser.add_argument("--settle", type=float, default=120.0)
    sys.exit(main(parser.parse_args()))
