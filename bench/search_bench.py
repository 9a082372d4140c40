"""Benchmark: search over a 100,000-document mixed Chinese/English corpus.

    .venv/bin/python bench/search_bench.py [--docs 100000] [--interests 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agora_bench_search \
        .venv/bin/python bench/search_bench.py --skip-wagtail --fresh --drop
    .venv/bin/python bench/search_bench.py --queries-only [--served 0]   # on the kept database
    DATABASE_URL=… .venv/bin/python bench/search_bench.py --queries-only --replicate 10
        # PostgreSQL: the kept 100k corpus copied in SQL to 1M, then measured (see --replicate)

Uses its own database (default: a fresh SQLite file under /tmp/agora-bench-search; set
DATABASE_URL for PostgreSQL: the scratch database is created when missing, see bench/benchdb.py).
`--breakdown` adds where a request's time goes (connection, each statement, Python phases) and
the plans of the slowest statements. Prints: indexing throughput; query latency p50/p95 over 200
fixed queries through the API (GET /api/v1/search/) at concurrency 1 and 8, as a non-administrator
(visibility filter on), measured twice:

- in-process: Django's test client in 1 or 8 threads of this process. The client threads and
  all the server code share one interpreter (one GIL), so at concurrency 8 this measures that
  queue, not a deployment;
- served (`--served N`, default 2; 0 skips it): N daphne processes started on this database,
  as production runs them behind nginx (ADR 0700), each warmed with 20 queries, then the same
  queries over HTTP from light client threads (http.client; a new connection per request, as
  nginx opens one per request to daphne; `--served-keepalive` keeps them), spread round-robin
  over the processes. Also prints the daphne processes' CPU per request (user + system, from
  /proc) and the clients' own. These are the figures a deployment sees; the "Targets:" line
  judges them (ADR 0427).

Then interest matching throughput against 10,000 stored queries; and, on the same corpus and
queries, Wagtail's database search backend (wagtail.search.backends.database): its latency and
how many of the Chinese queries it answers at all. Every timed request must answer 200 with the
API's results JSON, or the run stops.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
VAR = Path(os.environ.setdefault("AGORA_VAR_DIR", "/tmp/agora-bench-search"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{VAR / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

ZH = (
    "客户 商机 报价 竞品 合同 回款 售后 工单 投诉 渠道 代理商 门店 连锁 收银机 扫码枪 会员 "
    "积分 促销 库存 供应链 物流 发票 财务 审批 流程 培训 新人 产品 价格 折扣 方案 需求 "
    "拜访 电话 邮件 会议 演示 试用 部署 升级 维护 故障 服务 满意度 续约 赢单 丢单 预算 "
    "采购 招标 投标 项目 经理 总监 销售 市场 品牌 活动 展会 广告 媒体 行业 趋势 分析 报告 "
    "数据 系统 软件 硬件 网络 安全 云端 移动 支付 二维码 小程序 接口 集成 定制 开发 测试 "
    "上海 北京 广州 深圳 杭州 成都 武汉 南京 华东 华北 华南 西南 零售 餐饮 超市 便利店 "
    "药店 服装 家电 汽车 教育 医疗 物业 酒店 旅游 银行 保险 证券 政府 学校 医院 工厂"
).split()
ZH_TRAD = {"客户": "客戶", "报价": "報價", "门店": "門店", "会员": "會員", "财务": "財務"}
EN = (
    "customer opportunity quote competitor contract payment service ticket complaint channel "
    "partner store chain terminal scanner member loyalty promotion inventory supply logistics "
    "invoice finance approval process training onboarding product price discount proposal "
    "requirement visit call email meeting demo trial deployment upgrade maintenance failure "
    "satisfaction renewal won lost budget purchase tender bid project manager director sales "
    "marketing brand campaign exhibition advertising media industry trend analysis report data "
    "system software hardware network security cloud mobile payments integration custom "
    "development testing retail restaurant supermarket pharmacy fashion appliance automotive "
    "education healthcare hotel travel bank insurance government school hospital factory "
    "increase decrease quarterly annual strategy pipeline forecast revenue margin growth"
).split()
KINDS = ["customer", "contact", "deal", "article", "qa", "product", "topic", "post"]
TAGS = ["VIP", "CRM", "POS", "渠道", "重点", "pricing", "renewal", "华东"]


def long_tail(count_zh: int = 20_000, count_en: int = 5_000) -> tuple[list[str], list[str]]:
    """A realistic vocabulary beyond the trade words: jieba's dictionary words by frequency
    (Chinese) and pronounceable synthetic words (English-like names and terms)."""
    import jieba

    words = []
    with open(jieba.get_dict_file().name, encoding="utf-8") as handle:
        for line in handle:
            word, freq, *_ = line.split()
            if 2 <= len(word) <= 4:
                words.append((int(freq), word))
    zh = [word for _, word in sorted(words, reverse=True)[:count_zh]]
    rng = random.Random(3)
    onsets, vowels, codas = (
        "b c d f g k l m n p r s t v z br cr dr st tr pl".split(),
        "aeiou",
        "n r s t l x",
    )
    en = set()
    while len(en) < count_en:
        en.add("".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas.split())
                       for _ in range(rng.randint(1, 3))))  # fmt: skip
    return zh, sorted(en)


TAIL_ZH, TAIL_EN = [], []


def zipf_pick(rng: random.Random, words: list[str]) -> str:
    # Skewed toward the frequent end, as word use is, without one word dominating.
    return words[int(len(words) * rng.random() ** 2.5)]


def sentence(rng: random.Random, words: int) -> str:
    parts = []
    for _ in range(words):
        if TAIL_ZH and rng.random() < 0.75:
            parts.append(zipf_pick(rng, TAIL_ZH) if rng.random() < 0.6 else zipf_pick(rng, TAIL_EN))
            continue
        if rng.random() < 0.55:
            word = rng.choice(ZH)
            if rng.random() < 0.05:
                word = ZH_TRAD.get(word, word)
            parts.append(word if rng.random() < 0.6 else word + rng.choice(["的", "和", "与"]))
        else:
            parts.append(rng.choice(EN) + rng.choice(["", "", "s", "ing", "ed"]))
    # Chinese runs are written without spaces, as people write them.
    text, previous_zh = "", False
    for part in parts:
        is_zh = not part.isascii()
        text += ("" if is_zh and previous_zh else " ") + part
        previous_zh = is_zh
    return text.strip()


def corpus(count: int, seed: int = 7):
    from datetime import UTC, datetime, timedelta

    from portal.search.documents import SearchDocument

    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        keys = ["staff"] if rng.random() < 0.8 else [f"u:{rng.randint(1000, 1200)}"]
        yield SearchDocument(
            kind=kind, object_id=str(i), title=sentence(rng, rng.randint(3, 7)),
            body=sentence(rng, rng.randint(20, 60)), url=f"/{kind}/{i}/", keys=keys,
            tags=rng.sample(TAGS, rng.randint(0, 2)), category=rng.choice(["", "key", "normal"]),
            owner=f"user{rng.randint(1, 30)}", created_at=start + timedelta(hours=i % 17000),
        )  # fmt: skip


def queries(seed: int = 11) -> tuple[list[str], list[str]]:
    """200 fixed queries; the second list is the Chinese ones (for the Wagtail comparison)."""
    rng = random.Random(seed)
    chinese = [rng.choice(ZH) for _ in range(60)] + [
        rng.choice(ZH) + rng.choice(ZH) for _ in range(20)
    ] + [ZH_TRAD[k] for k in ZH_TRAD]  # fmt: skip
    english = [rng.choice(EN) for _ in range(40)] + [
        f"{rng.choice(EN)} {rng.choice(EN)}" for _ in range(20)
    ]  # fmt: skip
    mixed = [f"{rng.choice(ZH)} {rng.choice(EN)}" for _ in range(20)]
    language = (
        [f'"{rng.choice(EN)} {rng.choice(EN)}"' for _ in range(10)]
        + [f"{rng.choice(ZH)} type:{rng.choice(KINDS)}" for _ in range(10)]
        + [f"{rng.choice(ZH)} -{rng.choice(EN)}" for _ in range(10)]
        + [f"{rng.choice(EN)} tag:{rng.choice(TAGS)}" for _ in range(5)]
    )
    # Half the Chinese and English single words come from the long tail (Zipf), as people
    # also search names and rarer terms; the trade words above are the broad ones.
    chinese = chinese[:40] + [rng.choice(TAIL_ZH[50:3000]) for _ in range(40)] + chinese[80:]
    english = english[:20] + [rng.choice(TAIL_EN[:2000]) for _ in range(20)] + english[40:]
    all_queries = (chinese + english + mixed + language)[:200]
    while len(all_queries) < 200:
        all_queries.append(rng.choice(ZH))
    return all_queries, chinese


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def check_answer(text: str, status: int, body: bytes) -> None:
    """Every timed request must be a real answer: 200 and the API's JSON with its results."""
    assert status == 200, (text, status, body[:200])
    data = json.loads(body)
    assert isinstance(data.get("results"), list) and "count" in data, (text, body[:200])


