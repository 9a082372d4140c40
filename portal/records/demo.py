"""Demo data of records: customers first, then deals in every state, the sales workbench (pool,
calendar, a contract ending soon, a fax), then service cases (which name deals), then sales
targets and commission rules."""

from portal.records.customers.demo import seed as seed_customers
from portal.records.deals.demo import seed as seed_deals
from portal.records.deals.demo_targets import seed as seed_targets
from portal.records.deals.demo_workbench import seed as seed_workbench
from portal.records.service.demo import seed as seed_service


def seed() -> str:
    from portal.records.customers import rollup

    made = "; ".join(
        filter(
            None,
            [
                seed_customers(),
                seed_deals(),
                seed_workbench(),
                seed_service(),
                seed_targets(),
            ],
        )
    )
    # The customers were inserted in bulk, some dated back: count them for the analysis.
    rollup.rebuild()
    return made
