"""The audit log: actions record who changed what, and an object's history reads it back."""

from portal.accounts import actions
from portal.core import audit


def test_profile_changes_are_audited_with_old_and_new_values(people):
    user = people["sales1"]
    actions.update_profile(user, acting_user=user, title="Key account manager", phone="021-555")
    entry = audit.history(user).get()
    assert entry.actor == user
    assert entry.action == "person.profile_updated"
    assert entry.changes["title"] == ["", "Key account manager"]
    assert entry.changes["phone"] == ["", "021-555"]


def test_diff_lists_only_changed_fields():
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}


def _recorded_action_codes() -> set[str]:
    """Every action code the sources pass to audit.record() as a literal (or either branch)."""
    import ast
    from pathlib import Path

    import portal

    codes: set[str] = set()
    for path in Path(portal.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name != "record":
                continue
            code = node.args[1]
            branches = [code.body, code.orelse] if isinstance(code, ast.IfExp) else [code]
            codes |= {
                b.value
                for b in branches
                if isinstance(b, ast.Constant) and isinstance(b.value, str)
            }
    return codes


def test_every_recorded_action_has_a_human_name():
    codes = _recorded_action_codes()
    assert "customer.created" in codes  # the scan finds the actions it is meant to check
    assert codes - audit.labelled_actions() == set()


def test_history_names_actions_and_fields_in_the_readers_language(people, client_for):
    from django.urls import reverse

    from portal.records.customers import actions as records

    sales1 = people["sales1"]
    customer = records.create_customer(acting_user=sales1, name="Acme Robotics Ltd")
    records.update_customer(customer, acting_user=sales1, phone="021-5550000")
    url = reverse("records:customer_detail", args=[customer.pk])

    page = client_for(sales1).get(url).content.decode()
    assert "Customer created" in page
    assert "Details changed" in page
    assert "Phone" in page and "021-5550000" in page
    assert ">customer.updated<" not in page

    # a choice is shown by its label, not its stored code
    records.update_customer(customer, acting_user=sales1, level="A")
    page = client_for(sales1).get(url).content.decode()
    assert '<del class="text-muted">C – normal</del> → A – key account' in page

    sales1.language = "zh-hans"
    sales1.save(update_fields=["language"])
    page = client_for(sales1).get(url).content.decode()
    assert "客户已创建" in page
    assert "资料已修改" in page
