"""A deal's history reads in the reader's language: values are stored as parameters (a choice's
code, an amount and its currency, a date, a list of people) and rendered when read, never as
Python reprs or as the words of whoever wrote them (issue 19, ADR 0902)."""

import datetime
import importlib
from decimal import Decimal

from django.apps import apps
from django.utils import timezone, translation

from portal.core import audit
from portal.records.deals import actions as deal_actions
from portal.records.deals.models import Deal, DealStage
from portal.records.deals.statistics import pipeline_by_stage
from portal.records.deals.statistics.agenda import team_overview

from .deal_helpers import open_deal, won_deal


def _rows(deal, action, language):
    entry = audit.history(deal).filter(action=action).latest("pk")
    with translation.override(language):
        return [(str(label), old, new) for label, old, new in entry.change_rows]


def test_a_reminder_names_its_people_as_a_list_people_read(customer, people):
    deal = open_deal(customer, people["sales1"])
    deal_actions.create_deal_reminder(
        deal,
        acting_user=people["sales1"],
        due_at=timezone.now() + datetime.timedelta(days=1),
        subject="Call back",
        people=[people["sales1"], people["manager"]],
    )
    names = f"{people['sales1']}, {people['manager']}"
    rows = {label: new for label, _old, new in _rows(deal, "deal.reminder_set", "en")}
    assert rows["people to remind"] == names
    rows_zh = {label: new for label, _old, new in _rows(deal, "deal.reminder_set", "zh-hans")}
    assert rows_zh["提醒对象"] == f"{people['sales1']}、{people['manager']}"
    assert not any("[" in str(new) for new in rows_zh.values())


def test_an_activity_is_named_by_its_kind_in_the_readers_language(customer, people):
    deal = open_deal(customer, people["sales1"])
    with translation.override("en"):  # written under English…
        deal_actions.create_activity(
            deal,
            acting_user=people["sales1"],
            kind="email",
            subject="发送报价 Sent the quote",
            due_at=timezone.now() + datetime.timedelta(days=1),
        )
    # …read under 中文 (a row's keys come back in any order from PostgreSQL's jsonb)
    rows = {label: new for label, _old, new in _rows(deal, "deal.activity_planned", "zh-hans")}
    assert rows["活动"] == "电子邮件：发送报价 Sent the quote"
    rows = {label: new for label, _old, new in _rows(deal, "deal.activity_planned", "en")}
    assert rows["activity"] == "Email: 发送报价 Sent the quote"


def test_contract_and_payments_read_as_labelled_money_and_dates(customer, people):
    deal = won_deal(customer, people["sales1"], currency="CNY")
    deal_actions.save_contract(
        deal,
        acting_user=people["sales1"],
        number="HT-2026-001",
        signed_on=datetime.date(2026, 11, 2),
        amount=Decimal("193000"),
    )
    deal_actions.add_installment(
        deal,
        acting_user=people["sales1"],
        due_on=datetime.date(2026, 12, 30),
        amount=Decimal("266000"),
    )
    zh = {label: new for label, _old, new in _rows(deal, "deal.contract_saved", "zh-hans")}
    assert zh["签订日期"] == "2026-11-02"
    assert zh["合同总额"] == "¥193,000.00"
    assert not any(label.isascii() for label in zh)  # no "Signed", "Total" under 中文
    en = {label: new for label, _old, new in _rows(deal, "deal.contract_saved", "en")}
    assert en["signed on"] == "2026-11-02"
    assert en["contract total"] == "CN¥193,000.00"
    [(label, _old, new)] = _rows(deal, "deal.installment_added", "zh-hans")
    assert (label, new) == ("回款计划", "¥266,000.00 · 2026-12-30")


def test_the_deal_page_shows_the_history_in_the_readers_language(customer, people, client_for):
    sales1 = people["sales1"]
    deal = open_deal(customer, sales1)
    deal_actions.create_activity(
        deal,
        acting_user=sales1,
        kind="visit",
        subject="现场拜访 Site visit",
        due_at=timezone.now() + datetime.timedelta(days=1),
    )
    deal_actions.create_deal_reminder(
        deal,
        acting_user=sales1,
        due_at=timezone.now() + datetime.timedelta(days=1),
        subject="Call back",
        people=[sales1],
    )
    sales1.language = "zh-hans"
    sales1.save(update_fields=["language"])
    page = client_for(sales1).get(deal.get_absolute_url()).content.decode()
    assert "拜访：现场拜访 Site visit" in page
    assert "Visit:" not in page
    assert "['" not in page


