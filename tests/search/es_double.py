"""An in-memory Elasticsearch 8 "cluster" behind the real client, plugged in as an
elastic_transport node class, so the real backend code runs unmodified and every request it
sends is captured (method, path, query parameters, JSON body).

It models the cluster's documented defaults that a fresh 8.x cluster enforces (sources: the
Elasticsearch reference and elastic/elasticsearch-specification, docs/decisions/0411):

- a write to a name that is neither an index nor an alias auto-creates a *concrete* index with
  dynamic mapping (strings → text + keyword) — unless `require_alias=true`, which refuses it
  (`index_not_found_exception`, "[require_alias] request flag is [true] and [x] is not an
  alias");
- reading a missing index answers 404 `index_not_found_exception` (unless ignore_unavailable);
- an alias may not take an existing index's name, nor an index an alias's name
  (`invalid_alias_name_exception`, `invalid_index_name_exception`);
- `DELETE` with a wildcard or `_all` is refused (`action.destructive_requires_name` defaults to
  true since 8.0), and so is deleting an alias name as if it were an index;
- `from + size` above `index.max_result_window` (10,000) is refused ("Result window is too
  large");
- `dynamic: strict` mappings refuse unknown fields (`strict_dynamic_mapping_exception`);
- terms aggregations on `text` fields are refused (fielddata is disabled on text fields);
- documents become visible to search at a refresh (`refresh=true|wait_for`, `_refresh`, or
  `tick()`: the 1 s refresh interval passing).

Queries are evaluated for the clauses the backend sends (bool, multi_match, terms, term,
prefix, wildcard, range, constant_score, match_all, percolate) with a simple tf score: enough
to check results and order, not Lucene's BM25."""

from __future__ import annotations

import fnmatch
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qsl, unquote, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse

DEFAULT_MAX_RESULT_WINDOW = 10_000
CLUSTERS: dict[str, FakeCluster] = {}


class Refused(Exception):
    def __init__(self, status: int, kind: str, reason: str) -> None:
        super().__init__(f"{status} {kind}: {reason}")
        self.status, self.kind, self.reason = status, kind, reason

    def body(self) -> dict:
        cause = {"type": self.kind, "reason": self.reason}
        return {"error": {"root_cause": [cause], **cause}, "status": self.status}


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: object  # parsed JSON, a list for NDJSON, or None
    status: int = 0
    error: str = ""


@dataclass
class FakeIndex:
    mappings: dict
    settings: dict
    docs: dict[str, dict] = field(default_factory=dict)  # visible to search
    pending: dict[str, dict | None] = field(default_factory=dict)  # written, not refreshed
    auto_created: bool = False

    def refresh(self) -> None:
        for doc_id, source in self.pending.items():
            if source is None:
                self.docs.pop(doc_id, None)
            else:
                self.docs[doc_id] = source
        self.pending.clear()

    def get(self, doc_id: str) -> dict | None:
        if doc_id in self.pending:
            return self.pending[doc_id]
        return self.docs.get(doc_id)

    @property
    def max_result_window(self) -> int:
        index = self.settings.get("index", self.settings)
        return int(index.get("max_result_window", DEFAULT_MAX_RESULT_WINDOW))

    def field_type(self, name: str) -> str:
        props = self.mappings.get("properties", {})
        if "." in name:
            parent, _, sub = name.partition(".")
            return props.get(parent, {}).get("fields", {}).get(sub, {}).get("type", "")
        return props.get(name, {}).get("type", "")


def _flag(params: dict, name: str) -> bool:
    return params.get(name, "false").lower() in ("true", "")


