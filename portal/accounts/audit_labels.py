"""Names of the people app's audit actions, as history pages show them."""

from django.utils.translation import gettext_lazy as _

from portal.core.audit import label_actions

label_actions(
    {
        "department.created": _("Department created"),
        "department.changed": _("Department changed"),
        "person.registered": _("Person registered"),
        "person.changed": _("Person changed"),
        "person.moved": _("Person moved to another department"),
        "person.profile_updated": _("Profile updated"),
        "role.permissions_changed": _("Role permissions changed"),
        "person.roles_changed": _("Roles changed"),
        "person.deactivated": _("Person deactivated"),
        "person.reactivated": _("Person reactivated"),
    }
)
