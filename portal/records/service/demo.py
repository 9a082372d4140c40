"""Demo customer service (seed_demo): complaints at every step over the last year, support
questions answered from the Q&A bank, and after-sales service records with satisfaction."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from portal.accounts.models import User
from portal.records.customers.models import Customer
from portal.records.service import actions
from portal.records.service.models import (
    ServiceCase,
    ServiceCaseStep,
    ServiceRecord,
    SupportQuestion,
)

Status = ServiceCase.Status

COMPLAINTS = [
    # title, description, category, severity, channel
    (
        "收银机频繁死机",
        "门店三台收银一体机每天死机两三次，高峰期排队严重。",
        "quality",
        "high",
        "phone",
    ),
    ("打印小票字迹太淡", "新换的热敏纸打印出来几乎看不清。", "quality", "normal", "web"),
    (
        "设备延期两周交付",
        "合同约定月底交付，至今未到货，影响新店开业。",
        "delivery",
        "critical",
        "email",
    ),
    ("安装工程师迟到", "约定上午九点安装，工程师十一点才到。", "attitude", "low", "phone"),
    ("发票抬头开错", "增值税发票抬头少了“有限”二字，需要重开。", "billing", "normal", "email"),
    ("扫码枪识别慢", "扫码枪对手机屏幕上的付款码识别很慢。", "quality", "normal", "visit"),
    ("会员数据迁移丢失", "升级后部分会员积分清零，顾客投诉。", "other", "high", "phone"),
    ("标签打印机卡纸", "L1 打印标签时频繁卡纸。", "quality", "normal", "web"),
    ("客显屏幕闪烁", "S2 客显屏开机后一直闪烁。", "installation", "normal", "phone"),
    ("售后电话无人接听", "周末拨打售后热线一直无人接听。", "attitude", "high", "phone"),
    ("冷库扫描器失灵", "R2 在冷库中工作半小时后无法扫描。", "quality", "normal", "visit"),
    ("调试后网络不通", "安装调试后收银机无法连接门店网络。", "installation", "normal", "phone"),
]
# The step each demo complaint stops at (every step appears; several are closed).
TARGETS = [
    Status.REGISTERED, Status.ASSESSED, Status.PRE_APPROVAL, Status.ASSIGNED, Status.PROPOSED,
    Status.APPROVED, Status.CARRIED_OUT, Status.SUMMARISED, Status.CLOSED, Status.CLOSED,
    Status.CLOSED, Status.CLOSED,
]  # fmt: skip
QUESTIONS = [
    ("S1 能不能接电子秤？我们是生鲜店", True),
    ("客显上想放促销视频，可以吗", True),
    ("M1 的电池一天够用吗", True),
    ("顾客手机屏幕碎了，X5 还能扫付款码吗", True),
    ("最多能给客户打多少折扣", True),
    ("报价单多久有效", True),
    ("新固件支持刷脸支付吗？", False),
    ("能否对接我们自己的 ERP 系统？", False),
]
RECORDS = [
    ("visit", "上门安装 5 台收银一体机并培训店员", "全部正常运行", 5, "工程师很专业"),
    ("phone", "电话指导重置打印机参数", "问题解决", 4, ""),
    ("repair", "更换扫码枪主板", "修复", 4, "等了三天配件"),
    ("visit", "巡检门店设备", "发现 1 台电源老化，已更换", 5, "很满意"),
    ("phone", "远程协助恢复会员数据", "部分数据恢复", 2, "还有 20 名会员积分未恢复"),
    ("repair", "更换客显屏排线", "修复", 3, "第一次没修好"),
    ("visit", "新店开业现场保障", "开业顺利", 5, ""),
    ("phone", "解答发票开具问题", "已说明流程", 4, ""),
]


def _ensure_knowledge() -> None:
    """The Q&A bank and products come from the knowledge demo; seed it now if it has not run
    yet (it is idempotent, so seed_demo running it again afterwards changes nothing)."""
    from portal.knowledge.models import QAPage

    if not QAPage.objects.exists():
        from portal.knowledge import demo as knowledge_demo

        knowledge_demo.seed()


def _retime(case: ServiceCase, start: datetime.datetime, rng: random.Random) -> None:
    """Spread a demo case's steps over days after `start` (the actions stamped them all now)."""
    now = timezone.now()
    at = start
    previous_due = None
    steps = list(case.steps.order_by("at", "pk"))
    for index, step in enumerate(steps):
        if index:
            at = min(at + datetime.timedelta(hours=rng.choice([2, 5, 20, 30, 60, 90])), now)
        waited = int((at - steps[index - 1].at).total_seconds()) if index else 0
        ServiceCaseStep.objects.filter(pk=step.pk).update(
            at=at,
            waited_seconds=waited,
            was_overdue=bool(previous_due and at > previous_due),
        )
        step.at = at
        previous_due = actions.due_for(step.to_status, case.severity, at)
    ServiceCase.objects.filter(pk=case.pk).update(
        created_at=start,
        status_changed_at=at,
        step_due_at=actions.due_for(case.status, case.severity, at),
        closed_at=at if case.status == Status.CLOSED else None,
    )


