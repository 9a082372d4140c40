"""Forum benchmark: 200,000 posts; p50/p95 of the topic list, any page of a 2,000-post topic and
posting a reply (through the full Django stack: middleware, views, templates, actions, events).

    .venv/bin/python bench/forum_bench.py            # SQLite in /tmp/agora-forum-bench
    .venv/bin/python bench/forum_bench.py --breakdown   # and where the two pages' time goes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agora_forum_bench \
        .venv/bin/python bench/forum_bench.py

The data set is built once per database (bulk inserts) and reused on later runs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AGORA_VAR_DIR", "/tmp/agora-forum-bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ["DEBUG"] = "false"
Path(os.environ["AGORA_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

TOTAL_POSTS = 200_000
LONG_TOPIC_POSTS = 2_000
POSTS_PER_TOPIC = 20
RUNS = {"list": 60, "page": 60, "reply": 100}
settings.ALLOWED_HOSTS = ["*"]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def build() -> tuple[int, object]:
    from wagtail.models import Page, Site

    from portal.accounts import roles
    from portal.accounts.models import User
    from portal.core.models import ObjectAccess
    from portal.core.visibility import STAFF
    from portal.forum.models import ForumCategoryPage, ForumIndexPage, Post, Topic

    roles.ensure_roles()
    sales = roles.Group.objects.get(name=roles.SALES)
    users = []
    for number in range(20):
        user, created = User.objects.get_or_create(
            username=f"bench{number}", defaults={"display_name": f"Bench {number}"}
        )
        if created:
            user.set_password("agora-demo")
            user.save()
            user.groups.add(sales)
        users.append(user)
    index = ForumIndexPage.objects.first()
    if index is None:
        site = Site.objects.filter(is_default_site=True).first()
        root = site.root_page if site else Page.get_first_root_node()
        index = ForumIndexPage(title="Forum", slug="forum")
        root.add_child(instance=index)
        index.save_revision().publish()
    category = ForumCategoryPage.objects.child_of(index).first()
    if category is None:
        category = ForumCategoryPage(title="Bench", slug="bench")
        index.add_child(instance=category)
        category.save_revision().publish()
        category = ForumCategoryPage.objects.get(pk=category.pk)

    have = Post.objects.count()
    if have >= TOTAL_POSTS:
        long_topic = Topic.objects.filter(post_count__gte=LONG_TOPIC_POSTS).order_by("id").first()
        return long_topic.pk, users
    print(f"building {TOTAL_POSTS:,} posts …", flush=True)
    started = time.perf_counter()
    topic_type = ContentType.objects.get_for_model(Topic)
    now = timezone.now()
    html = "<p>A realistic reply with <strong>some</strong> formatting and a link.</p>"
    sizes = [LONG_TOPIC_POSTS] + [POSTS_PER_TOPIC] * (
        (TOTAL_POSTS - LONG_TOPIC_POSTS) // POSTS_PER_TOPIC
    )
    long_topic_id = None
    batch_posts: list[Post] = []
    for offset in range(0, len(sizes), 500):
        chunk = sizes[offset : offset + 500]
        with transaction.atomic():
            topics = Topic.objects.bulk_create(
                [
                    Topic(
                        category=category, title=f"Bench topic {offset + i} about printers",
                        author=users[(offset + i) % len(users)], created_at=now,
                        last_post_at=now - timezone.timedelta(minutes=offset + i),
                        post_count=size, reply_count=size - 1,
                    )
                    for i, size in enumerate(chunk)
                ]
            )  # fmt: skip
            if connection.vendor == "sqlite" or topics[0].pk is None:
                ids = list(
                    Topic.objects.order_by("-id").values_list("id", flat=True)[: len(chunk)]
                )[::-1]
                for topic, pk in zip(topics, ids, strict=True):
                    topic.pk = pk
            ObjectAccess.objects.bulk_create(
                [ObjectAccess(content_type=topic_type, object_id=t.pk, key=STAFF) for t in topics]
            )
            for topic, size in zip(topics, chunk, strict=True):
                if long_topic_id is None:
                    long_topic_id = topic.pk
                for number in range(1, size + 1):
                    batch_posts.append(
                        Post(
                            topic_id=topic.pk, number=number,
                            author=users[number % len(users)],
                            body="A realistic reply with **some** formatting and a link.",
                            body_html=html, created_at=now,
                        )
                    )  # fmt: skip
            Post.objects.bulk_create(batch_posts, batch_size=2000)
            batch_posts = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return long_topic_id, users


def measure(label: str, func, runs: int) -> list[float]:
    import benchdb

    timings = []
    database_before, cpu_before = benchdb.database_cpu(), time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        func()
        timings.append((time.perf_counter() - started) * 1000)
    app = (time.process_time() - cpu_before) * 1000 / runs
    database = sum(
        after - database_before.get(pid, 0.0) for pid, after in benchdb.database_cpu().items()
    )
    benchdb.LAST_CPU[:] = [app, database * 1000 / runs]
    print(
        f"{label:<44} n={runs:<4} p50={statistics.median(timings):7.1f} ms   "
        f"p95={percentile(timings, 95):7.1f} ms   (load average {os.getloadavg()[0]:.2f}; "
        f"{benchdb.cpu_note()})",
        flush=True,
    )
    return timings


def main() -> None:
    import benchdb

    benchdb.prepare(fresh=False)  # PostgreSQL: create the scratch database when missing
    call_command("migrate", verbosity=0)
    from portal.forum import actions, queries
    from portal.forum.models import Post, Topic

    long_topic_id, users = build()
    reader = users[1]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    topic = Topic.objects.get(pk=long_topic_id)
    pages = queries.topic_page_count(topic)
    print(
        f"database: {connection.vendor}; posts: {Post.objects.count():,}; "
        f"topics: {Topic.objects.count():,}; long topic: {topic.post_count:,} posts, {pages} pages"
    )
    client.get("/forum/")  # warm caches
    for url in ("/forum/", f"/forum/t/{topic.pk}/?page={pages}"):
        assert client.get(url).status_code == 200, url

    def list_page():
        response = client.get(f"/forum/?page={random.randint(1, 20)}")  # noqa: S311
        assert response.status_code == 200

    def topic_page():
        response = client.get(f"/forum/t/{topic.pk}/?page={random.randint(1, pages)}")  # noqa: S311
        assert response.status_code == 200

    targets = list(Topic.objects.order_by("-id").values_list("id", flat=True)[:200])

    def reply_action():
        target = Topic.objects.select_related("category").get(pk=random.choice(targets))  # noqa: S311
        with transaction.atomic():
            actions.reply(
                target, body="Benchmark reply with **Markdown** and @bench3", acting_user=users[2]
            )

    def reply_http():
        target = random.choice(targets)  # noqa: S311
        response = client.post(f"/forum/t/{target}/reply/", {"body": "Benchmark reply over HTTP"})
        assert response.status_code == 302, response.status_code

    from portal.core import events

    measure("topic list (GET /forum/?page=1..20)", list_page, RUNS["list"])
    measure(f"2,000-post topic, random page of {pages}", topic_page, RUNS["page"])
    if "--breakdown" in sys.argv[1:]:  # connection, statements, rendering, the slowest plans
        import benchdb

        benchdb.page_breakdown(client, [f"/forum/?page={n}" for n in range(1, 21)], "topic list")
        benchdb.page_breakdown(
            client, [f"/forum/t/{topic.pk}/?page={n}" for n in range(1, pages + 1, 5)],
            "2,000-post topic",
        )  # fmt: skip
    measure("reply: action (render, write, audit, events)", reply_action, RUNS["reply"])
    measure("reply: HTTP POST incl. redirect response", reply_http, RUNS["reply"])
    # The same, without other apps' subscribers (search indexing, notifications), which run
    # synchronously on commit today: this is the forum's own share of a reply.
    saved = dict(events._subscribers)
    events._subscribers.clear()
    try:
        measure("reply: action, forum only (no subscribers)", reply_action, RUNS["reply"])
        measure("reply: HTTP POST, forum only (no subscribers)", reply_http, RUNS["reply"])
    finally:
        events._subscribers.update(saved)


if __name__ == "__main__":
    main()
