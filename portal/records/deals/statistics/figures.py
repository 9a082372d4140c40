"""Sales statistics: pure, aggregate queries over the deals a reader may see (no writes).

Every function takes querysets or plain values and returns plain rows (dicts / dataclasses),
so the statistics page, the CSV export, the dashboard and the tests read the same numbers.
Aggregation happens in the database (GROUP BY owner / stage / month); Python only walks the
grouped rows (reps × stages, reps × categories), never the deals themselves.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

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
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import has_module_perm
from portal.core import visibility
from portal.records.deals.models.targets import (
    CommissionRule,
    PeriodKind,
    SalesTarget,
    period_bounds,
)
from portal.records.deals.permissions import binned_customers, live_deals
from portal.records.models import (
    Activity,
    Deal,
    DealCompetitor,
    DealReminder,
    DealStage,
    DealUrge,
    OrderLine,
)

if TYPE_CHECKING:
    from portal.accounts.models import Department, User

ZERO = Decimal("0")
CENT = Decimal("0.01")
PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


def money(value) -> Decimal:
    return (Decimal(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    """part / whole in percent with one decimal, or None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month, quarter or year: [start, end)."""

    kind: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def of(cls, kind: str, day: datetime.date) -> Period:
        start, end = period_bounds(kind, day)
        return cls(kind, start, end)

    @classmethod
    def parse(cls, text: str, *, today: datetime.date | None = None) -> Period:
        """ "2026", "2026-Q4" or "2026-11"; anything else means the current quarter."""
        match = PERIOD_RE.match((text or "").strip())
        if match and 2000 <= int(match["year"]) <= 2100:
            year = int(match["year"])
            if match["quarter"]:
                return cls.of(PeriodKind.QUARTER, datetime.date(year, int(match["quarter"]) * 3, 1))
            if match["month"]:
                return cls.of(PeriodKind.MONTH, datetime.date(year, int(match["month"]), 1))
            return cls.of(PeriodKind.YEAR, datetime.date(year, 1, 1))
        return cls.of(PeriodKind.QUARTER, today or timezone.localdate())

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        return self.key

    def previous(self) -> Period:
        return Period.of(self.kind, self.start - datetime.timedelta(days=1))

    def next(self) -> Period:
        return Period.of(self.kind, self.end)

    def months(self) -> list[datetime.date]:
        """The first day of each month in the period."""
        months, day = [], self.start
        while day < self.end:
            months.append(day)
            day = period_bounds(PeriodKind.MONTH, day)[1]
        return months

    def quarters(self) -> list[datetime.date]:
        quarters, day = [], self.start
        while day < self.end:
            quarters.append(day)
            day = period_bounds(PeriodKind.QUARTER, day)[1]
        return quarters

    def choices(self, today: datetime.date | None = None) -> list[tuple[str, str]]:
        """Periods offered in the filter: this and last year's quarters, months and years."""
        today = today or timezone.localdate()
        options: list[Period] = []
        for year in (today.year, today.year - 1):
            options.append(Period.of(PeriodKind.YEAR, datetime.date(year, 1, 1)))
            options.extend(
                Period.of(PeriodKind.QUARTER, datetime.date(year, month, 1))
                for month in (10, 7, 4, 1)
            )
        month = Period.of(PeriodKind.MONTH, today)
        for _step in range(12):
            options.append(month)
            month = month.previous()
        if self not in options:
            options.insert(0, self)
        return [(p.key, p.label) for p in options]


# --- commission bands -----------------------------------------------------------------------


def tiered_commission(amount: Decimal, bands: list[tuple[Decimal, Decimal]]) -> Decimal:
    """Progressive commission: each band's rate applies to the part of `amount` inside it.

    `bands` are (threshold, rate %) sorted by threshold; below the first threshold nothing is
    paid (give the first band threshold 0 to pay from the first yuan).
    """
    total = ZERO
    for index, (threshold, rate) in enumerate(bands):
        upper = bands[index + 1][0] if index + 1 < len(bands) else None
        if amount <= threshold:
            break
        portion = (min(amount, upper) if upper is not None else amount) - threshold
        total += portion * rate / 100
    return money(total)


