"""Knowledge base: Wagtail page types (products, competitors, standard documents, articles, the
Q&A bank and their index pages) and onboarding paths."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from portal.core.bounds import BoundedDecimalField, parse_id
from portal.core.models import ChoiceLabels

from .blocks import BodyBlock, ComparisonRowBlock, SpecificationBlock

PAGE_SIZE = 20


class ProductLine(models.TextChoices):
    TERMINALS = "terminals", _("POS terminals")
    SCANNERS = "scanners", _("Scanners")
    PRINTERS = "printers", _("Label printers")
    SOFTWARE = "software", _("Retail software")


class KnowledgePage(ChoiceLabels, Page):
    """Fields and behaviour every readable knowledge page shares: a summary, a review-by date,
    the last review, and access through the one visibility rule."""

    summary = models.TextField(_("summary"), blank=True)
    review_by = models.DateField(
        _("review by"),
        null=True,
        blank=True,
        help_text=_("The page is flagged to its owner and the editors after this date."),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    # Set by the worker when it has flagged the page as overdue (so it flags once).
    review_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)

    kind = "page"
    is_knowledge_leaf = True
    review_panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("review_by"), FieldPanel("last_reviewed")])],
            heading=_("Review"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        from .permissions import can_read_page

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_read_page(request.user, self):
            raise Http404
        return super().serve(request, *args, **kwargs)

    @property
    def review_overdue(self) -> bool:
        return bool(self.review_by and self.review_by < timezone.localdate())

    def toc(self) -> list[tuple[str, str]]:
        """(anchor, text) of each heading block of the body, for the table of contents."""
        body = getattr(self, "body", None)
        if not body:
            return []
        return [(block.id, block.value) for block in body if block.block_type == "heading"]


class KnowledgeIndexPage(KnowledgePage):
    """Common behaviour of section index pages: visible children, filtered and paginated."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    is_knowledge_leaf = False
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    child_model: type[Page] | None = None

    class Meta:
        abstract = True

    def children_queryset(self, request):
        from .permissions import pages_visible_to

        queryset = self.child_model.objects.child_of(self).live().order_by("title")
        return pages_visible_to(request.user, queryset)

    def filter_children(self, request, queryset):
        return queryset, {}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        queryset, filters = self.filter_children(request, self.children_queryset(request))
        page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update({"items": page_obj, "filters": filters, "querystring": query.urlencode()})
        return context


