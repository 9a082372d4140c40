"""Reads of the knowledge base: page contexts, overdue reviews, onboarding progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from wagtail.models import Page

from portal.core import visibility

from .models import (
    LEAF_MODELS,
    CompetitorPage,
    CompetitorProduct,
    OnboardingAssignment,
    OnboardingStep,
    ProductPage,
)
from .permissions import is_knowledge_editor, pages_visible_to

if TYPE_CHECKING:
    from portal.accounts.models import User


def product_context(user: User, page: ProductPage) -> dict:
    """Everything a product page shows besides its own fields, in a fixed number of queries."""
    return {
        "product_documents": list(page.documents.select_related("document")),
        "product_images": list(page.images.select_related("image")),
        "related": list(
            pages_visible_to(user, page.related_products.live()).only(
                "id", "title", "url_path", "summary", "product_line", "model_name"
            )
        ),
        "competing": list(
            CompetitorProduct.objects.filter(our_product=page, page__live=True)
            .filter(page_id__in=pages_visible_to(user, CompetitorPage.objects.all()).values("pk"))
            .select_related("page")
        ),
        "articles": list(
            pages_visible_to(user, page.articles.live()).only("id", "title", "url_path")[:5]
        ),
    }


def competitor_context(user: User, page: CompetitorPage) -> dict:
    return {
        "their_products": list(page.products.select_related("our_product")),
        "pricing": sorted(page.pricing.all(), key=lambda row: row.observed_on, reverse=True),
        "news": sorted(page.news.all(), key=lambda row: row.date, reverse=True),
        "articles": list(
            pages_visible_to(user, page.articles.live()).only("id", "title", "url_path")[:5]
        ),
    }


def overdue_pages_for(user: User, *, limit: int = 10) -> list[Page]:
    """Live pages past their review-by date that this user should act on: editors see all of
    them, anyone else the pages they own."""
    today = timezone.localdate()
    rows: list[Page] = []
    editor = is_knowledge_editor(user)
    for model in LEAF_MODELS:
        queryset = model.objects.live().filter(review_by__lt=today)
        if not editor:
            queryset = queryset.filter(owner=user)
        rows.extend(queryset.only("id", "title", "url_path", "review_by", "owner_id")[:limit])
    return sorted(rows, key=lambda page: page.review_by)[:limit]


def progress_summary(assignments: QuerySet[OnboardingAssignment]) -> list[dict]:
    """Each assignment with its number of steps and of steps done (two queries in all)."""
    assignments = list(
        assignments.select_related("path", "user", "user__department").annotate(
            done=Count("progress", distinct=True)
        )
    )
    step_counts = dict(
        OnboardingStep.objects.filter(path_id__in={a.path_id for a in assignments})
        .values_list("path_id")
        .annotate(total=Count("id"))
        .values_list("path_id", "total")
    )
    result = []
    for assignment in assignments:
        total = step_counts.get(assignment.path_id, 0)
        percent = round(100 * assignment.done / total) if total else 0
        result.append(
            {"assignment": assignment, "done": assignment.done, "total": total, "percent": percent}
        )
    return result


def my_assignments(user: User) -> list[dict]:
    return progress_summary(OnboardingAssignment.objects.filter(user=user))


def team_assignments(user: User) -> list[dict]:
    """Assignments of other people the user may see: a manager's department subtree (their
    `m:` keys), or everyone for editors and administrators."""
    queryset = visibility.filter_visible(
        OnboardingAssignment.objects.exclude(user=user), user
    ).order_by("user__username", "path__title")
    return progress_summary(queryset)


def steps_with_progress(assignment: OnboardingAssignment) -> list[dict]:
    done = {row.step_id: row for row in assignment.progress.all()}
    steps = assignment.path.steps.select_related("page").order_by("sort_order", "id")
    return [{"step": step, "progress": done.get(step.pk)} for step in steps]


def qa_entries_matching(user: User, text: str, *, limit: int = 10) -> QuerySet:
    """Approved answers whose question, answer or keywords contain the text (for reuse)."""
    from .models import QAPage

    queryset = QAPage.objects.live().select_related("category")
    if text:
        queryset = queryset.filter(
            Q(title__icontains=text) | Q(keywords__icontains=text) | Q(answer__icontains=text)
        )
    return pages_visible_to(user, queryset).order_by("-usage_count", "title")[:limit]
