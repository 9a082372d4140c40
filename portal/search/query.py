"""The query language: words (all must match), "exact phrases", -exclusions, field filters
(type: tag: owner: category: product:) and date ranges (after: before: date:A..B)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .analysis import analyze, normalize_value, phrase_text, tokenize

FIELD_ALIASES = {
    "type": "kinds", "kind": "kinds", "类型": "kinds",
    "tag": "tags", "标签": "tags",
    "owner": "owners", "负责人": "owners",
    "category": "categories", "分类": "categories",
    "product": "products", "产品": "products",
}  # fmt: skip
_PART = re.compile(r'(-?)(?:([\w\u4e00-\u9fff]+):)?(?:"([^"]*)"?|(\S+))')


def _parse_date(value: str, *, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment, timezone.get_default_timezone())


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)  # every term must be present
    phrases: list[str] = field(default_factory=list)  # phrase_text() of each exact phrase
    excluded: list[list[str]] = field(default_factory=list)  # a doc with all terms of one: out
    excluded_phrases: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    date_from: datetime | None = None  # inclusive
    date_to: datetime | None = None  # exclusive
    highlight_terms: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the positive words as typed, for hints

    @property
    def is_empty(self) -> bool:
        return not (
            self.terms or self.phrases or self.excluded or self.excluded_phrases
            or self.kinds or self.tags or self.owners or self.categories or self.products
            or self.date_from or self.date_to
        )  # fmt: skip

    @property
    def has_text(self) -> bool:
        return bool(self.terms)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("date_from", "date_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ParsedQuery:
        data = dict(data)
        for key in ("date_from", "date_to"):
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


def _single_character_runs(word: str) -> list[str]:
    """A Chinese word the dictionary does not know falls apart into single characters; keep
    them together as a phrase, or "竞品" would match any text holding 竞 and 品 apart."""
    runs, current, last_end = [], "", None
    for token in analyze(word):
        single = token.end - token.start == 1 and not token.term.isascii()
        if single and (last_end is None or token.start == last_end):
            current += token.term
        else:
            if len(current) > 1:
                runs.append(current)
            current = token.term if single else ""
        last_end = token.end
    if len(current) > 1:
        runs.append(current)
    return [phrase_text(run) for run in runs]


def parse_query(text: str, *, kind_groups: dict[str, list[str]] | None = None) -> ParsedQuery:
    """Parse the user's query. Unknown `field:` prefixes are searched as ordinary words."""
    if kind_groups is None:
        from .registry import kind_groups as registered_groups

        kind_groups = registered_groups()
    parsed = ParsedQuery()
    for match in _PART.finditer(text or ""):
        negated, name, quoted, bare = match.groups()
        value = quoted if quoted is not None else (bare or "")
        lowered = (name or "").lower()
        if name and lowered in FIELD_ALIASES and value and not negated:
            target = FIELD_ALIASES[lowered]
            if target == "kinds":
                for kind in value.split(","):
                    kind = kind.strip().lower()
                    parsed.kinds.extend(kind_groups.get(kind, [kind]))
            else:
                getattr(parsed, target).extend(
                    normalize_value(v) for v in value.split(",") if v.strip()
                )
            continue
        if name and lowered in ("after", "since", "from") and not negated:
            parsed.date_from = _parse_date(value) or parsed.date_from
            continue
        if name and lowered in ("before", "until") and not negated:
            parsed.date_to = _parse_date(value, end=True) or parsed.date_to
            continue
        if name and lowered in ("date", "created") and ".." in value and not negated:
            start, _, end = value.partition("..")
            parsed.date_from = _parse_date(start) if start else parsed.date_from
            parsed.date_to = _parse_date(end, end=True) if end else parsed.date_to
            continue
        if name:  # not a known field: the whole thing is text ("v2:beta")
            value = f"{name}:{value}"
        terms = tokenize(value)
        if quoted is not None:
            phrase = phrase_text(value)
            if not phrase:
                continue
            if negated:
                parsed.excluded_phrases.append(phrase)
            else:
                parsed.words.append(f'"{value}"')
                parsed.phrases.append(phrase)
                parsed.terms.extend(terms)
                parsed.highlight_terms.extend(terms)
            continue
        if not terms:
            continue
        if negated:
            parsed.excluded.append(list(dict.fromkeys(terms)))
        else:
            parsed.words.append(value)
            parsed.phrases.extend(_single_character_runs(value))
            parsed.terms.extend(terms)
            parsed.highlight_terms.extend(terms)
    parsed.terms = list(dict.fromkeys(parsed.terms))
    parsed.highlight_terms = list(dict.fromkeys(parsed.highlight_terms))
    parsed.kinds = list(dict.fromkeys(parsed.kinds))
    return parsed