def timed_requests(user, texts: list[str], concurrency: int) -> list[float]:
    from django.db import connection
    from django.test import Client

    latencies: list[float] = []
    lock = threading.Lock()
    work = list(enumerate(texts))

    def worker():
        client = Client()
        client.force_login(user)
        while True:
            with lock:
                if not work:
                    break
                _, text = work.pop()
            started = time.perf_counter()
            response = client.get("/api/v1/search/", {"q": text})
            elapsed = (time.perf_counter() - started) * 1000
            check_answer(text, response.status_code, response.content)
            with lock:
                latencies.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def wagtail_comparison(
    docs: list,
    texts: list[str],
    chinese: list[str],
    *,
    budget: float,
    agora_count,
    recall_words: int,
) -> None:
    """Index the same corpus with Wagtail's database backend through a throwaway model."""
    from django.db import connection, models
    from wagtail.search import index
    from wagtail.search.backends import get_search_backend

    class BenchDocument(index.Indexed, models.Model):
        title = models.TextField()
        body = models.TextField()
        search_fields = [index.SearchField("title", boost=10), index.SearchField("body")]

        class Meta:
            app_label = "search"
            db_table = "bench_search_document"

        def __str__(self) -> str:
            return self.title

    with connection.schema_editor() as editor:
        editor.create_model(BenchDocument)
    rows = [BenchDocument(id=int(d.object_id) + 1, title=d.title, body=d.body) for d in docs]
    BenchDocument.objects.bulk_create(rows, batch_size=2000)
    backend = get_search_backend("default")
    started = time.perf_counter()
    for start in range(0, len(rows), 1000):
        backend.add_bulk(BenchDocument, rows[start : start + 1000])
    indexing = time.perf_counter() - started
    print(f"  Wagtail database backend ({type(backend).__name__}): indexed {len(rows)} in "
          f"{indexing:.1f} s ({len(rows) / indexing:.0f} docs/s)")  # fmt: skip
    # Wagtail's SQLite backend takes seconds per query on this corpus, so the comparison runs
    # every Chinese query (to count the answers) and then the others until the budget is spent.
    ordered = [t for t in texts if t in chinese] + [t for t in texts if t not in chinese]
    latencies, answered, budget_end = [], 0, time.perf_counter() + budget
    for text in ordered:
        if text not in chinese and time.perf_counter() > budget_end:
            break
        started = time.perf_counter()
        try:
            results = list(backend.search(text, BenchDocument)[:20])
        except Exception:  # noqa: BLE001 - the query language is not Wagtail's; count as none
            results = []
        latencies.append((time.perf_counter() - started) * 1000)
        if text in chinese and results:
            answered += 1
    print(f"  Wagtail query latency over {len(latencies)} of the {len(texts)} queries (backend "
          f"call, no HTTP): p50 {percentile(latencies, 50):.1f} ms, "
          f"p95 {percentile(latencies, 95):.1f} ms")  # fmt: skip
    print(f"  Wagtail answers {answered} of {len(chinese)} Chinese queries")
    # "Answers at all" flatters Wagtail: in a mixed corpus every word also stands alone between
    # English words somewhere. What users feel is recall: of the documents that contain a word
    # (in the middle of a Chinese sentence or not), how many does each engine find?
    from django.db.models import Q

    words = [w for w in dict.fromkeys(chinese) if w in ZH and w not in ZH_TRAD][:recall_words]
    truth = found_agora = found_wagtail = 0
    for word in words:
        truth += BenchDocument.objects.filter(
            Q(title__contains=word) | Q(body__contains=word)
        ).count()
        found_agora += agora_count(word)
        found_wagtail += backend.search(word, BenchDocument).count()
    share = {
        name: 100 * n / max(truth, 1) for name, n in (("a", found_agora), ("w", found_wagtail))
    }
    print(f"  recall over {len(words)} Chinese words ({truth} documents contain them): "
          f"Agora finds {found_agora} ({share['a']:.0f}%), "
          f"Wagtail finds {found_wagtail} ({share['w']:.0f}%)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--interests", type=int, default=10_000)
    parser.add_argument("--match-docs", type=int, default=1_000)
    parser.add_argument("--skip-wagtail", action="store_true")
    parser.add_argument(
        "--wagtail-budget", type=float, default=120.0,
        help="seconds for Wagtail's non-Chinese queries after all the Chinese ones",
    )  # fmt: skip
    parser.add_argument("--recall-words", type=int, default=20)
    parser.add_argument(
        "--queries-only", action="store_true",
        help="reuse the database of the previous run and measure query latency only",
    )  # fmt: skip
    parser.add_argument(
        "--breakdown", type=int, default=0, metavar="N",
        help="also time the phases of N requests (connection, SQL, Python) and EXPLAIN the "
        "slowest statements",
    )  # fmt: skip
    parser.add_argument(
        "--matching-only", action="store_true",
        help="with --queries-only: measure interest matching only",
    )  # fmt: skip
    parser.add_argument(
        "--prepare-only", action="store_true",
        help="build the corpus and the stored queries, keep the database and stop (measure "
        "later with --queries-only)",
    )  # fmt: skip
    parser.add_argument(
        "--served", type=int, default=2, metavar="N",
        help="also measure the queries over HTTP against N daphne processes on this database, "
        "as deployed (default 2, as production; 0: in-process figures only)",
    )  # fmt: skip
    parser.add_argument(
        "--served-keepalive", action="store_true",
        help="served mode: keep one connection per client thread and process (nginx does not: "
        "a new connection per request)",
    )  # fmt: skip
    parser.add_argument(
        "--replicate", type=int, default=1, metavar="N",
        help="PostgreSQL: after preparing the corpus (or, with --queries-only, on the kept one) "
        "copy its analysed rows inside the database until it holds N copies (10: 100k -> 1M "
        "documents; each word then matches N times as many documents); a corpus already at N "
        "copies is kept",
    )  # fmt: skip
    parser.add_argument("--fresh", action="store_true", help="PostgreSQL: recreate the database")
    parser.add_argument("--drop", action="store_true", help="PostgreSQL: drop it at the end")
    args = parser.parse_args()
    if args.prepare_only and (args.queries_only or args.drop):
        parser.error("--prepare-only keeps the database for a later --queries-only run")
    if args.replicate < 1:
        parser.error("--replicate takes a number of copies, 1 or more")
    if args.replicate > 1 and not os.environ["DATABASE_URL"].startswith("postgres"):
        parser.error(
            "--replicate copies PostgreSQL's rows (tsvector, keys array): set DATABASE_URL"
        )
    if args.replicate > 1 and not args.queries_only and not args.skip_wagtail:
        parser.error("--replicate: add --skip-wagtail (Wagtail's comparison indexes one copy)")

    import benchdb

    db_file = VAR / "bench.sqlite3"
    if os.environ["DATABASE_URL"].startswith("sqlite") and not args.queries_only:
        for path in (db_file, db_file.with_name(db_file.name + "-wal"),
                     db_file.with_name(db_file.name + "-shm")):  # fmt: skip
            path.unlink(missing_ok=True)
    benchdb.prepare(fresh=args.fresh and not args.queries_only)
    try:
        return run(args)
    finally:
        if args.drop:
            benchdb.drop()