class KnowledgeHome(KnowledgeIndexPage):
    """The root of the knowledge base, served at /knowledge/."""

    kind = "home"
    subpage_types = [
        "knowledge.ProductIndexPage",
        "knowledge.CompetitorIndexPage",
        "knowledge.DocumentIndexPage",
        "knowledge.ArticleIndexPage",
        "knowledge.QAIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("knowledge home")

    def get_context(self, request, *args, **kwargs):
        from .permissions import pages_visible_to

        context = Page.get_context(self, request, *args, **kwargs)
        context["sections"] = pages_visible_to(
            request.user, Page.objects.child_of(self).live().specific()
        )
        context["recent"] = pages_visible_to(
            request.user,
            ArticlePage.objects.live().descendant_of(self).order_by("-first_published_at"),
        )[:6]
        return context


# --- products ---------------------------------------------------------------------------


class ProductIndexPage(KnowledgeIndexPage):
    kind = "product_index"
    subpage_types = ["knowledge.ProductPage"]
    parent_page_types = ["knowledge.KnowledgeHome"]

    class Meta:
        verbose_name = _("product index")

    @property
    def child_model(self):
        return ProductPage

    def filter_children(self, request, queryset):
        line = request.GET.get("line", "")
        if line in ProductLine.values:
            queryset = queryset.filter(product_line=line)
        return queryset, {"line": line, "lines": ProductLine.choices}


class ProductPage(KnowledgePage):
    kind = "product"
    parent_page_types = ["knowledge.ProductIndexPage"]
    subpage_types: list[str] = []

    product_number = models.CharField(_("product number"), max_length=40, blank=True)
    product_line = models.CharField(
        _("product line"), max_length=20, choices=ProductLine.choices, db_index=True
    )
    model_name = models.CharField(_("model"), max_length=80, blank=True)
    pitch = models.TextField(_("short pitch"), blank=True)
    specifications = StreamField(
        [("spec", SpecificationBlock())], blank=True, verbose_name=_("specifications")
    )
    list_price = BoundedDecimalField(
        _("list price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    price_notes = models.TextField(_("price notes"), blank=True)
    price_valid_until = models.DateField(_("price valid until"), null=True, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    related_products = ParentalManyToManyField(
        "self", blank=True, symmetrical=False, verbose_name=_("related products")
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel(
            [FieldPanel("product_number"), FieldPanel("model_name"), FieldPanel("product_line")]
        ),
        FieldPanel("summary"),
        FieldPanel("pitch"),
        FieldPanel("specifications"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("list_price"),
                        FieldPanel("currency"),
                        FieldPanel("price_valid_until"),
                    ]
                ),
                FieldPanel("price_notes"),
            ],
            heading=_("Pricing"),
        ),
        FieldPanel("body"),
        InlinePanel("documents", label=_("Documents")),
        InlinePanel("images", label=_("Images")),
        FieldPanel("related_products"),
        *KnowledgePage.review_panels,
    ]
    search_fields = [
        *KnowledgePage.search_fields,
        index.SearchField("pitch"),
        index.SearchField("product_number"),
        index.FilterField("product_line"),
    ]

    class Meta:
        verbose_name = _("product")

    def get_context(self, request, *args, **kwargs):
        from .queries import product_context

        context = super().get_context(request, *args, **kwargs)
        context.update(product_context(request.user, self))
        return context


class ProductDocument(Orderable):
    page = ParentalKey(ProductPage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]


class ProductImage(Orderable):
    page = ParentalKey(ProductPage, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("image"),
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


# --- competitors ------------------------------------------------------------------------


class CompetitorIndexPage(KnowledgeIndexPage):
    kind = "competitor_index"
    subpage_types = ["knowledge.CompetitorPage"]
    parent_page_types = ["knowledge.KnowledgeHome"]

    class Meta:
        verbose_name = _("competitor index")

    @property
    def child_model(self):
        return CompetitorPage

    def filter_children(self, request, queryset):
        threat = request.GET.get("threat", "")
        if threat in CompetitorPage.Threat.values:
            queryset = queryset.filter(threat_level=threat)
        return queryset, {"threat": threat, "threats": CompetitorPage.Threat.choices}


class CompetitorPage(KnowledgePage):
    kind = "competitor"
    parent_page_types = ["knowledge.CompetitorIndexPage"]
    subpage_types: list[str] = []

    class Threat(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    website = models.URLField(_("website"), blank=True)
    headquarters = models.CharField(_("headquarters"), max_length=120, blank=True)
    threat_level = models.CharField(
        _("threat level"), max_length=10, choices=Threat.choices, default=Threat.MEDIUM
    )
    profile = RichTextField(_("profile"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True, help_text=_("One per line."))
    weaknesses = models.TextField(_("weaknesses"), blank=True, help_text=_("One per line."))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldRowPanel(
            [FieldPanel("website"), FieldPanel("headquarters"), FieldPanel("threat_level")]
        ),
        FieldPanel("summary"),
        FieldPanel("profile"),
        FieldRowPanel([FieldPanel("strengths"), FieldPanel("weaknesses")]),
        InlinePanel("products", label=_("Their products")),
        InlinePanel("pricing", label=_("Pricing intelligence")),
        InlinePanel("news", label=_("News")),
        FieldPanel("body"),
        *KnowledgePage.review_panels,
    ]

    class Meta:
        verbose_name = _("competitor")

    def strength_list(self) -> list[str]:
        return [line.strip() for line in self.strengths.splitlines() if line.strip()]

    def weakness_list(self) -> list[str]:
        return [line.strip() for line in self.weaknesses.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        from .queries import competitor_context

        context = super().get_context(request, *args, **kwargs)
        context.update(competitor_context(request.user, self))
        return context


class CompetitorProduct(Orderable):
    """One of the competitor's products, with our comparable product and a comparison."""

    page = ParentalKey(CompetitorPage, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("name"), max_length=120)
    price = models.CharField(_("price"), max_length=80, blank=True)
    our_product = models.ForeignKey(
        ProductPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="competing_products",
        verbose_name=_("our comparable product"),
    )
    comparison = StreamField(
        [("row", ComparisonRowBlock())], blank=True, verbose_name=_("comparison")
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("price"),
        FieldPanel("our_product"),
        FieldPanel("comparison"),
    ]

    def __str__(self) -> str:
        return self.name


class PricingIntel(Orderable):
    page = ParentalKey(CompetitorPage, on_delete=models.CASCADE, related_name="pricing")
    observed_on = models.DateField(_("observed on"))
    product_name = models.CharField(_("product"), max_length=120)
    price = models.CharField(_("price"), max_length=80)
    source = models.CharField(_("source"), max_length=200)
    note = models.CharField(_("note"), max_length=255, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("observed_on"), FieldPanel("product_name"), FieldPanel("price")]),
        FieldPanel("source"),
        FieldPanel("note"),
    ]


class CompetitorNews(Orderable):
    page = ParentalKey(CompetitorPage, on_delete=models.CASCADE, related_name="news")
    date = models.DateField(_("date"))
    headline = models.CharField(_("headline"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    summary = models.TextField(_("summary"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("headline")]),
        FieldPanel("url"),
        FieldPanel("summary"),
    ]


# --- standard documents -----------------------------------------------------------------


class DocumentCategory(models.TextChoices):
    CONTRACT = "contract", _("Contract templates")
    POLICY = "policy", _("Policies")
    PROCESS = "process", _("Processes")
    FORM = "form", _("Forms")


class DocumentIndexPage(KnowledgeIndexPage):
    kind = "document_index"
    subpage_types = ["knowledge.StandardDocumentPage"]
    parent_page_types = ["knowledge.KnowledgeHome"]

    class Meta:
        verbose_name = _("standard document index")

    @property
    def child_model(self):
        return StandardDocumentPage

    def filter_children(self, request, queryset):
        category = request.GET.get("category", "")
        if category in DocumentCategory.values:
            queryset = queryset.filter(category=category)
        return queryset.select_related("document"), {
            "category": category,
            "categories": DocumentCategory.choices,
        }


class StandardDocumentPage(KnowledgePage):
    """A controlled document; when restricted, the page, its file and the API answer 404 to
    everyone outside the allowed roles and departments (one access rule, docs/decisions/0001)."""

    kind = "document"
    parent_page_types = ["knowledge.DocumentIndexPage"]
    subpage_types: list[str] = []

    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("file"),
    )
    description = models.TextField(_("description"), blank=True)
    version = models.CharField(_("version"), max_length=20, blank=True)
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=DocumentCategory.choices,
        default=DocumentCategory.PROCESS,
    )
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only the roles and departments below (and editors) may open it."),
    )
    allowed_groups = ParentalManyToManyField(
        Group, blank=True, related_name="+", verbose_name=_("allowed roles")
    )
    allowed_departments = ParentalManyToManyField(
        "accounts.Department",
        blank=True,
        related_name="+",
        verbose_name=_("allowed departments"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("document"),
        FieldRowPanel([FieldPanel("version"), FieldPanel("category")]),
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("restricted"),
                FieldPanel("allowed_groups"),
                FieldPanel("allowed_departments"),
            ],
            heading=_("Access"),
        ),
        *KnowledgePage.review_panels,
    ]

    class Meta:
        verbose_name = _("standard document")


