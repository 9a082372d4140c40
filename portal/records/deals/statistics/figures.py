"""The sales figures: pipeline by stage, won and lost per rep and team, targets, commission,
won over time, the competitor record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.records.deals.models import Deal, DealCompetitor, DealStage, OrderLine
from portal.records.deals.models.targets import (
    PeriodKind,
    SalesTarget,
)

if TYPE_CHECKING:
    from portal.accounts.models import User
from .commission import CommissionTable
from .money import ZERO, money, percent, win_rate
from .periods import Period
from .scope import Scope, scoped_deals

WON = list(Deal.WON_STATES)


LOST = list(Deal.CLOSED_STATES)


CLOSED = WON + LOST


CYCLE = ExpressionWrapper(F("closed_on") - F("opened_on"), output_field=DurationField())


WEIGHTED = ExpressionWrapper(
    F("amount") * Coalesce(F("stage__probability"), 0) / Decimal(100),
    output_field=DecimalField(max_digits=16, decimal_places=2),
)


LINE_TOTAL = ExpressionWrapper(
    F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=20, decimal_places=2)
)


def days(value: datetime.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class StageRow:
    stage_id: int | None
    stage_name: Any  # the stage's name, or a lazy label for "No stage"
    probability: int
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    stage_name_zh: str = ""

    @property
    def name(self) -> str:
        """Named when shown, not when computed: the team pipeline is cached across readers of
        both languages."""
        return DealStage.display_name(str(self.stage_name), self.stage_name_zh)


def pipeline_by_stage(deals: QuerySet[Deal]) -> list[StageRow]:
    """Open deals by stage: count, amount and amount weighted by the stage's probability.

    Two queries (the stages, one GROUP BY on the deals alone); every active stage is listed,
    even when empty. A stage has one probability, so its weighted amount is its amount × p —
    no join to the stages table over every open deal.
    """
    stages = {stage.pk: stage for stage in DealStage.objects.all()}
    rows = {
        pk: StageRow(pk, stage.name, stage.probability, stage_name_zh=stage.name_zh)
        for pk, stage in stages.items()
        if stage.is_active
    }
    grouped = (
        deals.filter(state=Deal.State.TRACKING)
        .order_by()
        .values("stage")
        .annotate(count=Count("pk"), total=Sum("amount"))
    )
    for entry in grouped:
        row = rows.get(entry["stage"])
        if row is None:
            stage = stages.get(entry["stage"])
            if stage is None:
                row = StageRow(None, gettext_lazy("No stage"), 0)
            else:  # a stage taken out of use that still holds deals
                row = StageRow(stage.pk, stage.name, stage.probability, stage_name_zh=stage.name_zh)
            rows[entry["stage"]] = row
        row.count = entry["count"]
        row.amount = money(entry["total"])
        row.weighted = money(Decimal(entry["total"] or 0) * row.probability / 100)
    return list(rows.values())


@dataclass
class Figures:
    """One rep's, one team's or the whole scope's figures for a period."""

    key: int | None
    name: str
    open_count: int = 0
    pipeline: Decimal = ZERO
    weighted: Decimal = ZERO
    won_count: int = 0
    won_amount: Decimal = ZERO
    lost_count: int = 0
    cycle_days: Decimal | None = None
    target: Decimal | None = None
    commission: Decimal = ZERO
    cycle_seconds: float = 0.0  # closed deals' summed cycle, to re-average when folding

    def add(self, other: Figures) -> None:
        """Add `other`'s counts and amounts (not its target or commission); call
        `settle_cycle` once all are added."""
        self.open_count += other.open_count
        self.pipeline += other.pipeline
        self.weighted += other.weighted
        self.won_count += other.won_count
        self.won_amount += other.won_amount
        self.lost_count += other.lost_count
        self.cycle_seconds += other.cycle_seconds

    def settle_cycle(self) -> None:
        if self.closed_count and self.cycle_seconds:
            self.cycle_days = days(
                datetime.timedelta(seconds=self.cycle_seconds / self.closed_count)
            )

    @property
    def closed_count(self) -> int:
        return self.won_count + self.lost_count

    @property
    def win_rate(self) -> Decimal | None:
        return win_rate(self.won_count, self.lost_count)

    @property
    def completion(self) -> Decimal | None:
        return percent(self.won_amount, self.target)