def report_latency(user, texts: list[str]) -> dict[int, list[float]]:
    import benchdb

    results = {}
    for concurrency in (1, 8):
        cpu_before = time.process_time()
        latencies = timed_requests(user, texts, concurrency)
        cpu = (time.process_time() - cpu_before) * 1000 / len(latencies)
        results[concurrency] = latencies
        print(f"  API /api/v1/search/ in-process test client, concurrency {concurrency}: "
              f"{len(latencies)} queries, "
              f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
              f"max {max(latencies):.1f} ms (load average {benchdb.load()})")  # fmt: skip
        print(f"    CPU per request: {cpu:.1f} ms in this process (test clients and server code "
              "together)")  # fmt: skip
    return results


def served_requests(
    ports: list[int], cookie: str, texts: list[str], concurrency: int, *, keepalive: bool = False
) -> list[float]:
    """The same queries over HTTP to daphne processes, from `concurrency` client threads; the
    requests go to the ports in turn (round-robin, as nginx spreads them). Like nginx (no
    upstream keepalive, deploy/nginx/agora.conf) each request opens its own connection and
    asks the server to close it; `keepalive` keeps one connection per thread and port instead.
    The clients only send, time and check: http.client, no Django, little CPU."""
    latencies: list[float] = []
    lock = threading.Lock()
    work = list(texts)
    sent = [0]  # requests handed out so far: the next one goes to ports[sent % len(ports)]
    failures: list[BaseException] = []
    headers = {"Cookie": cookie, "Accept": "application/json"}
    if not keepalive:
        headers["Connection"] = "close"

    def worker() -> None:
        connections: dict[int, http.client.HTTPConnection] = {}
        try:
            while True:
                with lock:
                    if not work or failures:
                        break
                    text = work.pop()
                    port = ports[sent[0] % len(ports)]
                    sent[0] += 1
                path = "/api/v1/search/?" + urlencode({"q": text})
                started = time.perf_counter()
                connection = connections.get(port)
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    if keepalive:
                        connections[port] = connection
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if not keepalive:
                    connection.close()
                check_answer(text, response.status, body)
                with lock:
                    latencies.append(elapsed)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            with lock:
                failures.append(exc)
        finally:
            for connection in connections.values():
                connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    assert len(latencies) == len(texts), (len(latencies), len(texts))
    return latencies


