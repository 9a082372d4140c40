"""The query language: words (all must match), "exact phrases", -exclusions, field filters
(type: tag: owner: category: product:) and date ranges (after: before: date:A..B)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .analysis import analyze, normalize_value, phrase_text, tokenize
from .kinds import kind_named
from .synonyms import MAX_PHRASE_WORDS, SynonymTable, alternatives_of

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
    # An alternative of several terms (销售机会 → 销售, 机会): marked only in a text holding
    # every one of them, never one part alone (a hit found by 商机 has no 销售 to mark).
    highlight_groups: list[list[str]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the positive words as typed, for hints
    # A word with synonyms (portal.search.synonyms): one of its alternatives must match, each
    # alternative being terms that must all be present. [[["竞品"], ["竞争", "对手", "竞争对手"]]]
    alternatives: list[list[list[str]]] = field(default_factory=list)
    # Kinds whose pages rank first: the query is nothing but a kind's name (竞争对手, Q&A).
    boost_kinds: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.alternatives or self.phrases) and self.has_no_filters()

    def has_no_filters(self) -> bool:
        """No filter, exclusion or date: only words."""
        return not (
            self.excluded or self.excluded_phrases or self.kinds or self.tags or self.owners
            or self.categories or self.products or self.date_from or self.date_to
        )  # fmt: skip

    @property
    def has_text(self) -> bool:
        return bool(self.terms or self.alternatives)

    def alternatives_hold(self, terms: frozenset[str] | set[str]) -> bool:
        """Whether a document holding these terms satisfies every word with synonyms."""
        return all(
            any(all(term in terms for term in alternative) for alternative in group)
            for group in self.alternatives
        )

    def required_terms(self) -> tuple[list[str], int]:
        """(terms a stored query is filed under, how many of them a matching document holds at
        least): every plain term, and any term of each word with synonyms — counted once per
        such word when the words share no term (else not counted: a candidate filter may only
        ever let too many through)."""
        plain = set(self.terms)
        anchors = set(plain)
        required = len(plain)
        seen: set[str] = set(plain)
        unions = [{term for alt in group for term in alt} for group in self.alternatives]
        for union in unions:
            anchors |= union
        for index, union in enumerate(unions):
            others = set().union(*(u for i, u in enumerate(unions) if i != index))
            if not union & seen and not union & others:
                required += 1
        return sorted(anchors), max(1, required)

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


def _add_word(parsed: ParsedQuery, value: str) -> None:
    terms = tokenize(value)
    if not terms:
        return
    parsed.words.append(value)
    parsed.phrases.extend(_single_character_runs(value))
    parsed.terms.extend(terms)
    parsed.highlight_terms.extend(terms)


def _add_words(parsed: ParsedQuery, words: list[str], synonyms: SynonymTable | None) -> None:
    """Plain words, each run of them checked against the synonym list, longest run first
    ("standard document" is one entry)."""
    start = 0
    while start < len(words):
        for size in range(min(MAX_PHRASE_WORDS, len(words) - start), 0, -1):
            text = " ".join(words[start : start + size])
            alternatives = alternatives_of(text, synonyms)
            if alternatives or size == 1:
                break
        if alternatives:
            parsed.words.append(text)
            if alternatives not in parsed.alternatives:
                parsed.alternatives.append(alternatives)
            for alt in alternatives:
                # The whole word of an alternative, not its sub-words (竞争对手, not 竞争).
                whole = [t for t in alt if not any(t != other and t in other for other in alt)]
                if len(whole) == 1:
                    parsed.highlight_terms.extend(whole)
                elif whole not in parsed.highlight_groups:
                    parsed.highlight_groups.append(whole)
        else:
            _add_word(parsed, text)
        start += size


def _boosted_kinds(parsed: ParsedQuery) -> list[str]:
    """A query that is nothing but a kind's name (or a synonym of it) ranks that kind first."""
    if len(parsed.words) != 1 or parsed.phrases or not parsed.has_no_filters():
        return []
    candidates = parsed.alternatives[0] if parsed.alternatives else [parsed.terms]
    return list(dict.fromkeys(k for alt in candidates if (k := kind_named(alt))))


def parse_query(
    text: str,
    *,
    kind_groups: dict[str, list[str]] | None = None,
    synonyms: SynonymTable | None = None,
) -> ParsedQuery:
    """Parse the user's query. Unknown `field:` prefixes are searched as ordinary words.
    Words with synonyms (the editors' list, or `synonyms` given) become alternatives."""
    if kind_groups is None:
        from .registry import kind_groups as registered_groups

        kind_groups = registered_groups()
    parsed = ParsedQuery()
    pending: list[str] = []  # plain words, grouped for multi-word synonyms
    for match in _PART.finditer(text or ""):
        negated, name, quoted, bare = match.groups()
        if not negated and not name and quoted is None and bare:
            pending.append(bare)
            continue
        _add_words(parsed, pending, synonyms)
        pending = []
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
            _add_word(parsed, value)
    _add_words(parsed, pending, synonyms)
    parsed.terms = list(dict.fromkeys(parsed.terms))
    parsed.highlight_terms = list(dict.fromkeys(parsed.highlight_terms))
    parsed.kinds = list(dict.fromkeys(parsed.kinds))
    parsed.boost_kinds = _boosted_kinds(parsed)
    return parsed
