"""Load the question bank from YAML, reporting every problem at once with its file and item."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.bank import Bank
from bot.content.files import bank_files as bank_files
from bot.content.files import default_content_dir as default_content_dir
from bot.content.item import Item
from bot.content.problems import BankError as BankError
from bot.content.problems import Problem as Problem
from bot.content.schema import ItemModel, kind_errors, validate_item
from bot.content.similar import near_duplicates
from bot.content.vocabulary import Kind

try:
    YAML_LOADER: Any = yaml.CSafeLoader  # libyaml: the bank loads several times faster
except AttributeError:  # pragma: no cover - libyaml missing
    YAML_LOADER = yaml.SafeLoader

NEAR_DUPLICATE_JACCARD = 0.8


def _format_validation(err: ValidationError) -> list[str]:
    out = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        out.append(f"{loc}: {msg}" if loc else msg)
    return out


def parse_items(text: str, source: str) -> tuple[list[Item], list[Problem]]:
    """Items of one YAML document; a problem for each item that does not validate."""
    problems: list[Problem] = []
    try:
        doc = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        return [], [Problem(source, None, f"not valid YAML: {exc}")]
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        return [], [Problem(source, None, "expected a mapping with 'domain' and a list 'items'")]
    extra = sorted(set(doc) - {"domain", "items"})
    if extra:
        problems.append(Problem(source, None, f"unknown top-level keys: {', '.join(extra)}"))
    header_domain = doc.get("domain")
    items: list[Item] = []
    for n, raw in enumerate(doc["items"], 1):
        if not isinstance(raw, dict):
            problems.append(Problem(source, f"item #{n}", "each item must be a mapping"))
            continue
        raw = dict(raw)
        raw.setdefault("domain", header_domain)
        label = str(raw.get("id") or f"item #{n}")
        for key, value in raw.items():
            if isinstance(value, bool | int | float) and key not in ("domain",):
                problems.append(Problem(source, label, f"{key}: quote this value, YAML read it as {value!r}"))
        try:
            items.append(validate_item(raw))
        except ValidationError as exc:
            messages = _format_validation(exc)
            messages += [m for m in _kind_rules_anyway(raw) if m not in " ".join(messages)]
            problems.extend(Problem(source, label, m) for m in messages)
    return items, problems


def _kind_rules_anyway(raw: dict[str, Any]) -> list[str]:
    """The per-kind rules for an item whose fields already failed, so one run reports everything."""
    try:
        kind = Kind(str(raw.get("kind")))
    except ValueError:
        return []
    fields = {k: v for k, v in raw.items() if k in ItemModel.model_fields}
    fields["kind"] = kind
    try:
        return kind_errors(ItemModel.model_construct(**fields))
    except Exception:  # values of the wrong type: the field errors already say so
        return []


def _shingles(prompt: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", prompt.casefold())
    return frozenset(" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2)))


def duplicate_problems(items: list[tuple[str, Item]], near: bool = True) -> list[Problem]:
    """Duplicate ids, identical prompts, and (with `near`) prompts that share most of their word triples."""
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    seen_prompts: dict[str, str] = {}
    for source, item in items:
        if item.id in seen_ids:
            problems.append(Problem(source, item.id, f"duplicate id (also in {seen_ids[item.id]})"))
        else:
            seen_ids[item.id] = source
        key = " ".join(re.findall(r"[a-z0-9]+", item.prompt.casefold()))
        if key in seen_prompts:
            problems.append(Problem(source, item.id, f"duplicate prompt (same as {seen_prompts[key]})"))
        else:
            seen_prompts[key] = item.id
    if not near:
        return problems
    shingled = [(source, item, _shingles(item.prompt)) for source, item in items]
    index: dict[str, list[int]] = {}
    for i, (_, _, sh) in enumerate(shingled):
        for s in sh:
            index.setdefault(s, []).append(i)
    for i, (source, item, sh) in enumerate(shingled):
        overlap: dict[int, int] = {}
        for s in sh:
            for j in index[s]:
                if j < i:
                    overlap[j] = overlap.get(j, 0) + 1
        for j, common in overlap.items():
            other = shingled[j]
            union = len(sh | other[2])
            if union and common / union >= NEAR_DUPLICATE_JACCARD and other[1].prompt != item.prompt:
                problems.append(Problem(source, item.id, f"prompt nearly duplicates {other[1].id}"))
    return problems


def similar_problems(items: list[tuple[str, Item]], among: Collection[str] | None = None) -> list[Problem]:
    """Pairs that ask the same thing with the same answer in other words, in any files and domains (see
    bot.content.similar). A heuristic, so `content check` shows these as warnings, not errors.
    With `among`, only pairs in which at least one item's id is in it (a pack against the bank)."""
    found = near_duplicates([it for _, it in items])
    out: list[Problem] = []
    for pair in found:
        (src_a, a), (src_b, b) = items[pair.first], items[pair.second]
        if a.prompt == b.prompt or (among is not None and a.id not in among and b.id not in among):
            continue  # identical prompts are already errors
        if among is not None and b.id not in among:
            (src_a, a), (src_b, b) = (src_b, b), (src_a, a)
        out.append(Problem(src_b, b.id, f"asks what {a.id} ({src_a}) asks, in other words (similarity "
                                        f"{pair.score:.2f}: prompts {pair.prompt_score:.2f}, answers "
                                        f"{pair.answer_score:.2f})"))
    return out


def load_items(paths: Iterable[Path], root: Path | None = None,
               near_duplicates: bool = True) -> tuple[list[tuple[str, Item]], list[Problem]]:
    found: list[tuple[str, Item]] = []
    problems: list[Problem] = []
    for f in bank_files(paths):
        name = str(f.relative_to(root)) if root and f.is_relative_to(root) else str(f)
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, None, f"cannot read: {exc}"))
            continue
        items, probs = parse_items(text, name)
        found.extend((name, it) for it in items)
        problems.extend(probs)
    problems.extend(duplicate_problems(found, near=near_duplicates))
    return found, problems


def load_bank(paths: Iterable[Path], root: Path | None = None, near_duplicates: bool = True) -> Bank:
    """The bank from these files or folders; raises BankError listing every problem. `near_duplicates`
    False skips the word-triple comparison of every prompt with every other (half a second for the shipped
    bank): the bot's start-up leaves it to `studybot content check`, which CI runs."""
    found, problems = load_items(paths, root, near_duplicates)
    if problems:
        raise BankError(problems)
    return Bank(tuple(item for _, item in found))