def cpu_seconds(processes) -> list[float]:
    """User + system CPU time of each process so far (every thread), from /proc/<pid>/stat."""
    seconds = []
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return seconds


def report_served(user, texts: list[str], processes: int, *, keepalive: bool = False):
    """The latency a deployment sees: `processes` daphne (production runs 2 behind nginx, ADR
    0700) on this benchmark's database, each running the sync views in one thread, reached
    over HTTP by light client threads. The in-process figures above share one interpreter (one
    GIL) between the 8 client threads and all the server code: at concurrency 8 they measure
    that queue, not the deployment. Returns {concurrency: latencies}."""
    import benchdb
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from portal.core.testing import free_port, start_daphne, stop_daphne

    client = Client()
    client.force_login(user)  # the same reader, the same session path as in the browser
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    connections.close_all()  # the session row is committed; the servers read it themselves
    env = {
        **os.environ,  # DATABASE_URL, AGORA_VAR_DIR (and REDIS_URL if set): the bench's own
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    ports = [free_port() for _ in range(processes)]
    servers = []
    results = {}
    try:
        for port in ports:
            # Each daphne's errors go to its own log (an unanswered port raises with its number).
            log = open(VAR / f"daphne-{port}.log", "w")  # noqa: SIM115 - the server's stderr
            servers.append(start_daphne(port, env, stderr=log))
        for port in ports:  # warm each process: jieba's dictionary, caches, the pool
            served_requests([port], cookie, texts[:20], 1, keepalive=keepalive)
        label = f"served by {processes} daphne" + (", keep-alive" if keepalive else "")
        for concurrency in (1, 8):
            cpu_before, client_before = cpu_seconds(servers), time.process_time()
            latencies = served_requests(ports, cookie, texts, concurrency, keepalive=keepalive)
            client_cpu = time.process_time() - client_before
            per_process = [
                after - before
                for after, before in zip(cpu_seconds(servers), cpu_before, strict=True)
            ]
            results[concurrency] = latencies
            count = len(latencies)
            print(f"  API /api/v1/search/ {label}, concurrency {concurrency}: {count} queries, "
                  f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} "
                  f"ms, max {max(latencies):.1f} ms (load average {benchdb.load()})")  # fmt: skip
            print(f"    CPU per request: daphne {sum(per_process) * 1000 / count:.1f} ms (per "
                  f"process: {', '.join(f'{s:.1f} s' for s in per_process)} for {count}); "
                  f"benchmark clients {client_cpu * 1000 / count:.2f} ms")  # fmt: skip
    finally:
        for server in servers:
            stop_daphne(server)
        for port in ports:  # keep a log only when a server said something
            log = VAR / f"daphne-{port}.log"
            if log.exists() and not log.stat().st_size:
                log.unlink()
    return results


