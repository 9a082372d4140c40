"""Names of the service audit actions, as a case's history shows them."""

from django.utils.translation import gettext_lazy as _

from portal.core.audit import label_actions, label_fields
from portal.records.service.models import ServiceCaseStep

label_actions(
    {
        # One per workflow step: "service_case.<step kind>", named as the step itself.
        **{f"service_case.{kind.value}": kind.label for kind in ServiceCaseStep.Kind},
        "service_case.attachment_added": _("Attachment added"),
        "service_record.created": _("Service record added"),
        "service.qa_draft_created": _("Q&A draft created"),
        "support_question.created": _("Support question recorded"),
        "support_question.answered": _("Support question answered"),
        "support_question.escalated": _("Support question escalated"),
    }
)

label_fields("records.servicecase", {"file": _("attachment")})
label_fields("records.supportquestion", {"escalated_to": _("escalated to")})
