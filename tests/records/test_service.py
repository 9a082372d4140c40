"""Customer service: the complaint workflow (order, roles, refusals that change nothing), who is
notified at each step, keys that follow the customer, attachments, Q&A suggestions in Chinese."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.core import visibility
from portal.core.models import AuditEntry
from portal.core.testing import capture_events
from portal.knowledge import actions as kactions
from portal.knowledge import setup as ksetup
from portal.knowledge.models import KnowledgeHome, ProductPage, QAIndexPage, QAPage
from portal.notifications.models import Notification
from portal.records.customers import actions as customer_actions
from portal.records.models import ServiceCase, ServiceCaseStep, SupportQuestion
from portal.records.service import actions
from portal.records.service.policy import access_case, cases_visible_to
from tests.knowledge.conftest import site_root

QA_ENTRIES = [
    (
        "收银一体机开机黑屏怎么办？",
        "<p>先检查电源适配器，再长按电源键十秒重启。</p>",
        "黑屏 开机 电源",
    ),
    ("打印小票字迹太淡", "<p>更换热敏纸并清洁打印头。</p>", "打印 小票 热敏纸"),
    ("扫码枪无法识别二维码", "<p>在设置中打开二维码识别并校准。</p>", "扫码枪 二维码"),
    ("How long is the warranty?", "<p>Three years for terminals.</p>", "warranty"),
    ("会员积分如何导出", "<p>后台 › 会员 › 导出积分表。</p>", "会员 积分 导出"),
]


def build_knowledge(admin) -> dict:
    """A knowledge home with a Q&A bank (Chinese entries) and one product."""
    home = kactions.create_page(
        site_root(), KnowledgeHome(title="Knowledge", slug="knowledge"), acting_user=admin
    )
    ksetup.ensure_editorial_setup()
    from portal.knowledge.models import ProductIndexPage

    products = kactions.create_page(
        home, ProductIndexPage(title="Products", slug="products"), acting_user=admin
    )
    product = kactions.create_page(
        products,
        ProductPage(title="Nebula S1", slug="nebula-s1", product_line="terminals"),
        acting_user=admin,
    )
    qa_index = kactions.create_page(home, QAIndexPage(title="Q&A", slug="qa"), acting_user=admin)
    entries = [
        kactions.create_page(
            qa_index,
            QAPage(title=title, slug=f"qa-{n}", answer=answer, keywords=keywords),
            acting_user=admin,
        )
        for n, (title, answer, keywords) in enumerate(QA_ENTRIES)
    ]
    return {"product": product, "qa_index": qa_index, "entries": entries}


@pytest.fixture
def knowledge(people):
    return build_knowledge(people["admin"])


def committed(func, *args, **kwargs):
    """Run an action and its on-commit subscribers (notifications) as a real commit would."""
    with capture_events():
        return func(*args, **kwargs)


def register(people, customer, **extra):
    values = {
        "acting_user": people["service"],
        "customer": customer,
        "title": "收银机频繁死机",
        "description": "门店三台收银机每天死机两三次。",
    }
    values.update(extra)
    return committed(actions.register_complaint, **values)


def notified(user, case=None) -> list[str]:
    rows = Notification.objects.filter(user=user).order_by("seq")
    if case is not None:
        rows = rows.filter(url=case.get_absolute_url())
        # case notifications have their own kind (preferences, unsubscribe links)
        assert set(rows.values_list("kind", flat=True)) <= {"service"}
    return list(rows.values_list("title", flat=True))


def snapshot(case: ServiceCase) -> tuple:
    case = ServiceCase.objects.get(pk=case.pk)
    return (
        case.status,
        case.assigned_department_id,
        case.assignee_id,
        case.resolution,
        case.summary,
        case.step_due_at,
        ServiceCaseStep.objects.filter(case=case).count(),
        AuditEntry.objects.filter(
            object_id=str(case.pk), action__startswith="service_case"
        ).count(),
        sorted(visibility.object_keys(case)),
    )


# --- registration ---------------------------------------------------------------------------


def test_registering_numbers_the_complaint_and_copies_the_customer(people, customer, events):
    contact = customer.contacts.get(name="王芳")
    case = register(people, customer, contact=contact, channel="email", severity="high")
    assert case.number.startswith("S") and len(case.number) == 10
    assert case.customer_name == customer.name and case.customer_phone == customer.phone
    assert "张江路" in case.customer_address
    assert case.contact_name == "王芳"
    assert case.status == ServiceCase.Status.REGISTERED
    assert case.step_due_at is not None
    assert case.category.key == "other"
    assert ServiceCaseStep.objects.filter(case=case, kind="registered").count() == 1
    assert "records.service_case_registered" in events.names
    # The customer's owner hears that a complaint came in.
    assert notified(people["sales1"], case) == [
        f"New complaint {case.number} about {customer.name}"
    ]


def test_only_the_service_desk_registers(people, customer):
    with pytest.raises(PermissionDenied):
        register(people, customer, acting_user=people["sales1"])
    assert not ServiceCase.objects.exists()


# --- the workflow ---------------------------------------------------------------------------


def test_the_whole_workflow_notifies_whose_turn_it_is(people, customer, org, knowledge):
    service, manager, sales1 = people["service"], people["manager"], people["sales1"]
    case = register(people, customer)

    committed(actions.assess_case, case, acting_user=service, assessment="硬件问题，需上门")
    assert case.status == ServiceCase.Status.ASSESSED

    committed(actions.assign_case, case, acting_user=service, department=org["east"])
    assert case.status == ServiceCase.Status.ASSIGNED
    # Only a department is named: its service-capable members and its managers are told.
    assert any("was assigned to you" in t for t in notified(sales1, case))
    assert any("was assigned to you" in t for t in notified(manager, case))
    assert not any("assigned" in t for t in notified(people["newhire"]))

    committed(actions.propose_resolution, case, acting_user=sales1, resolution="更换主板")
    assert any("proposed a resolution" in t for t in notified(manager, case))
    assert any("proposed a resolution" in t for t in notified(people["admin"], case))

    committed(
        actions.send_back_resolution, case, acting_user=manager, reason="先确认是否在保修期内"
    )
    assert case.status == ServiceCase.Status.ASSIGNED
    assert any("sent back" in t for t in notified(sales1, case))

    committed(
        actions.propose_resolution, case, acting_user=sales1, resolution="保修期内，免费更换主板"
    )
    committed(actions.approve_resolution, case, acting_user=manager)
    assert case.status == ServiceCase.Status.APPROVED
    assert any("was approved: carry it out" in t for t in notified(sales1, case))

    committed(actions.carry_out_case, case, acting_user=sales1, outcome="已更换三台主板")
    assert any("write the summary" in t for t in notified(service, case))

    committed(
        actions.write_summary,
        case,
        acting_user=service,
        summary="收银机死机多为主板批次问题，保修期内免费更换。",
        make_qa_draft=True,
        qa_question="收银机频繁死机怎么办？",
    )
    draft = QAPage.objects.get(pk=case.qa_draft_id)
    assert not draft.live and draft.has_unpublished_changes
    assert draft.latest_revision is not None
    assert "主板" in draft.answer
    assert draft.get_parent().pk == knowledge["qa_index"].pk
    # The knowledge editors are told a draft waits for them.
    assert any("proposed a Q&A entry" in t for t in notified(people["editor"]))

    committed(actions.close_case, case, acting_user=service)
    assert case.status == ServiceCase.Status.CLOSED and case.closed_at and not case.step_due_at
    assert any("was closed" in t for t in notified(sales1, case))
    kinds = list(case.steps.values_list("kind", flat=True))
    assert kinds == [
        "registered", "assessed", "assigned", "proposed", "sent_back", "proposed", "approved",
        "carried_out", "summarised", "closed",
    ]  # fmt: skip
    assert all(step.actor_id for step in case.steps.all())
    actions_logged = set(
        AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {"service_case.registered", "service_case.sent_back", "service_case.closed"} <= (
        actions_logged
    )


@pytest.mark.parametrize(
    "step, kwargs",
    [
        ("assign", {"department": None}),
        ("propose", {"resolution": "x"}),
        ("approve", {}),
        ("carry_out", {"outcome": "x"}),
        ("summarise", {"summary": "x"}),
        ("close", {}),
    ],
)
def test_steps_cannot_be_skipped_and_nothing_changes(people, customer, org, step, kwargs):
    case = register(people, customer)
    before = snapshot(case)
    if step == "assign":
        kwargs = {"department": org["east"]}
    with pytest.raises(actions.WorkflowError) as refused:
        actions.STEP_ACTIONS[step](case, acting_user=people["admin"], **kwargs)
    assert "is not its next step" in str(refused.value)
    assert snapshot(case) == before
    assert case.status == ServiceCase.Status.REGISTERED


def test_wrong_role_is_refused_and_nothing_changes(people, customer, org, make_user):
    service, manager, sales1, sales2 = (
        people["service"], people["manager"], people["sales1"], people["sales2"],
    )  # fmt: skip
    case = register(people, customer)

    # Assessing is the service desk's: the customer's own rep may not.
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        actions.assess_case(case, acting_user=sales1, assessment="x")
    assert snapshot(case) == before

    committed(actions.assess_case, case, acting_user=service, assessment="ok")
    committed(
        actions.assign_case, case, acting_user=service, department=org["east"], assignee=sales1
    )

    # Someone else in another team may not propose the resolution.
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        actions.propose_resolution(case, acting_user=sales2, resolution="x")
    # The service desk may not propose either: it is the responsible person's step.
    with pytest.raises(PermissionDenied):
        actions.propose_resolution(case, acting_user=service, resolution="x")
    assert snapshot(case) == before

    committed(actions.propose_resolution, case, acting_user=sales1, resolution="更换")
    # The proposer may not approve their own resolution, nor may the service desk.
    before = snapshot(case)
    for person in (sales1, service):
        with pytest.raises(PermissionDenied):
            actions.approve_resolution(case, acting_user=person)
        with pytest.raises(PermissionDenied):
            actions.send_back_resolution(case, acting_user=person, reason="no")
    assert snapshot(case) == before

    # Sending back needs a reason (field error), and nothing changes either.
    with pytest.raises(ValidationError) as refused:
        actions.send_back_resolution(case, acting_user=manager, reason="  ")
    assert "reason" in refused.value.message_dict
    assert snapshot(case) == before


def test_a_department_manager_approves_without_the_manage_permission(
    people, customer, org, make_user
):
    from portal.accounts import roles
    from portal.accounts.models import Department

    lead = make_user("eastlead", roles.SALES, "east")
    Department.objects.filter(pk=org["east"].pk).update(manager=lead)
    case = register(people, customer)
    committed(actions.assess_case, case, acting_user=people["service"], assessment="ok")
    committed(
        actions.assign_case,
        case,
        acting_user=people["service"],
        department=org["east"],
        assignee=people["sales1"],
    )
    committed(actions.propose_resolution, case, acting_user=people["sales1"], resolution="更换")
    committed(actions.approve_resolution, case, acting_user=lead)
    assert case.status == ServiceCase.Status.APPROVED


def test_severe_complaints_wait_for_approval_before_assignment(people, customer, org):
    case = register(people, customer, severity="critical")
    committed(actions.assess_case, case, acting_user=people["service"], assessment="门店全部停业")
    assert case.status == ServiceCase.Status.PRE_APPROVAL
    assert any("needs your approval" in t for t in notified(people["manager"], case))
    before = snapshot(case)
    with pytest.raises(actions.WorkflowError):
        actions.assign_case(case, acting_user=people["service"], department=org["east"])
    with pytest.raises(PermissionDenied):
        actions.pre_approve_case(case, acting_user=people["service"])
    assert snapshot(case) == before
    committed(actions.pre_approve_case, case, acting_user=people["manager"], note="优先处理")
    assert case.status == ServiceCase.Status.ASSESSED
    assert any("ready to be assigned" in t for t in notified(people["service"], case))
    committed(actions.assign_case, case, acting_user=people["service"], department=org["east"])
    assert case.status == ServiceCase.Status.ASSIGNED
    # Critical: four hours per step.
    hours = (case.step_due_at - case.status_changed_at).total_seconds() / 3600
    assert hours == pytest.approx(4)


def test_reassigning_needs_transfer_and_urging_needs_urge(people, customer, org):
    case = register(people, customer)
    committed(actions.assess_case, case, acting_user=people["service"], assessment="ok")
    committed(actions.assign_case, case, acting_user=people["service"], department=org["east"])
    before = snapshot(case)
    with pytest.raises(PermissionDenied):  # service holds register, not transfer
        actions.assign_case(case, acting_user=people["service"], department=org["north"])
    with pytest.raises(PermissionDenied):
        actions.urge_case(case, acting_user=people["service"])
    assert snapshot(case) == before
    committed(
        actions.assign_case,
        case,
        acting_user=people["manager"],
        department=org["north"],
        assignee=people["sales2"],
    )
    assert case.assignee_id == people["sales2"].pk
    committed(actions.urge_case, case, acting_user=people["manager"], note="客户很着急")
    assert case.status == ServiceCase.Status.ASSIGNED
    assert any("urged you" in t for t in notified(people["sales2"], case))


def test_overdue_steps_are_flagged_once_and_notify(people, customer):
    import datetime

    from django.utils import timezone

    case = register(people, customer)
    later = timezone.now() + datetime.timedelta(days=10)
    assert committed(actions.flag_overdue_cases, now=later) == 1
    assert committed(actions.flag_overdue_cases, now=later) == 0
    assert any("is overdue" in t for t in notified(people["service"], case))
    # The list's overdue view shows it.
    assert ServiceCase.objects.filter(step_due_at__lt=later).exists()


# --- visibility -----------------------------------------------------------------------------


def test_case_is_visible_where_its_customer_is_and_follows_transfers(people, customer, org, sales3):
    case = register(people, customer)
    assert access_case(people["sales1"], case.pk) == case
    assert access_case(people["service"], case.pk) == case
    assert access_case(people["manager"], case.pk) == case
    assert not cases_visible_to(people["sales2"]).filter(pk=case.pk).exists()
    assert not cases_visible_to(people["newhire"]).exists()
    committed(
        customer_actions.transfer_customer, customer, to_user=sales3, acting_user=people["admin"]
    )
    assert cases_visible_to(sales3).filter(pk=case.pk).exists()
    assert not cases_visible_to(people["sales1"]).filter(pk=case.pk).exists()
    # Sharing the customer with sales2 reaches the case through the access-changed event.
    committed(
        customer_actions.share_customer,
        customer,
        acting_user=people["admin"],
        user=people["sales2"],
    )
    assert cases_visible_to(people["sales2"]).filter(pk=case.pk).exists()


def test_case_page_is_404_for_those_who_may_not_see_it(people, customer, client_for):
    case = register(people, customer)
    assert client_for(people["sales2"]).get(case.get_absolute_url()).status_code == 404
    response = client_for(people["sales1"]).get(case.get_absolute_url())
    assert response.status_code == 200 and case.number in response.content.decode()


# --- attachments ----------------------------------------------------------------------------


def test_attachments_are_checked_and_served_only_to_readers(people, customer, client_for):
    pdf = SimpleUploadedFile("报告.pdf", b"%PDF-1.4 report SECRET-BYTES", "application/pdf")
    case = register(people, customer, attachments=[pdf])
    attachment = case.attachments.get()
    url = attachment.get_absolute_url()
    response = client_for(people["sales1"]).get(url)
    assert response.status_code == 200
    assert b"SECRET-BYTES" in b"".join(response.streaming_content)
    assert response["X-Content-Type-Options"] == "nosniff"
    response = client_for(people["sales2"]).get(url)
    assert response.status_code == 404
    assert b"SECRET-BYTES" not in response.content

    fake = SimpleUploadedFile("invoice.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    with pytest.raises(ValidationError) as refused:
        actions.add_attachments(case, [fake], acting_user=people["service"])
    assert "attachments" in refused.value.message_dict
    page = SimpleUploadedFile("x.html", b"<html>", "text/html")
    with pytest.raises(ValidationError):
        register(people, customer, attachments=[page])
    assert ServiceCase.objects.count() == 1 and case.attachments.count() == 1


# --- support questions ----------------------------------------------------------------------


def test_a_question_typed_in_chinese_finds_the_entry(people, knowledge, client_for):
    client = client_for(people["service"])
    # "黑屏" (black screen) sits in the middle of a sentence that matches no title as a whole.
    response = client.get(
        reverse("records:support_qa_suggest"),
        {"question": "客户说门店的机器早上突然黑屏了，重启也没用"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    ids = [int(part.split('"')[0]) for part in html.split('data-qa-id="')[1:]]
    target = knowledge["entries"][0].pk
    assert target in list(dict.fromkeys(ids))[:3]


def test_answering_from_the_bank_keeps_the_link_and_counts_a_use(people, customer, knowledge):
    entry_page = knowledge["entries"][1]
    question = committed(
        actions.create_support_question,
        acting_user=people["service"],
        customer=customer,
        question="小票打印太淡看不清",
    )
    committed(
        actions.answer_support_question,
        question,
        acting_user=people["service"],
        answer="更换热敏纸并清洁打印头。",
        qa_entry_id=entry_page.pk,
    )
    question.refresh_from_db()
    assert question.qa_entry_id == entry_page.pk
    assert question.status == SupportQuestion.Status.ANSWERED
    assert QAPage.objects.get(pk=entry_page.pk).usage_count == 1
    assert AuditEntry.objects.filter(action="knowledge.qa_used").exists()


def test_a_new_answer_becomes_a_draft_and_escalation_notifies(people, customer, knowledge):
    service = people["service"]
    question = committed(
        actions.create_support_question,
        acting_user=service,
        customer=customer,
        question="新固件支持刷脸支付吗？",
    )
    committed(
        actions.escalate_support_question,
        question,
        acting_user=service,
        to_user=people["sales1"],
        note="需要技术确认",
    )
    assert question.status == SupportQuestion.Status.ESCALATED
    assert any("asked you to answer" in t for t in notified(people["sales1"]))
    committed(
        actions.answer_support_question,
        question,
        acting_user=people["sales1"],
        answer="支持，需升级到 3.2 版。",
        make_qa_draft=False,
    )
    second = committed(
        actions.create_support_question,
        acting_user=service,
        customer=customer,
        question="支持银联云闪付吗？",
    )
    committed(
        actions.answer_support_question,
        second,
        acting_user=service,
        answer="支持。",
        make_qa_draft=True,
    )
    second.refresh_from_db()
    draft = QAPage.objects.get(pk=second.qa_draft_id)
    assert draft.title == "支持银联云闪付吗？" and not draft.live


def test_escalating_to_someone_without_service_access_is_a_field_error(people, customer, knowledge):
    question = committed(
        actions.create_support_question,
        acting_user=people["service"],
        customer=customer,
        question="?",
    )
    with pytest.raises(ValidationError) as refused:
        actions.escalate_support_question(
            question, acting_user=people["service"], to_user=people["newhire"]
        )
    assert "to_user" in refused.value.message_dict
    question.refresh_from_db()
    assert question.status == SupportQuestion.Status.OPEN and question.escalated_to is None


# --- service records ------------------------------------------------------------------------


def test_service_records_keep_satisfaction_between_one_and_five(people, customer):
    record = actions.create_service_record(
        acting_user=people["service"],
        customer=customer,
        kind="repair",
        content="更换打印头",
        satisfaction=5,
        feedback="很及时",
    )
    assert record.engineer_id == people["service"].pk
    with pytest.raises(ValidationError) as refused:
        actions.create_service_record(
            acting_user=people["service"], customer=customer, kind="visit", content="x",
            satisfaction=6,
        )  # fmt: skip
    assert "satisfaction" in refused.value.message_dict
    assert customer.service_records.count() == 1


# --- search ---------------------------------------------------------------------------------


def test_search_finds_a_case_only_for_those_who_may_open_it(people, customer, org, sales3):
    from portal.search import service as search

    case = register(people, customer, title="触摸屏失灵", description="触摸屏在低温下失灵。")

    def kinds_found(user):
        _parsed, results = search.search(user, "触摸屏")
        return [(hit.kind, hit.url) for hit in results.hits]

    assert ("service_case", case.get_absolute_url()) in kinds_found(people["sales1"])
    assert ("service_case", case.get_absolute_url()) in kinds_found(people["service"])
    assert kinds_found(people["sales2"]) == []
    # The customer moves to sales3: the case's keys follow, and so does search.
    committed(
        customer_actions.transfer_customer, customer, to_user=sales3, acting_user=people["admin"]
    )
    assert ("service_case", case.get_absolute_url()) in kinds_found(sales3)
    assert kinds_found(people["sales1"]) == []
