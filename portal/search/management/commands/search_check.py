"""manage.py search_check [--fix]: report drift between the data and the search index."""

from django.core.management.base import BaseCommand

from portal.search.rebuild import check


class Command(BaseCommand):
    help = "Check the search index against the data; --fix repairs what differs."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Re-index and remove what drifted.")

    def handle(self, *args, **options):
        drift = check(fix=options["fix"])
        for label, refs in (("missing", drift.missing), ("stale", drift.stale),
                            ("changed", drift.changed)):  # fmt: skip
            sample = ", ".join(f"{kind}:{pk}" for kind, pk in refs[:10])
            self.stdout.write(f"{label}: {len(refs)}" + (f" ({sample})" if refs else ""))
        for label, ids in (
            ("interests parsed with an older vocabulary", drift.interests_outdated),
            ("interests missing from the percolator", drift.interests_missing),
            ("interests left in the percolator", drift.interests_stale),
            ("interests changed in the percolator", drift.interests_changed),
        ):
            if ids:
                sample = ", ".join(str(i) for i in ids[:10])
                self.stdout.write(f"{label}: {len(ids)} ({sample})")
        for problem in drift.structural:
            self.stdout.write(f"structure: {problem}")
        if drift.clean:
            self.stdout.write(self.style.SUCCESS("The search index is consistent."))
        elif options["fix"]:
            self.stdout.write(self.style.SUCCESS("Repaired."))
        else:
            self.stdout.write(self.style.WARNING("Drift found; run with --fix to repair."))
            raise SystemExit(1)
