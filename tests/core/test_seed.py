"""seed_demo: the demo people in their roles, once, and never in production settings."""

import pytest
from django.core.management import CommandError, call_command

from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm


def test_seed_demo_creates_the_demo_users_once(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    demo = {"admin", "manager", "sales1", "sales2", "service", "editor", "newhire"}
    assert demo <= set(User.objects.values_list("username", flat=True))
    assert User.objects.filter(username="sales1").count() == 1
    sales1 = User.objects.get(username="sales1")
    assert sales1.check_password("agora-demo")
    assert has_module_perm(sales1, "customers", "register")
    manager = User.objects.get(username="manager")
    assert manager.managed_departments.filter(name__contains="Sales").exists()


def test_seed_demo_refuses_when_demo_data_is_not_allowed(db, settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="disabled"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(username="sales1").exists()
