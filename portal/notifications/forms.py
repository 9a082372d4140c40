"""Forms of the notification centre and the interest profile page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EmailMode, Kind, Level


class KeywordInterestForm(forms.Form):
    query = forms.CharField(
        label=_("Keyword or phrase"),
        max_length=200,
        help_text=_("Chinese or English; quote a phrase to match it exactly."),
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("e.g. 竞品")}),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        coerce=int,
        choices=[
            (Level.WATCHING, _("Watching: new items and replies")),
            (Level.WATCHING_FIRST_POST, _("Watching first post: new items only")),
        ],
        initial=Level.WATCHING,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class FollowLevelForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Level"),
        coerce=int,
        choices=Level.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, follow=None, **kwargs):
        super().__init__(*args, **kwargs)
        if follow is not None:
            # One select per followed thing in a list: it is named after the thing.
            self.fields["level"].widget.attrs["aria-label"] = _("Level for %(name)s") % {
                "name": follow
            }


class DeliverySettingsForm(forms.Form):
    """Email mode and quiet hours, plus a web and an email switch per kind."""

    email_mode = forms.ChoiceField(
        label=_("Email me when I am away"),
        choices=EmailMode.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"class": "form-control", "type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        help_text=_("No email during quiet hours; it is sent when they end."),
        widget=forms.TimeInput(attrs={"class": "form-control", "type": "time"}, format="%H:%M"),
    )

    def __init__(self, *args, prefs=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if prefs is not None:
            initial.update(
                email_mode=prefs.email_mode,
                quiet_start=prefs.quiet_start,
                quiet_end=prefs.quiet_end,
            )
            for kind in Kind.values:
                initial[f"web_{kind}"] = prefs.wants(kind, "web")
                initial[f"email_{kind}"] = prefs.wants(kind, "email")
        super().__init__(*args, initial=initial, **kwargs)
        # Each switch is named for what it does ("Mentions: in Agora"), so a screen reader
        # does not read 18 bare checkboxes.
        names = {
            "web": _("%(kind)s: in Agora"),
            "email": _("%(kind)s: by email"),
        }
        for kind, kind_label in Kind.choices:
            for channel in ("web", "email"):
                self.fields[f"{channel}_{kind}"] = forms.BooleanField(
                    label=names[channel] % {"kind": kind_label},
                    required=False,
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )

    def kind_rows(self):
        return [(label, self[f"web_{kind}"], self[f"email_{kind}"]) for kind, label in Kind.choices]

    def channels(self) -> dict[str, dict[str, bool]]:
        data = self.cleaned_data
        return {
            kind: {"web": data[f"web_{kind}"], "email": data[f"email_{kind}"]}
            for kind in Kind.values
        }
