"""bot/ is the platform-neutral core: it never imports a platform library (walks the AST)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("discord", "slack_bolt", "slack_sdk", "adapters", "aiohttp")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_core_imports_no_platform_library() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_the_check_itself_catches_an_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import discord\nfrom slack_sdk.web import WebClient\n")
    assert [n.split(".")[0] for n in _imports(bad)] == ["discord", "slack_sdk"]


def test_the_store_never_imports_a_feature() -> None:
    """Infrastructure below, features above: domain types live in their feature, not in bot/store."""
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "bot" / "store").rglob("*.py"))
        for name in _imports(path)
        if name.startswith("bot.features")
    ]
    assert offenders == []


def test_adapters_name_no_feature() -> None:
    """Adapters translate and render; which features exist is the registry's business, not theirs."""
    features = {p.stem for p in (ROOT / "bot" / "features").iterdir() if p.suffix == ".py" or p.is_dir()}
    features -= {"__init__", "__pycache__", "delivery", "members", "schedule", "picker", "points", "packs"}
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "adapters").rglob("*.py"))
        for name in _imports(path)
        if name.startswith("bot.features.") and name.split(".")[2] in features
    ]
    assert offenders == []
