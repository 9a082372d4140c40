"""The business's vocabulary at query time: synonym sets (a Wagtail snippet) and the names of
the document kinds, looked up by their analysed terms so that 竞品, "Competitors" and 竞争对手
meet whatever form the reader typed them in."""

from __future__ import annotations

import time

from django.core.cache import cache

from .analysis import tokenize

CACHE_KEY = "search:synonyms:version"
# How long a process trusts its copy before asking the shared cache whether an editor changed
# the list (a change made in this process is seen at once).
RECHECK_SECONDS = 5.0

Terms = tuple[str, ...]
SynonymTable = dict[Terms, list[list[str]]]

_local: dict = {"version": None, "checked": 0.0, "table": None}


def forget() -> None:
    """The synonym list changed: every process reloads it (this one at once)."""
    cache.set(CACHE_KEY, time.time_ns(), None)
    _local.update(version=None, checked=0.0, table=None)


def _load() -> SynonymTable:
    from .models import SynonymSet

    return _table([synonym_set.entries() for synonym_set in SynonymSet.objects.all()])


def _table(sets: list[list[str]]) -> SynonymTable:
    table: SynonymTable = {}
    for entries in sets:
        alternatives = []
        for entry in entries:
            terms = list(dict.fromkeys(tokenize(entry)))
            if terms and terms not in alternatives:
                alternatives.append(terms)
        if len(alternatives) < 2:
            continue
        for terms in alternatives:
            merged = table.setdefault(tuple(terms), [])
            merged.extend(alt for alt in alternatives if alt not in merged)
    return table


def synonym_table() -> SynonymTable:
    """{terms of an entry: every alternative (as terms) it stands for, itself included}."""
    now = time.monotonic()
    if _local["table"] is not None and now - _local["checked"] < RECHECK_SECONDS:
        return _local["table"]
    version = cache.get(CACHE_KEY)
    if _local["table"] is None or version != _local["version"]:
        _local["table"] = _load()
        _local["version"] = version
    _local["checked"] = now
    return _local["table"]


def alternatives_of(text: str, table: SynonymTable | None = None) -> list[list[str]]:
    """The alternatives a word or phrase stands for ([] when it has no synonyms)."""
    terms = tuple(dict.fromkeys(tokenize(text)))
    if not terms:
        return []
    table = synonym_table() if table is None else table
    return [list(alt) for alt in table.get(terms, [])]


def table_of(sets: list[str]) -> SynonymTable:
    """A synonym table from comma-separated sets, without the database (tests, benchmarks)."""
    return _table([[w.strip() for w in line.split(",") if w.strip()] for line in sets])


# Multi-word entries ("standard document") are matched over this many consecutive words.
MAX_PHRASE_WORDS = 3

DEFAULT_SYNONYMS = (
    "竞争对手, 竞品, 竞争产品, competitor, rival",
    "产品, product",
    "标准文档, 规范文档, standard document, SOP",
    "问答, 问答库, 常见问题, Q&A, FAQ",
    "客户, 顾客, customer, client",
    "商机, 销售机会, deal, opportunity",
    "服务工单, 工单, service case, ticket",
    "联系人, contact",
    "报价, 报价单, quote, quotation",
    "回款, 收款, payment",
)
