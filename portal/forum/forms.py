"""Forum forms: composing a topic or reply, editing, reporting, moderating."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.bounds import BoundedModelChoiceField, IdFormField, parse_id

from .models import ForumCategoryPage


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def parse_refs(values: list[str]) -> list[tuple[str, int]]:
    refs = []
    for value in values:
        kind, _sep, raw_pk = value.partition(":")
        pk = parse_id(raw_pk)
        if kind and pk:
            refs.append((kind, pk))
    return refs


class ComposeFields(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control font-monospace"}),
        help_text=_(
            "Markdown. Mention colleagues with @username; write #C2026… or #D2026… to "
            "refer to a customer or deal."
        ),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        widget=MultipleFileInput(attrs={"class": "form-control"}),
        help_text=_("Up to 5 files, 5 MB each: images, PDF, Office documents, text, zip."),
    )


class TopicForm(ComposeFields):
    category = BoundedModelChoiceField(
        label=_("Category"),
        queryset=ForumCategoryPage.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("Separate tags with commas."),
    )
    refs = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    field_order = ["category", "title", "body", "tags", "attachments"]

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ForumCategoryPage.objects.filter(
            pk__in=[c.pk for c in categories]
        )
        # Any value is acceptable here; the action checks each record against the author.
        self.fields["refs"].choices = (
            [(v, v) for v in self.data.getlist("refs")] if hasattr(self.data, "getlist") else []
        )

    @property
    def clean_refs_list(self) -> list[tuple[str, int]]:
        return parse_refs(self.cleaned_data.get("refs") or [])

    @property
    def tag_list(self) -> list[str]:
        raw = (self.cleaned_data.get("tags") or "").replace("，", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]


class ReplyForm(ComposeFields):
    reply_to = IdFormField(required=False, widget=forms.HiddenInput)


class EditPostForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    body = ComposeFields.base_fields["body"]


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this post?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
