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


# Languages a kind is named in: every document is findable by its kind's names in all of them.
NAME_LANGUAGES = ("en", "zh-hans")
_names: dict[str, list[str]] = {}
_kinds_by_terms: dict[tuple[str, ...], str] = {}


def kind_names(kind: str) -> list[str]:
    """The names of a kind (and of its section, e.g. Knowledge) in every language, as indexed
    with each document of the kind: 竞争对手 / Competitor finds every competitor profile."""
    if kind not in KIND_LABELS:
        return []
    if kind not in _names:
        from django.utils import translation

        from .registry import adapter_for_kind

        adapter = adapter_for_kind(kind)
        labels = [KIND_LABELS[kind]]
        if adapter is not None and adapter.group in GROUP_LABELS:
            labels.append(GROUP_LABELS[adapter.group])
        names: list[str] = []
        for language in NAME_LANGUAGES:
            with translation.override(language):
                names += [str(label) for label in labels]
        _names[kind] = list(dict.fromkeys(names))
    return _names[kind]


def kind_named(terms: list[str]) -> str | None:
    """The kind whose name (in any language) analyses to exactly these terms, if any."""
    if not _kinds_by_terms:
        from django.utils import translation

        from .analysis import tokenize

        for kind, label in KIND_LABELS.items():
            for language in NAME_LANGUAGES:
                with translation.override(language):
                    key = tuple(dict.fromkeys(tokenize(str(label))))
                if key:
                    _kinds_by_terms.setdefault(key, kind)
    return _kinds_by_terms.get(tuple(dict.fromkeys(terms)))
