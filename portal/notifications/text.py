"""Plain-text excerpts of user Markdown for notification bodies (toasts, centre, email).

A notification body is plain text everywhere it is shown (the toast sets `textContent`, the
templates escape it), so Markdown is rendered and then every tag is dropped — never a regex
over the Markdown source, which `**`, links, code fences and HTML in the source would defeat.
Quoted text (a reply quoting the post it answers) is left out when the reply has words of its
own, so the excerpt shows what is new.
"""

from __future__ import annotations

import html
import re

import markdown as markdown_lib
import nh3

EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
# Closing a block (and a line break) becomes a space so that words of two paragraphs, list
# items or table cells do not run together once the tags are gone.
_BLOCK_END = re.compile(
    r"(</(?:p|li|h[1-6]|blockquote|pre|tr|td|th|table|ul|ol)>|<br\s*/?>|<hr\s*/?>)", re.I
)


def _text(rendered: str, *, drop: set[str]) -> str:
    spaced = _BLOCK_END.sub(r"\1 ", rendered)
    stripped = nh3.clean(
        spaced, tags=set(), attributes={}, clean_content_tags={"script", "style", *drop}
    )
    return " ".join(html.unescape(stripped).split())


def plain_text(markdown_text: str) -> str:
    """The words of a Markdown text, without markup; quotes dropped when there is more."""
    rendered = markdown_lib.markdown(markdown_text or "", extensions=EXTENSIONS)
    return _text(rendered, drop={"blockquote"}) or _text(rendered, drop=set())


def excerpt(text: str, limit: int = 200) -> str:
    """At most `limit` characters of plain text, cut at a word where there is one."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def markdown_excerpt(markdown_text: str, limit: int = 200) -> str:
    return excerpt(plain_text(markdown_text), limit)
