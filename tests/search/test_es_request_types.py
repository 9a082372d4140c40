"""Every request the Elasticsearch backend can send, checked against the official Elasticsearch
8 request types (docs/decisions/0411).

The backend runs unmodified against the in-memory cluster double (es_double.py) through every
operation — index creation, bulk, search with every filter, facets, sorts and the kind boost,
count, autocomplete, stored interests, percolation, scroll, rebuilds with alias swaps, drift
repair, delete by query and index deletion. Each captured request (path parameters, query
string and JSON body merged, as the request types declare them) becomes a typed constant in a
generated TypeScript file, `const r: T.SearchRequest = {...}`, where `T` is `lib/api/types.d.ts`
of the official JavaScript client (`@elastic/elasticsearch`, pinned 8.x in es_types/package.json,
generated from elastic/elasticsearch-specification), and `tsc --noEmit --strict` must accept
it. Negative controls (a misspelt field at each level) must be rejected, on their own line, by
name — proof that the check can fail.

Needs Node: `make es-contract` installs the pinned packages (`npm ci`) and runs this module with
AGORA_REQUIRE_TSC=1, which turns a missing tsc into a failure instead of a skip."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal.search.backends.elastic import ElasticsearchBackend
from portal.search.query import parse_query
from portal.search.synonyms import table_of

from .conftest import make_doc
from .es_double import FakeCluster, Request, client_for

ES_TYPES = Path(__file__).parent / "es_types"
TSC = ES_TYPES / "node_modules" / ".bin" / "tsc"
TYPES = ES_TYPES / "node_modules" / "@elastic" / "elasticsearch" / "lib" / "api" / "types.d.ts"

# (method, path pattern) → (request type, name of the payload field for a non-object body)
ENDPOINTS: list[tuple[str, str, str, str | None]] = [
    ("HEAD", r"/_alias/(?P<name>[^/]+)", "IndicesExistsAliasRequest", None),
    ("GET", r"/_alias/(?P<name>[^/]+)", "IndicesGetAliasRequest", None),
    ("POST", r"/_aliases", "IndicesUpdateAliasesRequest", None),
    ("PUT", r"/_bulk", "BulkRequest", "operations"),
    ("POST", r"/_bulk", "BulkRequest", "operations"),
    ("POST", r"/_search/scroll", "ScrollRequest", None),
    ("DELETE", r"/_search/scroll", "ClearScrollRequest", None),
    ("POST", r"/(?P<index>[^/_][^/]*)/_search", "SearchRequest", None),
    ("POST", r"/(?P<index>[^/_][^/]*)/_count", "CountRequest", None),
    ("POST", r"/(?P<index>[^/_][^/]*)/_refresh", "IndicesRefreshRequest", None),
    ("POST", r"/(?P<index>[^/_][^/]*)/_delete_by_query", "DeleteByQueryRequest", None),
    ("PUT", r"/(?P<index>[^/_][^/]*)/_doc/(?P<id>[^/]+)", "IndexRequest", "document"),
    ("DELETE", r"/(?P<index>[^/_][^/]*)/_doc/(?P<id>[^/]+)", "DeleteRequest", None),
    ("HEAD", r"/(?P<index>[^/_][^/]*)", "IndicesExistsRequest", None),
    ("GET", r"/(?P<index>[^/_][^/]*)", "IndicesGetRequest", None),
    ("PUT", r"/(?P<index>[^/_][^/]*)", "IndicesCreateRequest", None),
    ("DELETE", r"/(?P<index>[^/_][^/]*)", "IndicesDeleteRequest", None),
]
LIST_PARAMS = {"expand_wildcards"}  # comma-separated in the query string, an array in the types


def _param(name: str, value: str):
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"\d+", value):
        return int(value)
    if name in LIST_PARAMS:
        return value.split(",")
    return value


def typed_request(request: Request) -> tuple[str, dict]:
    """(request type name, the request as the type declares it: path + query + body)."""
    for method, pattern, type_name, payload in ENDPOINTS:
        match = re.fullmatch(pattern, request.path)
        if method == request.method and match:
            merged: dict = dict(match.groupdict())
            merged.update({k: _param(k, v) for k, v in request.params.items()})
            if payload:
                merged[payload] = request.body
            elif request.body is not None:
                merged.update(request.body)
            return type_name, merged
    raise AssertionError(f"no request type mapped for {request.method} {request.path}")


def exercise_backend(cluster: FakeCluster) -> ElasticsearchBackend:
    """Drive every operation of the backend once (and each search option)."""
    engine = ElasticsearchBackend(url=cluster.url, prefix="agora", client=client_for(cluster))
    engine.ensure_indices()
    engine.ensure_indices()  # idempotent: only existence checks the second time
    day = datetime(2026, 2, 1, tzinfo=UTC)
    engine.index([
        make_doc("competitor", 1, "锐联 POS", "竞品 profile", tags=["POS"], category="direct",
                 owner="editor", products=["Agora CRM"], created_at=day),
        make_doc("article", 2, "Competitor price list", "报价 2026", created_at=day),
        make_doc("topic", 3, "竞品 报价", "rumour"),
    ])  # fmt: skip
    engine.remove([("topic", "3")])
    cluster.tick()
    synonyms = table_of(["竞争对手, 竞品, competitor"])
    for text in (
        '竞品 "price list" -rumour -"old price" type:competitor,article tag:POS owner:editor '
        "category:direct product:CRM after:2026-01-01 before:2026-12-31",
        "竞争对手",
        "acmee crm",
    ):
        parsed = parse_query(text, kind_groups={}, synonyms=synonyms)
        for keys in (frozenset({"staff", "u:1"}), None):
            for sort in ("relevance", "date"):
                engine.search(parsed, keys=keys, page=2, per_page=10, sort=sort)
        engine.search(parsed, keys=None, page=10_000, per_page=20)  # past the window: counts
        engine.count(parsed, keys=frozenset({"staff"}))
    engine.autocomplete("锐联 p", keys=frozenset({"staff"}))
    engine.autocomplete("锐", keys=None)
    parsed = parse_query("竞品 tag:POS", kind_groups={}, synonyms=synonyms)
    engine.save_interest(7, parsed)
    engine.save_interest(8, parse_query("", kind_groups={}))  # empty: deleted instead
    cluster.tick()
    engine.match_interests(make_doc("topic", 9, "竞争对手 降价", tags=["POS"]))
    engine.delete_interest(7)
    engine.indexed_checksums(["competitor", "article"])
    engine.indexed_interests()
    token = engine.begin_rebuild()
    engine.index([make_doc("competitor", 1, "锐联 POS")])
    engine.finish_rebuild(token)
    engine.rebuild_interests([(7, parsed), (8, parse_query("", kind_groups={}))], total=2)
    engine.structural_problems()
    engine.clear()
    engine.drop_indices()
    # A concrete index squatting the alias name (what an unguarded first write creates), then
    # the repair that search_check --fix runs.
    cluster.perform("PUT", "/agora-documents/_doc/x", b'{"kind": "deal"}')
    engine.structural_problems()
    engine.repair_structure()
    return engine


def captured_requests() -> list[tuple[str, dict]]:
    cluster = FakeCluster()
    exercise_backend(cluster)
    return [typed_request(r) for r in cluster.requests if r.path != "/agora-documents/_doc/x"]


def test_the_exercise_covers_every_request_type_and_nothing_is_refused():
    cluster = FakeCluster()
    exercise_backend(cluster)
    sent = {typed_request(r)[0] for r in cluster.requests}

    assert sent == {type_name for _m, _p, type_name, _payload in ENDPOINTS}
    refused = [(r.method, r.path, r.error) for r in cluster.refused()]
    assert refused == [], refused


def test_every_write_names_an_alias_with_require_alias():
    cluster = FakeCluster()
    exercise_backend(cluster)

    for request in cluster.requests:
        type_name, typed = typed_request(request)
        if type_name == "IndexRequest" and request.path != "/agora-documents/_doc/x":
            assert typed["require_alias"] is True
            assert typed["index"] == "agora-interests"
        if type_name == "BulkRequest":
            actions = [op for op in typed["operations"] if set(op) <= {"index", "delete"}]
            targets = {meta["_index"] for op in actions for meta in op.values()}
            if targets <= {"agora-documents", "agora-interests"}:
                assert typed["require_alias"] is True
            else:  # a rebuild loading the physical index it has just created
                assert all(re.fullmatch(r"agora-(documents|interests)-\d+", t) for t in targets)


# -- the TypeScript check -------------------------------------------------------------------
NEGATIVE_CONTROLS = [
    # (request type, mutation, the misspelt name tsc must report)
    ("SearchRequest", lambda r: r.update(track_total_hit=r.pop("track_total_hits")),
     "track_total_hit"),
    ("SearchRequest", lambda r: _rename_deep(r["query"], "multi_match", "multimatch"),
     "multimatch"),
    ("SearchRequest", lambda r: _rename_deep(r["query"], "fuzziness", "fuzzyness"), "fuzzyness"),
    ("SearchRequest", lambda r: _rename_deep(r["aggs"], "terms", "term_agg"), "term_agg"),
    ("IndicesCreateRequest", lambda r: _rename_deep(r["mappings"], "analyzer", "analyser"),
     "analyser"),
    ("BulkRequest", lambda r: r.update(require_aliases=r.pop("require_alias", True)),
     "require_aliases"),
    ("IndicesUpdateAliasesRequest", lambda r: _rename_deep(r["actions"], "alias", "alais"),
     "alais"),
]  # fmt: skip


def _rename_deep(value, old: str, new: str) -> bool:
    """Rename the first key `old` found (depth first); True when one was renamed."""
    if isinstance(value, dict):
        if old in value:
            value[new] = value.pop(old)
            return True
        return any(_rename_deep(child, old, new) for child in value.values())
    if isinstance(value, list):
        return any(_rename_deep(child, old, new) for child in value)
    return False


def typescript(
    requests: list[tuple[str, dict]], negatives: list[tuple[str, dict]]
) -> tuple[str, int]:
    lines = ['import type * as T from "../node_modules/@elastic/elasticsearch/lib/api/types";', ""]
    for number, (type_name, typed) in enumerate(requests):
        lines.append(f"export const r{number}: T.{type_name} = {json.dumps(typed)};")
    lines.append("// negative controls: each line must fail")
    first_negative = len(lines) + 1
    for number, (type_name, typed) in enumerate(negatives):
        lines.append(f"export const n{number}: T.{type_name} = {json.dumps(typed)};")
    return "\n".join(lines) + "\n", first_negative


def _tsc_available() -> bool:
    if TSC.exists() and TYPES.exists() and shutil.which("node"):
        return True
    if os.environ.get("AGORA_REQUIRE_TSC") == "1":
        pytest.fail("tsc or @elastic/elasticsearch is not installed: run `make es-contract`")
    pytest.skip("Node packages not installed (make es-contract runs this check)")
    return False


def test_every_captured_request_type_checks_and_each_misspelling_is_rejected():
    _tsc_available()
    requests = captured_requests()
    negatives = []
    for type_name, mutate, _name in NEGATIVE_CONTROLS:
        original = next(typed for t, typed in requests if t == type_name)
        mutated = copy.deepcopy(original)
        assert mutate(mutated) is not False, f"control could not be applied to {type_name}"
        negatives.append((type_name, mutated))
    source, first_negative = typescript(requests, negatives)
    workdir = Path(tempfile.mkdtemp(dir=ES_TYPES, prefix="generated-"))
    try:
        (workdir / "requests.ts").write_text(source, encoding="utf-8")
        result = subprocess.run(  # noqa: S603 - our own pinned tsc on a generated file
            [str(TSC), "--noEmit", "--strict", "--target", "es2020", "--moduleResolution",
             "node", "--skipLibCheck", str(workdir / "requests.ts")],
            capture_output=True, text=True, timeout=300, cwd=ES_TYPES, check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    errors: dict[int, str] = {}
    for match in re.finditer(r"requests\.ts\((\d+),\d+\): error (TS\d+: .*)", result.stdout):
        line = int(match.group(1))
        errors[line] = errors.get(line, "") + match.group(2)
    positive = {line: text for line, text in errors.items() if line < first_negative}
    assert positive == {}, f"official request types reject what the backend sends:\n{positive}"
    assert len(requests) > 40
    for number, (type_name, _mutate, name) in enumerate(NEGATIVE_CONTROLS):
        line = first_negative + number
        assert name in errors.get(line, ""), (
            f"negative control {type_name}/{name} was not rejected: {errors.get(line)}"
        )
