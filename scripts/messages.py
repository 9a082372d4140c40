"""Refresh and compile the zh-hans catalogues, one per app (portal/<app>/locale).

    python scripts/messages.py            # every app
    python scripts/messages.py forum      # one app
    python scripts/messages.py --check    # fail if a catalogue misses strings or translations

Each app's catalogue holds the strings of portal/<app>/ and templates/<app>/; core's also
holds the shell (templates/base.html, registration/, 404/500). Needs GNU gettext (xgettext,
msgmerge) for extraction; compiling uses polib, so `make run` never needs gettext.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

BASE = Path(__file__).resolve().parent.parent
APPS = ["core", "accounts", "records", "knowledge", "forum", "search", "notifications"]
SHELL_TEMPLATES = ["base.html", "403.html", "404.html", "500.html", "registration"]
LOCALE = "zh_Hans"


def catalogue(app: str, domain: str = "django") -> Path:
    return BASE / "portal" / app / "locale" / LOCALE / "LC_MESSAGES" / f"{domain}.po"


def extract(app: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "code").symlink_to(BASE / "portal" / app)
        if (BASE / "templates" / app).is_dir():
            (root / "templates").symlink_to(BASE / "templates" / app)
        if app == "core":
            shell = root / "shell"
            shell.mkdir()
            for name in SHELL_TEMPLATES:
                if (BASE / "templates" / name).exists():
                    (shell / name).symlink_to(BASE / "templates" / name)
        if (BASE / "static" / app).is_dir():
            (root / "static").symlink_to(BASE / "static" / app)
        locale = BASE / "portal" / app / "locale"
        locale.mkdir(exist_ok=True)
        (root / "locale").symlink_to(locale)
        env = {
            **os.environ,
            "PYTHONPATH": str(BASE),
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        }
        django_admin = Path(sys.executable).parent / "django-admin"
        common = [
            "-l",
            LOCALE,
            "--symlinks",
            "--no-obsolete",
            "-i",
            "code/locale",
            "-i",
            "code/migrations",
            "--add-location",
            "file",
        ]
        subprocess.run(
            [str(django_admin), "makemessages", *common],
            cwd=root,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if any((root / "static").rglob("*.js")) if (root / "static").exists() else False:
            subprocess.run(
                [str(django_admin), "makemessages", "-d", "djangojs", *common],
                cwd=root,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )


def compile_all() -> None:
    for po_path in sorted(BASE.glob(f"portal/*/locale/{LOCALE}/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def problems(app: str) -> list[str]:
    found = []
    for po_path in catalogue(app).parent.glob("*.po"):
        po = polib.pofile(str(po_path))
        found += [
            f"{po_path.relative_to(BASE)}: untranslated {e.msgid!r}"
            for e in po.untranslated_entries()
        ]
        found += [f"{po_path.relative_to(BASE)}: fuzzy {e.msgid!r}" for e in po.fuzzy_entries()]
    return found


def msgids(app: str) -> set[tuple[str, str]]:
    found = set()
    for po_path in catalogue(app).parent.glob("*.po"):
        found |= {(po_path.name, entry.msgid) for entry in polib.pofile(str(po_path))}
    return found


def main(argv: list[str]) -> int:
    check = "--check" in argv
    apps = [a for a in argv if not a.startswith("-")] or APPS
    before = {app: msgids(app) for app in apps}
    for app in apps:
        extract(app)
    compile_all()
    issues = [p for app in apps for p in problems(app)]
    if check:
        # Strings in the sources that the committed catalogue did not have yet.
        issues += [
            f"{app}: {name} lacks {msgid!r} (run scripts/messages.py {app})"
            for app in apps
            for name, msgid in sorted(msgids(app) - before[app])
        ]
    for issue in issues:
        print(issue)  # noqa: T201
    return 1 if check and issues else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
