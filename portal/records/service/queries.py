"""Service reads: the filtered case list and Q&A suggestions while a question is typed."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from portal.core.bounds import parse_id
from portal.records.service.models import ServiceCase
from portal.records.service.policy import cases_visible_to

if TYPE_CHECKING:
    from portal.accounts.models import User

PAGE_SIZE = 25
# Words of almost every customer question; they would rank unrelated answers.
GENERIC_WORDS = frozenset(
    "支持 可以 怎么 怎么办 什么 如何 能否 是否 能不能 客户 需要 没有 问题 这个 那个 我们 你们 他们 "
    "现在 时候 一下 请问 为什么 哪些 多少 还是 已经 the what how can does".split()
)
MIN_SCORE = 2  # a title or keyword hit, or two words in the answer
VIEWS = ("all", "mine", "department", "overdue", "open", "closed")


@dataclass
class CaseFilters:
    view: str = "all"
    customer: str = ""
    category: str = ""
    product: str = ""
    status: str = ""
    severity: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> CaseFilters:
        values = {f.name: query.get(f.name, "").strip()[:100] for f in fields(cls)}
        filters = cls(**{k: v for k, v in values.items() if v})
        if filters.view not in VIEWS:
            filters.view = "all"
        return filters

    def as_query(self, **overrides: str) -> str:
        data = QueryDict(mutable=True)
        for f in fields(self):
            value = overrides.get(f.name, getattr(self, f.name))
            if value and not (f.name == "view" and value == "all"):
                data[f.name] = value
        return data.urlencode()


def filtered_cases(user: User, filters: CaseFilters) -> QuerySet[ServiceCase]:
    """The cases the user may see, narrowed by the list's filters (one SQL statement)."""
    queryset = cases_visible_to(user)
    open_q = ~Q(status=ServiceCase.Status.CLOSED)
    if filters.view == "mine":
        queryset = queryset.filter(open_q).filter(Q(registered_by=user) | Q(assignee=user))
    elif filters.view == "department":
        if user.department_id:
            # The department and those under it: a director sees the teams' cases too.
            path = user.department.path
            queryset = queryset.filter(
                Q(assigned_department__path__startswith=path)
                | Q(registered_department__path__startswith=path)
            )
        else:
            queryset = queryset.none()
    elif filters.view == "overdue":
        queryset = queryset.filter(open_q, step_due_at__lt=timezone.now())
    elif filters.view == "open":
        queryset = queryset.filter(open_q)
    elif filters.view == "closed":
        queryset = queryset.filter(status=ServiceCase.Status.CLOSED)
    if (customer := parse_id(filters.customer)) is not None:
        queryset = queryset.filter(customer_id=customer)
    if filters.category:
        queryset = queryset.filter(category__key=filters.category)
    if (product := parse_id(filters.product)) is not None:
        queryset = queryset.filter(product_id=product)
    if filters.status in ServiceCase.Status.values:
        queryset = queryset.filter(status=filters.status)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.q:
        queryset = queryset.filter(
            Q(number__icontains=filters.q)
            | Q(title__icontains=filters.q)
            | Q(customer_name__icontains=filters.q)
        )
    return queryset.select_related(
        "customer", "category", "product", "assigned_department", "assignee", "registered_by"
    ).order_by("-created_at", "-pk")


# --- Q&A suggestions ------------------------------------------------------------------------


def _terms(text: str) -> list[str]:
    """Meaningful terms of the typed text: jieba words of two or more characters (single
    Chinese characters match almost everything), English stems of three or more letters."""
    from portal.search.analysis import tokenize

    seen: dict[str, None] = {}
    for term in tokenize(text):
        if term in GENERIC_WORDS:
            continue
        if len(term) >= 2 and not (term.isascii() and len(term) < 3):
            seen.setdefault(term, None)
    # Longer words say more; keep the query small.
    return sorted(seen, key=len, reverse=True)[:8]


def qa_suggestions(user: User, text: str, *, limit: int = 5) -> list:
    """Approved Q&A entries matching what is being typed, best first.

    `knowledge.queries.qa_entries_matching` looks for the whole text, which a sentence never
    matches; this segments the sentence with the search app's analysis (jieba for Chinese) and
    ranks entries by the words they share with it: title ×3, keywords ×2, answer ×1."""
    from portal.knowledge.models import QAPage
    from portal.knowledge.permissions import pages_visible_to

    text = (text or "").strip()
    if len(text) < 2:
        return []
    terms = _terms(text)
    if not terms:
        return []
    condition = Q()
    for term in terms:
        condition |= Q(title__icontains=term) | Q(keywords__icontains=term)
        condition |= Q(answer__icontains=term)
    candidates = list(
        pages_visible_to(user, QAPage.objects.live().filter(condition))
        .select_related("category")
        .order_by("-usage_count", "pk")[:60]
    )

    def score(entry) -> tuple[int, int]:
        title, keywords, answer = (
            entry.title.lower(),
            (entry.keywords or "").lower(),
            (entry.answer or "").lower(),
        )
        total = 0
        for term in terms:
            total += 3 * (term in title) + 2 * (term in keywords) + (term in answer)
        return total, entry.usage_count

    ranked = sorted(
        ((score(entry), entry) for entry in candidates), key=lambda p: p[0], reverse=True
    )
    return [entry for (points, _uses), entry in ranked if points >= MIN_SCORE][:limit]
