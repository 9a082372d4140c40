"""What every app's forms and POST buttons share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def form_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form: under its field, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def run_action(request: HttpRequest, act: Callable[[], Any], success: str = "") -> bool:
    """Run the action behind a POST button: its refusal (ValidationError) shown as an error
    message, else `success`. True when it ran."""
    try:
        act()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    if success:
        messages.success(request, success)
    return True
