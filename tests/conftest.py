from __future__ import annotations

import sys
from pathlib import Path

# tests/ holds shared helpers (fakes.py); the repo root must come first so `adapters` is the package,
# not the tests/adapters folder.
TESTS = Path(__file__).resolve().parent
for path in (str(TESTS), str(TESTS.parent)):
    if path in sys.path:
        sys.path.remove(path)
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS.parent))
