"""Search: the embedded index (SQLite FTS5 / PostgreSQL tsvector live beside these rows) and the
stored interest queries with their inverted index."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One indexed document. The engine-specific full-text structures (an FTS5 table on SQLite,
    a tsvector column with a GIN index on PostgreSQL) are created by migration 0001 and keyed by
    this row's id, so the index commits in the same transaction as the data."""

    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64)
    title = models.TextField(_("title"))
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("URL"), max_length=500)
    keys = models.JSONField(_("visibility keys"), default=list)
    tags = models.JSONField(_("tags"), default=list)
    category = models.CharField(_("category"), max_length=200, blank=True, db_index=True)
    owner = models.CharField(_("owner"), max_length=150, blank=True, db_index=True)
    products = models.JSONField(_("products"), default=list)
    created_at = models.DateTimeField(_("created at"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Normalized title + body (simplified, lower case, whitespace collapsed) for exact phrases.
    phrase_text = models.TextField(blank=True)
    # The analysed terms, kept so the engine structures can be rebuilt and checked for drift.
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # A digest of the document as indexed: the consistency check compares it with a fresh build.
    checksum = models.CharField(max_length=40, blank=True)
    indexed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique_ref")
        ]
        indexes = [
            models.Index(fields=["kind", "created_at"], name="search_entry_kind_date"),
            # Covering index: a full-text match joins thousands of entries by id for counts,
            # kind facets and sorting (object_id: the tie-break); these narrow tuples avoid the
            # wide rows.
            models.Index(
                fields=["id", "kind", "created_at", "object_id"], name="search_entry_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchFacet(models.Model):
    """Multi-valued facet values (tag, product) of an entry, for counts and filters in SQL."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=200)
    # The normalized value, compared by tag:/product: filters.
    norm = models.CharField(max_length=200)

    class Meta:
        indexes = [
            models.Index(fields=["facet", "norm"], name="search_facet_norm"),
            models.Index(fields=["entry", "facet", "value"], name="search_facet_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class InterestQuery(models.Model):
    """A stored query (an interest of the notifications app) in the search query language."""

    interest_id = models.BigIntegerField(unique=True)
    query = models.TextField()
    # The parsed query (portal.search.query.ParsedQuery.to_dict) so matching never re-parses.
    parsed = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.interest_id}: {self.query}"


class InterestTerm(models.Model):
    """Inverted index from terms to stored queries. A query is listed under every term it
    requires; a document is a candidate only for the queries all of whose terms it contains
    (counted in SQL), so one new document never runs every stored query."""

    term = models.CharField(max_length=200)
    interest = models.ForeignKey(InterestQuery, on_delete=models.CASCADE, related_name="terms")
    # How many of its query's terms a document must contain: all the query's words (or one of
    # the alternatives of a filter-only query). Kept on each term row, and only there, so that
    # a document's hit counts are compared with it while the index is read (ADR 0430).
    required = models.PositiveSmallIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["term", "interest", "required"], name="search_interest_term_req")
        ]

    def __str__(self) -> str:
        return self.term


class SynonymSet(models.Model):
    """Words that mean one thing to the business (竞争对手, 竞品, competitor): a search for any
    of them also finds documents holding the others, on every engine and in interest matching
    (portal.search.synonyms). Knowledge editors keep the list as a Wagtail snippet."""

    words = models.TextField(
        _("words"),
        help_text=_("The words and phrases that mean the same, separated by commas or new lines."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("synonym set")
        verbose_name_plural = _("synonym sets")
        ordering = ["pk"]

    def __str__(self) -> str:
        return ", ".join(self.entries())

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        from .synonyms import forget

        forget()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from .synonyms import forget

        forget()
        return result

    def entries(self) -> list[str]:
        return [w.strip() for w in re.split(r"[,，、;；\n]+", self.words or "") if w.strip()]