@dataclass
class CommissionTable:
    """Active commission rules by product category ("" = the default rule)."""

    rules: dict[str, CommissionRule] = field(default_factory=dict)
    bands: dict[str, list[tuple[Decimal, Decimal]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> CommissionTable:
        """Two queries: the active rules and their bands."""
        table = cls()
        for rule in CommissionRule.objects.filter(active=True).prefetch_related("tiers"):
            table.rules[rule.product_line] = rule
            table.bands[rule.product_line] = [(t.threshold, t.rate) for t in rule.tiers.all()]
        return table

    def rule_for(self, category: str) -> tuple[str, CommissionRule | None]:
        if category in self.rules:
            return category, self.rules[category]
        return "", self.rules.get("")

    def commission(self, amounts_by_category: dict[str, Decimal]) -> Decimal:
        """One rep's commission in one period, from their won amount per category.

        Categories without their own rule pool into the default rule, so a tiered default
        rule sees the rep's whole "other" total (the tiers are about volume, not deal size).
        """
        pooled: dict[str, Decimal] = {}
        for category, amount in amounts_by_category.items():
            key, rule = self.rule_for(category or "")
            if rule is not None:
                pooled[key] = pooled.get(key, ZERO) + Decimal(amount or 0)
        total = ZERO
        for key, amount in pooled.items():
            rule = self.rules[key]
            if rule.basis == CommissionRule.Basis.TIERED:
                total += tiered_commission(amount, self.bands[key])
            else:
                total += money(amount * rule.rate / 100)
        return money(total)


# --- who the reader may see figures of ----------------------------------------------------


def visible_deals(user: User) -> QuerySet[Deal]:
    """Deals the reader may see: the deals module's one visibility rule."""
    from portal.records.deals.permissions import deals_visible_to

    return deals_visible_to(user)


@dataclass
class Scope:
    """Whose figures a reader sees: their own (rep), their managed tree (manager), or all."""

    user: User
    own_only: bool = True
    department_ids: list[int] | None = None  # None: every department (administrators)
    reps: list[User] = field(default_factory=list)  # the rep filter's choices
    teams: list[Department] = field(default_factory=list)  # the team filter's choices
    rep: User | None = None
    team: Department | None = None

    @property
    def may_choose(self) -> bool:
        return not self.own_only

    def as_query(self) -> dict[str, str]:
        data = {}
        if self.rep is not None:
            data["rep"] = str(self.rep.pk)
        if self.team is not None:
            data["team"] = str(self.team.pk)
        return data


def managed_department_ids(user: User) -> list[int]:
    """Every department in the subtrees the user manages (one query per managed root)."""
    from portal.accounts.models import Department

    ids: list[int] = []
    for path in Department.objects.filter(manager=user).values_list("path", flat=True):
        ids.extend(Department.objects.filter(path__startswith=path).values_list("id", flat=True))
    return sorted(set(ids))


def scope_for(user: User, *, rep: str = "", team: str = "") -> Scope:
    """The reader's scope, narrowed to the rep or team they picked — if it is theirs to see.

    A rep always gets their own figures, whatever they ask for; a manager may pick a rep or a
    team inside the tree they manage; administrators anyone. A pick outside the scope is
    ignored (the page shows the whole scope), so asking never reveals that someone exists.
    """
    from portal.accounts import roles
    from portal.accounts.models import Department, User

    if visibility.is_administrator(user):
        scope = Scope(user, own_only=False, department_ids=None)
        scope.teams = list(Department.objects.order_by("path"))
        scope.reps = list(
            User.objects.filter(is_active=True, groups__name__in=[roles.SALES, roles.MANAGERS])
            .distinct()
            .order_by("username")
        )
    else:
        managed = managed_department_ids(user)
        if not managed:
            return Scope(user, own_only=True, reps=[user])
        scope = Scope(user, own_only=False, department_ids=managed)
        scope.teams = list(Department.objects.filter(pk__in=managed).order_by("path"))
        scope.reps = list(
            User.objects.filter(is_active=True, department_id__in=managed).order_by("username")
        )
    if team.isdigit():
        scope.team = next((t for t in scope.teams if t.pk == int(team)), None)
    if rep.isdigit():
        scope.rep = next((r for r in scope.reps if r.pk == int(rep)), None)
    return scope


def scoped_deals(user: User, scope: Scope) -> QuerySet[Deal]:
    """The deals the figures are computed from: visible to the reader AND inside the scope."""
    if not has_module_perm(user, "deals", "view"):
        return Deal.objects.none()
    if scope.own_only:
        # An owner always holds their deal's u:<id> key (deal_keys adds the owner), so
        # "visible and mine" is "mine": skip materialising every deal the rep may see.
        return live_deals(aggregate=True).filter(owner=user)
    deals = live_deals(aggregate=True)
    if scope.department_ids is not None:
        # A deal carries m:<its owner's department> and `department` is that department
        # (the deals actions keep both in step), so a deal of a team the manager runs is
        # always visible to them: the department filter *is* the visibility rule here, and
        # it spares a correlated EXISTS per deal over the whole tree (decision 0120).
        deals = deals.filter(department_id__in=scope.department_ids)
    if scope.team is not None:
        deals = deals.filter(department__path__startswith=scope.team.path)
    if scope.rep is not None:
        deals = deals.filter(owner=scope.rep)
    return deals


# --- the figures ----------------------------------------------------------------------------

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
    name: str
    probability: int
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO


def pipeline_by_stage(deals: QuerySet[Deal]) -> list[StageRow]:
    """Open deals by stage: count, amount and amount weighted by the stage's probability.

    Two queries (the stages, one GROUP BY on the deals alone); every active stage is listed,
    even when empty. A stage has one probability, so its weighted amount is its amount × p —
    no join to the stages table over every open deal.
    """
    stages = {stage.pk: stage for stage in DealStage.objects.all()}
    rows = {
        pk: StageRow(pk, str(stage), stage.probability)
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
                row = StageRow(None, _("No stage"), 0)
            else:  # a stage taken out of use that still holds deals
                row = StageRow(stage.pk, str(stage), stage.probability)
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
        return percent(self.won_count, self.closed_count)

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
        item = folded.setdefault(key[position], Figures(key[position], ""))
        item.open_count += part.open_count
        item.pipeline += part.pipeline
        item.weighted += part.weighted
        item.won_count += part.won_count
        item.won_amount += part.won_amount
        item.lost_count += part.lost_count
        item.cycle_seconds += part.cycle_seconds
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
        total.open_count += item.open_count
        total.pipeline += item.pipeline
        total.weighted += item.weighted
        total.won_count += item.won_count
        total.won_amount += item.won_amount
        total.lost_count += item.lost_count
        total.commission += item.commission
        total.cycle_seconds += item.cycle_seconds
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
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> Decimal | None:
        return percent(self.won, self.closed)


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
    return sorted(rows, key=lambda r: (-r.closed, r.name))


# --- export ---------------------------------------------------------------------------------


def _cell(value) -> str:
    return "" if value is None else str(value)


def figure_rows(title: str, rows: list[Figures]) -> list[list[str]]:
    header = [
        title,
        _("Open deals"),
        _("Pipeline"),
        _("Weighted pipeline"),
        _("Deals won"),
        _("Won amount"),
        _("Deals lost or abandoned"),
        _("Win rate (%)"),
        _("Average cycle (days)"),
        _("Target"),
        _("Completion (%)"),
        _("Commission"),
    ]
    return [header] + [
        [
            row.name,
            _cell(row.open_count),
            _cell(row.pipeline),
            _cell(row.weighted),
            _cell(row.won_count),
            _cell(row.won_amount),
            _cell(row.lost_count),
            _cell(row.win_rate),
            _cell(row.cycle_days),
            _cell(row.target),
            _cell(row.completion),
            _cell(row.commission),
        ]
        for row in rows
    ]


def report_rows(data: Report) -> list[list[str]]:
    """The report as CSV rows: one titled block per table, blank rows between blocks."""
    rows: list[list[str]] = [[_("Sales statistics"), data.period.key]]
    rows += [[]] + figure_rows(_("Rep"), [*data.reps, data.total])
    if data.teams:
        rows += [[]] + figure_rows(_("Team"), data.teams)
    rows += [[], [_("Stage"), _("Probability (%)"), _("Open deals"), _("Amount"), _("Weighted")]]
    rows += [
        [s.name, _cell(s.probability), _cell(s.count), _cell(s.amount), _cell(s.weighted)]
        for s in data.stages
    ]
    rows += [[], [_("Month"), _("Deals won"), _("Won amount")]]
    rows += [[m, _cell(c), _cell(a)] for m, c, a in data.won_by_month]
    if data.won_by_quarter:
        rows += [[], [_("Quarter"), _("Deals won"), _("Won amount")]]
        rows += [[q, _cell(c), _cell(a)] for q, c, a in data.won_by_quarter]
    rows += [[], [_("Competitor"), _("Won against"), _("Lost to"), _("Win rate (%)")]]
    rows += [[c.name, _cell(c.won), _cell(c.lost), _cell(c.win_rate)] for c in data.competitors]
    return rows


def chart_data(data: Report) -> dict:
    """Plain numbers for the Chart.js charts (json_script in the template)."""
    return {
        "stages": {
            "labels": [s.name for s in data.stages],
            "amount": [float(s.amount) for s in data.stages],
            "weighted": [float(s.weighted) for s in data.stages],
        },
        "months": {
            "labels": [m for m, _c, _a in data.won_by_month],
            "won": [float(a) for _m, _c, a in data.won_by_month],
        },
        "reps": {
            "labels": [r.name for r in data.reps],
            "won": [float(r.won_amount) for r in data.reps],
            "target": [float(r.target) if r.target is not None else None for r in data.reps],
        },
        "text": {
            "amount": _("Amount"),
            "weighted": _("Weighted"),
            "won": _("Won amount"),
            "target": _("Target"),
        },
    }


# --- dashboard reads ------------------------------------------------------------------------

AGENDA_SIZE = 8
CLOSING_SOON_DAYS = 30
CLOSING_LOOKBACK = datetime.timedelta(days=90)  # overdue closings older than this are stale
REMINDER_LOOKBACK = datetime.timedelta(days=3)
REMINDER_LOOKAHEAD = datetime.timedelta(days=7)


def _on_visible_deals(queryset: QuerySet, user: User) -> QuerySet:
    """Rows hanging off deals, kept where the user may see the deal: a correlated EXISTS per
    row on the (content type, key, object id) index — cheap for a short, LIMITed list, where
    `deal__in=<visible deals>` would first materialise every deal a rep can see."""
    if visibility.is_administrator(user):
        return queryset
    from django.contrib.contenttypes.models import ContentType

    from portal.core.models import ObjectAccess

    if not has_module_perm(user, "deals", "view"):
        return queryset.none()
    return queryset.filter(
        Exists(
            ObjectAccess.objects.filter(
                content_type=ContentType.objects.get_for_model(Deal),
                key__in=visibility.user_keys(user),
                object_id=OuterRef("deal_id"),
            )
        )
    )


@dataclass
class Agenda:
    """A rep's day: planned activities due today or overdue, reminders, urges, deals closing."""

    activities: list[Activity]
    reminders: list[DealReminder]
    urges: list[DealUrge]
    closing: list[Deal]
    start_of_day: datetime.datetime
    more_activities: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.activities or self.reminders or self.urges or self.closing)


def rep_agenda(user: User, *, now: datetime.datetime | None = None) -> Agenda:
    """Four small, LIMITed queries on the rep's own rows (owner / person-to-remind indexes).

    Own rows need no visibility subquery: an owner always holds their deal's u:<id> key.
    Reminders and urges are tied to deals that may have changed hands, so they are read
    through the deal's current owner or the visibility rule.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(days=1)
    activities = list(
        Activity.objects.filter(owner=user, status=Activity.Status.PLANNED, due_at__lt=end)
        .exclude(customer_id__in=binned_customers())
        .select_related("deal", "customer")
        .order_by("due_at", "pk")[: AGENDA_SIZE + 1]
    )
    reminders = list(
        _on_visible_deals(
            DealReminder.objects.filter(
                people=user,
                due_at__gte=now - REMINDER_LOOKBACK,
                due_at__lt=end + REMINDER_LOOKAHEAD,
            ).exclude(deal__customer_id__in=binned_customers()),
            user,
        )
        .select_related("deal")
        .order_by("due_at", "pk")[:AGENDA_SIZE]
    )
    urges = list(
        DealUrge.objects.filter(answered_at__isnull=True, deal__owner=user)
        .exclude(deal__customer_id__in=binned_customers())
        .select_related("deal", "urged_by")
        .order_by("due_on", "pk")[:AGENDA_SIZE]
    )
    closing = list(
        live_deals()
        .filter(
            owner=user,
            state=Deal.State.TRACKING,
            # The lower bound lets the planner walk the (expected_close_date, id) index
            # (1 ms) instead of sorting every open deal of the rep (36 ms at 300k deals).
            expected_close_date__gte=local.date() - CLOSING_LOOKBACK,
            expected_close_date__lte=local.date() + datetime.timedelta(days=CLOSING_SOON_DAYS),
        )
        .select_related("customer", "stage")
        .order_by("expected_close_date", "pk")[:AGENDA_SIZE]
    )
    return Agenda(
        activities=activities[:AGENDA_SIZE],
        reminders=reminders,
        urges=urges,
        closing=closing,
        start_of_day=start,
        more_activities=len(activities) > AGENDA_SIZE,
    )


@dataclass
class TeamOverview:
    stages: list[StageRow]
    urges: list[DealUrge]
    open_urges: int

    @property
    def open_count(self) -> int:
        return sum(stage.count for stage in self.stages)

    @property
    def pipeline(self) -> Decimal:
        return sum((stage.amount for stage in self.stages), ZERO)

    @property
    def weighted(self) -> Decimal:
        return sum((stage.weighted for stage in self.stages), ZERO)


def team_deals(user: User, department_ids: list[int]) -> QuerySet[Deal]:
    """The deals of the teams a manager runs (administrators: every team).

    Deals carry their owner's manager chain key (m:<owner's department>) and `department`
    is that same owner's department, so for a manager "visible" and "in my tree" coincide;
    filtering on the indexed department column alone keeps the dashboard's aggregate cheap
    (the EXISTS visibility probe per open deal cost ~10× more at 300k deals).
    """
    if visibility.is_administrator(user):
        return live_deals(aggregate=True)
    return live_deals(aggregate=True).filter(department_id__in=department_ids)


TEAM_PIPELINE_SECONDS = 60


def team_overview(user: User, department_ids: list[int]) -> TeamOverview:
    """Pipeline by stage and the open urges of the manager's teams.

    The pipeline aggregates every open deal of the teams (~100k rows at benchmark scale,
    ~200 ms on SQLite), so it is cached for a minute per set of teams: a dashboard figure a
    minute old is fine, and the statistics page always computes it afresh. Urges are read
    live from the small partial index of open urges, joined to their deal's team.
    """
    from django.core.cache import cache

    everyone = visibility.is_administrator(user)
    key = "records:team-pipeline:" + (
        "all" if everyone else ",".join(str(pk) for pk in sorted(department_ids))
    )
    stages = cache.get(key)
    if stages is None:
        stages = pipeline_by_stage(team_deals(user, department_ids))
        cache.set(key, stages, TEAM_PIPELINE_SECONDS)
    urges = DealUrge.objects.filter(answered_at__isnull=True).exclude(
        deal__customer_id__in=binned_customers()
    )
    if not everyone:
        urges = urges.filter(deal__department_id__in=department_ids)
    return TeamOverview(
        stages=stages,
        urges=list(
            urges.select_related("deal", "urged_user").order_by("due_on", "pk")[:AGENDA_SIZE]
        ),
        open_urges=urges.count(),
    )


# --- products and competitors (knowledge pages' related panel) ------------------------------


@dataclass
class ProductRecord:
    open_deals: int
    recent_closed: int
    recent_won: int


def product_record(deals: QuerySet[Deal], product) -> ProductRecord:
    """How many visible open deals name the product (of interest, or on an order line), and
    how many of the last ten closed (won or lost) deals naming it were won. Two queries."""
    naming = deals.filter(
        pk__in=Deal.objects.filter(Q(products=product) | Q(order_lines__product=product)).values(
            "pk"
        )
    )
    open_deals = naming.filter(state=Deal.State.TRACKING).count()
    last = list(
        naming.filter(state__in=[*WON, Deal.State.LOST], closed_on__isnull=False)
        .order_by("-closed_on", "-pk")
        .values_list("state", flat=True)[:10]
    )
    return ProductRecord(open_deals, len(last), sum(1 for state in last if state in WON))


@dataclass
class CompetitorSummary:
    won: int
    lost: int
    open_deals: int

    @property
    def win_rate(self) -> Decimal | None:
        return percent(self.won, self.won + self.lost)


def competitor_summary(deals: QuerySet[Deal], competitor) -> CompetitorSummary:
    """Our record against one competitor on the deals the reader may see (one query); the
    deals themselves are listed by the deals panel next to it."""
    against = deals.filter(competitors__competitor=competitor)
    counts = against.aggregate(
        won=Count("pk", filter=Q(state__in=WON), distinct=True),
        lost=Count("pk", filter=Q(state=Deal.State.LOST), distinct=True),
        open=Count("pk", filter=Q(state=Deal.State.TRACKING), distinct=True),
    )
    return CompetitorSummary(counts["won"], counts["lost"], counts["open"])
