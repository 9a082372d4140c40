"""Fuzz every operation of the API with schemathesis against a live daphne (ADR 0802).

    python scripts/api_fuzz.py                 # both users, bounded in time
    python scripts/api_fuzz.py --users sales1  # one user
    API_FUZZ_EXAMPLES=20 python scripts/api_fuzz.py

A throwaway SQLite database under var/api-fuzz/ is migrated and seeded with `seed_demo`; daphne
serves it on API_FUZZ_PORT (default 8190); schemathesis runs every operation of /api/schema/
as a normal user (sales1) and as an administrator (admin), with a token each, and checks:
no server error, status codes, content types and response bodies as the schema declares them.
Exit status 0 only when both runs pass. Reports (JUnit) are left in var/api-fuzz/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def environment(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "AGORA_VAR_DIR": str(var_dir),
            "PYTHONPATH": str(BASE),
            # A fuzzer is a guesser that never gives up: let it guess without being locked out.
            "AXES_FAILURE_LIMIT": "1000000",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def wait_for(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"daphne did not listen on {port} within {timeout:.0f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="sales1,admin")
    parser.add_argument("--port", type=int, default=int(os.environ.get("API_FUZZ_PORT", 8190)))
    parser.add_argument(
        "--max-examples", type=int, default=int(os.environ.get("API_FUZZ_EXAMPLES", 8))
    )
    parser.add_argument(
        "--max-time",
        type=int,
        default=int(os.environ.get("API_FUZZ_MAX_TIME", 900)),
        help="time budget of each user's run, in seconds",
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("API_FUZZ_SEED", 17)))
    parser.add_argument("extra", nargs="*", help="more arguments for `schemathesis run`")
    args = parser.parse_args()

    var_dir = BASE / "var" / "api-fuzz"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    env = environment(var_dir)
    print("==> migrate and seed the demo data", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    tokens = {
        user: manage(env, "api_token", user).strip().split()[-1] for user in args.users.split(",")
    }

    log = (var_dir / "daphne.log").open("w")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(args.port),
            "portal.asgi:application",
        ],
        cwd=BASE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    failed = []
    try:
        wait_for(args.port)
        origin = f"http://127.0.0.1:{args.port}"
        for user, token in tokens.items():
            print(f"\n==> schemathesis as {user}", flush=True)
            command = [
                str(VENV_BIN / "schemathesis"),
                "run",
                f"{origin}/api/schema/",
                "--header",
                f"Authorization: Token {token}",
                "--checks",
                CHECKS,
                "--mode",
                "all",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-time",
                str(args.max_time),
                "--max-examples",
                str(args.max_examples),
                "--seed",
                str(args.seed),
                "--workers",
                "1",
                "--request-timeout",
                "30",
                "--suppress-health-check",
                "all",
                "--report",
                "junit",
                "--report-junit-path",
                str(var_dir / f"junit-{user}.xml"),
                "--output-truncate",
                "true",
                *args.extra,
            ]
            if subprocess.run(command, cwd=BASE, env=env).returncode != 0:  # noqa: S603
                failed.append(user)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    if failed:
        print(f"\nschemathesis found failures as: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("\nschemathesis: no failures for " + ", ".join(tokens))
    return 0


if __name__ == "__main__":
    sys.exit(main())
