"""Forum pages: topic lists and topic pages (served through the Wagtail pages' routes) and the
small tools under /forum-tools/ (preview, similar topics, moderation, attachments)."""

from __future__ import annotations

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core import audit, bounds
from portal.core.forms import form_errors

from . import actions, queries, references
from .forms import EditPostForm, ReplyForm, ReportForm, TopicForm, parse_refs
from .markdown import find_reference_codes, link_references, quote_markdown, render_markdown
from .models import ForumCategoryPage, ForumIndexPage, Post, PostAttachment, PostReport, Topic
from .permissions import (
    access_post,
    access_topic,
    can_accept_answer,
    can_edit_post,
    can_post_in_category,
    can_read_category,
    is_moderator,
    readable_categories,
)

logger = logging.getLogger(__name__)


def _signed_in(view):
    """Wagtail routes bypass Django's decorators' redirect; do the same thing by hand."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def reader_html(posts, user) -> dict[int, str]:
    """Each post's HTML for this reader: #codes become links only for records they may see."""
    codes = set()
    for post in posts:
        codes |= find_reference_codes(post.body)
    links = references.reference_links(codes, user) if codes else {}
    return {post.pk: link_references(post.body_html, links) for post in posts}


# --- routed from the Wagtail pages -----------------------------------------------------------


@_signed_in
def topic_list(request, index: ForumIndexPage, category: ForumCategoryPage | None):
    if category is not None and not can_read_category(request.user, category):
        raise Http404
    filters = queries.TopicFilters.from_request(request, category)
    size = queries.TOPICS_PER_PAGE
    page_number = bounds.page_number(request.GET.get("page"), size)
    start = (page_number - 1) * size
    # No COUNT(*) on a big table: fetch one row more than a page to know if there is a next.
    rows = list(queries.topic_list(request.user, filters)[start : start + size + 1])
    tags_by_topic = _tags_for([t.pk for t in rows[:size]])
    topics = rows[:size]
    for topic in topics:
        topic.tag_names = tags_by_topic.get(topic.pk, [])
        topic.unread = None if topic.last_read < 0 else max(topic.post_count - topic.last_read, 0)
    categories = readable_categories(request.user)
    context = {
        "page": category or index,
        "self": category or index,
        "index": index,
        "category": category,
        "categories": categories,
        "topics": topics,
        "filters": filters,
        "views": [
            ("latest", _("Latest")),
            ("unanswered", _("Unanswered")),
            ("solved", _("Solved")),
        ],
        "page_number": page_number,
        "has_next": len(rows) > size,
        "may_post": any(can_post_in_category(request.user, c) for c in categories)
        if category is None
        else can_post_in_category(request.user, category),
        "is_moderator": is_moderator(request.user),
        "ref_label": _ref_label(filters, request.user),
    }
    return render(request, "forum/topic_list.html", context)


def _tags_for(topic_ids: list[int]) -> dict[int, list[str]]:
    from .models import TaggedTopic

    result: dict[int, list[str]] = {}
    rows = TaggedTopic.objects.filter(content_object_id__in=topic_ids).values_list(
        "content_object_id", "tag__name"
    )
    for topic_id, name in rows:
        result.setdefault(topic_id, []).append(name)
    return result


def _ref_label(filters: queries.TopicFilters, user) -> str:
    if not (filters.ref_kind and filters.ref_id):
        return ""
    kind = references.KINDS.get(filters.ref_kind)
    if kind is None:
        return ""
    obj = kind.visible_queryset(user).filter(pk=filters.ref_id).first()
    return str(obj) if obj is not None else ""


