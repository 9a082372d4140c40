"""Notices store a message and its parameters (ADR 0611).

Rows written before keep their text (message "notifications.text" renders the stored title and
body); the forum and knowledge notices whose dedupe key names the topic, post or page are
turned into their message so that they, too, follow the reader's language."""

from django.db import migrations, models

TEXT = "notifications.text"


def _name(user) -> str:
    if user is None:
        return ""
    full = f"{user.first_name} {user.last_name}".strip()
    return user.display_name or full or user.username


def _forum(apps, row, key: str, number: str):
    Post = apps.get_model("forum", "Post")  # noqa: N806
    Topic = apps.get_model("forum", "Topic")  # noqa: N806
    if key == "forum.topic":
        topic = Topic.objects.filter(pk=number).first()
    else:
        post = Post.objects.filter(pk=number).select_related("topic").first()
        topic = post.topic if post else None
    if topic is None:
        return None
    params = {"name": _name(row.actor), "title": topic.title, "excerpt": row.body}
    if row.kind == "mention":
        return "forum.mentioned", params
    if key == "forum.accepted":
        return "forum.answer_accepted", {"title": topic.title, "excerpt": row.body}
    if key == "forum.topic" and row.kind == "topic":
        return "forum.topic_started", params
    if key == "forum.post" and row.kind == "reply":
        return "forum.replied", params
    return None


def _knowledge(apps, row, key: str, number: str, rest: list[str]):
    Page = apps.get_model("wagtailcore", "Page")  # noqa: N806
    page = Page.objects.filter(pk=number).first()
    if page is None:
        return None
    if key == "knowledge.review_overdue":
        return "knowledge.review_due", {"title": page.title, "date": rest[0] if rest else ""}
    message = "knowledge.page_updated" if rest else "knowledge.page_new"
    return message, {"title": page.title, "excerpt": row.body}


def to_messages(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")  # noqa: N806
    rows = Notification.objects.filter(message=TEXT).select_related("actor")
    changed = []
    for row in rows.iterator(chunk_size=500):
        key, _sep, rest = row.dedupe_key.partition(":")
        number, *more = rest.split(":")
        if not number.isdigit():
            continue
        if key in {"forum.topic", "forum.post", "forum.accepted"}:
            found = _forum(apps, row, key, number)
        elif key in {"knowledge.page", "knowledge.review_overdue"}:
            found = _knowledge(apps, row, key, number, more)
        else:
            found = None
        if found is not None:
            row.message, row.params = found
            changed.append(row)
        if len(changed) >= 500:
            Notification.objects.bulk_update(changed, ["message", "params"])
            changed = []
    Notification.objects.bulk_update(changed, ["message", "params"])


def to_text(apps, schema_editor):
    """Back: every row shows its stored text again (written in the recipient's language)."""
    Notification = apps.get_model("notifications", "Notification")  # noqa: N806
    Notification.objects.exclude(message=TEXT).update(message=TEXT, params={})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_service_kind"),
        ("forum", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.CharField(
                default="notifications.text", max_length=80, verbose_name="message"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.RunPython(to_messages, to_text),
    ]