def _grouped_figures(deals: QuerySet[Deal], period: Period) -> dict[tuple, Figures]:
    """Pipeline (now) and closed-in-period figures per (owner, department): two GROUP BY
    queries whose rows fold into both the rep and the team tables (see `_fold`)."""
    figures: dict[tuple, Figures] = {}
    group = ("owner", "department")

    def row(entry) -> Figures:
        key = (entry["owner"], entry["department"])
        return figures.setdefault(key, Figures(None, ""))

    pipeline = (
        deals.filter(state=Deal.State.TRACKING)
        .order_by()
        .values(*group)
        .annotate(count=Count("pk"), total=Sum("amount"), weighted=Sum(WEIGHTED))
    )
    for entry in pipeline:
        item = row(entry)
        item.open_count = entry["count"]
        item.pipeline = money(entry["total"])
        item.weighted = money(entry["weighted"])
    closed = (
        deals.filter(state__in=CLOSED, closed_on__gte=period.start, closed_on__lt=period.end)
        .order_by()
        .values(*group)
        .annotate(
            won_count=Count("pk", filter=Q(state__in=WON)),
            won_amount=Sum("amount", filter=Q(state__in=WON)),
            lost_count=Count("pk", filter=Q(state__in=LOST)),
            cycle=Avg(CYCLE),
        )
    )
    for entry in closed:
        item = row(entry)
        item.won_count = entry["won_count"]
        item.won_amount = money(entry["won_amount"])
        item.lost_count = entry["lost_count"]
        if entry["cycle"] is not None:
            item.cycle_seconds = entry["cycle"].total_seconds() * item.closed_count
            item.cycle_days = days(entry["cycle"])
    return figures


def _fold(figures: dict[tuple, Figures], position: int) -> dict[int | None, Figures]:
    """Sum (owner, department) rows by owner (position 0) or department (position 1); the
    cycle is re-averaged from the underlying day totals, not averaged averages."""
    folded: dict[int | None, Figures] = {}
    for key, part in figures.items():
        folded.setdefault(key[position], Figures(key[position], "")).add(part)
    for item in folded.values():
        item.settle_cycle()
    return folded


def _commission_bases(
    deals: QuerySet[Deal], period: Period
) -> dict[int | None, dict[int, dict[str, Decimal]]]:
    """{department id: {owner id: {product category: won amount}}} for deals won in the period.

    Won deals with order lines count their lines by the product's category; won deals
    without lines count their amount under the default rule (""). Two GROUP BY queries.
    """
    won = deals.filter(state__in=WON, closed_on__gte=period.start, closed_on__lt=period.end)
    bases: dict[int | None, dict[int, dict[str, Decimal]]] = {}

    group = "department"

    def add(key, owner, category, amount) -> None:
        per_owner = bases.setdefault(key, {}).setdefault(owner, {})
        per_owner[category or ""] = per_owner.get(category or "", ZERO) + Decimal(amount or 0)

    lines = (
        OrderLine.objects.filter(deal__in=won.values("pk"))
        .order_by()
        .values(f"deal__{group}", "deal__owner", "product__product_line")
        .annotate(total=Sum(LINE_TOTAL))
    )
    for entry in lines:
        add(
            entry[f"deal__{group}"],
            entry["deal__owner"],
            entry["product__product_line"],
            entry["total"],
        )
    without_lines = (
        won.filter(~Exists(OrderLine.objects.filter(deal=OuterRef("pk"))))
        .order_by()
        .values(group, "owner")
        .annotate(total=Sum("amount"))
    )
    for entry in without_lines:
        add(entry[group], entry["owner"], "", entry["total"])
    return bases


