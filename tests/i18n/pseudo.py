"""The pseudo-locale (ADR 0901): a test-only language whose catalogue wraps every msgid of every
installed catalogue in ⟦…⟧, template output marked as content, and the check that finds
interface text outside both."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
from django.apps import apps
from django.conf import settings
from django.db import models
from django.template import base as template_base
from django.templatetags import i18n as i18n_tags
from django.utils.safestring import SafeData, mark_safe

PSEUDO = "en-xa"  # the Android/Chromium convention for an accented-English pseudo-locale
OPEN, CLOSE = "⟦", "⟧"
# Private-use characters around every {{ variable }} a template prints: what is inside came
# from the data (user or demo content, or a label Python handed over), not from the template.
VAR_OPEN, VAR_CLOSE = "\ue000", "\ue001"
SOURCE_LANGUAGE = "zh_Hans"  # every msgid some catalogue knows in Chinese gets wrapped


def source_catalogues() -> Iterator[Path]:
    """The .po files the running site translates from: Django's, every installed app's
    (Wagtail's, DRF's, ours) and the project's LOCALE_PATHS."""
    roots = [Path(django.__file__).parent / "conf" / "locale"]
    roots += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    roots += [Path(path) for path in settings.LOCALE_PATHS]
    for root in roots:
        yield from sorted((root / SOURCE_LANGUAGE / "LC_MESSAGES").glob("*.po"))


def third_party_text() -> str:
    """Every msgid of Django's and the installed packages' catalogues, lower-cased in one string:
    Wagtail renders some of its own wording outside the active catalogue (cached, or built
    before the request's language is active); that text is Wagtail's, not ours."""
    ours = (Path(settings.BASE_DIR) / "portal").resolve()
    msgids = []
    for path in source_catalogues():
        if ours not in path.resolve().parents:
            msgids += [entry.msgid for entry in polib.pofile(str(path))]
    return "\n".join(msgids).lower()


def our_source_text() -> str:
    """Our Python and templates, lower-cased in one string: on Wagtail's admin screens only
    text that comes from us (panels, labels, help texts, snippets) is ours to translate."""
    base = Path(settings.BASE_DIR)
    files = [*(base / "portal").rglob("*.py"), *(base / "templates").rglob("*.html")]
    return "\n".join(path.read_text() for path in files if "migrations" not in path.parts).lower()


def wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def build_catalogue(locale_dir: Path) -> Path:
    """Write <locale_dir>/en_XA/LC_MESSAGES/django.mo with every msgid → ⟦msgid⟧."""
    catalogue = polib.MOFile()
    catalogue.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    seen: set[tuple[str | None, str]] = set()
    for path in source_catalogues():
        for entry in polib.pofile(str(path)):
            key = (entry.msgctxt, entry.msgid)
            if entry.obsolete or not entry.msgid or key in seen:
                continue
            seen.add(key)
            if entry.msgid_plural:
                catalogue.append(
                    polib.MOEntry(
                        msgctxt=entry.msgctxt,
                        msgid=entry.msgid,
                        msgid_plural=entry.msgid_plural,
                        msgstr_plural={0: wrap(entry.msgid), 1: wrap(entry.msgid_plural)},
                    )
                )
            else:
                wrapped = wrap(entry.msgid)
                catalogue.append(
                    polib.MOEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, msgstr=wrapped)
                )
    target = locale_dir / "en_XA" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(target / "django.mo"))
    return target / "django.mo"


class VariableMarking:
    """While active, every value a template prints is wrapped in VAR_OPEN…VAR_CLOSE."""

    def __init__(self):
        self.original = template_base.render_value_in_context

    def marked(self, value, context):
        out = self.original(value, context)
        if not out:
            return out
        wrapped = f"{VAR_OPEN}{out}{VAR_CLOSE}"
        return mark_safe(wrapped) if isinstance(out, SafeData) else wrapped  # noqa: S308

    def __enter__(self):
        template_base.render_value_in_context = self.marked
        i18n_tags.render_value_in_context = self.marked
        return self

    def __exit__(self, *exc):
        template_base.render_value_in_context = self.original
        i18n_tags.render_value_in_context = self.original


