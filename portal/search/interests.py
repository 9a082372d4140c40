"""Stored queries for interest matching — the API the notifications app calls.

`save_interest_query` stores a query (the search query language, Chinese or English) under the
caller's interest id; `match_interests(document)` returns the ids whose query the document
matches. Embedded engines keep an inverted index from one anchor term of each query to the
query, so a document is checked only against queries sharing a term with it (never every stored
query). On Elasticsearch the same API is answered by the percolator as well.

Permissions are not applied here: the caller knows whose interest each id is and must check that
the owner may open the object (portal.core.visibility.can_see) before notifying them.
"""

from __future__ import annotations

from django.db import transaction

from .documents import SearchDocument
from .matching import AnalysedDocument, anchors_of, matches
from .models import InterestQuery, InterestTerm
from .query import ParsedQuery, parse_query


def save_interest_query(*, interest_id: int, query: str) -> None:
    """Store or replace the query of one interest."""
    parsed = parse_query(query)
    with transaction.atomic():
        stored, _ = InterestQuery.objects.update_or_create(
            interest_id=interest_id, defaults={"query": query, "parsed": parsed.to_dict()}
        )
        InterestTerm.objects.filter(interest=stored).delete()
        InterestTerm.objects.bulk_create(
            [InterestTerm(interest=stored, term=term) for term in anchors_of(parsed)]
        )
    from .backends import get_backend

    get_backend().save_interest(interest_id, parsed)


def delete_interest_query(interest_id: int) -> None:
    InterestQuery.objects.filter(interest_id=interest_id).delete()
    from .backends import get_backend

    get_backend().delete_interest(interest_id)


def match_interests(document: SearchDocument) -> list[int]:
    """Ids of the stored queries the document matches, in ascending order."""
    from .backends import get_backend

    backend = get_backend()
    if hasattr(backend, "match_interests"):  # Elasticsearch: the percolator answers
        return backend.match_interests(document)
    analysed = AnalysedDocument.of(document)
    candidates = (
        InterestTerm.objects.filter(term__in=sorted(analysed.anchors()))
        .values_list("interest__interest_id", "interest__parsed")
        .distinct()
    )
    matched = {
        interest_id
        for interest_id, parsed in candidates
        if matches(ParsedQuery.from_dict(parsed), analysed)
    }
    return sorted(matched)
