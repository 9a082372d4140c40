"""Wagtail hooks: the synonym list is a snippet that knowledge editors keep."""

from __future__ import annotations

from wagtail.snippets.models import register_snippet

from .models import SynonymSet

register_snippet(SynonymSet)