class FakeCluster:
    """The cluster's state and its request handling (one instance per test)."""

    def __init__(self) -> None:
        self.indices: dict[str, FakeIndex] = {}
        self.aliases: dict[str, set[str]] = {}
        self.requests: list[Request] = []
        self._scrolls: dict[str, list[dict]] = {}
        self._ids = itertools.count(1)
        self.url = f"http://fake-es-{id(self):x}:9200"
        CLUSTERS[urlsplit(self.url).hostname] = self

    # -- inspection -------------------------------------------------------------------------
    def refused(self) -> list[Request]:
        """Requests the cluster refused with an error (not the plain 404 answers of an
        existence check or of deleting a document that is not there)."""
        return [r for r in self.requests if r.error]

    def alias_target(self, alias: str) -> list[str]:
        return sorted(self.aliases.get(alias, set()))

    def documents(self, name: str) -> dict[str, dict]:
        index = self.indices[self._resolve_one(name)]
        return {**index.docs, **{k: v for k, v in index.pending.items() if v is not None}}

    def tick(self) -> None:
        """The refresh interval passes: every write becomes searchable."""
        for index in self.indices.values():
            index.refresh()

    # -- transport entry --------------------------------------------------------------------
    def perform(self, method: str, target: str, body: bytes | None) -> tuple[int, dict | None]:
        split = urlsplit(target)
        path = unquote(split.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        parsed: object = None
        if body:
            text = body.decode()
            if path.endswith("/_bulk"):
                parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                parsed = json.loads(text)
        request = Request(method, path, params, parsed)
        self.requests.append(request)
        try:
            status, answer = self._route(request)
        except Refused as refused:
            request.status, request.error = refused.status, refused.kind
            return refused.status, None if method == "HEAD" else refused.body()
        request.status = status
        return status, answer

    # -- routing ----------------------------------------------------------------------------
    def _route(self, r: Request) -> tuple[int, dict | None]:
        parts = [p for p in r.path.split("/") if p]
        m = r.method
        if not parts:
            return 200, {"version": {"number": "8.19.0"}, "tagline": "You Know, for Search"}
        if parts[0] == "_alias" and len(parts) == 2:
            return self._get_alias(parts[1], head=m == "HEAD")
        if parts == ["_aliases"] and m == "POST":
            return self._update_aliases(r.body["actions"])
        if parts == ["_bulk"] or parts[-1:] == ["_bulk"]:
            return self._bulk(r, parts[0] if len(parts) == 2 else None)
        if parts[:2] == ["_search", "scroll"]:
            return self._scroll(r)
        if len(parts) == 1:
            if m == "HEAD":
                return (200 if self._exists(parts[0]) else 404), None
            if m == "PUT":
                return self._create(parts[0], r.body or {})
            if m == "DELETE":
                return self._delete_indices(parts[0], r.params)
            if m == "GET":
                return self._get_indices(parts[0], r.params)
        name, action = parts[0], parts[1]
        if action == "_alias" and len(parts) == 3:
            return self._get_alias(parts[2], head=m == "HEAD", index=name)
        if action == "_refresh":
            for index in self._resolve(name):
                self.indices[index].refresh()
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if action == "_doc" and m in ("PUT", "POST"):
            item = self._write(name, parts[2], r.body, r.params, op="index")
            self._after_write(r.params, [name])
            return (201 if item.get("result") == "created" else 200), item
        if action == "_doc" and m == "DELETE":
            index = self._resolve_one(name)
            item = self._write(index, parts[2], None, r.params, op="delete")
            self._after_write(r.params, [index])
            return (404 if item["result"] == "not_found" else 200), item
        if action == "_search":
            return self._search(name, r.body or {}, r.params)
        if action == "_count":
            hits = self._matching(name, (r.body or {}).get("query", {"match_all": {}}))
            return 200, {"count": len(hits)}
        if action == "_delete_by_query":
            deleted = 0
            for index_name, doc_id, _score, _src in self._matching(name, r.body["query"]):
                self.indices[index_name].pending[doc_id] = None
                deleted += 1
            self._after_write(r.params, [name])
            return 200, {"deleted": deleted, "failures": []}
        raise Refused(400, "unsupported_by_double", f"{m} {r.path}")

    # -- indices and aliases ----------------------------------------------------------------
    def _exists(self, name: str) -> bool:
        return name in self.indices or name in self.aliases

    def _resolve(self, expression: str, *, ignore_unavailable: bool = False) -> list[str]:
        names: list[str] = []
        for part in expression.split(","):
            if "*" in part:
                names += [n for n in self.indices if fnmatch.fnmatchcase(n, part)]
                names += [i for a in self.aliases if fnmatch.fnmatchcase(a, part)
                          for i in self.aliases[a]]  # fmt: skip
            elif part in self.indices:
                names.append(part)
            elif part in self.aliases:
                names += sorted(self.aliases[part])
            elif not ignore_unavailable:
                raise Refused(404, "index_not_found_exception", f"no such index [{part}]")
        return list(dict.fromkeys(names))

    def _resolve_one(self, name: str) -> str:
        names = self._resolve(name)
        if len(names) != 1:
            raise Refused(400, "illegal_argument_exception",
                          f"alias [{name}] has more than one index associated with it")  # fmt: skip
        return names[0]

    def _create(self, name: str, body: dict, *, auto: bool = False) -> tuple[int, dict]:
        if name in self.indices:
            raise Refused(400, "resource_already_exists_exception",
                          f"index [{name}] already exists")  # fmt: skip
        if name in self.aliases:
            raise Refused(400, "invalid_index_name_exception",
                          f"Invalid index name [{name}], an alias with the same name already "
                          "exists")  # fmt: skip
        if name != name.lower() or name.startswith(("_", "-", "+")) or "*" in name:
            raise Refused(400, "invalid_index_name_exception", f"Invalid index name [{name}]")
        for alias in body.get("aliases", {}):
            if alias in self.indices:
                raise Refused(400, "invalid_alias_name_exception",
                              f"Invalid alias name [{alias}]: an index or data stream exists "
                              "with the same name as the alias")  # fmt: skip
        self.indices[name] = FakeIndex(
            mappings=body.get("mappings", {}), settings=body.get("settings", {}), auto_created=auto
        )
        for alias in body.get("aliases", {}):
            self.aliases.setdefault(alias, set()).add(name)
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _delete_indices(self, expression: str, params: dict) -> tuple[int, dict]:
        for part in expression.split(","):
            if "*" in part or part == "_all":
                raise Refused(400, "illegal_argument_exception",
                              "Wildcard expressions or all indices are not allowed")  # fmt: skip
            if part in self.aliases:
                raise Refused(400, "illegal_argument_exception",
                              f"The provided expression [{part}] matches an alias, specify the "
                              "corresponding concrete indices instead.")  # fmt: skip
        names = self._resolve(expression, ignore_unavailable=_flag(params, "ignore_unavailable"))
        for name in names:
            del self.indices[name]
            for alias in list(self.aliases):
                self.aliases[alias].discard(name)
                if not self.aliases[alias]:
                    del self.aliases[alias]
        return 200, {"acknowledged": True}

    def _get_indices(self, expression: str, params: dict) -> tuple[int, dict]:
        names = self._resolve(expression, ignore_unavailable="*" in expression)
        return 200, {
            name: {
                "aliases": {a: {} for a, t in self.aliases.items() if name in t},
                "mappings": self.indices[name].mappings,
                "settings": self.indices[name].settings,
            }
            for name in names
        }

    def _get_alias(self, alias: str, *, head: bool, index: str | None = None):
        if alias not in self.aliases:
            if head:
                return 404, None
            raise Refused(404, "aliases_not_found_exception", f"alias [{alias}] missing")
        found = {name: {"aliases": {alias: {}}} for name in self.aliases[alias]}
        return 200, None if head else found

    def _update_aliases(self, actions: list[dict]) -> tuple[int, dict]:
        staged = {alias: set(targets) for alias, targets in self.aliases.items()}
        for action in actions:
            ((verb, spec),) = action.items()
            alias, index = spec["alias"], spec["index"]
            if index not in self.indices:
                raise Refused(404, "index_not_found_exception", f"no such index [{index}]")
            if verb == "add":
                if alias in self.indices:
                    raise Refused(400, "invalid_alias_name_exception",
                                  f"Invalid alias name [{alias}]: an index or data stream "
                                  "exists with the same name as the alias")  # fmt: skip
                staged.setdefault(alias, set()).add(index)
            elif verb == "remove":
                if index not in staged.get(alias, set()):
                    raise Refused(404, "aliases_not_found_exception", f"aliases [{alias}] missing")
                staged[alias].discard(index)
        self.aliases = {alias: targets for alias, targets in staged.items() if targets}
        return 200, {"acknowledged": True}

    # -- writing ----------------------------------------------------------------------------
    def _write_target(self, name: str, params: dict, require_alias: bool) -> str:
        if name in self.aliases:
            return self._resolve_one(name)
        if require_alias:
            raise Refused(404, "index_not_found_exception",
                          f"no such index [{name}] and [require_alias] request flag is [true] "
                          f"and [{name}] is not an alias")  # fmt: skip
        if name not in self.indices:
            self._create(name, {}, auto=True)  # action.auto_create_index defaults to true
        return name

    def _check_mapping(self, index: FakeIndex, source: dict) -> None:
        props = index.mappings.setdefault("properties", {})
        for key, value in source.items():
            if key in props:
                continue
            if index.mappings.get("dynamic") == "strict":
                raise Refused(400, "strict_dynamic_mapping_exception",
                              f"mapping set to strict, dynamic introduction of [{key}] within "
                              "[_doc] is not allowed")  # fmt: skip
            if isinstance(value, str | list):
                props[key] = {"type": "text", "fields": {"keyword": {"type": "keyword"}}}
            else:
                props[key] = {"type": "long" if isinstance(value, int) else "object"}

    def _write(self, name: str, doc_id: str, source, params: dict, *, op: str) -> dict:
        require_alias = op != "delete" and _flag(params, "require_alias")
        index_name = self._write_target(name, params, require_alias)
        index = self.indices[index_name]
        if op == "delete":
            found = index.get(doc_id) is not None
            if found:
                index.pending[doc_id] = None
            return {"_index": index_name, "_id": doc_id, "result": "deleted" if found else
                    "not_found", "status": 200 if found else 404}  # fmt: skip
        self._check_mapping(index, source)
        created = index.get(doc_id) is None
        index.pending[doc_id] = source
        return {"_index": index_name, "_id": doc_id, "result": "created" if created else
                "updated", "status": 201 if created else 200}  # fmt: skip

    def _after_write(self, params: dict, names: list[str]) -> None:
        if params.get("refresh", "false") in ("true", "wait_for", ""):
            for name in names:
                for index in self._resolve(name, ignore_unavailable=True):
                    self.indices[index].refresh()

    def _bulk(self, r: Request, default_index: str | None) -> tuple[int, dict]:
        lines = list(r.body or [])
        items, touched, errors = [], [], False
        while lines:
            ((op, meta),) = lines.pop(0).items()
            source = lines.pop(0) if op in ("index", "create", "update") else None
            name = meta.get("_index", default_index)
            params = dict(r.params)
            if meta.get("require_alias"):
                params["require_alias"] = "true"
            try:
                item = self._write(name, str(meta["_id"]), source, params, op=op)
                touched.append(item["_index"])
            except Refused as refused:
                errors = True
                item = {"_index": name, "_id": meta.get("_id"), "status": refused.status,
                        "error": {"type": refused.kind, "reason": refused.reason}}  # fmt: skip
            items.append({op: item})
        self._after_write(r.params, list(dict.fromkeys(touched)))
        if errors:  # the request succeeds, its refused items count as refusals
            r.error = ",".join(sorted({next(iter(i.values()))["error"]["type"] for i in items
                                       if "error" in next(iter(i.values()))}))  # fmt: skip
        return 200, {"took": 1, "errors": errors, "items": items}

    # -- searching --------------------------------------------------------------------------
    def _matching(self, expression: str, query: dict) -> list[tuple[str, str, float, dict]]:
        hits = []
        for name in self._resolve(expression):
            index = self.indices[name]
            for doc_id, source in index.docs.items():
                ok, score = evaluate(query, source, self)
                if ok:
                    hits.append((name, doc_id, score, source))
        return hits

    def _search(self, expression: str, body: dict, params: dict) -> tuple[int, dict]:
        names = self._resolve(expression)
        size = int(body.get("size", params.get("size", 10)))
        start = int(body.get("from", params.get("from", 0)))
        window = min((self.indices[n].max_result_window for n in names),
                     default=DEFAULT_MAX_RESULT_WINDOW)  # fmt: skip
        if start + size > window and "scroll" not in params:
            raise Refused(400, "search_phase_execution_exception",
                          f"Result window is too large, from + size must be less than or equal "
                          f"to: [{window}] but was [{start + size}].")  # fmt: skip
        for spec in (body.get("aggs") or {}).values():
            agg_field = spec["terms"]["field"]
            if any(self.indices[n].field_type(agg_field) == "text" for n in names):
                raise Refused(400, "illegal_argument_exception",
                              f"Fielddata is disabled on text fields by default. Set "
                              f"fielddata=true on [{agg_field}] ...")  # fmt: skip
        hits = self._matching(expression, body.get("query", {"match_all": {}}))
        ordered = sort_hits(hits, body.get("sort"))
        if body.get("search_after"):
            after = body["search_after"]
            ordered = [h for h in ordered if _key_values(h) > _comparable(after)]
        answer: dict = {
            "took": 1,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        }
        rendered = [render_hit(h, body.get("_source")) for h in ordered]
        if "scroll" in params:
            scroll_id = f"scroll-{next(self._ids)}"
            self._scrolls[scroll_id] = rendered[size:]
            answer["_scroll_id"] = scroll_id
            page = rendered[:size]
        else:
            page = rendered[start : start + size]
        answer["hits"] = {
            "total": {"value": len(hits), "relation": "eq"},
            "max_score": max((h[2] for h in hits), default=None),
            "hits": page,
        }
        if body.get("aggs"):
            answer["aggregations"] = {
                name: {"buckets": terms_buckets(hits, spec["terms"])}
                for name, spec in body["aggs"].items()
            }
        return 200, answer

    def _scroll(self, r: Request) -> tuple[int, dict]:
        if r.method == "DELETE":
            for scroll_id in (r.body or {}).get("scroll_id", []):
                self._scrolls.pop(scroll_id, None)
            return 200, {"succeeded": True, "num_freed": 1}
        scroll_id = r.body["scroll_id"]
        if scroll_id not in self._scrolls:
            raise Refused(404, "search_context_missing_exception", "No search context found")
        page, self._scrolls[scroll_id] = self._scrolls[scroll_id][:1000], \
            self._scrolls[scroll_id][1000:]  # fmt: skip
        return 200, {"_scroll_id": scroll_id, "hits": {"hits": page}, "_shards": {
            "total": 1, "successful": 1, "skipped": 0, "failed": 0}}  # fmt: skip


# -- query evaluation -----------------------------------------------------------------------
def _values(source: dict, name: str) -> list:
    name = name.removesuffix(".keyword")
    value = source.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _tokens(source: dict, name: str) -> list[str]:
    return [token for value in _values(source, name) for token in str(value).split()]


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _fuzzy_equal(term: str, token: str, fuzziness, prefix_length: int) -> bool:
    if term == token:
        return True
    if fuzziness in (0, "0", None):
        return False
    allowed = 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2  # AUTO
    return token[:prefix_length] == term[:prefix_length] and _distance(term, token) <= allowed


def _wildcard(pattern: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def evaluate(query: dict, source: dict, cluster: FakeCluster) -> tuple[bool, float]:
    ((kind, spec),) = query.items()
    if kind == "match_all":
        return True, 1.0
    if kind == "bool":
        score = 0.0
        for clause in spec.get("must", []):
            ok, s = evaluate(clause, source, cluster)
            if not ok:
                return False, 0.0
            score += s
        for clause in spec.get("filter", []):
            if not evaluate(clause, source, cluster)[0]:
                return False, 0.0
        for clause in spec.get("must_not", []):
            if evaluate(clause, source, cluster)[0]:
                return False, 0.0
        should = [evaluate(clause, source, cluster) for clause in spec.get("should", [])]
        matched = [s for ok, s in should if ok]
        required = spec.get("minimum_should_match")
        if required is None:
            required = 0 if spec.get("must") or spec.get("filter") else (1 if should else 0)
        if len(matched) < int(required):
            return False, 0.0
        return True, score + sum(matched)
    if kind == "multi_match":
        score = 0.0
        for field_spec in spec["fields"]:
            name, _, boost = field_spec.partition("^")
            tokens = _tokens(source, name)
            for term in str(spec["query"]).split():
                tf = sum(_fuzzy_equal(term, t, spec.get("fuzziness"), spec.get("prefix_length", 0))
                         for t in tokens)  # fmt: skip
                if tf:
                    score += float(boost or 1) * tf / (1 + len(tokens) / 10)
        return score > 0, score
    if kind == "terms":
        ((name, wanted),) = spec.items()
        return bool(set(map(str, _values(source, name))) & set(map(str, wanted))), 1.0
    if kind == "term":
        ((name, wanted),) = spec.items()
        wanted = wanted["value"] if isinstance(wanted, dict) else wanted
        return str(wanted) in (_tokens(source, name) + list(map(str, _values(source, name)))), 1.0
    if kind == "prefix":
        ((name, wanted),) = spec.items()
        wanted = wanted["value"] if isinstance(wanted, dict) else wanted
        return any(t.startswith(wanted) for t in _tokens(source, name)), 1.0
    if kind == "wildcard":
        ((name, wanted),) = spec.items()
        pattern = _wildcard(wanted["value"] if isinstance(wanted, dict) else wanted)
        return any(pattern.fullmatch(str(v)) for v in _values(source, name)), 1.0
    if kind == "range":
        ((name, bounds),) = spec.items()
        values = [datetime.fromisoformat(v) for v in _values(source, name)]
        ok = bool(values) and all(
            (op != "gte" or v >= datetime.fromisoformat(b))
            and (op != "gt" or v > datetime.fromisoformat(b))
            and (op != "lte" or v <= datetime.fromisoformat(b))
            and (op != "lt" or v < datetime.fromisoformat(b))
            for v in values for op, b in bounds.items()
        )  # fmt: skip
        return ok, 1.0
    if kind == "constant_score":
        ok, _ = evaluate(spec["filter"], source, cluster)
        return ok, float(spec.get("boost", 1.0)) if ok else 0.0
    if kind == "percolate":
        stored = source.get(spec["field"])
        if stored is None:
            return False, 0.0
        return evaluate(stored, spec["document"], cluster)
    raise Refused(400, "parsing_exception", f"unknown query [{kind}] (not modelled)")


def _sort_spec(sort) -> list[tuple[str, str, str]]:
    specs = []
    for item in sort or [{"_score": {"order": "desc"}}]:
        if isinstance(item, str):
            specs.append((item, "desc" if item == "_score" else "asc", "_last"))
            continue
        ((name, options),) = item.items()
        options = options if isinstance(options, dict) else {"order": options}
        default = "desc" if name == "_score" else "asc"
        specs.append((name, options.get("order", default), options.get("missing", "_last")))
    return specs


def _comparable(values: list) -> list:
    return [(0, v) if v is not None else (1, "") for v in values]


def _key_values(hit) -> list:
    return _comparable(hit[4])


def sort_hits(hits, sort) -> list:
    specs = _sort_spec(sort)
    keyed = []
    for name, doc_id, score, source in hits:
        values = [score if field == "_score" else (_values(source, field) or [None])[0]
                  for field, _order, _missing in specs]  # fmt: skip
        keyed.append((name, doc_id, score, source, values))
    for position in reversed(range(len(specs))):
        _field, order, _missing = specs[position]
        present = [h for h in keyed if h[4][position] is not None]
        missing = [h for h in keyed if h[4][position] is None]
        present.sort(key=lambda h: h[4][position], reverse=order == "desc")
        keyed = present + missing  # missing: _last
    return keyed


def render_hit(hit, source_filter) -> dict:
    name, doc_id, score, source, values = hit
    if isinstance(source_filter, list):
        source = {k: v for k, v in source.items() if k in source_filter}
    elif isinstance(source_filter, dict) and "includes" in source_filter:
        source = {k: v for k, v in source.items() if k in source_filter["includes"]}
    return {"_index": name, "_id": doc_id, "_score": score, "_source": source, "sort": values}


def terms_buckets(hits, spec: dict) -> list[dict]:
    counts: dict[str, int] = {}
    for _name, _id, _score, source in hits:
        for value in set(map(str, _values(source, spec["field"]))):
            counts[value] = counts.get(value, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: spec.get("size", 10)]
    return [{"key": key, "doc_count": n} for key, n in ordered]


class FakeNode(BaseNode):
    """An elastic_transport node answering from the FakeCluster registered for its host."""

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        cluster = CLUSTERS[self.host]
        started = time.monotonic()
        status, answer = cluster.perform(method, target, body)
        headers = HttpHeaders({"x-elastic-product": "Elasticsearch"})
        payload = b""
        if answer is not None:
            headers["content-type"] = "application/json"
            payload = json.dumps(answer).encode()
        meta = ApiResponseMeta(
            status=status, http_version="1.1", headers=headers,
            duration=time.monotonic() - started, node=self.config,
        )  # fmt: skip
        return NodeApiResponse(meta, payload)


def client_for(cluster: FakeCluster):
    from elasticsearch import Elasticsearch

    return Elasticsearch(cluster.url, node_class=FakeNode, retry_on_timeout=False, max_retries=0)
