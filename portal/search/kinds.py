"""Display names of the document kinds (the adapters' kinds) and the groups `type:` accepts."""

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "customer": _("Customer"),
    "contact": _("Contact"),
    "deal": _("Deal"),
    "service_case": _("Service case"),
    "product": _("Product"),
    "competitor": _("Competitor"),
    "document": _("Standard document"),
    "article": _("Article"),
    "qa": _("Q&A"),
    "page": _("Knowledge page"),
    "topic": _("Forum topic"),
    "post": _("Forum post"),
}
GROUP_LABELS = {"records": _("Records"), "knowledge": _("Knowledge"), "forum": _("Forum")}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind.replace("_", " ").title()))
