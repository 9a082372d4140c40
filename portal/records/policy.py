"""Records' access policies (entry point): each domain registers its own in `<domain>/policy.py`."""

from portal.records.customers import policy as customers  # noqa: F401
from portal.records.deals import policy as deals  # noqa: F401
from portal.records.service import policy as service  # noqa: F401
