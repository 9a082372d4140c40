"""Names of the forum's audit actions, as history pages show them."""

from django.utils.translation import gettext_lazy as _

from portal.core.audit import label_actions

label_actions(
    {
        "forum.answer_accepted": _("Answer accepted"),
        "forum.answer_withdrawn": _("Accepted answer withdrawn"),
        "forum.post_created": _("Reply posted"),
        "forum.post_deleted": _("Reply deleted"),
        "forum.post_reported": _("Reply reported"),
        "forum.post_restored": _("Reply restored"),
        "forum.post_updated": _("Reply edited"),
        "forum.promoted_to_qa": _("Promoted to the Q&A bank"),
        "forum.report_resolved": _("Report resolved"),
        "forum.topic_created": _("Topic started"),
        "forum.topic_deleted": _("Topic deleted"),
        "forum.topic_hidden": _("Topic hidden or shown"),
        "forum.topic_linked": _("Records linked"),
        "forum.topic_locked": _("Topic locked or unlocked"),
        "forum.topic_merged": _("Topic merged"),
        "forum.topic_moved": _("Topic moved"),
        "forum.topic_pinned": _("Topic pinned or unpinned"),
        "forum.topic_restored": _("Topic restored"),
        "forum.topic_tagged": _("Tags changed"),
    }
)