SEARCH_PHASES = {
    "keys": "portal.search.service.reader_keys",
    "parse": "portal.search.service.parse_query",
    "backend": "portal.search.backends.embedded.EmbeddedBackend:search",
    "highlight": "portal.search.service.decorate",
    "suggestions": "portal.search.service.suggestions",
    "render": "rest_framework.renderers.JSONRenderer:render",
}


def breakdown(user, texts: list[str], requests: int) -> None:
    """Per-phase time of `requests` sequential API calls, then the plans of the slowest SQL."""
    from breakdown import Breakdown
    from django.test import Client

    client = Client()
    client.force_login(user)
    sample = [texts[i % len(texts)] for i in range(0, requests * 7, 7)][:requests]
    with Breakdown(SEARCH_PHASES) as measured:
        for text in sample:
            with measured.time("request"):
                client.get("/api/v1/search/", {"q": text})
    measured.print(f"breakdown over {len(sample)} sequential API requests", requests=len(sample))


MATCHING_PHASES = {
    "analysis": "portal.search.matching.AnalysedDocument:of",
    "candidates": "portal.search.interests._candidates_many",
    "parsed": "portal.search.interests._parsed_queries",
    "evaluate": "portal.search.interests.matches",
}


def store_interests(args) -> None:
    """The stored interest queries matching is measured against (the same every run)."""
    from portal.search import interests

    rng = random.Random(5)
    started = time.perf_counter()
    for interest_id in range(1, args.interests + 1):
        shape = rng.random()
        if shape < 0.5:
            query = rng.choice(ZH) + " " + rng.choice(ZH)
        elif shape < 0.8:
            query = f"{rng.choice(EN)} {rng.choice(ZH)}"
        else:
            query = f'"{rng.choice(EN)} {rng.choice(EN)}"'
        interests.save_interest_query(interest_id=interest_id, query=query)
    saved = time.perf_counter() - started
    print(f"  stored {args.interests} interest queries in {saved:.1f} s")


