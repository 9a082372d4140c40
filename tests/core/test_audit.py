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
