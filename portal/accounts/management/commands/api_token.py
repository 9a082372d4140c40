"""Print a person's API token, creating it on first use."""

from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from portal.accounts.models import User


class Command(BaseCommand):
    help = "Print the API token of a user (Authorization: Token <key>), creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Replace the existing token.")

    def handle(self, *args, username: str, rotate: bool = False, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
