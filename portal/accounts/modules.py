"""The modules of the original system and the verbs a role may hold on each of them."""

from django.utils.translation import gettext_lazy as _

MODULES = {
    "settings": _("System settings"),
    "customers": _("Customer records"),
    "deals": _("Deal tracking"),
    "service": _("Customer service"),
    "knowledge": _("Business knowledge"),
    "forum": _("Discussion forum"),
}

VERBS = {
    "manage": _("manage"),
    "register": _("register"),
    "view": _("view"),
    "transfer": _("transfer (hand over)"),
    "urge": _("urge"),
}


def codename(module: str, verb: str) -> str:
    if module not in MODULES or verb not in VERBS:
        raise ValueError(f"Unknown module permission {module}.{verb}")
    return f"{module}_{verb}"


def permission_name(module: str, verb: str) -> str:
    return f"accounts.{codename(module, verb)}"


MODULE_PERMISSIONS = [
    (codename(module, verb), f"{module_label}: {verb_label}")
    for module, module_label in MODULES.items()
    for verb, verb_label in VERBS.items()
]