# --- articles ---------------------------------------------------------------------------


class ArticleType(models.TextChoices):
    COMPANY = "company", _("Company introduction")
    MARKET = "market", _("Market activity")
    MEDIA = "media", _("Media coverage")
    INDUSTRY = "industry", _("Industry news")
    TREND = "trend", _("Product trend")


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "knowledge.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticleIndexPage(KnowledgeIndexPage):
    kind = "article_index"
    subpage_types = ["knowledge.ArticlePage"]
    parent_page_types = ["knowledge.KnowledgeHome"]

    class Meta:
        verbose_name = _("article index")

    @property
    def child_model(self):
        return ArticlePage

    def children_queryset(self, request):
        return super().children_queryset(request).order_by("-first_published_at")

    def filter_children(self, request, queryset):
        kind = request.GET.get("type", "")
        tag = request.GET.get("tag", "")
        line = request.GET.get("line", "")
        if kind in ArticleType.values:
            queryset = queryset.filter(article_type=kind)
        if line in ProductLine.values:
            queryset = queryset.filter(product_line=line)
        if tag:
            queryset = queryset.filter(tags__name=tag)
        tags = (
            ArticleTag.objects.filter(content_object__live=True)
            .values_list("tag__name", flat=True)
            .distinct()
            .order_by("tag__name")
        )
        return queryset, {
            "type": kind,
            "types": ArticleType.choices,
            "tag": tag,
            "tags": list(tags),
            "line": line,
            "lines": ProductLine.choices,
        }


class ArticlePage(KnowledgePage):
    kind = "article"
    parent_page_types = ["knowledge.ArticleIndexPage"]
    subpage_types: list[str] = []

    article_type = models.CharField(
        _("type"),
        max_length=20,
        choices=ArticleType.choices,
        default=ArticleType.INDUSTRY,
        db_index=True,
    )
    product_line = models.CharField(
        _("product line"), max_length=20, choices=ProductLine.choices, blank=True
    )
    tags = ClusterTaggableManager(through=ArticleTag, blank=True, verbose_name=_("tags"))
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    related_products = ParentalManyToManyField(
        ProductPage, blank=True, related_name="articles", verbose_name=_("related products")
    )
    related_competitors = ParentalManyToManyField(
        CompetitorPage,
        blank=True,
        related_name="articles",
        verbose_name=_("related competitors"),
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("article_type"), FieldPanel("product_line")]),
        FieldPanel("tags"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("related_products"),
        FieldPanel("related_competitors"),
        *KnowledgePage.review_panels,
    ]

    class Meta:
        verbose_name = _("article")


