"""Demo deals: every state for sales1 and sales2, with activities, competitors, documents,
urges, order lines, contracts, deliveries, payment plans and payments — made through the real
actions (a few dozen deals), dated over the last months so statistics have history."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.accounts.models import User
from portal.core import demo_data
from portal.records.customers.models import Customer
from portal.records.deals import actions
from portal.records.deals.models import Deal, DealStage

# Deal names, activities, loss reasons, the plan of states and the words on each record.
DATA = demo_data.load(__file__, "deals")
TEXTS = DATA["texts"]
QUOTE = b"%PDF-1.4\n% Agora demo quote\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _knowledge_pages():
    """Product and competitor pages (the knowledge demo is made first if it is not there)."""
    from portal.knowledge import demo as knowledge_demo
    from portal.knowledge.models import CompetitorPage, ProductPage

    summary = knowledge_demo.seed()
    return (
        list(ProductPage.objects.live().order_by("pk")),
        list(CompetitorPage.objects.live().order_by("pk")),
        summary,
    )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _seed_rep(rep, turn, customers, products, competitors, manager, rng, today) -> int:
    stages = list(DealStage.objects.filter(is_active=True).order_by("position"))
    made = 0
    for index, planned in enumerate(DATA["plan"]):
        state, stage_index, months = planned["state"], planned["stage"], planned["months_ago"]
        customer = customers[index % len(customers)]
        opened = today - datetime.timedelta(days=30 * months + rng.randint(3, 20))
        amount = Decimal(rng.randrange(30, 900) * 1000)
        deal = actions.create_deal(
            acting_user=rep,
            customer=customer,
            name=DATA["names"][(index + turn) % len(DATA["names"])],
            amount=amount,
            opened_on=opened,
            expected_close_date=today + datetime.timedelta(days=rng.randint(-5, 75)),
            stage=stages[stage_index] if stage_index is not None and stages else None,
            contacts=list(customer.contacts.all()[:1]),
            products=rng.sample(products, k=min(2, len(products))),
        )
        made += 1
        # two done activities in the past, one planned (overdue for every third deal)
        for step in range(2):
            activity = DATA["activities"][(index + step) % len(DATA["activities"])]
            when = min(
                _at(opened + datetime.timedelta(days=3 + 7 * step), 10 + step),
                timezone.now() - datetime.timedelta(hours=1),
            )
            actions.create_activity(
                deal,
                acting_user=rep,
                status="done",
                kind=activity["kind"],
                subject=activity["subject"],
                outcome=activity["outcome"],
                due_at=when,
                next_step=TEXTS["next_step"] if step else "",
            )
        if state == "tracking":
            offset = -2 if index % 3 == 0 else 3
            actions.create_activity(
                deal,
                acting_user=rep,
                kind="visit",
                subject=TEXTS["follow_up_subject"],
                due_at=_at(today + datetime.timedelta(days=offset), 14),
                participants=TEXTS["follow_up_participants"],
            )
            actions.create_deal_reminder(
                deal,
                acting_user=rep,
                due_at=_at(today + datetime.timedelta(days=offset + 1), 9),
                subject=TEXTS["reminder_subject"],
            )
        if competitors:
            rival = competitors[(index + turn) % len(competitors)]
            actions.add_competitor(
                deal,
                acting_user=rep,
                competitor=rival,
                name=rival.title,
                product=TEXTS["competitor_product"],
                price=(amount * Decimal("0.9")).quantize(Decimal("1")),
                strategy=TEXTS["competitor_strategy"],
                strengths=TEXTS["competitor_strengths"],
                weaknesses=TEXTS["competitor_weaknesses"],
            )
        if index % 2 == 0:
            actions.upload_document(
                deal,
                acting_user=rep,
                file=SimpleUploadedFile("quote.pdf", QUOTE, content_type="application/pdf"),
                title=TEXTS["quote_title"],
                kind="quote",
            )
        if state == "tracking":
            if index == 1 and manager is not None:
                actions.urge_deal(
                    deal,
                    acting_user=manager,
                    message=TEXTS["urge_message"],
                    due_on=today + datetime.timedelta(days=2),
                )
            continue
        closed_on = min(opened + datetime.timedelta(days=rng.randint(20, 60)), today)
        if state in ("lost", "abandoned"):
            actions.lose_deal(
                deal,
                acting_user=rep,
                reason=DATA["loss_reasons"][state == "abandoned"],
                abandoned=state == "abandoned",
                closed_on=closed_on,
            )
            continue
        actions.win_deal(deal, acting_user=rep, closed_on=closed_on)
        quantity = Decimal(rng.randint(5, 40))
        product = products[index % len(products)] if products else None
        unit = (amount / quantity).quantize(Decimal("1"))  # whole yuan: totals stay round
        actions.add_order_line(
            deal,
            acting_user=rep,
            product=product,
            description="" if product else TEXTS["order_line"],
            quantity=quantity,
            unit_price=unit,
        )
        total = (unit * quantity).quantize(Decimal("0.01"))
        actions.save_contract(
            deal,
            acting_user=rep,
            number=f"HT-{deal.number}",
            signed_on=closed_on,
            amount=total,
            starts_on=closed_on,
            ends_on=closed_on + datetime.timedelta(days=365),
        )
        first = (total * Decimal("0.3")).quantize(Decimal("0.01"))
        down = actions.add_installment(
            deal, acting_user=rep, due_on=closed_on + datetime.timedelta(days=7), amount=first
        )
        rest_due = today + datetime.timedelta(days=-1 if state == "won" and index == 4 else 20)
        rest = actions.add_installment(
            deal, acting_user=rep, due_on=max(rest_due, closed_on), amount=total - first
        )
        actions.record_payment(
            deal,
            acting_user=rep,
            amount=first,
            installment=down,
            received_on=min(closed_on + datetime.timedelta(days=5), today),
            reference=TEXTS["payment_reference"],
        )
        delivery = actions.add_delivery(
            deal,
            acting_user=rep,
            description=TEXTS["delivery"],
            planned_on=closed_on + datetime.timedelta(days=14),
        )
        if state == "completed":
            actions.mark_delivered(delivery, acting_user=rep, delivered_on=today)
            actions.record_payment(
                deal, acting_user=rep, amount=total - first, installment=rest, received_on=today
            )
    return made


def seed() -> str:
    if Deal.objects.exists():
        return ""
    reps = [User.objects.filter(username=name).first() for name in ("sales1", "sales2")]
    manager = User.objects.filter(username="manager").first()
    if None in reps:
        return ""
    products, competitors, knowledge_summary = _knowledge_pages()
    actions.ensure_default_stages()
    rng = random.Random(20261123)  # noqa: S311 - the same demo every time
    today = timezone.localdate()
    made = 0
    # Each rep's deals start at their own place in the name and rival lists: the rep's turn,
    # never a database id (ids differ between databases and test runs; the demo must not).
    # The turns 3 and 4 are the places sales1 and sales2 have always started at.
    for turn, rep in enumerate(reps, start=3):
        customers = list(
            Customer.objects.filter(owner=rep).prefetch_related("contacts").order_by("pk")[:10]
        )
        if customers:
            made += _seed_rep(rep, turn, customers, products, competitors, manager, rng, today)
    summary = f"{made} deals"
    if knowledge_summary:
        summary += f" (knowledge first: {knowledge_summary})"
    return summary
