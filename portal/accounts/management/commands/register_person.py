"""Register a person from the command line through the same action as the admin screens
(for a fresh production site, where seed_demo refuses to run)."""

import os

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.actions import create_department, register_person
from portal.accounts.models import Department


class Command(BaseCommand):
    help = (
        "Register a person in the given roles. The password is read from the environment "
        "variable named by --password-env (never from the command line, which others can see)."
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+", metavar="username")
        parser.add_argument("--role", action="append", default=[], dest="roles")
        parser.add_argument("--department", default="", help="Department name (created if new).")
        parser.add_argument(
            "--email", default="", help="E-mail address; {username} is replaced by the user name."
        )
        parser.add_argument("--display-name", default="")
        parser.add_argument("--password-env", default="AGORA_PASSWORD")

    def handle(self, *args, usernames, roles, department, email, display_name, password_env, **o):
        unknown = set(roles) - set(
            Group.objects.filter(name__in=roles).values_list("name", flat=True)
        )
        if unknown:
            raise CommandError(f"Unknown role(s): {', '.join(sorted(unknown))}")
        password = os.environ.get(password_env, "")
        if not password:
            raise CommandError(f"Set {password_env} to the person's password.")
        dept = None
        if department:
            dept = Department.objects.filter(name=department).first() or create_department(
                name=department, acting_user=None
            )
        for username in usernames:
            try:
                user = register_person(
                    acting_user=None,
                    username=username,
                    password=password,
                    display_name=display_name,
                    email=email.replace("{username}", username),
                    department=dept,
                    roles=roles,
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            self.stdout.write(f"Registered {user.username} (id {user.pk}).")