def unmark(text: str) -> str:
    return text.replace(VAR_OPEN, "").replace(VAR_CLOSE, "")


# --- what a reader sees -----------------------------------------------------------------------

SKIPPED_ELEMENTS = {"script", "style", "noscript", "template", "svg", "textarea"}
# Literals of a file format or a program (CSV column names, codes) read the same in any language.
LITERAL_ELEMENTS = {"code", "kbd", "samp"}
TEXT_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
MARKERS = {OPEN: "translated", VAR_OPEN: "content"}


def runs(text: str, stack: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """Split text into ("bare" | "content", text) runs: bare is what a template wrote itself,
    content what a variable printed; translated text (inside ⟦…⟧) is dropped. `stack` carries
    the open markers from one text node to the next: a variable's output or a translation may
    hold HTML, so its markers enclose several nodes."""
    stack = [] if stack is None else stack
    current: list[str] = []
    kind = stack[-1] if stack else "bare"
    for char in text:
        if char in MARKERS:
            stack.append(MARKERS[char])
        elif char in (CLOSE, VAR_CLOSE):
            if stack:
                stack.pop()
        else:
            current.append(char)
            continue
        new_kind = stack[-1] if stack else "bare"
        if new_kind != kind:
            if current and kind != "translated":
                yield kind, "".join(current)
            current, kind = [], new_kind
    if current and kind != "translated":
        yield kind, "".join(current)


class VisibleText(HTMLParser):
    """The (kind, text) runs of the text nodes and attributes a reader or screen reader meets.
    Elements that carry their own `lang` (the language switch's EN / 中文) are deliberately in
    that language; scripts and styles are not read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, bool]] = []
        self.markers: list[str] = []
        self.runs: list[tuple[str, str]] = []
        self.links: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.elements)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skip = (
            tag in SKIPPED_ELEMENTS
            or tag in LITERAL_ELEMENTS
            or (bool(attributes.get("lang")) and tag != "html")
        )
        if tag == "a" and attributes.get("href"):
            self.links.append(unmark(attributes["href"]))
        if not skip and not self._skipping():
            texts = [attributes.get(name) for name in TEXT_ATTRIBUTES]
            if tag in {"input", "button"} and attributes.get("type") in {"submit", "button"}:
                texts.append(attributes.get("value"))
            for text in filter(None, texts):
                self.runs += runs(text, list(self.markers))
        if tag not in VOID_ELEMENTS:
            self.elements.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.elements and self.elements[-1][0] == tag:
            self.elements.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.elements) - 1, -1, -1):
            if self.elements[index][0] == tag:
                del self.elements[index:]
                break

    def handle_data(self, data):
        found = list(runs(data, self.markers))  # always advances the markers
        if not self._skipping():
            self.runs += [(kind, text) for kind, text in found if text.strip()]


WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def english_words(text: str) -> list[str]:
    """Latin-script words of two letters or more: untranslated interface text is English."""
    return WORD.findall(text)


# --- what counts as content -------------------------------------------------------------------

# Tables whose text is written by the software, not by people: not content.
NOT_CONTENT = {
    ("auth", "permission"),
    ("contenttypes", "contenttype"),
    ("sessions", "session"),
    ("admin", "logentry"),
    ("core", "auditentry"),
    ("wagtailcore", "revision"),
    ("wagtailcore", "pagelogentry"),
    ("wagtailcore", "modellogentry"),
    ("wagtailcore", "taskstate"),
    ("wagtailcore", "workflowstate"),
}


def content_vocabulary() -> set[str]:
    """Every English word people (or the demo) wrote into the database: free-text fields only —
    a field with choices holds a code whose label must be translated."""
    words: set[str] = set()
    for model in apps.get_models():
        meta = model._meta
        if (meta.app_label, meta.model_name) in NOT_CONTENT or meta.proxy:
            continue
        fields = [
            field.attname
            for field in meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.EmailField)
            and not field.choices
            and field.model is model
        ]
        fields += [
            field.attname
            for field in meta.concrete_fields
            if field.get_internal_type() in {"StreamField", "JSONField"}
            and meta.app_label not in {"core", "notifications"}
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                if value:
                    words.update(word.lower() for word in english_words(str(value)))
    return words