def test_existing_rows_written_as_english_text_are_migrated(customer, people):
    deal = won_deal(customer, people["sales1"], currency="CNY")
    legacy = {
        "activity": ["", "Email: 发送报价 Sent the quote"],
        "time": ["", "2026-11-30 10:00"],
    }
    entry = audit.record(people["sales1"], "deal.activity_logged", deal, changes=legacy)
    paid = audit.record(
        people["sales1"],
        "deal.payment_received",
        deal,
        changes={"payment": ["", "266000.00 CNY · 2026-11-30"]},
    )
    signed = audit.record(
        people["sales1"],
        "deal.contract_saved",
        deal,
        changes={"total": ["", "193000.00"], "signed": ["", "2026-11-02"]},
    )
    odd = audit.record(
        people["sales1"], "deal.activity_logged", deal, changes={"activity": ["", "Lunch: x"]}
    )

    migration = importlib.import_module("portal.records.migrations.0004_history_values_structured")
    migration.structure(apps, None)

    for row in (entry, paid, signed, odd):
        row.refresh_from_db()
    with translation.override("zh-hans"):
        assert {str(k): n for k, _o, n in entry.change_rows}["活动"] == (
            "电子邮件：发送报价 Sent the quote"
        )
        assert [n for _k, _o, n in paid.change_rows] == ["¥266,000.00 · 2026-11-30"]
        assert {str(k): n for k, _o, n in signed.change_rows}["合同总额"] == "¥193,000.00"
    assert odd.changes == {"activity": ["", "Lunch: x"]}  # what it cannot read stays as it was


def test_the_cached_team_pipeline_names_stages_in_each_readers_language(customer, people):
    from django.core.cache import cache

    cache.clear()
    stage = DealStage.objects.create(name="Negotiation", name_zh="商务谈判", probability=60)
    open_deal(customer, people["sales1"], stage=stage)
    with translation.override("en"):  # the cache is filled by an English reader…
        team_overview(people["admin"], [])
    with translation.override("zh-hans"):  # …and read by a Chinese one
        names = [row.name for row in team_overview(people["admin"], []).stages]
    assert "商务谈判" in names and "Negotiation" not in names
    with translation.override("en"):
        names = [row.name for row in pipeline_by_stage(Deal.objects.all())]
    assert "Negotiation" in names


def test_a_competitors_price_and_an_order_quantity_read_as_numbers(customer, people):
    deal = won_deal(customer, people["sales1"], currency="CNY")
    deal_actions.add_competitor(
        deal, acting_user=people["sales1"], name="Zentra Systems", price=Decimal("652500")
    )
    deal_actions.add_order_line(
        deal,
        acting_user=people["sales1"],
        description="Label printer",
        quantity=Decimal("7"),
        unit_price=Decimal("103571"),
    )
    en = {label: new for label, _old, new in _rows(deal, "deal.competitor_added", "en")}
    assert en["price"] == "652,500.00"
    en = {label: new for label, _old, new in _rows(deal, "deal.order_line_added", "en")}
    assert (en["quantity"], en["price"]) == ("7", "CN¥103,571.00")


def test_a_payment_reminder_reads_in_the_readers_language(customer, people, client_for):
    sales1 = people["sales1"]
    deal = won_deal(customer, sales1, currency="CNY")
    with translation.override("en"):  # planned by someone reading English
        deal_actions.add_installment(
            deal, acting_user=sales1, due_on=datetime.date(2026, 12, 30), amount=Decimal("266000")
        )
    sales1.language = "zh-hans"
    sales1.save(update_fields=["language"])
    page = client_for(sales1).get(deal.get_absolute_url()).content.decode()
    assert f"{customer.name} 的回款 ¥266,000.00 到期" in page
    assert "Payment of" not in page


def _contact_rows(customer, language):
    entry = audit.history(customer).filter(action="contact.updated").latest("pk")
    with translation.override(language):
        return {str(label): (old, new) for label, old, new in entry.change_rows}


def test_a_contact_edit_names_the_contact_and_field_in_the_readers_language(customer, people):
    from portal.records.customers.actions import create_contact, update_contact

    contact = create_contact(customer, acting_user=people["sales1"], name="李雷", phone="010-1")
    with translation.override("en"):  # written under English…
        update_contact(
            contact, acting_user=people["sales1"], phone="010-2", preferred_channel="email"
        )
    # …read in either language: the contact's name and the field's verbose name, no code
    rows_en = _contact_rows(customer, "en")
    assert rows_en["李雷: phone"] == ("010-1", "010-2")
    assert rows_en["李雷: preferred channel"][1] == "Email"  # the label, not the code
    rows_zh = _contact_rows(customer, "zh-hans")
    assert rows_zh["李雷：电话"] == ("010-1", "010-2")
    assert not any(label.startswith("@") or "preferred_channel" in label for label in rows_zh)


def test_existing_contact_edits_keyed_in_english_are_migrated(customer, people):
    legacy = audit.record(
        people["sales1"],
        "contact.updated",
        customer,
        changes={"王芳: phone": ["1", "2"], "王芳: notes": ["", "x"], "odd key": ["a", "b"]},
    )
    migration = importlib.import_module("portal.records.migrations.0005_contact_history_keys")
    migration.forward(apps, None)

    legacy.refresh_from_db()
    assert legacy.changes == {
        "@records.contact:phone:王芳": ["1", "2"],
        "@records.contact:notes:王芳": ["", "x"],
        "odd key": ["a", "b"],  # what it cannot read stays as it was
    }
    with translation.override("zh-hans"):
        labels = {str(label) for label, _old, _new in legacy.change_rows}
    assert "王芳：电话" in labels
