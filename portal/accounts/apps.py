from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        from .roles import ensure_roles_after_migrate

        # Roles must exist in every deployment, not only with demo data: create the missing
        # ones (with their default permissions) after migrate; edits an administrator made
        # to existing roles are left alone.
        post_migrate.connect(ensure_roles_after_migrate, sender=self)
