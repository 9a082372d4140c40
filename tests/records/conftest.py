"""Fixtures of the records tests: a customer of sales1 with two contacts, created by actions."""

import pytest

from portal.accounts import roles
from portal.records.customers import actions


@pytest.fixture
def sales3(make_user, people):
    """A third rep, in another team, who must not see sales1's customers."""
    return make_user("sales3", roles.SALES, "north")


@pytest.fixture
def customer(people):
    customer = actions.create_customer(
        acting_user=people["sales1"],
        name="上海华东精密机械有限公司",
        short_name="华东精机",
        phone="021-5555-0101",
        email="info@hdjj.example.cn",
        region="east",
        industry="machinery",
        province="上海",
        city="上海",
        address="上海市浦东新区张江路 88 号",
        postcode="201203",
    )
    actions.create_contact(
        customer,
        acting_user=people["sales1"],
        name="王芳",
        department="采购部",
        title="采购经理",
        email="wangfang@hdjj.example.cn",
    )
    actions.create_contact(
        customer,
        acting_user=people["sales1"],
        name="刘强",
        department="设备部",
        email="liuqiang@hdjj.example.cn",
        do_not_email=True,
    )
    return customer