# --- Q&A bank ---------------------------------------------------------------------------


class QACategory(models.Model):
    """A category of the Q&A bank; editors manage them as snippets."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("Q&A category")
        verbose_name_plural = _("Q&A categories")

    def __str__(self) -> str:
        return self.name


class QAIndexPage(KnowledgeIndexPage):
    kind = "qa_index"
    template = "knowledge/qa_index_page.html"
    subpage_types = ["knowledge.QAPage"]
    parent_page_types = ["knowledge.KnowledgeHome"]

    class Meta:
        verbose_name = _("Q&A bank")

    @property
    def child_model(self):
        return QAPage

    def children_queryset(self, request):
        return super().children_queryset(request).select_related("category")

    def filter_children(self, request, queryset):
        category = request.GET.get("category", "")
        query = request.GET.get("q", "").strip()
        if category_id := parse_id(category):
            queryset = queryset.filter(category_id=category_id)
        if query:
            queryset = queryset.filter(
                models.Q(title__icontains=query)
                | models.Q(answer__icontains=query)
                | models.Q(keywords__icontains=query)
            )
        return queryset, {
            "category": category,
            "categories": list(QACategory.objects.all()),
            "q": query,
        }


class QAPage(KnowledgePage):
    """A standard question with its approved answer, reusable by anyone."""

    kind = "qa"
    template = "knowledge/qa_page.html"
    parent_page_types = ["knowledge.QAIndexPage"]
    subpage_types: list[str] = []

    category = models.ForeignKey(
        QACategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        verbose_name=_("category"),
    )
    answer = RichTextField(_("approved answer"), features=["bold", "italic", "ol", "ul", "link"])
    keywords = models.CharField(_("keywords"), max_length=255, blank=True)
    product = models.ForeignKey(
        ProductPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        verbose_name=_("product"),
    )
    # Counted by record_qa_usage whenever an answer is reused (e.g. inserted into a case).
    usage_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("category"), FieldPanel("product")]),
        FieldPanel("answer"),
        FieldPanel("keywords"),
        *KnowledgePage.review_panels,
    ]
    search_fields = [
        *KnowledgePage.search_fields,
        index.SearchField("answer"),
        index.SearchField("keywords"),
    ]

    class Meta:
        verbose_name = _("Q&A entry")
        verbose_name_plural = _("Q&A entries")


LEAF_MODELS = [ProductPage, CompetitorPage, StandardDocumentPage, ArticlePage, QAPage]
KIND_MODELS = {model.kind: model for model in LEAF_MODELS}


# --- onboarding -------------------------------------------------------------------------


class OnboardingPath(ClusterableModel):
    """An ordered path of steps a new hire follows; editors assemble it as a snippet."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        InlinePanel("steps", label=_("Steps")),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("onboarding path")
        verbose_name_plural = _("onboarding paths")

    def __str__(self) -> str:
        return self.title


class OnboardingStep(Orderable):
    """One step: a knowledge page (or Q&A entry) or a link such as a forum thread, with an
    optional check question."""

    path = ParentalKey(OnboardingPath, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("title"), max_length=200)
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("page"),
    )
    url = models.CharField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("A forum thread or any other address, when the step is not a page."),
    )
    instructions = models.TextField(_("instructions"), blank=True)
    check_question = models.CharField(_("check question"), max_length=300, blank=True)
    check_choices = models.TextField(
        _("answer choices"), blank=True, help_text=_("One per line; leave empty for free text.")
    )
    check_answer = models.CharField(_("expected answer"), max_length=200, blank=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("page"),
        FieldPanel("url"),
        FieldPanel("instructions"),
        FieldPanel("check_question"),
        FieldPanel("check_choices"),
        FieldPanel("check_answer"),
    ]

    def __str__(self) -> str:
        return self.title

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.check_choices.splitlines() if line.strip()]

    @cached_property
    def target_url(self) -> str:
        if self.page_id and self.page:
            return self.page.url or ""
        return self.url


class OnboardingAssignment(models.Model):
    path = models.ForeignKey(
        OnboardingPath, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("path")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="onboarding_assignments",
        verbose_name=_("person"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["path", "user"], name="knowledge_unique_assignment")
        ]
        verbose_name = _("onboarding assignment")

    def __str__(self) -> str:
        return f"{self.path} → {self.user}"


class StepProgress(models.Model):
    assignment = models.ForeignKey(
        OnboardingAssignment, on_delete=models.CASCADE, related_name="progress"
    )
    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "step"], name="knowledge_unique_step_progress"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.step_id}"
