"""UserSequence.unread: each person's unread count kept beside their numbers, filled from the
rows that exist (ADR 0713)."""

from django.db import migrations, models
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_unread(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    UserSequence = apps.get_model("notifications", "UserSequence")
    # Every notification was numbered through its sequence row; a row made otherwise (by hand,
    # by an old fixture) gets one, so that its owner's count has somewhere to live.
    have = UserSequence.objects.values("user_id")
    missing = (
        Notification.objects.exclude(user_id__in=have)
        .values("user_id")
        .annotate(last=Max("seq"))
        .order_by()
    )
    UserSequence.objects.bulk_create(
        [UserSequence(user_id=row["user_id"], last=row["last"]) for row in missing]
    )
    unread = (
        Notification.objects.filter(user_id=OuterRef("user_id"), read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    UserSequence.objects.update(
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_created_at_from_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="usersequence",
            name="unread",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(count_unread, migrations.RunPython.noop, elidable=True),
    ]
