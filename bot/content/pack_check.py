"""Every problem of a community pack, checked against the shared bank and the community's other packs.

One function, so `/studybot pack add`, `studybot pack add` and `studybot content check --pack` refuse
exactly the same packs with exactly the same list, all at once (not a first round of schema problems and
then, once those are fixed, a second round of id clashes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.content.formats import FORMAT_NAMES, FORMATS, import_items
from bot.content.item import Item
from bot.content.loader import Problem, duplicate_problems, similar_problems
from bot.content.pack_rules import (
    FORMATS_WITH_TOPICS,
    MAX_PACK_BYTES,
    MAX_PACK_ITEMS,
    PACK_NAME,
    SHARED_BANK,
    STAND_IN_PREFIX,
    pack_source,
)
from bot.content.vocabulary import Domain


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
