"""Seed the demo users and content; safe to run again (nothing is duplicated)."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Order matters: people first, then records, then what links to records.
DEMO_MODULES = [
    "portal.accounts.demo",
    "portal.records.demo",
    "portal.knowledge.demo",
    "portal.forum.demo",
    "portal.notifications.demo",
    "portal.search.demo",
]


class Command(BaseCommand):
    help = "Create the demo users (password agora-demo) and bilingual demo content, once."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is disabled in these settings (production).")
        for module_name in DEMO_MODULES:
            module = import_module(module_name)
            with transaction.atomic():
                summary = module.seed()
            if summary:
                self.stdout.write(f"{module_name.split('.')[1]}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