def _drive(case: ServiceCase, target: str, people: dict, department, index: int) -> None:
    service, manager = people["service"], people["manager"]
    responsible = people["sales1"] if index % 2 else service
    if target == Status.REGISTERED:
        return
    actions.assess_case(case, acting_user=service, assessment="已核实情况，需要安排处理。")
    if case.status == Status.PRE_APPROVAL:
        if target == Status.PRE_APPROVAL:
            return
        actions.pre_approve_case(case, acting_user=manager, note="同意，优先处理。")
    if target == Status.ASSESSED:
        return
    dept = responsible.department if responsible != service else department
    actions.assign_case(case, acting_user=service, department=dept, assignee=responsible)
    if target == Status.ASSIGNED:
        return
    actions.propose_resolution(case, acting_user=responsible, resolution="上门检修并更换故障部件。")
    if index % 3 == 0 and target != Status.PROPOSED:
        actions.send_back_resolution(case, acting_user=manager, reason="请先确认是否在保修期内。")
        actions.propose_resolution(
            case, acting_user=responsible, resolution="保修期内，免费上门更换故障部件。"
        )
    if target == Status.PROPOSED:
        return
    actions.approve_resolution(case, acting_user=manager, note="同意。")
    if target == Status.APPROVED:
        return
    actions.carry_out_case(case, acting_user=responsible, outcome="已上门更换部件，设备恢复正常。")
    if target == Status.CARRIED_OUT:
        return
    actions.write_summary(
        case,
        acting_user=service,
        summary="故障原因已查明并处理，客户确认满意。",
        make_qa_draft=index == 7,
        qa_question=f"{case.title}怎么处理？",
    )
    if target == Status.SUMMARISED:
        return
    actions.close_case(case, acting_user=service)


def seed() -> str:
    if ServiceCase.objects.exists():
        return ""
    people = {name: User.objects.filter(username=name).first() for name in
              ("service", "manager", "sales1", "sales2", "admin")}  # fmt: skip
    if None in people.values():
        return ""
    customers = list(Customer.objects.filter(tags__contains="demo").order_by("pk")[:20]) or list(
        Customer.objects.order_by("pk")[:20]
    )
    if not customers:
        return ""
    _ensure_knowledge()
    from portal.knowledge.models import ProductPage
    from portal.records.service.queries import qa_suggestions

    products = list(ProductPage.objects.live().order_by("pk"))
    rng = random.Random(20261123)  # the same demo every time  # noqa: S311
    department = people["service"].department
    now = timezone.now()
    cases = 0
    from portal.records.deals.models import Deal

    deals = list(Deal.objects.select_related("customer").order_by("pk")[:4])
    for index, (title, text, category, severity, channel) in enumerate(COMPLAINTS):
        customer = customers[index % len(customers)]
        deal = deals[index] if index < len(deals) and index % 2 == 0 else None
        if deal is not None:
            customer = deal.customer  # the first complaints are about a deal
        contact = customer.contacts.order_by("pk").first()
        case = actions.register_complaint(
            acting_user=people["service"],
            customer=customer,
            contact=contact,
            title=title,
            deal=deal,
            description=text,
            category=actions.default_service_category(category),
            product=products[index % len(products)] if products and index % 4 else None,
            severity=severity,
            channel=channel,
        )
        _drive(case, TARGETS[index], people, department, index)
        case.refresh_from_db()
        # Closed cases spread over the past year; open ones are recent (some run late).
        days_ago = 20 + index * 27 if case.status == Status.CLOSED else rng.choice([4, 7, 10, 14])
        _retime(case, now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 8)), rng)
        cases += 1

    questions = 0
    for index, (text, from_bank) in enumerate(QUESTIONS):
        customer = customers[(index * 3) % len(customers)]
        entry = actions.create_support_question(
            acting_user=people["service"],
            customer=customer,
            question=text,
            contact_name=getattr(customer.contacts.order_by("pk").first(), "name", ""),
        )
        matches = qa_suggestions(people["service"], text, limit=1) if from_bank else []
        if matches:
            from django.utils.html import strip_tags

            actions.answer_support_question(
                entry,
                acting_user=people["service"],
                answer=strip_tags(matches[0].answer),
                qa_entry_id=matches[0].pk,
            )
        elif index % 2:
            actions.escalate_support_question(
                entry,
                acting_user=people["service"],
                to_user=people["sales1"],
                note="需要产品技术确认。",
            )
        SupportQuestion.objects.filter(pk=entry.pk).update(
            asked_at=now - datetime.timedelta(days=index * 9 + 1)
        )
        questions += 1

    for index, (kind, content, result, score, feedback) in enumerate(RECORDS * 3):
        customer = customers[(index * 7) % len(customers)]
        record = actions.create_service_record(
            acting_user=people["service"],
            customer=customer,
            kind=kind,
            content=content,
            result=result,
            satisfaction=max(1, min(5, score + rng.choice([-1, 0, 0, 1]))),
            feedback=feedback,
            served_at=now - datetime.timedelta(days=index * 15 + rng.randint(0, 10)),
        )
        if index < 3:
            ServiceRecord.objects.filter(pk=record.pk).update(engineer=people["service"])
    return f"{cases} complaints, {questions} support questions, {len(RECORDS) * 3} service records"
