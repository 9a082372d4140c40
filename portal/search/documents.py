"""The search document: what every adapter turns a model instance into, for every engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class SearchDocument:
    """One searchable thing. `keys` are the visibility keys (portal.core.visibility) of the
    object: a reader sees the document only when they hold one of them."""

    kind: str
    object_id: str
    title: str
    body: str
    url: str
    keys: list[str]
    tags: list[str] = field(default_factory=list)
    category: str = ""
    owner: str = ""
    products: list[str] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    language: str = ""
    # The kind's names in every language (竞争对手 / Competitor): indexed with the body so each
    # document is found by what it is; derived from the kind unless given.
    kind_names: list[str] | None = None

    def __post_init__(self) -> None:
        if self.kind_names is None:
            from .kinds import kind_names

            self.kind_names = kind_names(self.kind)
        self.object_id = str(self.object_id)
        self.keys = sorted(set(self.keys))
        self.tags = [tag for tag in dict.fromkeys(self.tags) if tag]
        self.products = [product for product in dict.fromkeys(self.products) if product]

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.object_id}"
