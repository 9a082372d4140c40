"""Highlighted snippets: the matched words marked in the *original* text (traditional
characters, capitals and inflections stay as written), HTML-escaped around the marks."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import spans


def mark(text: str, ranges: list[tuple[int, int]]) -> SafeString:
    out, last = [], 0
    for start, end in ranges:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def highlight_title(title: str, terms: list[str], phrases: list[str]) -> SafeString:
    return mark(title, spans(title, terms, phrases))


def snippet(body: str, terms: list[str], phrases: list[str], length: int = 180) -> SafeString:
    """A window of the body around the first match (or its opening when nothing matched)."""
    body = " ".join(body.split())
    found = spans(body, terms, phrases)
    if not found:
        cut = body[:length]
        return mark_safe(escape(cut) + ("…" if len(body) > length else ""))  # noqa: S308
    first = found[0][0]
    start = max(0, first - length // 3)
    end = min(len(body), start + length)
    window = [
        (max(a, start) - start, min(b, end) - start) for a, b in found if b > start and a < end
    ]
    html = mark(body[start:end], window)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(body) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308
