"""Names of the knowledge base's audit actions, as history pages show them."""

from django.utils.translation import gettext_lazy as _

from portal.core.audit import label_actions

label_actions(
    {
        "knowledge.path_assigned": _("Onboarding path assigned"),
        "knowledge.qa_draft_created": _("Q&A draft proposed"),
        "knowledge.qa_used": _("Q&A answer used"),
        "knowledge.step_done": _("Onboarding step completed"),
        "knowledge.step_reopened": _("Onboarding step reopened"),
        "wagtail.publish": _("Page published"),
    }
)
