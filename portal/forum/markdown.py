"""User text: Markdown rendered to HTML, then sanitised with nh3 against an explicit allow-list.

`render_markdown(text)` is safe to store and show as-is. Two post-processing helpers work on
that sanitised HTML's text nodes only (never inside tags, links or code): `mark_mentions`
(at save time) and `link_references` (at display time, per reader, because whether a
``#C2026…`` code becomes a link depends on who is reading).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.utils.html import escape

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]


def _image_source_allowed(value: str) -> bool:
    media = settings.MEDIA_URL
    if value.startswith("https://"):
        return True
    # Our own media only; "//host/…" would be another site, "\\" tricks some browsers.
    return value.startswith(media) and not value.startswith("//") and "\\" not in value


def _link_allowed(value: str) -> bool:
    # nh3 already refuses other schemes; relative links must also look like paths, so that no
    # browser quirk (backslashes, stray characters before a colon) can turn one into a scheme.
    lowered = value.lower()
    if lowered.startswith(("http://", "https://", "mailto:")):
        return True
    return value.startswith(("/", "#", "?")) and not value.startswith("//") and "\\" not in value


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _image_source_allowed(value.strip()) else None
    if tag == "a" and attribute == "href":
        return value if _link_allowed(value.strip()) else None
    if attribute in {"width", "height", "start"}:
        return value if value.isdigit() and len(value) < 6 else None
    return value


def sanitise(html: str) -> str:
    """The one sanitiser: nh3 with our allow-list (no script/style/iframe, no on* attributes,
    only http/https/mailto links, images from our media or https)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown → HTML → nh3. The result is safe to mark_safe."""
    html = markdown_lib.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return sanitise(html)


# A tag of nh3's output: attributes are always double-quoted with `"` escaped inside, so a
# `>` inside an attribute value cannot end the match.
_TAG = re.compile(r'(<(?:[^>"]|"[^"]*")*>)')
_SKIP_INSIDE = {"a", "code", "pre"}


def _rewrite_text(html: str, replace: Callable[[str], str]) -> str:
    """Apply `replace` to the text between tags, except inside a, code and pre."""
    parts = _TAG.split(html)
    depth = 0
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a tag
            match = re.match(r"<(/?)([a-zA-Z0-9]+)", part)
            if match and match.group(2).lower() in _SKIP_INSIDE:
                depth += -1 if match.group(1) else 1
                depth = max(depth, 0)
            out.append(part)
        else:
            out.append(part if depth or not part else replace(part))
    return "".join(out)


MENTION_RE = re.compile(r"(?<![\w@/.&])@([A-Za-z0-9_.+-]{2,150})")


def find_mentions(text: str) -> set[str]:
    """Usernames written as @name in Markdown source (callers keep the existing ones)."""
    return {name.rstrip(".") for name in MENTION_RE.findall(text or "")}


def mark_mentions(html: str, usernames: Iterable[str]) -> str:
    """Wrap @name of the given (existing) usernames in a highlighting span."""
    known = {name.lower() for name in usernames}
    if not known:
        return html

    def replace(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1).rstrip(".")
            if name.lower() not in known:
                return match.group(0)
            rest = match.group(1)[len(name) :]
            return f'<span class="forum-mention">@{escape(name)}</span>{rest}'

        return MENTION_RE.sub(one, text)

    return _rewrite_text(html, replace)


# "#C202600001", "#D2026110003": letters then a digit; `&#39;` entities never match.
REFERENCE_RE = re.compile(r"(?<![\w&#/])#([A-Za-z]{1,4}\d[A-Za-z0-9_-]{2,40})")


def find_reference_codes(text: str) -> set[str]:
    return set(REFERENCE_RE.findall(text or ""))


def link_references(html: str, links: dict[str, tuple[str, str]]) -> str:
    """Turn #code into a link for the codes in `links` ({code: (url, title)}) — the caller
    passes only the records the reader may see; everything else stays plain text."""
    if not links:
        return html

    def replace(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            code = match.group(1)
            target = links.get(code)
            if target is None:
                return match.group(0)
            url, title = target
            return (
                f'<a class="forum-ref" href="{escape(url)}" title="{escape(title)}">'
                f"#{escape(code)}</a>"
            )

        return REFERENCE_RE.sub(one, text)

    return _rewrite_text(html, replace)


def quote_markdown(author: str, text: str) -> str:
    """Markdown quoting a post, for a reply's starting text."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in (text or "").splitlines())
    return f"> **@{author}:**\n{quoted}\n\n"
