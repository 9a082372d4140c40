"""Drill: back up the running topology (deploy/backup) and restore it (deploy/restore) into a
fresh database and file directory: same row counts in every table, same files, same search
results.

    AGORA_RUN=/tmp/agora-deploy .venv/bin/python deploy/drills/backup_restore.py"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["drill", "customer", "handover", "smoke", "deal", "backup 客户"]

SEARCH_SNIPPET = """
import json, sys
import django
django.setup()
from portal.accounts.models import User
from portal.search.service import search
admin = User.objects.get(username="smoke-admin")
out = {}
for text in json.loads(sys.argv[1]):
    _parsed, results = search(admin, text, per_page=50)
    out[text] = [[hit.kind, hit.object_id] for hit in results.hits]
print(json.dumps(out))
"""


def counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def searches(env: dict[str, str]) -> dict:
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", SEARCH_SNIPPET, json.dumps(QUERIES)],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"search under {env['DATABASE_URL']} failed: {result.stderr[-1500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def main() -> int:
    config = common.load()
    env = config["env"]
    client = common.login(config, "sales")
    api = config["url"] + "/api/v1"
    for number in range(5):
        client.post(
            api + "/customers/", json={"name": f"Backup drill 客户 {number} {time.time_ns()}"}
        )
    work = Path(tempfile.mkdtemp(prefix="agora-drill-backup-"))
    restored_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/agora_deploy_restore"
    restored_env = {
        **env,
        "DATABASE_URL": restored_url,
        "MEDIA_ROOT": str(work / "restored" / "media"),
        "AGORA_VAR_DIR": str(work / "restored"),
    }
    (work / "restored.env").write_text(
        "\n".join(f'{k}="{v}"' for k, v in restored_env.items()) + "\n"
    )
    media = Path(env["MEDIA_ROOT"])
    media.mkdir(parents=True, exist_ok=True)
    (media / "drill-probe.txt").write_text("a file that must survive the round trip\n")
    try:
        with common.database(config) as db:
            db.execute("DROP DATABASE IF EXISTS agora_deploy_restore WITH (FORCE)")
        started = time.monotonic()
        subprocess.run([str(ROOT / "deploy" / "backup"), str(common.RUN / "agora.env"),
                        str(work / "backup")], check=True)  # fmt: skip
        backed_up = time.monotonic() - started
        before = counts(env["DATABASE_URL"])
        before_search = searches(env)
        started = time.monotonic()
        subprocess.run([str(ROOT / "deploy" / "restore"), str(work / "restored.env"),
                        str(work / "backup")], check=True)  # fmt: skip
        restored = time.monotonic() - started
        after = counts(restored_url)
        after_search = searches(restored_env)
        same_files = files(media) == files(work / "restored" / "media")
        differing = {t: (before[t], after.get(t)) for t in before if before[t] != after.get(t)}
        hits = sum(len(v) for v in before_search.values())
        print(
            f"backup {backed_up:.1f}s, restore {restored:.1f}s; {len(before)} tables, "
            f"{sum(before.values())} rows; tables whose counts differ: {differing or 'none'}"
        )
        print(f"search: {len(QUERIES)} queries, {hits} hits before; same results after restore: "
              f"{before_search == after_search}; files identical: {same_files}; "
              f"load: {common.uptime()}")  # fmt: skip
        return 0 if not differing and before_search == after_search and same_files else 1
    finally:
        with common.database(config) as db:
            db.execute("DROP DATABASE IF EXISTS agora_deploy_restore WITH (FORCE)")
        (media / "drill-probe.txt").unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