def _targets(
    rep_ids: list[int] | None, department_ids: list[int] | None, period: Period, holder: str
) -> dict[int, Decimal]:
    """{holder id: target amount} for reps (holder="rep") or teams (holder="department").

    A target set for exactly this period wins; otherwise the finer targets inside it add up
    (a year's figure from four quarterly targets, a quarter's from monthly ones).
    """
    targets = SalesTarget.objects.filter(
        **{f"{holder}__isnull": False},
        period_start__gte=period.start,
        period_start__lt=period.end,
    )
    if holder == "rep" and rep_ids is not None:
        targets = targets.filter(rep_id__in=rep_ids)
    if holder == "department" and department_ids is not None:
        targets = targets.filter(department_id__in=department_ids)
    order = [PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH]
    allowed = order[order.index(period.kind) :]
    by_holder: dict[int, dict[str, Decimal]] = {}
    for holder_id, kind, amount in targets.values_list(f"{holder}_id", "period_kind", "amount"):
        if kind in allowed:
            kinds = by_holder.setdefault(holder_id, {})
            kinds[kind] = kinds.get(kind, ZERO) + amount
    result = {}
    for holder_id, kinds in by_holder.items():
        coarsest = next(kind for kind in allowed if kind in kinds)
        result[holder_id] = money(kinds[coarsest])
    return result


@dataclass
class Report:
    period: Period
    scope: Scope
    stages: list[StageRow]
    reps: list[Figures]
    teams: list[Figures]
    total: Figures
    won_by_month: list[tuple[str, int, Decimal]]
    won_by_quarter: list[tuple[str, int, Decimal]]
    competitors: list[CompetitorRow]


def report(user: User, scope: Scope, period: Period) -> Report:
    """Everything the statistics page and its CSV show; a fixed number of queries."""
    from portal.accounts.models import Department, User

    deals = scoped_deals(user, scope)
    rules = CommissionTable.load()
    grouped = _grouped_figures(deals, period)
    bases = _commission_bases(deals, period)

    reps = _fold(grouped, 0)
    rep_bases: dict[int, dict[str, Decimal]] = {}
    for per_owner in bases.values():
        for owner_id, amounts in per_owner.items():
            merged = rep_bases.setdefault(owner_id, {})
            for category, amount in amounts.items():
                merged[category] = merged.get(category, ZERO) + amount
    rep_targets = _targets(_target_rep_ids(scope), None, period, "rep")
    for rep_id, amount in rep_targets.items():
        reps.setdefault(rep_id, Figures(rep_id, "")).target = amount
    for rep_id, item in reps.items():
        item.commission = rules.commission(rep_bases.get(rep_id, {}))
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in reps if k])}
    for rep_id, item in reps.items():
        item.name = names.get(rep_id, "—")

    teams: dict[int | None, Figures] = {}
    team_targets: dict[int, Decimal] = {}
    if not scope.own_only:
        teams = _fold(grouped, 1)
        team_ids = scope.department_ids
        if scope.team is not None:
            team_ids = [t.pk for t in scope.teams if t.path.startswith(scope.team.path)]
        team_targets = _targets(None, team_ids, period, "department")
        for team_id, amount in team_targets.items():
            teams.setdefault(team_id, Figures(team_id, "")).target = amount
        for team_id, item in teams.items():
            # Tiers apply to each rep's volume, so a team earns what its reps earn.
            item.commission = money(
                sum((rules.commission(base) for base in bases.get(team_id, {}).values()), ZERO)
            )
        team_names = {
            d.pk: d.name for d in Department.objects.filter(pk__in=[k for k in teams if k])
        }
        for team_id, item in teams.items():
            item.name = team_names.get(team_id, _("No team"))

    total = _total(list(reps.values()))
    won_by_month = won_by(deals, period, "month")
    if scope.team is not None and scope.team.pk in team_targets:
        total.target = team_targets[scope.team.pk]
    return Report(
        period=period,
        scope=scope,
        stages=pipeline_by_stage(deals),
        reps=sorted(reps.values(), key=lambda f: (-f.won_amount, f.name)),
        teams=sorted(teams.values(), key=lambda f: (-f.won_amount, f.name)),
        total=total,
        won_by_month=won_by_month,
        won_by_quarter=_quarters_of(won_by_month) if period.kind == PeriodKind.YEAR else [],
        competitors=competitor_record(deals, period),
    )


