"""The one access rule: keys held by readers against keys carried by objects."""

from portal.accounts.models import Department, User
from portal.core import visibility
from portal.core.models import ObjectAccess


def test_a_rep_holds_self_department_chain_and_role_keys(people, org):
    keys = visibility.user_keys(people["sales1"])
    sales_group = people["sales1"].groups.get()
    assert {"staff", f"u:{people['sales1'].pk}", f"g:{sales_group.pk}"} <= keys
    assert {f"d:{org['east'].pk}", f"d:{org['sales'].pk}", f"d:{org['head'].pk}"} <= keys
    assert f"d:{org['north'].pk}" not in keys
    assert not any(key.startswith("m:") for key in keys)


def test_a_manager_holds_the_keys_of_the_whole_subtree_they_manage(people, org):
    keys = visibility.user_keys(people["manager"])
    assert {f"m:{org['sales'].pk}", f"m:{org['east'].pk}", f"m:{org['north'].pk}"} <= keys
    assert f"m:{org['service'].pk}" not in keys


def test_objects_are_filtered_by_shared_keys(people, org):
    # Departments stand in for any model: the rule does not care what the object is.
    private = Department.objects.create(name="owned by sales1")
    shared = Department.objects.create(name="shared with north")
    public = Department.objects.create(name="public")
    visibility.set_object_keys(private, visibility.owner_keys(people["sales1"]))
    visibility.set_object_keys(shared, [f"d:{org['north'].pk}"])
    visibility.set_object_keys(public, [visibility.STAFF])
    objects = Department.objects.filter(pk__in=[private.pk, shared.pk, public.pk])

    def names(user):
        found = set(visibility.filter_visible(objects, user).values_list("name", flat=True))
        # The correlated (EXISTS) shape must give exactly the same answer as the IN shape.
        correlated = visibility.filter_visible(objects, user, correlated=True)
        assert set(correlated.values_list("name", flat=True)) == found
        return found

    assert names(people["sales1"]) == {"owned by sales1", "public"}
    assert names(people["sales2"]) == {"shared with north", "public"}
    assert names(people["manager"]) == {"owned by sales1", "public"}  # manager chain of east
    assert names(people["admin"]) == {"owned by sales1", "shared with north", "public"}
    assert visibility.can_see(people["sales1"], private)
    assert not visibility.can_see(people["sales2"], private)


def test_inactive_and_anonymous_people_see_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    public = Department.objects.create(name="public")
    visibility.set_object_keys(public, [visibility.STAFF])
    people["sales1"].is_active = False
    assert not visibility.filter_visible(Department.objects.all(), people["sales1"]).exists()
    assert not visibility.filter_visible(Department.objects.all(), AnonymousUser()).exists()


def test_set_object_keys_replaces_keys_without_duplicates(db, people):
    thing = Department.objects.create(name="thing")
    visibility.set_object_keys(thing, ["u:1", "u:2"])
    visibility.set_object_keys(thing, ["u:2", "u:3"])
    assert visibility.object_keys(thing) == {"u:2", "u:3"}
    assert ObjectAccess.objects.filter(object_id=thing.pk).count() == 2


def test_reaches_many_picks_the_query_shape_by_how_much_the_reader_opens(
    people, django_assert_num_queries
):
    rows = [Department.objects.create(name=f"row {n}") for n in range(4)]
    for row in rows[:3]:
        visibility.set_object_keys(row, visibility.owner_keys(people["sales1"]))
    visibility.set_object_keys(rows[3], visibility.owner_keys(people["sales2"]))
    sales1, sales2 = people["sales1"], people["sales2"]
    assert visibility.reaches_many(Department, sales1, threshold=2)  # 3 rows > 2
    assert not visibility.reaches_many(Department, sales2, threshold=2)  # 1 row
    manager, admin = people["manager"], people["admin"]
    for reader in (manager, admin):  # what every request loads once anyway
        visibility.is_administrator(reader), visibility.user_keys(reader)
    with django_assert_num_queries(0):  # remembered for the request; roles need no count
        assert visibility.reaches_many(Department, sales1, threshold=2)
        assert visibility.reaches_many(Department, manager)
        assert visibility.reaches_many(Department, admin)


def test_a_readers_access_is_read_in_one_query(people, org, django_assert_num_queries):
    # Every search and list page starts by asking who the reader is: administrator or not,
    # and which keys they hold. One round trip answers both (ADR 0421).
    sales1 = User.objects.get(pk=people["sales1"].pk)
    with django_assert_num_queries(1):
        assert not visibility.is_administrator(sales1)
        keys = visibility.user_keys(sales1)
    assert f"d:{org['east'].pk}" in keys and f"d:{org['sales'].pk}" in keys

    manager = User.objects.get(pk=people["manager"].pk)
    with django_assert_num_queries(2):  # plus the managed subtree
        keys = visibility.user_keys(manager)
    assert {f"m:{org['east'].pk}", f"m:{org['north'].pk}", f"m:{org['sales'].pk}"} <= keys
    admin = User.objects.get(pk=people["admin"].pk)
    admin.is_superuser = False
    assert visibility.is_administrator(admin)  # through the Administrators group
