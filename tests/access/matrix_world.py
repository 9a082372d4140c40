"""The objects the authorization matrix's search and notification cells look for: one of each
searchable kind with a marker word in its title, each with a different reach (own, another
team's, shared with a department, in the recycle bin, restricted to managers), made by the real
actions and indexed as a rebuild would index them. What each role should find is asked of the
kind's policy, never listed by hand."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model

from portal.accounts import roles
from portal.core import visibility
from portal.core.policy import policy_for
from portal.forum import actions as forum_actions
from portal.knowledge import actions as knowledge_actions
from portal.knowledge.models import ArticleIndexPage, ArticlePage, StandardDocumentPage
from portal.records.customers import actions as customer_actions
from portal.records.service.actions import complaints
from portal.search import indexing, registry
from portal.search.backends import get_backend
from tests.records.deal_helpers import open_deal

MARKER = "Zorblax"  # one word every engine tokenises alike; no demo text contains it


@dataclass(frozen=True)
class Found:
    """One indexed document of the world and the object it stands for."""

    kind: str
    object_id: str
    title: str
    url: str
    obj: Model
    facets: tuple[tuple[str, str], ...]  # (facet name, value) pairs the document carries

    @property
    def ref(self) -> tuple[str, str]:
        return self.kind, self.object_id


def build(people, org, forum, kb=None) -> None:
    """sales1's customer, contact and deal, a complaint about it; sales2's customer, another
    of sales2's shared with sales1's department (where the new hire sits without the customer
    module); a binned customer; a topic in the open category and one in the managers' category;
    an open article and a document page restricted to managers."""
    sales1, sales2 = people["sales1"], people["sales2"]
    own = customer_actions.create_customer(acting_user=sales1, name=f"{MARKER} own customer")
    customer_actions.create_contact(own, acting_user=sales1, name=f"{MARKER} contact")
    open_deal(own, sales1, name=f"{MARKER} deal")
    complaints.register_complaint(
        acting_user=people["service"], customer=own, title=f"{MARKER} complaint",
        description="The line stops.",
    )  # fmt: skip
    customer_actions.create_customer(acting_user=sales2, name=f"{MARKER} other team customer")
    shared = customer_actions.create_customer(acting_user=sales2, name=f"{MARKER} shared customer")
    customer_actions.share_customer(shared, acting_user=sales2, department=org["east"])
    binned = customer_actions.create_customer(acting_user=sales1, name=f"{MARKER} binned customer")
    customer_actions.delete_customer(binned, acting_user=sales1)
    forum_actions.create_topic(
        acting_user=sales1, category=forum["open"], title=f"{MARKER} open topic",
        body="Who has seen the new line?", tags=["lines"],
    )  # fmt: skip
    forum_actions.create_topic(
        acting_user=people["manager"], category=forum["managers"],
        title=f"{MARKER} managers topic", body="Targets for next year.",
    )  # fmt: skip
    if kb is None:
        return
    admin = people["admin"]
    articles = knowledge_actions.create_page(
        kb["home"], ArticleIndexPage(title="Articles", slug="articles"), acting_user=admin
    )
    knowledge_actions.create_page(
        articles, ArticlePage(title=f"{MARKER} open article", slug="marker-article"),
        acting_user=admin,
    )  # fmt: skip
    restricted = StandardDocumentPage(
        title=f"{MARKER} restricted document", slug="marker-document", restricted=True,
        document=kb["secret"].document,
    )  # fmt: skip
    restricted.allowed_groups = [roles.Group.objects.get(name=roles.MANAGERS)]
    knowledge_actions.create_page(kb["documents"], restricted, acting_user=admin)


def index_everything() -> list[Found]:
    """Index every adapter's objects as a rebuild does; the documents with the marker."""
    indexing.autodiscover()
    backend = get_backend()
    found: list[Found] = []
    for adapter in registry.adapters():
        for batch in adapter.iter_all():
            documents = adapter.documents(batch)
            backend.index(documents)
            by_id = {str(obj.pk): obj for obj in batch}
            for doc in documents:
                if MARKER in doc.title:
                    facets = [("type", doc.kind)] + [("tag", t) for t in doc.tags]
                    facets += [("category", doc.category)] if doc.category else []
                    facets += [("product", p) for p in doc.products]
                    found.append(
                        Found(doc.kind, doc.object_id, doc.title, doc.url, by_id[doc.object_id],
                              tuple(facets))
                    )  # fmt: skip
    return found


def may_see(user, obj: Model) -> bool:
    """The kind's policy's answer (keys alone for a kind without one)."""
    if user is None:
        return False
    try:
        return policy_for(obj).is_visible(user, obj)
    except LookupError:
        return visibility.can_see(user, obj)


def may_see_live(obj: Model) -> bool:
    """Whether the object is out of the recycle bin (what a desk that may pick any record of
    the kind may name)."""
    return policy_for(obj).live_queryset().filter(pk=obj.pk).exists()
