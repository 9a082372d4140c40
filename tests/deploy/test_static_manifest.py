"""Production's static files: collectstatic under production settings builds a complete
manifest (every file a stylesheet or script refers to, source maps included, is present)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def collectstatic(static_root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "s" * 20 + "e" * 20 + "c" * 20 + "r3t",
        "ALLOWED_HOSTS": "agora.example.com",
        "STATIC_ROOT": str(static_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_collectstatic_under_production_settings_builds_a_complete_manifest(tmp_path):
    result = collectstatic(tmp_path / "static")

    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    # The vendored files name their source maps; the manifest rewrote those references.
    for name in (
        "vendor/chartjs/chart.umd.min.js",
        "vendor/chartjs/chart.umd.min.js.map",
        "vendor/bootstrap/bootstrap.min.css.map",
        "vendor/bootstrap/bootstrap.bundle.min.js.map",
        "core/agora.css",
    ):
        assert name in manifest
    hashed = (tmp_path / "static" / manifest["vendor/chartjs/chart.umd.min.js"]).read_text()
    hashed_map = manifest["vendor/chartjs/chart.umd.min.js.map"].rsplit("/", 1)[1]
    assert f"sourceMappingURL={hashed_map}" in hashed