@_signed_in
def new_topic(request, index: ForumIndexPage, category: ForumCategoryPage | None):
    categories = [
        c for c in readable_categories(request.user) if can_post_in_category(request.user, c)
    ]
    if not categories or (category is not None and category not in categories):
        raise PermissionDenied(_("You may not start topics in this category."))
    form = TopicForm(
        request.POST or None,
        request.FILES or None,
        categories=categories,
        initial={"category": category},
    )
    if request.method == "POST" and form.is_valid():
        try:
            topic = actions.create_topic(
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                tags=form.tag_list,
                refs=form.clean_refs_list,
                attachments=form.cleaned_data["attachments"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Your topic was posted."))
            return HttpResponseRedirect(topic.get_absolute_url())
    chosen = _chosen_refs(request, form)
    return render(
        request,
        "forum/topic_form.html",
        {
            "page": category or index,
            "index": index,
            "category": category,
            "form": form,
            "chosen_refs": chosen,
        },
    )


def _chosen_refs(request, form) -> list[dict]:
    """The records already picked (kept across a form error)."""
    chosen = []
    for kind_name, pk in (
        form.clean_refs_list if form.is_bound and hasattr(form, "cleaned_data") else []
    ):
        kind = references.KINDS.get(kind_name)
        if kind is None:
            continue
        obj = kind.visible_queryset(request.user).filter(pk=pk).first()
        if obj is not None:
            chosen.append({"value": f"{kind_name}:{pk}", "label": _record_label(kind, obj)})
    return chosen


def _record_label(kind, obj) -> str:
    code = kind.code_of(obj)
    return f"{kind.label} · {'#' + code + ' ' if code else ''}{obj}"


@_signed_in
def topic_detail(request, index: ForumIndexPage, topic_id: int):
    topic = access_topic(request.user, topic_id, include_deleted=True)
    if topic.merged_into_id:
        return HttpResponseRedirect(f"{index.url}t/{topic.merged_into_id}/")
    page_count = queries.topic_page_count(topic)
    if "unread" in request.GET:
        number = queries.first_unread_number(topic, request.user)
        page = (number - 1) // queries.POSTS_PER_PAGE + 1
        suffix = f"?page={page}" if page > 1 else ""
        return HttpResponseRedirect(f"{index.url}t/{topic.pk}/{suffix}#p{number}")
    page_number = min(
        bounds.page_number(request.GET.get("page"), queries.POSTS_PER_PAGE), page_count
    )
    posts = queries.posts_page(topic, page_number)
    shown = list(posts)
    answer = None
    if topic.solved_post_id:
        answer = next((p for p in posts if p.pk == topic.solved_post_id), None) or (
            Post.objects.select_related("author")
            .prefetch_related("attachments")
            .get(pk=topic.solved_post_id)
        )
        shown.append(answer)
    html = reader_html(shown, request.user)
    for post in shown:
        post.reader_html = html[post.pk]
    if posts:
        actions.mark_read(topic, posts[-1].number, acting_user=request.user)
    moderator = is_moderator(request.user)
    topic_refs = _topic_refs(topic, request.user)
    context = {
        "page": index,
        "index": index,
        "topic": topic,
        "posts": posts,
        "answer": answer,
        "page_number": page_number,
        "page_count": page_count,
        "page_range": _page_window(page_number, page_count),
        "reply_form": ReplyForm(),
        "may_reply": not topic.deleted_at
        and can_post_in_category(request.user, topic.category)
        and (not topic.locked or moderator),
        "may_accept": can_accept_answer(request.user, topic),
        "is_moderator": moderator,
        "topic_refs": topic_refs,
        "tags": list(topic.tags.names()),
        "categories": readable_categories(request.user) if moderator else [],
        "qa_available": _qa_available(),
    }
    return render(request, "forum/topic_detail.html", context)


def _qa_available() -> bool:
    from portal.knowledge.models import QAIndexPage

    return QAIndexPage.objects.exists()


def _page_window(current: int, count: int) -> list[int | None]:
    pages = sorted({1, 2, count - 1, count, *range(current - 2, current + 3)})
    window: list[int | None] = []
    for number in pages:
        if 1 <= number <= count:
            if window and window[-1] is not None and number - window[-1] > 1:
                window.append(None)
            window.append(number)
    return window


def _topic_refs(topic: Topic, user) -> list[dict]:
    """The records the topic is about, as the reader may see them (others: a neutral note)."""
    result = []
    for ref in topic.references.all():
        kind = references.KINDS.get(ref.kind)
        obj = None
        if kind is not None:
            obj = kind.visible_queryset(user).filter(pk=ref.object_id).first()
        if obj is not None:
            result.append(
                {
                    "kind": kind,
                    "label": _record_label(kind, obj),
                    "url": kind.url_of(obj),
                    "filter": f"{ref.kind}:{ref.object_id}",
                }
            )
    return result


@_signed_in
def reply(request, index: ForumIndexPage, topic_id: int):
    topic = access_topic(request.user, topic_id)
    if request.method != "POST":
        if "quote" in request.GET:
            return _reply_with_quote(request, index, topic)
        return HttpResponseRedirect(f"{index.url}t/{topic.pk}/")
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        reply_to = None
        if form.cleaned_data.get("reply_to"):
            reply_to = Post.objects.filter(pk=form.cleaned_data["reply_to"], topic=topic).first()
        try:
            post = actions.reply(
                topic,
                body=form.cleaned_data["body"],
                reply_to=reply_to,
                attachments=form.cleaned_data["attachments"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            _warn_unseeing_mentions(request, topic, form.cleaned_data["body"])
            return HttpResponseRedirect(post.get_absolute_url())
    return _reply_page(request, index, topic, form)


def _reply_page(request, index, topic: Topic, form: ReplyForm, quoted: Post | None = None):
    context = {"page": index, "index": index, "topic": topic, "form": form, "quoted": quoted}
    return render(request, "forum/reply_form.html", context)


def _warn_unseeing_mentions(request, topic: Topic, body: str) -> None:
    for person in actions.mentioned_who_cannot_see(topic, body, request.user):
        messages.warning(
            request,
            _("%(name)s cannot see this topic and was not told.") % {"name": person},
        )


def _reply_with_quote(request, index, topic):
    post = (
        Post.objects.filter(
            topic=topic, pk=request.GET.get("quote") or 0, deleted_at__isnull=True, hidden=False
        )
        .select_related("author")
        .first()
    )
    initial = {}
    if post is not None:
        initial = {"body": quote_markdown(post.author.username, post.body), "reply_to": post.pk}
    return _reply_page(request, index, topic, ReplyForm(initial=initial), quoted=post)


# --- /forum-tools/ ---------------------------------------------------------------------------


@login_required
def home(request):
    index = queries.forum_index()
    if index is not None:
        query = request.GET.urlencode()
        return redirect(f"{index.url}?{query}" if query else index.url)
    return render(request, "forum/home_empty.html")


@login_required
@require_POST
def preview(request):
    """Live preview of Markdown (HTMX): the same renderer and sanitiser as saving."""
    body = request.POST.get("body", "")[: actions.MAX_BODY]
    html = render_markdown(body)
    links = references.reference_links(find_reference_codes(body), request.user)
    return render(request, "forum/includes/preview.html", {"html": link_references(html, links)})


@login_required
def similar(request):
    """Topics (and knowledge pages, through search when it is there) like a title being typed."""
    title = request.GET.get("title", "").strip()[:200]
    results = _search_similar(request.user, title) if len(title) >= 2 else []
    return render(request, "forum/includes/similar.html", {"results": results, "title": title})


SIMILAR_KINDS = ["topic", "qa", "article", "product", "competitor", "document", "page"]


def _search_similar(user, title: str) -> list[dict]:
    """Through portal.search (topics and knowledge pages, filtered by the reader's keys
    there); a title match on topics when search finds nothing or fails."""
    from portal.search import service
    from portal.search.kinds import kind_label

    results: list[dict] = []
    words = sorted({w for w in title.split() if len(w) >= 2}, key=len, reverse=True)[:3]
    # Every word must match in search's query language; a title being typed rarely matches
    # whole, so fall back to its longest words one at a time.
    for text in [title, *words] if len(words) > 1 else [title]:
        try:
            _parsed, found = service.search(user, text, per_page=6, kinds=SIMILAR_KINDS)
        except Exception:  # noqa: BLE001 - search is an optional helper here
            logger.exception("Similar-topic search failed")
            break
        for hit in found.hits:
            if all(item["url"] != hit.url for item in results):
                results.append(
                    {
                        "title": hit.title,
                        "url": hit.url,
                        "type": "" if hit.kind == "topic" else kind_label(hit.kind),
                    }
                )
        if len(results) >= 6:
            break
    if results:
        return results[:6]
    for topic in queries.similar_topics(user, title):
        results.append(
            {
                "title": topic.title,
                "url": topic.get_absolute_url(),
                "type": "",
                "solved": topic.is_solved,
                "category": topic.category.title,
            }
        )
    return results


@login_required
def record_options(request):
    """The reference picker (HTMX): records of each kind the user may see, by code or name."""
    term = request.GET.get("q", "").strip()[:100]
    options = []
    if len(term) >= 2:
        for kind in references.available_kinds():
            queryset = kind.visible_queryset(request.user)
            field = "title" if kind.is_page else "name"
            condition = {f"{field}__icontains": term}
            matches = list(queryset.filter(**condition)[:5])
            if kind.code_field:
                matches += list(
                    queryset.filter(**{f"{kind.code_field}__istartswith": term.lstrip("#")})[:5]
                )
            seen = set()
            for obj in matches:
                if obj.pk in seen:
                    continue
                seen.add(obj.pk)
                options.append(
                    {"value": f"{kind.name}:{obj.pk}", "label": _record_label(kind, obj)}
                )
    return render(request, "forum/includes/record_options.html", {"options": options, "q": term})


@login_required
def edit_post(request, post_id: int):
    post = access_post(request.user, post_id)
    if not can_edit_post(request.user, post):
        raise Http404
    first = post.number == 1
    form = EditPostForm(
        request.POST or None,
        initial={"body": post.body, "title": post.topic.title if first else ""},
    )
    if not first:
        del form.fields["title"]
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_post(
                post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title") if first else None,
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Your changes were saved."))
            return HttpResponseRedirect(post.get_absolute_url())
    return render(request, "forum/post_edit.html", {"post": post, "form": form})


@login_required
def post_history(request, post_id: int):
    post = access_post(request.user, post_id)
    revisions = list(post.revisions.select_related("edited_by"))
    for revision in revisions:
        revision.html = render_markdown(revision.body)
    return render(
        request,
        "forum/post_history.html",
        {
            "post": post,
            "revisions": revisions,
            "current_html": post.body_html,
        },
    )


@login_required
@require_POST
def post_action(request, post_id: int, verb: str):
    post = access_post(request.user, post_id)
    try:
        if verb == "delete":
            actions.delete_post(post, acting_user=request.user)
            messages.success(request, _("The post was deleted."))
        elif verb == "restore":
            actions.restore_post(post, acting_user=request.user)
            messages.success(request, _("The post was restored."))
        elif verb == "accept":
            actions.accept_answer(post, acting_user=request.user)
            messages.success(request, _("The reply was marked as the answer."))
        elif verb == "report":
            form = ReportForm(request.POST)
            if form.is_valid():
                actions.report_post(
                    post, reason=form.cleaned_data["reason"], acting_user=request.user
                )
                messages.success(request, _("Thank you — the moderators will look at it."))
            else:
                messages.error(request, _("Say what is wrong with the post."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(post.get_absolute_url())


@login_required
@require_POST
def topic_action(request, topic_id: int, verb: str):
    """Moderation and author actions on a topic (one endpoint per verb)."""
    topic = access_topic(request.user, topic_id, include_deleted=True)
    user = request.user
    target_url = topic.get_absolute_url()
    try:
        if verb in {"pin", "unpin"}:
            actions.pin_topic(topic, verb == "pin", acting_user=user)
        elif verb in {"lock", "unlock"}:
            actions.lock_topic(topic, verb == "lock", acting_user=user)
        elif verb in {"hide", "unhide"}:
            actions.hide_topic(topic, verb == "hide", acting_user=user)
        elif verb == "unaccept":
            actions.unaccept_answer(topic, acting_user=user)
        elif verb == "move":
            category = get_object_or_404(
                ForumCategoryPage, pk=bounds.parse_id(request.POST.get("category")) or 0
            )
            actions.move_topic(topic, category, acting_user=user)
            messages.success(
                request, _("The topic was moved to %(category)s.") % {"category": category.title}
            )
        elif verb == "merge":
            target = access_topic(user, request.POST.get("target", ""))
            actions.merge_topics(topic, target, acting_user=user)
            messages.success(request, _("The topics were merged."))
            target_url = target.get_absolute_url()
        elif verb == "delete":
            actions.delete_topic(topic, acting_user=user)
            messages.success(request, _("The topic was deleted."))
            target_url = queries.forum_index_url()
        elif verb == "restore":
            actions.restore_topic(topic, acting_user=user)
            messages.success(request, _("The topic was restored."))
        elif verb == "links":
            actions.set_references(
                topic, parse_refs(request.POST.getlist("refs")), acting_user=user
            )
            messages.success(request, _("The linked records were updated."))
        elif verb == "promote":
            page = actions.promote_answer_to_qa(topic, acting_user=user)
            messages.success(
                request,
                _("A Q&A draft “%(title)s” was created in the knowledge base.")
                % {"title": page.title},
            )
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(target_url)


@login_required
def attachment(request, attachment_id: int):
    """Serve an attachment only to readers of its topic."""
    item = get_object_or_404(PostAttachment.objects.select_related("post"), pk=attachment_id)
    post = access_post(request.user, item.post_id)
    if post.is_deleted and not is_moderator(request.user):
        raise Http404
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not item.is_image,
        filename=item.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@login_required
def queue(request):
    """The moderation queue: open reports, hidden topics, recently deleted posts."""
    if not is_moderator(request.user):
        raise Http404
    from .permissions import topics_visible_to
    from .policy import topic_policy

    # Only topics the moderator may read (the topic policy decides), hidden/deleted included.
    moderated = topic_policy.moderated_by(request.user).values("pk")
    reports = list(
        PostReport.objects.filter(
            resolved_at__isnull=True, post__topic__in=moderated
        ).select_related("post__topic", "post__author", "reporter")[:100]
    )
    hidden = list(
        topics_visible_to(request.user, include_hidden=True)
        .filter(hidden=True)
        .select_related("category", "author")[:50]
    )
    deleted = list(
        Post.objects.filter(
            deleted_at__isnull=False, topic__deleted_at__isnull=True, topic__in=moderated
        )
        .select_related("topic", "author")
        .order_by("-deleted_at")[:30]
    )
    return render(
        request,
        "forum/queue.html",
        {
            "reports": reports,
            "hidden_topics": hidden,
            "deleted_posts": deleted,
        },
    )


@login_required
@require_POST
def resolve_report(request, report_id: int):
    from .policy import topic_policy

    report = get_object_or_404(
        PostReport, pk=report_id, post__topic__in=topic_policy.moderated_by(request.user)
    )
    actions.resolve_report(
        report, delete=request.POST.get("remove") == "1", acting_user=request.user
    )
    messages.success(request, _("The report was resolved."))
    return redirect("forum:queue")


@login_required
def topic_history(request, topic_id: int):
    topic = access_topic(request.user, topic_id, include_deleted=True)
    if not is_moderator(request.user):
        raise Http404
    return render(
        request,
        "forum/topic_history.html",
        {
            "topic": topic,
            "entries": audit.history(topic)[:100],
        },
    )
