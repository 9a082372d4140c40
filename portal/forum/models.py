"""Discussion forum: the index and category pages (Wagtail), topics, posts and their satellites."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.forms import CheckboxSelectMultiple
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page


class ForumIndexPage(RoutablePageMixin, Page):
    """The forum's home (/forum/): latest topics of every readable category, and topic pages.

    Topics live at ``/forum/t/<id>/`` under the index rather than under their category, so
    that moving a topic never breaks a link to it."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["forum.ForumCategoryPage"]
    max_count = 1
    template = "forum/forum_index_page.html"

    class Meta:
        verbose_name = _("forum index")

    @path("")
    def topic_list_route(self, request):
        from . import views

        return views.topic_list(request, self, category=None)

    @path("new/")
    def new_topic_route(self, request):
        from . import views

        return views.new_topic(request, self, category=None)

    @path("t/<int:topic_id>/")
    def topic_route(self, request, topic_id):
        from . import views

        return views.topic_detail(request, self, topic_id)

    @path("t/<int:topic_id>/reply/")
    def reply_route(self, request, topic_id):
        from . import views

        return views.reply(request, self, topic_id)


class ForumCategoryPage(RoutablePageMixin, Page):
    """A category editors arrange in the page tree; it says who may read and who may post."""

    description = models.TextField(_("description"), blank=True)
    read_groups = ParentalManyToManyField(
        Group,
        verbose_name=_("readable by"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for every member of staff; otherwise only these roles."),
    )
    post_groups = ParentalManyToManyField(
        Group,
        verbose_name=_("who may start topics and reply"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for everyone who may read the category."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("read_groups", widget=CheckboxSelectMultiple),
                FieldPanel("post_groups", widget=CheckboxSelectMultiple),
            ],
            heading=_("Access"),
        ),
    ]
    parent_page_types = ["forum.ForumIndexPage"]
    subpage_types: list[str] = []
    template = "forum/forum_category_page.html"

    class Meta:
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")

    @path("")
    def topic_list_route(self, request):
        from . import views

        return views.topic_list(request, self.get_parent().specific, category=self)

    @path("new/")
    def new_topic_route(self, request):
        from . import views

        return views.new_topic(request, self.get_parent().specific, category=self)


class TaggedTopic(TaggedItemBase):
    content_object = models.ForeignKey(
        "forum.Topic", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Topic(models.Model):
    """A discussion; its opening text is post number 1."""

    category = models.ForeignKey(
        ForumCategoryPage,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="topics",
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="forum_topics",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last activity"), default=timezone.now)
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last reply by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Every post ever written in the topic, deleted ones included: post numbers are dense,
    # so page N of a topic is the number range ((N-1)*size, N*size] — an index lookup.
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    solved_post = models.ForeignKey(
        "forum.Post",
        verbose_name=_("accepted answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    qa_page_id = models.PositiveIntegerField(
        _("Q&A draft"), null=True, blank=True, editable=False
    )  # the knowledge-base draft its answer was promoted to (once)
    # True when the visibility keys are an explicit list of people (the rare case of a
    # restricted category AND restricted linked records); the worker refreshes those.
    access_materialised = models.BooleanField(default=False, editable=False)

    tags = TaggableManager(through=TaggedTopic, blank=True, verbose_name=_("tags"))

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-pinned", "-last_post_at", "-id"]
        indexes = [
            models.Index(fields=["-pinned", "-last_post_at", "-id"], name="forum_topic_latest"),
            models.Index(
                fields=["category", "-pinned", "-last_post_at"], name="forum_topic_category"
            ),
            models.Index(fields=["author", "-last_post_at"], name="forum_topic_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from .queries import forum_index_url

        return f"{forum_index_url()}t/{self.pk}/"

    @property
    def is_solved(self) -> bool:
        return self.solved_post_id is not None


class Post(models.Model):
    """One message of a topic; `number` is its dense position (1 is the opening post)."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="posts"
    )
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="forum_posts",
    )
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(editable=False)
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["topic", "number"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="forum_post_number")
        ]
        indexes = [models.Index(fields=["author", "-created_at"], name="forum_post_author")]

    def __str__(self) -> str:
        return f"{self.topic} #{self.number}"

    def get_absolute_url(self) -> str:
        from .queries import POSTS_PER_PAGE

        page = (self.number - 1) // POSTS_PER_PAGE + 1
        suffix = f"?page={page}" if page > 1 else ""
        return f"{self.topic.get_absolute_url()}{suffix}#p{self.number}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(models.Model):
    """The text a post had before an edit (the visible edit history)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    title = models.CharField(max_length=200, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.post} @ {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: PostAttachment, filename: str) -> str:
    now = timezone.now()
    return f"forum/{now:%Y/%m}/{filename}"


class PostAttachment(models.Model):
    """A file attached to a post; served through a view that checks the topic's visibility."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TopicReference(models.Model):
    """A business record a topic is about: a customer, deal, product or competitor."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField(max_length=30)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=100, blank=True)  # the code/number, never the name

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "content_type", "object_id"], name="forum_reference_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="forum_ref_target")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class TopicRead(models.Model):
    """How far a person has read a topic (unread tracking)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reads")
    last_read_number = models.PositiveIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="forum_read_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.topic_id}@{self.last_read_number}"


class PostReport(models.Model):
    """A reader's report of a post to the moderators (the moderation queue)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resolved_at", "-created_at"], name="forum_report_open")]

    def __str__(self) -> str:
        return f"{self.post}: {self.reason[:40]}"
