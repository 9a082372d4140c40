"""Deal models (decision 0600): the deal and what hangs off it, the won deal's fulfilment, sales
targets and commission rules."""

from .calendar import CalendarFeed
from .deals import (
    MONEY,
    Activity,
    ContactFrequency,
    Deal,
    DealCompetitor,
    DealDocument,
    DealReminder,
    DealStage,
    DealUrge,
    DocumentVersion,
    PrivateStorage,
    deal_file_path,
    private_storage,
)
from .fulfilment import (
    Contract,
    Delivery,
    OrderLine,
    Payment,
    PaymentInstallment,
)
from .targets import (
    CommissionRule,
    CommissionTier,
    PeriodKind,
    SalesTarget,
    period_bounds,
)

__all__ = [
    "MONEY",
    "DealStage",
    "ContactFrequency",
    "Deal",
    "Activity",
    "CalendarFeed",
    "DealReminder",
    "DealCompetitor",
    "DealDocument",
    "deal_file_path",
    "PrivateStorage",
    "private_storage",
    "DocumentVersion",
    "DealUrge",
    "OrderLine",
    "Contract",
    "Delivery",
    "PaymentInstallment",
    "Payment",
    "PeriodKind",
    "period_bounds",
    "SalesTarget",
    "CommissionRule",
    "CommissionTier",
]
