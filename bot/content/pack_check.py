"""Every problem of a community pack, checked against the shared bank and the community's other packs.

One function, so `/studybot pack add`, `studybot pack add` and `studybot content check --pack` refuse
exactly the same packs with exactly the same list, all at once (not a first round of schema problems and
then, once those are fixed, a second round of id clashes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from bot.content.formats import FORMAT_NAMES, FORMATS, import_items
from bot.content.loader import Problem, duplicate_problems, similar_problems
from bot.content.schema import Domain, Item

MAX_PACK_ITEMS = 500
MAX_PACK_BYTES = 1_000_000
FORMATS_WITH_TOPICS = ("studybot", "csv")  # the others need the admin to say what the questions are about
PACK_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
SHARED_BANK = "the shared bank"
#: id prefix used to read a pack whose name is not valid, so its questions are still checked
STAND_IN_PREFIX = "pack"


_BY_SUFFIX = {".json": "opentdb", ".gift": "gift", ".txt": "gift", ".tsv": "anki-tsv", ".csv": "csv"}


def name_from_filename(filename: str) -> str:
    """A pack name from a file name: `Team NLP.yaml` -> `team-nlp`."""
    stem = PurePosixPath(filename.replace("\\", "/")).stem.casefold()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:32]


def guess_format(suffix: str, text: str) -> str:
    """A file's format from its name, and for YAML from its shape: ours has a top-level `items:` list,
    a Red trivia list is question keys with answer lists."""
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix in (".yaml", ".yml") and not re.search(r"(?m)^items\s*:", text):
        return "red-trivia"
    return "studybot"


def pack_source(name: str) -> str:
    return f"pack {name or '(no name)'}"


def pack_problems(name: str, text: str, fmt: str, domain: Domain | None, bank: Iterable[Item],
                  others: Sequence[tuple[str, Item]] = ()) -> tuple[list[Item], list[Problem]]:
    """The pack's items and every reason to refuse it (use the items only when there is none).

    `bank`: the shared bank; `others`: the community's other packs' items, each with its source
    (e.g. "pack team-nlp"). Only a format we cannot read or a file over the size limit stops the check
    early; everything else (name, topic, schema, limits, clashes with the bank and other packs) is
    reported together.
    """
    source = pack_source(name)
    problems: list[Problem] = []
    name_ok = PACK_NAME.fullmatch(name) is not None
    if not name_ok:
        problems.append(Problem(source, None, "a pack name is 1 to 32 lowercase letters, digits and dashes, "
                                              "starting with a letter or digit, like 'team-nlp'"))
    if fmt not in FORMATS:
        problems.append(Problem(source, None, f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}"))
        return [], problems
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_PACK_BYTES:
        problems.append(Problem(source, None, f"the pack is {size:,} bytes; the limit is {MAX_PACK_BYTES:,}"))
        return [], problems
    if fmt not in FORMATS_WITH_TOPICS and domain is None:
        problems.append(Problem(source, None, f"say which topic the questions belong to ({FORMAT_NAMES[fmt]} "
                                              "has none)"))
    items, parsed = import_items(text, fmt, domain=domain or Domain.ML_ALGORITHMS,
                                 id_prefix=name if name_ok else STAND_IN_PREFIX, source=source)
    problems += parsed
    if not items and not parsed:
        problems.append(Problem(source, None, "the pack has no questions"))
    if len(items) > MAX_PACK_ITEMS:
        problems.append(Problem(source, None, f"the pack has {len(items)} questions; the limit is "
                                              f"{MAX_PACK_ITEMS}"))
    theirs = [(SHARED_BANK, it) for it in bank] + list(others)
    ours = {it.id for it in items}
    clashes = duplicate_problems([*theirs, *((source, it) for it in items)])
    problems += [p for p in clashes if p.path == source and p.item_id in ours]
    return items, list(dict.fromkeys(problems))  # a clash inside the pack is found by both checks


def pack_warnings(name: str, items: Sequence[Item], bank: Iterable[Item],
                  others: Sequence[tuple[str, Item]] = ()) -> list[Problem]:
    """Questions of the pack that ask what the bank or another pack already asks, in other words.
    Not a reason to refuse the pack: the detector is a heuristic (see bot.content.similar)."""
    source = pack_source(name)
    theirs = [(SHARED_BANK, it) for it in bank] + list(others)
    return similar_problems([*theirs, *((source, it) for it in items)], among={it.id for it in items})