def measure_matching(args) -> float:
    """Interest matching throughput: new documents against the stored queries, one call per
    document as the notifications subscriber makes it; with --breakdown, where the time goes."""
    import benchdb

    from portal.search import interests
    from portal.search.documents import SearchDocument
    from portal.search.models import InterestQuery

    stored = InterestQuery.objects.count()
    new_docs = [
        SearchDocument(kind=d.kind, object_id=f"new{i}", title=d.title, body=d.body, url=d.url,
                       keys=d.keys, tags=d.tags, created_at=d.created_at)
        for i, d in enumerate(corpus(args.match_docs, seed=99))
    ]  # fmt: skip
    interests.match_interests(new_docs[0])  # warm up: reads every parsed stored query (ADR 0430)
    started = time.perf_counter()
    matched = sum(len(interests.match_interests(doc)) for doc in new_docs)
    elapsed = time.perf_counter() - started
    rate = len(new_docs) / elapsed
    print(f"  interest matching: {len(new_docs)} new docs against {stored} stored "
          f"queries in {elapsed:.1f} s = {rate:.0f} docs/s "
          f"({matched / len(new_docs):.1f} matches per doc, "
          f"load average {benchdb.load()})")  # fmt: skip
    started = time.perf_counter()
    batched = sum(
        len(ids)
        for start in range(0, len(new_docs), 100)
        for ids in interests.match_interests_many(new_docs[start : start + 100])
    )
    elapsed = time.perf_counter() - started
    assert batched == matched, (batched, matched)
    batch_rate = len(new_docs) / elapsed
    print(f"  interest matching in batches of 100 documents (match_interests_many): "
          f"{batch_rate:.0f} docs/s (load average {benchdb.load()})")  # fmt: skip
    rate = max(rate, batch_rate)
    if args.breakdown:
        from breakdown import Breakdown

        sample = new_docs[: args.breakdown]
        with Breakdown(MATCHING_PHASES) as measured:
            for doc in sample:
                with measured.time("document"):
                    interests.match_interests(doc)
        measured.print(
            f"matching breakdown over {len(sample)} documents", requests=len(sample),
            total="document", plans=1,
        )  # fmt: skip
    return rate


COPY_MARK = "~"  # object_id of a copy: the original's id, this mark, the copy's number