def _target_rep_ids(scope: Scope) -> list[int] | None:
    """Reps whose targets belong in the report (None: everyone's, for administrators)."""
    if scope.own_only:
        return [scope.user.pk]
    if scope.rep is not None:
        return [scope.rep.pk]
    if scope.team is not None:
        team_ids = {t.pk for t in scope.teams if t.path.startswith(scope.team.path)}
        return [r.pk for r in scope.reps if r.department_id in team_ids]
    if scope.department_ids is None:
        return None
    return [r.pk for r in scope.reps]


def _total(reps: list[Figures]) -> Figures:
    """The scope's totals: sums of the rep rows (the cycle re-averaged over every deal)."""
    total = Figures(None, _("Total"))
    for item in reps:
        total.add(item)
        total.commission += item.commission
        if item.target is not None:
            total.target = (total.target or ZERO) + item.target
    total.settle_cycle()
    return total


def bucket_label(start: datetime.date, unit: str) -> str:
    if unit == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def won_by(deals: QuerySet[Deal], period: Period, unit: str) -> list[tuple[str, int, Decimal]]:
    """(month or quarter label, deals won, amount won) for every month/quarter of the period."""
    trunc = TruncMonth if unit == "month" else TruncQuarter
    grouped = (
        deals.filter(state__in=WON, closed_on__gte=period.start, closed_on__lt=period.end)
        .annotate(bucket=trunc("closed_on"))
        .order_by()
        .values("bucket")
        .annotate(count=Count("pk"), total=Sum("amount"))
    )
    found = {_as_date(entry["bucket"]): entry for entry in grouped}
    buckets = period.months() if unit == "month" else period.quarters()
    rows = []
    for start in buckets:
        entry = found.get(start)
        rows.append(
            (
                bucket_label(start, unit),
                entry["count"] if entry else 0,
                money(entry["total"]) if entry else ZERO,
            )
        )
    return rows


def _quarters_of(months: list[tuple[str, int, Decimal]]) -> list[tuple[str, int, Decimal]]:
    """Fold a year's twelve month rows into its four quarters (no second query)."""
    quarters: dict[str, list] = {}
    for label, count, amount in months:
        year, month = label.split("-")
        key = f"{year}-Q{(int(month) - 1) // 3 + 1}"
        entry = quarters.setdefault(key, [0, ZERO])
        entry[0] += count
        entry[1] += amount
    return [(key, count, money(amount)) for key, (count, amount) in quarters.items()]


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


@dataclass
class CompetitorRow:
    competitor_id: int | None
    name: str
    won: int
    lost: int
    url: str = ""

    @property
    def win_rate(self) -> Decimal | None:
        return win_rate(self.won, self.lost)


def competitor_record(deals: QuerySet[Deal], period: Period | None = None) -> list[CompetitorRow]:
    """Our wins and losses against each competitor on the given deals (closed in the period)."""
    # An abandoned deal is nobody's win: it counts against no competitor.
    closed = deals.filter(state__in=[*WON, Deal.State.LOST])
    if period is not None:
        closed = closed.filter(closed_on__gte=period.start, closed_on__lt=period.end)
    grouped = (
        DealCompetitor.objects.filter(deal__in=closed.values("pk"))
        .annotate(label=Coalesce(F("competitor__title"), F("name")))
        .order_by()
        .values("competitor", "label")
        .annotate(
            won=Count("deal", filter=Q(deal__state__in=WON), distinct=True),
            lost=Count("deal", filter=Q(deal__state=Deal.State.LOST), distinct=True),
        )
    )
    rows = [
        CompetitorRow(entry["competitor"], entry["label"], entry["won"], entry["lost"])
        for entry in grouped
    ]
    return sorted(rows, key=lambda r: (-(r.won + r.lost), r.name))
