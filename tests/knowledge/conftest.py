"""A small knowledge tree built through the app's actions, shared by the knowledge tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale, Page, Site

from portal.accounts import roles
from portal.knowledge import actions, setup
from portal.knowledge.models import (
    CompetitorIndexPage,
    CompetitorPage,
    CompetitorProduct,
    DocumentIndexPage,
    KnowledgeHome,
    ProductIndexPage,
    ProductPage,
    QAIndexPage,
    QAPage,
    StandardDocumentPage,
)

SECRET_BYTES = b"%PDF-1.4 discount matrix: managers up to 20 percent SECRET-MARKER"


def make_document(title: str, name: str, content: bytes):
    document = get_document_model()(title=title)
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def site_root():
    """The default site's root page; transactional tests flush what the migrations created."""
    if not Collection.objects.exists():  # documents need the root collection
        Collection.add_root(name="Root")
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site:
        return site.root_page
    Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    Site.objects.create(hostname="localhost", root_page=root, is_default_site=True)
    return root


@pytest.fixture
def kb(people):
    """Home, sections, two products, a competitor, an open and a restricted document, a Q&A."""
    admin = people["admin"]
    root = site_root()
    home = actions.create_page(
        root, KnowledgeHome(title="Knowledge", slug="knowledge"), acting_user=admin
    )
    setup.ensure_editorial_setup()
    products = actions.create_page(
        home, ProductIndexPage(title="Products", slug="products"), acting_user=admin
    )
    competitors = actions.create_page(
        home, CompetitorIndexPage(title="Competitors", slug="competitors"), acting_user=admin
    )
    documents = actions.create_page(
        home, DocumentIndexPage(title="Documents", slug="documents"), acting_user=admin
    )
    qa_index = actions.create_page(home, QAIndexPage(title="Q&A", slug="qa"), acting_user=admin)
    s1 = actions.create_page(
        products,
        ProductPage(
            title="Nebula S1",
            slug="nebula-s1",
            product_line="terminals",
            product_number="AG-T100",
            list_price=Decimal("3999"),
            pitch="Opens a till in ten minutes.",
            specifications=[("spec", {"label": "Screen", "value": "15.6 inch"})],
        ),
        acting_user=admin,
        owner=people["editor"],
    )
    s2 = actions.create_page(
        products,
        ProductPage(title="Nebula S2", slug="nebula-s2", product_line="terminals"),
        acting_user=admin,
    )
    competitor = CompetitorPage(
        title="RuiLink",
        slug="ruilink",
        threat_level="high",
        strengths="Cheap",
        weaknesses="Slow service",
    )
    competitor.products.add(CompetitorProduct(name="RuiLink R9", price="3499", our_product=s1))
    competitor = actions.create_page(competitors, competitor, acting_user=admin)
    open_doc = actions.create_page(
        documents,
        StandardDocumentPage(
            title="Quotation process",
            slug="quotation-process",
            document=make_document("Quotation process", "quotation.pdf", b"%PDF-1.4 open"),
        ),
        acting_user=admin,
    )
    secret = StandardDocumentPage(
        title="Discount matrix",
        slug="discount-matrix",
        restricted=True,
        document=make_document("Discount matrix", "discount-matrix.pdf", SECRET_BYTES),
    )
    secret.allowed_groups = [roles.Group.objects.get(name=roles.MANAGERS)]
    secret = actions.create_page(documents, secret, acting_user=admin)
    qa = actions.create_page(
        qa_index,
        QAPage(
            title="How long is the warranty?",
            slug="warranty",
            answer="<p>Three years.</p>",
        ),
        acting_user=admin,
    )
    return {
        "home": home,
        "products": products,
        "competitors": competitors,
        "documents": documents,
        "s1": s1,
        "s2": s2,
        "competitor": competitor,
        "open_doc": open_doc,
        "secret": secret,
        "qa": qa,
    }
