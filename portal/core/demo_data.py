"""Reading a demo module's data files: `demo_data/<name>.json` beside the module."""

from __future__ import annotations

import json
from pathlib import Path


def load(module_file: str, name: str):
    """The parsed `demo_data/<name>.json` next to `module_file` (pass the module's __file__)."""
    path = Path(module_file).with_name("demo_data") / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))
