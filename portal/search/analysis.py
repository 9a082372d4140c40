"""Text analysis shared by every engine, the query parser and interest matching.

One pipeline for documents and queries alike, so that a query term and an indexed term meet:
traditional → simplified Chinese (OpenCC t2s), full-width → half-width, lower case, jieba in
*search mode* (a long word also yields its dictionary sub-words, so "商机" is found inside
"帮助销售人员跟踪商机"), and Porter stemming of English words ("increases" → "increas").
Offsets into the original text are kept so that highlights mark the original characters.
"""

from __future__ import annotations

import array
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jieba
import opencc

from .stemmer import stem

jieba.setLogLevel(logging.WARNING)

# Words of the trade that jieba's general dictionary lacks (it would split them into single
# characters). Changing this list changes segmentation: run rebuild_index afterwards.
DOMAIN_WORDS = (
    "竞品", "商机", "客诉", "回款", "报价单", "售后", "工单", "线索", "赢单", "丢单", "续约",
    "收银机", "收银一体机", "扫码枪", "门店", "连锁", "渠道商", "代理商",
)  # fmt: skip
for _word in DOMAIN_WORDS:
    jieba.add_word(_word, freq=20000)

# Full-width ASCII (Ａ, ｂ, ０…) and the ideographic space map one-to-one onto ASCII.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WORD = re.compile(r"\w", re.UNICODE)
# Function words that would only make an all-words query stricter; removed from index and query.
STOPWORDS = frozenset(
    "的 了 是 和 与 及 在 也 就 都 而 或 a an and are as at be by for from in is it of on or "
    "the to with".split()
)
MAX_TOKEN_LENGTH = 64


def _load_t2s_table() -> dict[int, int]:
    """OpenCC's traditional → simplified *character* table (TSCharacters), as a str.translate
    table merged with the full-width map. Character-level conversion keeps every offset (the
    highlighter needs them) and is ~100× faster than OpenCC's phrase matcher; the rare phrase
    exceptions it skips do not matter for search, where index and query convert alike."""
    table = dict(_FULLWIDTH)
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = ord(target)
    return table


_T2S = _load_t2s_table()
# str.translate looks every character up in its table, and a dict raises (and clears) a
# KeyError for each character it does not map, which is nearly all of them: normalizing was a
# large part of a search hit's highlighting. An array indexed by code point (up to the last
# mapped one; beyond it the IndexError means "unmapped", as the KeyError did) never misses for
# the characters that matter: 0.7 MB per process, about twice as fast (ADR 0428).
_T2S_CODES = array.array("I", range(max(_T2S) + 1))
for _code, _target in _T2S.items():
    _T2S_CODES[_code] = _target


def normalize(text: str) -> str:
    """Simplified, half-width, lower-case text of exactly the same length as the input."""
    if not text:
        return ""
    text = text.translate(_T2S_CODES)
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return lowered


@dataclass(frozen=True, slots=True)
class Token:
    term: str
    start: int
    end: int


def _term(word: str) -> str | None:
    word = word.strip()
    if not word or not _WORD.search(word) or word in STOPWORDS:
        return None
    if len(word) > MAX_TOKEN_LENGTH:
        return None
    if word.isascii():
        if not word.isalnum():
            word = "".join(ch for ch in word if ch.isalnum())
            if not word:
                return None
        return stem(word) if word.isalpha() else word
    return word


def analyze(text: str) -> list[Token]:
    """Terms of the text with their offsets in the original (search-mode segmentation)."""
    norm = normalize(text)
    if not norm:
        return []
    tokens = []
    for word, start, end in jieba.tokenize(norm, mode="search", HMM=False):
        term = _term(word)
        if term is not None:
            tokens.append(Token(term, start, end))
    return tokens


def tokenize(text: str) -> list[str]:
    """The index terms of a text, in order (duplicates kept: they count for ranking)."""
    return [token.term for token in analyze(text)]


def term_set(*texts: str) -> set[str]:
    result: set[str] = set()
    for text in texts:
        result.update(tokenize(text))
    return result


def normalize_value(value: str) -> str:
    """A filter value (tag, category, owner) as compared: normalized and trimmed."""
    return " ".join(normalize(value).split())


def phrase_text(text: str) -> str:
    """Text prepared for exact-phrase containment: normalized, whitespace collapsed."""
    return " ".join(normalize(text).split())


def _probe(term: str) -> str:
    """A prefix that every word stemming to the term starts with ("hop" for "hope" ← hoping)."""
    if term.isascii() and len(term) > 3 and term[-1] in "ei":
        return term[:-1]
    return term


def _term_pattern(term: str) -> re.Pattern:
    """Where an English term (a stem) occurs in normalized text: the words it begins."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(_probe(term)) + r"[a-z0-9]*")


def occurs(norm: str, term: str) -> bool:
    """Whether `spans` would mark `term` somewhere in this normalized text."""
    return bool(_term_pattern(term).search(norm)) if term.isascii() else term in norm


def spans(text: str, terms: Iterable[str], phrases: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Character ranges of the original text that a query matched (terms and phrases), merged.

    Found by scanning the normalized text (same length as the original) rather than by
    segmenting it again: a Chinese term is marked wherever it occurs, an English stem marks the
    whole words it begins ("increas" → increase, increasing). Cheap enough for every hit."""
    norm = normalize(text)
    found: list[tuple[int, int]] = []
    for term in set(terms):
        if not term:
            continue
        if term.isascii():
            found.extend(match.span() for match in _term_pattern(term).finditer(norm))
            continue
        start = norm.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = norm.find(term, start + len(term))
    for phrase in phrases:
        needle = " ".join(normalize(phrase).split())
        if not needle:
            continue
        start = norm.find(needle)
        while start != -1:
            found.append((start, start + len(needle)))
            start = norm.find(needle, start + len(needle))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
