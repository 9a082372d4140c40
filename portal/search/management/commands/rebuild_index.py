"""manage.py rebuild_index: re-index every searchable object, with a progress bar."""

import time

from django.core.management.base import BaseCommand

from portal.search.backends import get_backend
from portal.search.rebuild import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index (searches keep answering while it runs)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        started = time.monotonic()
        backend = get_backend()
        self.stdout.write(f"Rebuilding the {backend.name} search index…")
        last = [""]

        def progress(kinds: str, done: int, total: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            line = f"\r  {kinds:<40} [{bar}] {done}/{total}"
            if last[0] and last[0] != kinds:
                self.stdout.write("")
            last[0] = kinds
            self.stdout.write(line, ending="")
            self.stdout.flush()

        total = rebuild(backend=backend, progress=progress, batch=options["batch_size"])
        elapsed = time.monotonic() - started
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} documents in {elapsed:.1f} s."))
