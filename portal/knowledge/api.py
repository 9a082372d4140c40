"""Knowledge base: API endpoints under /api/v1/."""


def register(router) -> None:
    """Register this app's viewsets on the v1 router."""
