"""The background worker: runs the jobs apps registered with `portal.core.worker`."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from portal.core.worker import jobs, run_job


class Command(BaseCommand):
    help = "Run Agora's background jobs (reminders, digests, index upkeep) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, once: bool = False, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        registered = jobs()
        self.stdout.write(
            f"Worker started with {len(registered)} job(s): "
            + ", ".join(job.name for job in registered)
        )
        last_run: dict[str, float] = {}
        while not stopping:
            # As a request ends: hand the connection back to the pool (or drop one that a
            # database restart broke), so a long-running worker recovers instead of failing
            # every job on a dead connection (ADR 0421).
            close_old_connections()
            now = time.monotonic()
            for job in registered:
                if now - last_run.get(job.name, 0.0) >= job.every_seconds:
                    done = run_job(job)
                    last_run[job.name] = time.monotonic()
                    if done:
                        self.stdout.write(f"{job.name}: {done}")
            if once:
                break
            time.sleep(settings.WORKER_POLL_SECONDS)
        self.stdout.write("Worker stopped.")
