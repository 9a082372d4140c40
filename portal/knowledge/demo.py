"""Demo knowledge base: bilingual products, competitors, standard documents (some restricted,
with small generated files), articles, the Q&A bank and the "Sales week 1" onboarding path."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page, Site

from portal.accounts.models import Department, User
from portal.core import demo_data

from . import actions, setup
from .models import (
    ArticleIndexPage,
    ArticlePage,
    CompetitorIndexPage,
    CompetitorNews,
    CompetitorPage,
    CompetitorProduct,
    DocumentIndexPage,
    KnowledgeHome,
    OnboardingPath,
    OnboardingStep,
    PricingIntel,
    ProductDocument,
    ProductIndexPage,
    ProductPage,
    QACategory,
    QAIndexPage,
    QAPage,
    StandardDocumentPage,
)


def _data(name: str):
    """One of the demo's data files (products, competitors, documents, articles, qa)."""
    return demo_data.load(__file__, name)


def _pdf(title: str, text: str) -> bytes:
    """A one-page PDF with Chinese and English text (reportlab's built-in CJK font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("STSong-Light", 16)
    pdf.drawString(60, 780, title)
    pdf.setFont("STSong-Light", 10)
    y = 750
    for line in text.splitlines():
        pdf.drawString(60, y, line[:90])
        y -= 16
    pdf.drawString(60, 60, "Agora Retail Tech · 内部资料 internal")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _document(title: str, slug: str, text: str, user: User):
    Document = get_document_model()
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    document = Document(title=title, uploaded_by_user=user)
    document.file.save(f"{slug}.pdf", ContentFile(_pdf(title, text)), save=False)
    # Size and hash as Wagtail's upload form sets them: the download view's ETag is the hash,
    # and with every demo file hashed "" a browser got 304 (0 bytes) for the second download.
    document._set_document_file_metadata()
    document.save()
    return document


def _body(title: str, summary: str, sections: list[tuple[str, str]]) -> list:
    body: list = []
    for heading, text in sections:
        body.append(("heading", heading))
        body.append(("paragraph", f"<p>{text}</p>"))
    return body


def seed() -> str:
    if KnowledgeHome.objects.exists():
        return ""
    admin = User.objects.filter(username="admin").first()
    editor = User.objects.filter(username="editor").first() or admin
    if admin is None:
        return "skipped: no admin user"
    today = timezone.localdate()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site else Page.get_first_root_node()

    home = actions.create_page(
        root,
        KnowledgeHome(
            title="知识库 Knowledge base",
            slug="knowledge",
            intro="<p>产品、竞品、标准文档与问答——拜访客户前先看这里。Products, competitors, "
            "standard documents and answered questions: read this before every call.</p>",
        ),
        acting_user=admin,
    )
    setup.ensure_editorial_setup()
    setup.ensure_site_name()

    def section(model, title, slug, intro):
        return actions.create_page(
            home, model(title=title, slug=slug, intro=f"<p>{intro}</p>"), acting_user=admin
        )

    products_index = section(
        ProductIndexPage,
        "产品 Products",
        "products",
        "我们的全部产品与报价。Everything we sell, with prices.",
    )
    competitors_index = section(
        CompetitorIndexPage,
        "竞争对手 Competitors",
        "competitors",
        "对手档案与产品对比。Profiles and product comparisons.",
    )
    documents_index = section(
        DocumentIndexPage,
        "标准文档 Standard documents",
        "documents",
        "流程、模板与政策的最新版本。Current processes, templates and policies.",
    )
    articles_index = section(
        ArticleIndexPage,
        "文章 Articles",
        "articles",
        "公司、市场、媒体与行业动态。Company, market, media and industry news.",
    )
    qa_index = section(
        QAIndexPage,
        "问答库 Q&A bank",
        "qa",
        "客户常问的问题与标准答案。Customers' common questions with approved answers.",
    )

    brochure = _document(
        "S1 产品彩页 S1 brochure",
        "nebula-s1-brochure",
        "星云 S1 收银一体机\nNebula S1 POS terminal",
        admin,
    )
    products: dict[str, ProductPage] = {}
    for index, item in enumerate(_data("products")):
        slug, title, line, pitch = item["slug"], item["title"], item["line"], item["pitch"]
        page = ProductPage(
            title=title,
            slug=slug,
            product_number=item["number"],
            product_line=line,
            model_name=item["model"],
            list_price=Decimal(item["price"]),
            pitch=pitch,
            summary=pitch.split("。")[0] + "。",
            specifications=[("spec", {"label": k, "value": v}) for k, v in item["specs"]],
            price_notes="含税，不含运费。经销商价见折扣表。Incl. VAT, excl. shipping; dealer "
            "prices in the discount matrix.",
            price_valid_until=today + datetime.timedelta(days=180),
            last_reviewed=today - datetime.timedelta(days=60 + index),
            review_by=today + datetime.timedelta(days=120)
            if index % 5
            else today - datetime.timedelta(days=3 + index),
            body=_body(
                title,
                pitch,
                [
                    (
                        "适用场景 Where it fits",
                        "便利店、超市与专卖店。Convenience stores, "
                        "supermarkets and speciality shops.",
                    ),
                    (
                        "常见异议 Common objections",
                        "价格：强调三年质保与总拥有成本。Price: stress "
                        "the three-year warranty and total cost of ownership.",
                    ),
                ],
            ),
        )
        # Related: the earlier products of the same line (set before the one publication, so
        # seeding needs no second revision per product).
        page.related_products = [p for p in products.values() if p.product_line == line]
        if slug == "nebula-s1":
            page.documents.add(ProductDocument(document=brochure, title=brochure.title))
        products[slug] = actions.create_page(products_index, page, acting_user=admin, owner=editor)
    competitors: dict[str, CompetitorPage] = {}
    for item in _data("competitors"):
        slug, title = item["slug"], item["title"]
        page = CompetitorPage(
            title=title,
            slug=slug,
            headquarters=item["headquarters"],
            threat_level=item["threat"],
            summary=item["summary"],
            profile=f"<p>{item['summary']}</p>",
            strengths=item["strengths"].replace(" · ", " — "),
            weaknesses=item["weaknesses"].replace(" · ", " — "),
            website=f"https://{slug}.example.com",
            last_reviewed=today - datetime.timedelta(days=30),
            review_by=today + datetime.timedelta(days=60),
        )
        for order, rival in enumerate(item["products"]):
            name, price = rival["name"], rival["price"]
            page.products.add(
                CompetitorProduct(
                    sort_order=order,
                    name=name,
                    price=price,
                    our_product=products[rival["ours"]],
                    comparison=[("row", row) for row in rival["comparison"]],
                )
            )
            page.pricing.add(
                PricingIntel(
                    sort_order=order,
                    observed_on=today - datetime.timedelta(days=20 * (order + 1)),
                    product_name=name,
                    price=price,
                    source="经销商报价单 Dealer quotation",
                    note="华东区 East China",
                )
            )
        page.news.add(
            CompetitorNews(
                date=today - datetime.timedelta(days=12),
                headline=f"{title.split()[0]} 发布新品 announces a new model",
                summary="关注其定价策略。Watch their pricing.",
            )
        )
        competitors[slug] = actions.create_page(
            competitors_index, page, acting_user=admin, owner=editor
        )

    groups = {group.name: group for group in Group.objects.all()}
    service_department = Department.objects.filter(name__icontains="service").first()
    documents: dict[str, StandardDocumentPage] = {}
    for item in _data("documents"):
        slug, title, text, restriction = (
            item["slug"],
            item["title"],
            item["text"],
            item["restricted_to"],
        )
        page = StandardDocumentPage(
            title=title,
            slug=slug,
            category=item["category"],
            version=item["version"],
            document=_document(title, slug, text, admin),
            description=text,
            summary=text.splitlines()[0],
            restricted=bool(restriction),
            last_reviewed=today - datetime.timedelta(days=90),
            review_by=today + datetime.timedelta(days=270),
        )
        if restriction:
            page.allowed_groups = [groups[name] for name in restriction["roles"] if name in groups]
            if "service" in restriction["departments"] and service_department:
                page.allowed_departments = [service_department]
        documents[slug] = actions.create_page(
            documents_index, page, acting_user=admin, owner=editor
        )

    articles: list[ArticlePage] = []
    lines = {p.product_line: p for p in products.values()}
    competitor_list = list(competitors.values())
    for index, item in enumerate(_data("articles")):
        kind, title, line = item["kind"], item["title"], item["product_line"]
        page = ArticlePage(
            title=title,
            slug=f"article-{index + 1}",
            article_type=kind,
            product_line=line,
            summary=f"{title}：要点速览。Key points at a glance.",
            last_reviewed=today - datetime.timedelta(days=index),
            body=_body(
                title,
                "",
                [
                    (
                        "背景 Background",
                        f"{title}。本文为销售同事整理背景与要点。This note gives "
                        "sales colleagues the background and the key points.",
                    ),
                    (
                        "要点 Key points",
                        "一、客户关心成本；二、关注上线速度；三、重视售后。"
                        "Customers care about cost, speed of go-live and after-sales.",
                    ),
                    (
                        "对销售的建议 What it means for sales",
                        "拜访时主动提及，并引用问答库的标准答案。"
                        "Raise it on calls and quote the approved answers from the Q&A bank.",
                    ),
                ],
            ),
        )
        page.tags.add(*item["tags"])
        if line and line in lines:
            page.related_products = [lines[line]]
        if kind in {"industry", "trend"}:
            page.related_competitors = [competitor_list[index % len(competitor_list)]]
        articles.append(actions.create_page(articles_index, page, acting_user=admin, owner=editor))

    qa = _data("qa")
    categories = [
        QACategory.objects.get_or_create(name=name, defaults={"sort_order": i})[0]
        for i, name in enumerate(qa["categories"])
    ]
    qa_pages: list[QAPage] = []
    for index, entry in enumerate(qa["entries"]):
        category, question, product = entry["category"], entry["question"], entry["product"]
        qa_pages.append(
            actions.create_page(
                qa_index,
                QAPage(
                    title=question,
                    slug=f"qa-{index + 1}",
                    category=categories[category],
                    answer=f"<p>{entry['answer']}</p>",
                    keywords=entry["keywords"],
                    product=products.get(product),
                    last_reviewed=today - datetime.timedelta(days=10),
                ),
                acting_user=admin,
                owner=editor,
            )
        )

    path, _created = OnboardingPath.objects.get_or_create(
        title="销售第一周 Sales week 1",
        defaults={
            "description": "第一周认识公司、产品、对手和报价流程。Your first week: the "
            "company, the products, the competition and how we quote."
        },
    )
    if not path.steps.exists():
        steps = [
            ("认识公司 Meet the company", articles[0], "", "", "", ""),
            (
                "主力产品 Our flagship terminal",
                products["nebula-s1"],
                "",
                "S1 的质保是几年？How many years of warranty does the S1 have?",
                "1\n2\n3",
                "3",
            ),
            ("头号对手 Our toughest rival", competitors["ruilink"], "", "", "", ""),
            (
                "报价流程 How we quote",
                documents["quotation-process"],
                "",
                "多少折扣以上需要审批？Above what discount is approval needed?",
                "5%\n10%\n20%",
                "10%",
            ),
            ("标准问答 Approved answers", qa_pages[8], "", "", "", ""),
            ("在论坛自我介绍 Introduce yourself in the forum", None, "/forum/", "", "", ""),
        ]
        for order, (title, page, url, question, choices, answer) in enumerate(steps):
            OnboardingStep.objects.create(
                path=path,
                sort_order=order,
                title=title,
                page=page,
                url=url,
                check_question=question,
                check_choices=choices,
                check_answer=answer,
            )
    newhire = User.objects.filter(username="newhire").first()
    if newhire and not path.assignments.filter(user=newhire).exists():
        actions.assign_onboarding_path(
            path.pk, newhire.pk, acting_user=editor, due_on=today + datetime.timedelta(days=7)
        )
    return (
        f"{len(products)} products, {len(competitors)} competitors, {len(documents)} documents, "
        f"{len(articles)} articles, {len(qa_pages)} Q&A entries, 1 onboarding path"
    )
