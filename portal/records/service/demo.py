"""Demo customer service (seed_demo): complaints at every step over the last year, support
questions answered from the Q&A bank, and after-sales service records with satisfaction."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from portal.accounts.models import User
from portal.core import demo_data
from portal.records.customers.models import Customer
from portal.records.service import actions
from portal.records.service.models import (
    ServiceCase,
    ServiceCaseStep,
    ServiceRecord,
    SupportQuestion,
)

Status = ServiceCase.Status

# Complaints (each with the step it stops at), support questions (some answered from the Q&A
# bank), after-sales service records, and the words written at each step of a complaint.
COMPLAINTS = demo_data.load(__file__, "complaints")
TEXTS = COMPLAINTS["texts"]
QUESTIONS = demo_data.load(__file__, "questions")
RECORDS = demo_data.load(__file__, "service_records")


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
    actions.assess_case(case, acting_user=service, assessment=TEXTS["assessment"])
    if case.status == Status.PRE_APPROVAL:
        if target == Status.PRE_APPROVAL:
            return
        actions.pre_approve_case(case, acting_user=manager, note=TEXTS["pre_approval"])
    if target == Status.ASSESSED:
        return
    dept = responsible.department if responsible != service else department
    actions.assign_case(case, acting_user=service, department=dept, assignee=responsible)
    if target == Status.ASSIGNED:
        return
    actions.propose_resolution(case, acting_user=responsible, resolution=TEXTS["resolution"])
    if index % 3 == 0 and target != Status.PROPOSED:
        actions.send_back_resolution(case, acting_user=manager, reason=TEXTS["send_back"])
        actions.propose_resolution(
            case, acting_user=responsible, resolution=TEXTS["second_resolution"]
        )
    if target == Status.PROPOSED:
        return
    actions.approve_resolution(case, acting_user=manager, note=TEXTS["approval"])
    if target == Status.APPROVED:
        return
    actions.carry_out_case(case, acting_user=responsible, outcome=TEXTS["outcome"])
    if target == Status.CARRIED_OUT:
        return
    actions.write_summary(
        case,
        acting_user=service,
        summary=TEXTS["summary"],
        make_qa_draft=index == 7,
        qa_question=TEXTS["qa_question"] % {"title": case.title},
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
    for index, complaint in enumerate(COMPLAINTS["cases"]):
        customer = customers[index % len(customers)]
        deal = deals[index] if index < len(deals) and index % 2 == 0 else None
        if deal is not None:
            customer = deal.customer  # the first complaints are about a deal
        contact = customer.contacts.order_by("pk").first()
        case = actions.register_complaint(
            acting_user=people["service"],
            customer=customer,
            contact=contact,
            title=complaint["title"],
            deal=deal,
            description=complaint["description"],
            category=actions.default_service_category(complaint["category"]),
            product=products[index % len(products)] if products and index % 4 else None,
            severity=complaint["severity"],
            channel=complaint["channel"],
        )
        _drive(case, complaint["stops_at"], people, department, index)
        case.refresh_from_db()
        # Closed cases spread over the past year; open ones are recent (some run late).
        days_ago = 20 + index * 27 if case.status == Status.CLOSED else rng.choice([4, 7, 10, 14])
        _retime(case, now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 8)), rng)
        cases += 1

    questions = 0
    for index, asked in enumerate(QUESTIONS):
        text = asked["question"]
        customer = customers[(index * 3) % len(customers)]
        entry = actions.create_support_question(
            acting_user=people["service"],
            customer=customer,
            question=text,
            contact_name=getattr(customer.contacts.order_by("pk").first(), "name", ""),
        )
        matches = qa_suggestions(people["service"], text, limit=1) if asked["from_qa_bank"] else []
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
                note=TEXTS["escalation_note"],
            )
        SupportQuestion.objects.filter(pk=entry.pk).update(
            asked_at=now - datetime.timedelta(days=index * 9 + 1)
        )
        questions += 1

    for index, served in enumerate(RECORDS * 3):
        customer = customers[(index * 7) % len(customers)]
        record = actions.create_service_record(
            acting_user=people["service"],
            customer=customer,
            kind=served["kind"],
            content=served["content"],
            result=served["result"],
            satisfaction=max(1, min(5, served["satisfaction"] + rng.choice([-1, 0, 0, 1]))),
            feedback=served["feedback"],
            served_at=now - datetime.timedelta(days=index * 15 + rng.randint(0, 10)),
        )
        if index < 3:
            ServiceRecord.objects.filter(pk=record.pk).update(engineer=people["service"])
    return f"{cases} complaints, {questions} support questions, {len(RECORDS) * 3} service records"
