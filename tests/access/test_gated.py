"""The prologue every policy check shares (`portal.core.policy.gated`, decision 0143):
administrators may, everyone else needs the module permission (never held signed out or
inactive) and, where asked, to see the object; only then the check's own rule."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from portal.core.policy import AccessPolicy, gated
from portal.records.customers.policy import customer_policy
from portal.records.models import Customer


class Probe(AccessPolicy):
    model = Customer
    module = "customers"
    rule_asked = 0

    def live_queryset(self):
        return customer_policy.live_queryset()

    @gated()
    def can_poke(self, user, customer: Customer) -> bool:
        Probe.rule_asked += 1
        return customer.owner_id == user.pk

    @gated("register", administrators=False)
    def can_claim_it(self, user, customer: Customer | None = None) -> bool:
        return customer is None or customer.in_pool

    @gated(visible=True)
    def can_peek(self, user, customer: Customer) -> bool:
        return True


def test_administrators_may_and_the_rule_decides_for_the_rest(customer, people):
    probe = Probe()
    assert probe.can_poke(people["admin"], customer)
    assert probe.can_poke(people["sales1"], customer)  # the owner
    assert not probe.can_poke(people["sales2"], customer)  # the module, not the rule
    assert probe.can(people["sales1"], "poke", customer)


def test_no_rule_is_asked_without_the_module_or_signed_out_or_inactive(customer, people):
    probe = Probe()
    Probe.rule_asked = 0
    assert not probe.can_poke(AnonymousUser(), customer)
    owner = people["sales1"]
    owner.is_active = False
    assert not probe.can_poke(owner, customer)
    admin = people["admin"]
    admin.is_active = False
    assert not probe.can_poke(admin, customer)
    assert Probe.rule_asked == 0


def test_a_rule_that_binds_administrators_too(customer, people):
    probe = Probe()
    assert not probe.can_claim_it(people["admin"], customer)  # not in the pool
    assert probe.can_claim_it(people["admin"])
    assert probe.can(people["sales1"], "claim_it")
    assert not probe.can_claim_it(AnonymousUser())


def test_visible_asks_the_policy_whether_the_user_may_read_the_object(customer, people):
    probe = Probe()
    assert probe.can_peek(people["manager"], customer)  # the owner's manager reads it
    assert not probe.can_peek(people["sales2"], customer)  # holds the module, cannot see it
    customer.deleted_at = timezone.now()
    customer.save(update_fields=["deleted_at"])
    assert not probe.can_peek(people["sales1"], customer)  # in the recycle bin
    assert probe.can_peek(people["admin"], customer)  # administrators: before the object
