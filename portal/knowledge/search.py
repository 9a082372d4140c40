"""Search adapter of the knowledge base (owned by the search app): every live leaf page —
products, competitors, standard documents, articles, Q&A — with the page's visibility keys.
Text comes from each page type's own Wagtail `search_fields`, so new fields are picked up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.blocks import StreamValue
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.rich_text import RichText

from portal.core.visibility import keys_by_object
from portal.search.documents import SearchDocument
from portal.search.registry import SearchAdapter, register

from .models import LEAF_MODELS, ArticlePage, ProductPage, QAPage, StandardDocumentPage

EVENTS = ("knowledge.page_published", "knowledge.page_unpublished",
          "knowledge.page_access_changed")  # fmt: skip
_SPACES = re.compile(r"\s+")
SKIP_FIELDS = {"currency", "website", "sort_order"}


class _TextOf(HTMLParser):
    """Text of an HTML fragment, character references decoded once. Django's strip_tags keeps
    an unknown `&name` as the entity `&name;`, so "Q&A bank" became "Q&A; bank"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" ")


def html_to_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _block_text(block, value) -> list[str]:
    """Searchable text of a block value, rich text read from its source (Wagtail's own
    extraction goes through strip_tags, see _TextOf)."""
    if isinstance(value, RichText):
        return [html_to_text(value.source)]
    if isinstance(value, StreamValue):
        return [text for child in value for text in _block_text(child.block, child.value)]
    if isinstance(block, blocks.StructBlock):
        return [
            text
            for name, child in block.child_blocks.items()
            for text in _block_text(child, value.get(name))
        ]
    if isinstance(block, blocks.ListBlock):
        return [text for item in value for text in _block_text(block.child_block, item)]
    return [str(chunk) for chunk in block.get_searchable_content(value)]


def _field_text(obj, field) -> list[str]:
    value = field.value_from_object(obj)
    if value in (None, ""):
        return []
    if isinstance(value, StreamValue):
        return _block_text(value.stream_block, value)
    if isinstance(value, RichText):
        return [html_to_text(value.source)]
    if isinstance(field, RichTextField):
        return [html_to_text(str(value))]
    if hasattr(field, "get_searchable_content"):
        return [str(chunk) for chunk in field.get_searchable_content(value)]
    return [html_to_text(str(value))] if "<" in str(value) else [str(value)]


def _text_fields(model) -> list:
    """The content fields a page type declares itself (not Wagtail's page machinery)."""
    fields = []
    for field in model._meta.concrete_fields:
        if field.model in (Page,) or field.name in SKIP_FIELDS or field.choices:
            continue
        if isinstance(field, models.CharField | models.TextField) or hasattr(field, "stream_block"):
            fields.append(field)
    return fields


def page_text(page: Page) -> str:
    """The searchable text of a page: its own text, rich-text and block fields, and the text
    of its inline children (a competitor's products, pricing intelligence, news)."""
    parts: list[str] = []
    for field in _text_fields(type(page)):
        parts.extend(_field_text(page, field))
    for relation in page._meta.related_objects:
        if not isinstance(relation.field, ParentalKey):
            continue
        for child in getattr(page, relation.get_accessor_name()).all():
            for field in _text_fields(type(child)):
                parts.extend(_field_text(child, field))
    return _SPACES.sub(" ", "\n".join(parts)).strip()


class KnowledgePageAdapter(SearchAdapter):
    def __init__(self) -> None:
        super().__init__(
            kinds=tuple(model.kind for model in LEAF_MODELS), group="knowledge",
            models=tuple(LEAF_MODELS), index_events=dict.fromkeys(EVENTS, "page_id"),
        )  # fmt: skip

    def queryset(self):
        return Page.objects.live().type(*LEAF_MODELS).select_related("owner")

    def load(self, object_ids: list) -> list:
        return list(self.queryset().filter(pk__in=object_ids).specific())

    def iter_all(self, batch_size: int = 200) -> Iterator[list]:
        for batch in super().iter_all(batch_size):
            yield list(Page.objects.filter(pk__in=[p.pk for p in batch]).specific())

    def keys_for(self, objects: list) -> dict[int, set[str]]:
        # Page keys are stored against the base Page (actions.apply_page_keys).
        return keys_by_object(Page, [page.pk for page in objects]) if objects else {}

    def build(self, objects: list, keys: dict[int, set[str]]) -> Iterator[SearchDocument]:
        for page in objects:
            page = page.specific if type(page) is Page else page
            if not page.live or not isinstance(page, tuple(LEAF_MODELS)):
                continue
            tags, products, category = [], [], ""
            if isinstance(page, ArticlePage):
                tags = [tag.name for tag in page.tags.all()]
                products = [p.title for p in page.related_products.all()]
                category = page.get_article_type_display()
            elif isinstance(page, QAPage):
                category = page.category.name if page.category_id else ""
                products = [page.product.title] if page.product_id else []
                tags = [k.strip() for k in re.split(r"[,，;；\s]+", page.keywords) if k.strip()]
            elif isinstance(page, StandardDocumentPage):
                category = page.get_category_display()
            elif isinstance(page, ProductPage):
                products = [page.title]
                category = page.get_product_line_display() if page.product_line else ""
            yield SearchDocument(
                kind=page.kind, object_id=str(page.pk), title=page.title, body=page_text(page),
                url=page.url or "", keys=sorted(keys.get(page.pk, set())), tags=tags,
                category=str(category), owner=page.owner.get_username() if page.owner else "",
                products=products, created_at=page.first_published_at,
                updated_at=page.last_published_at,
            )  # fmt: skip


register(KnowledgePageAdapter())
