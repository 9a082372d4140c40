"""Run Agora's benchmarks: every bench/<app>_*.py script, or the ones named.

    python bench/run.py                 # all of them, one after another
    python bench/run.py records search  # those whose file name starts with these
Each script builds its own data in a throwaway database and prints its figures.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*_*.py") if p.name != "run.py")
    if argv:
        scripts = [p for p in scripts if any(p.name.startswith(name) for name in argv)]
    if not scripts:
        print("No benchmark matched.", file=sys.stderr)
        return 2
    failed = 0
    for script in scripts:
        print(f"\n=== {script.name}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