def relation_sizes() -> list[tuple[str, int]]:
    """Bytes on disk of the two search tables (with their indexes and TOAST) and of each of
    their indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'table ' || c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "WHERE c.relname IN ('search_searchentry', 'search_searchfacet') UNION ALL "
            "SELECT 'index ' || i.indexname, pg_relation_size(quote_ident(i.indexname)) "
            "FROM pg_indexes i WHERE i.tablename IN ('search_searchentry', 'search_searchfacet') "
            "ORDER BY 1"
        )
        return cursor.fetchall()


def replicate(copies: int) -> None:
    """Make the corpus `copies` times as large inside PostgreSQL, without the Python analysis
    (~180 docs/s, 90 minutes for 1M): every analysed entry row — its tsvector, keys array,
    title/body terms and phrase text — is copied `copies - 1` times with a fresh object_id
    (`<id>~<n>`, so (kind, object_id) stays unique) and id, with its facet rows. The text
    distribution is the original's, so each word matches `copies` times as many documents.

    The secondary indexes of both tables are dropped first and built again after the copy (as
    a bulk load would), each build timed; the primary keys and the (kind, object_id)
    constraint stay. Then VACUUM ANALYZE. A corpus that already holds `copies` copies is kept.
    """
    import benchdb
    from django.db import connection, transaction

    from portal.search.models import SearchEntry

    entries = SearchEntry.objects
    base = entries.exclude(object_id__contains=COPY_MARK).count()
    have = entries.filter(object_id__contains=COPY_MARK).count()
    if base and have == base * (copies - 1):
        print(f"  replicated corpus kept: {base} documents x {copies} = {base + have}")
        print(f"  NOTE: {copies} copies of {base} documents: each word matches {copies} times "
              "as many documents as in a corpus of distinct texts this size")  # fmt: skip
        return
    print(f"  replicating {base} documents to {copies} copies inside PostgreSQL "
          f"(load average {benchdb.load()})")  # fmt: skip
    tables = ("search_searchentry", "search_searchfacet")
    steps: list[tuple[str, float]] = []
    total_started = time.perf_counter()

    def step(label: str, sql: str, params=()) -> None:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = cursor.rowcount
        elapsed = time.perf_counter() - started
        steps.append((label, elapsed))
        rows = f", {count} rows" if count and count > 0 else ""
        print(f"    {label}: {elapsed:.1f} s{rows} (load average {benchdb.load()})", flush=True)

    with transaction.atomic(), connection.cursor() as cursor:
        # The facets' foreign key is deferred: checked at each statement instead, so that no
        # pending check stands in the way of the index builds in this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if have:  # a different number of copies: start again from the originals
            step("remove the earlier copies' facets",
                 "DELETE FROM search_searchfacet f USING search_searchentry e WHERE "
                 "e.id = f.entry_id AND strpos(e.object_id, %s) > 0", [COPY_MARK])  # fmt: skip
            step("remove the earlier copies",
                 "DELETE FROM search_searchentry WHERE strpos(object_id, %s) > 0",
                 [COPY_MARK])  # fmt: skip
        # Secondary indexes (not those behind a constraint): dropped, rebuilt after the copy.
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND "
            "i.indexname NOT IN (SELECT c.conname FROM pg_constraint c "
            "WHERE c.conindid <> 0) ORDER BY i.indexname",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SELECT max(id) FROM search_searchentry")
        span = cursor.fetchone()[0]
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s) "
            "ORDER BY table_name, ordinal_position",
            [list(tables)],
        )
        columns: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            columns.setdefault(table, []).append(column)
        # Every column copied as it is but these: the copy's id, object_id and URL.
        changed = {
            "id": "e.id + n.n * %s",
            "object_id": "e.object_id || %s || n.n",
            "url": "e.url || %s || n.n",
        }
        entry_columns = columns["search_searchentry"]
        select = ", ".join(changed.get(c, f"e.{c}") for c in entry_columns)
        marks = {"id": span, "object_id": COPY_MARK, "url": f"#{COPY_MARK}"}
        step(
            f"copy the entries {copies - 1} times",
            f"INSERT INTO search_searchentry ({', '.join(entry_columns)}) SELECT {select} "  # noqa: S608
            f"FROM search_searchentry e CROSS JOIN generate_series(1, %s) AS n(n) "
            "ORDER BY n.n, e.id",
            [marks[c] for c in entry_columns if c in changed] + [copies - 1],
        )  # fmt: skip
        facet_columns = [c for c in columns["search_searchfacet"] if c != "id"]
        select = ", ".join("f.entry_id + n.n * %s" if c == "entry_id" else f"f.{c}"
                           for c in facet_columns)  # fmt: skip
        step(
            f"copy the facet rows {copies - 1} times",
            f"INSERT INTO search_searchfacet ({', '.join(facet_columns)}) SELECT {select} "  # noqa: S608
            "FROM search_searchfacet f CROSS JOIN generate_series(1, %s) AS n(n) "
            "WHERE f.entry_id <= %s ORDER BY n.n, f.id",
            [span, copies - 1, span],
        )  # fmt: skip
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('search_searchentry', 'id'), "
            "(SELECT max(id) FROM search_searchentry))"
        )
        cursor.execute("SHOW maintenance_work_mem")
        memory = cursor.fetchone()[0]
        for name, definition in indexes:
            step(f"build index {name} (maintenance_work_mem {memory})", definition)
    started = time.perf_counter()
    benchdb.analyze()
    steps.append(("VACUUM ANALYZE", time.perf_counter() - started))
    print(f"    VACUUM ANALYZE: {steps[-1][1]:.1f} s (load average {benchdb.load()})")
    builds = sum(elapsed for label, elapsed in steps if label.startswith("build index"))
    print(f"  replicated to {entries.count()} documents in "
          f"{time.perf_counter() - total_started:.1f} s (index builds {builds:.1f} s); "
          f"database size {benchdb.disk_size()}")  # fmt: skip
    for name, size in relation_sizes():
        print(f"    {name}: {size / 2**20:.0f} MiB")
    print(f"  NOTE: {copies} copies of {base} documents: each word matches {copies} times as "
          "many documents as in a corpus of distinct texts this size")  # fmt: skip


def run(args) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    import benchdb
    from django.db import connection

    from portal.accounts.models import User
    from portal.search.backends import get_backend
    from portal.search.query import parse_query

    backend = get_backend()
    if args.queries_only:
        if args.replicate > 1:
            replicate(args.replicate)
        TAIL_ZH[:], TAIL_EN[:] = long_tail()
        user = User.objects.get(username="bench-reader")
        texts, _chinese = queries()
        timed_requests(user, texts[:20], 1)
        from portal.search.models import SearchEntry

        print(f"Engine: {backend.name} on {connection.vendor}; corpus "
              f"{SearchEntry.objects.count()} documents; CPU reference "
              f"{benchdb.cpu_reference()} (bench/benchdb.py)")  # fmt: skip
        if not args.matching_only:
            report_latency(user, texts)
            if args.served:
                report_served(user, texts, args.served, keepalive=args.served_keepalive)
            if args.breakdown:
                breakdown(user, texts, args.breakdown)
        measure_matching(args)
        return 0
    backend.clear()
    print(f"Engine: {backend.name} on {connection.vendor}; corpus {args.docs} documents")

    TAIL_ZH[:], TAIL_EN[:] = long_tail()
    docs = list(corpus(args.docs))
    started = time.perf_counter()
    for start in range(0, len(docs), 1000):
        backend.index(docs[start : start + 1000])
    elapsed = time.perf_counter() - started
    print(f"  indexing: {len(docs)} docs in {elapsed:.1f} s = {len(docs) / elapsed:.0f} docs/s")
    started = time.perf_counter()
    benchdb.analyze()
    print(f"  ANALYZE after the bulk load: {time.perf_counter() - started:.1f} s; "
          f"database size {benchdb.disk_size()}")  # fmt: skip
    if args.replicate > 1:
        replicate(args.replicate)

    user = User.objects.create_user(username="bench-reader", password="x")  # noqa: S106
    if args.prepare_only:
        store_interests(args)
        print("  prepared: measure with --queries-only (same DATABASE_URL / AGORA_VAR_DIR)")
        return 0
    texts, chinese = queries()
    timed_requests(user, texts[:20], 1)  # warm up (jieba dictionary, caches)
    results = report_latency(user, texts)
    served = (
        report_served(user, texts, args.served, keepalive=args.served_keepalive)
        if args.served
        else {}
    )
    if args.breakdown:
        breakdown(user, texts, args.breakdown)
    answered = sum(
        1 for text in chinese
        if backend.count(parse_query(text), keys=frozenset({"staff"})) > 0
    )  # fmt: skip
    print(f"  Agora answers {answered} of {len(chinese)} Chinese queries")

    store_interests(args)
    rate = measure_matching(args)

    if not args.skip_wagtail:
        every_key = frozenset({"staff", *(f"u:{n}" for n in range(1000, 1201))})
        wagtail_comparison(
            docs, texts, chinese, budget=args.wagtail_budget, recall_words=args.recall_words,
            agora_count=lambda word: backend.count(parse_query(word), keys=every_key),
        )  # fmt: skip
    # The served figures are the deployment's; without them, the in-process ones (GIL-bound
    # at concurrency 8) are all there is.
    judged = served or results
    where = f"served by {args.served} daphne" if served else "in-process"
    p95, p95_8 = percentile(judged[1], 95), percentile(judged[8], 95)
    print(f"Targets ({where}): query p95 < 50 ms at concurrency 1: "
          f"{'met' if p95 < 50 else 'NOT met'} "
          f"({p95:.1f} ms); < 100 ms at concurrency 8: {'met' if p95_8 < 100 else 'NOT met'} "
          f"({p95_8:.1f} ms); matching >= 200 docs/s: "
          f"{'met' if rate >= 200 else 'NOT met'} ({rate:.0f} docs/s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
