"""Evaluate a parsed query against one document in Python (interest matching, embedded)."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import normalize_value, phrase_text, tokenize
from .documents import SearchDocument
from .query import ParsedQuery

ANCHOR_PREFIX = "\x01"


def body_text(document: SearchDocument) -> str:
    """The text indexed as the body: tags and products are searchable words too."""
    extra = " ".join([*document.tags, *document.products, document.category, *document.kind_names])
    return f"{document.body}\n{extra}" if extra.strip() else document.body


@dataclass
class AnalysedDocument:
    document: SearchDocument
    title_terms: list[str]
    body_terms: list[str]
    terms: frozenset[str]
    phrase_text: str
    tags: frozenset[str]
    products: frozenset[str]
    category: str
    owner: str

    @classmethod
    def of(cls, document: SearchDocument) -> AnalysedDocument:
        title_terms = tokenize(document.title)
        body_terms = tokenize(body_text(document))
        return cls(
            document=document,
            title_terms=title_terms,
            body_terms=body_terms,
            terms=frozenset(title_terms) | frozenset(body_terms),
            phrase_text=phrase_text(f"{document.title}\n{document.body}"),
            tags=frozenset(normalize_value(t) for t in document.tags),
            products=frozenset(normalize_value(p) for p in document.products),
            category=normalize_value(document.category),
            owner=normalize_value(document.owner),
        )

    def anchors(self) -> set[str]:
        """Every inverted-index key under which a stored query matching this doc may sit."""
        keys = set(self.terms)
        keys.add(anchor("all", ""))
        keys.add(anchor("kind", self.document.kind))
        keys.update(anchor("tag", tag) for tag in self.tags)
        keys.update(anchor("product", product) for product in self.products)
        if self.category:
            keys.add(anchor("category", self.category))
        if self.owner:
            keys.add(anchor("owner", self.owner))
        return keys


def anchor(field: str, value: str) -> str:
    return f"{ANCHOR_PREFIX}{field}:{value}"[:200]


def anchors_of(parsed: ParsedQuery) -> tuple[list[str], int]:
    """(inverted-index keys of a stored query, how many of them a document must hold).
    With words: every word is required. Filter-only: any one of the filter's values."""
    if parsed.has_text:
        return parsed.required_terms()
    for field, values in (
        ("kind", parsed.kinds), ("tag", parsed.tags), ("category", parsed.categories),
        ("owner", parsed.owners), ("product", parsed.products),
    ):  # fmt: skip
        if values:
            return sorted({anchor(field, value) for value in values}), 1
    if parsed.is_empty:
        return [], 1
    return [anchor("all", "")], 1


def matches(parsed: ParsedQuery, doc: AnalysedDocument) -> bool:
    if parsed.is_empty:
        return False
    if any(term not in doc.terms for term in parsed.terms):
        return False
    if not parsed.alternatives_hold(doc.terms):
        return False
    if any(phrase not in doc.phrase_text for phrase in parsed.phrases):
        return False
    if any(group and all(term in doc.terms for term in group) for group in parsed.excluded):
        return False
    if any(phrase in doc.phrase_text for phrase in parsed.excluded_phrases):
        return False
    document = doc.document
    if parsed.kinds and document.kind not in parsed.kinds:
        return False
    if parsed.tags and not doc.tags.intersection(parsed.tags):
        return False
    if parsed.products and not doc.products.intersection(parsed.products):
        return False
    if parsed.categories and doc.category not in parsed.categories:
        return False
    if parsed.owners and doc.owner not in parsed.owners:
        return False
    if parsed.date_from or parsed.date_to:
        moment = document.created_at
        if moment is None:
            return False
        if parsed.date_from and moment < parsed.date_from:
            return False
        if parsed.date_to and moment >= parsed.date_to:
            return False
    return True
