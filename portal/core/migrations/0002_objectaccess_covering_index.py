"""ObjectAccess (content type, object id) index → (content type, object id, key): the visibility
EXISTS of list pages is answered index-only (ADR 0424). The new index is built before the old
one is dropped, so lookups by object never lose their index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="objectaccess",
            index=models.Index(
                fields=["content_type", "object_id", "key"], name="core_objacc_ct_obj_key"
            ),
        ),
        migrations.RemoveIndex(
            model_name="objectaccess",
            name="core_object_content_6b9cf4_idx",
        ),
    ]
