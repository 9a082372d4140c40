"""Highlighted snippets: the matched words marked in the *original* text (traditional
characters, capitals and inflections stay as written), HTML-escaped around the marks."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import _probe, normalize, spans


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


def _first_candidate(norm: str, terms: list[str], phrases: list[str]) -> int | None:
    positions = [norm.find(_probe(term)) for term in terms]
    positions += [norm.find(phrase) for phrase in phrases]
    found = [position for position in positions if position >= 0]
    return min(found) if found else None


def snippet(body: str, terms: list[str], phrases: list[str], length: int = 180) -> SafeString:
    """A window of the body around the first match (or its opening when nothing matched).
    Only the window is segmented: analysing whole bodies of every hit would dominate latency."""
    body = " ".join(body.split())
    first = _first_candidate(normalize(body), terms, phrases)
    if first is None:
        first = 0
    start = max(0, first - length // 3)
    end = min(len(body), start + length)
    # A margin around the window lets words at its edges segment as they do in the text.
    margin_start, margin_end = max(0, start - 12), min(len(body), end + 12)
    found = [
        (a + margin_start, b + margin_start)
        for a, b in spans(body[margin_start:margin_end], terms, phrases)
    ]
    window = [
        (max(a, start) - start, min(b, end) - start) for a, b in found if b > start and a < end
    ]
    html = mark(body[start:end], window)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(body) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - mark() escaped every piece
