"""Export the bank to other quiz formats and import them back, through the same `Item` model.

Formats: "studybot" (our YAML, lossless), "red-trivia" (Red-DiscordBot trivia lists), "opentdb" (Open
Trivia DB JSON), "gift" (Moodle GIFT), "anki-tsv" (front<TAB>back) and "csv". A foreign format holds
less than an item: exports write the kinds it can carry (see `exportable`), and imports make
multiple-choice items where the format has four choices and short-answer items otherwise, with ids
`<id_prefix>-<n>` and a default explanation naming the source.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.format_names import FORMAT_NAMES as FORMAT_NAMES  # re-exported: importers keep this path
from bot.content.format_names import FORMATS as FORMATS
from bot.content.item import FIELDS, Item, item_data
from bot.content.loader import YAML_LOADER, Problem, _format_validation, duplicate_problems, parse_items
from bot.content.schema import ID_PATTERN, validate_item
from bot.content.vocabulary import CHOICE_COUNT, EXPLAINED_KINDS, Domain, Kind

CSV_COLUMNS = ("id", "domain", "subtopic", "kind", "difficulty", "prompt", "choices", "answer",
               "explanation", "model_answer")
CHOICE_SEPARATOR = " | "
IMPORTED_SUBTOPIC = "imported"
#: The id prefix of each domain (content/FORMAT.md); imports default to `<code>-import`.
DOMAIN_CODES = {
    Domain.MATH_STATS: "ms", Domain.PROGRAMMING: "pg", Domain.ML_ALGORITHMS: "ml", Domain.DEEP_LEARNING: "dl",
    Domain.ML_SYSTEM_DESIGN: "sd", Domain.MLOPS: "ops", Domain.CODING: "cd", Domain.BEHAVIOURAL: "bh",
}
_ANSWERED = (Kind.MULTIPLE_CHOICE, Kind.SHORT_ANSWER)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def exportable(items: list[Item], fmt: str) -> list[Item]:
    """The items this format can carry: answered kinds only for the quiz formats, every item otherwise."""
    _check_format(fmt)
    if fmt == "opentdb":
        return [it for it in items if it.kind is Kind.MULTIPLE_CHOICE]
    if fmt in ("red-trivia", "gift"):
        return [it for it in items if it.kind in _ANSWERED]
    return list(items)


# ------------------------------------------------------------------------------------------ export


class _Dumper(yaml.SafeDumper):
    """Quotes every string and writes multi-line text as `|` blocks (the bank's house style)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent block lists under their key


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else '"')


def _dict(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    """Field names stay plain (`id:`), every value is quoted by `_str`."""
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in data.items():
        plain = isinstance(key, str) and re.fullmatch(r"[a-z_]+", key) is not None
        key_node = dumper.represent_scalar("tag:yaml.org,2002:str", key) if plain else dumper.represent_data(key)
        pairs.append((key_node, dumper.represent_data(value)))
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=False)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(dict, _dict)


def _item_dict(item: Item, header: Domain) -> dict[str, Any]:
    raw: dict[str, Any] = item_data(item)
    raw["id"] = item.id  # never dropped, even if a default ever appears
    if item.domain is header:
        raw.pop("domain", None)
    else:
        raw["domain"] = item.domain.value
    order = list(FIELDS)
    return dict(sorted(raw.items(), key=lambda kv: order.index(kv[0])))


def export_studybot(items: list[Item], domain: Domain | None = None) -> str:
    """A bank file: header `domain` (the most common one unless given) and the items."""
    header = domain or (Counter(it.domain for it in items).most_common(1)[0][0] if items else Domain.ML_ALGORITHMS)
    doc = {"domain": header.value, "items": [_item_dict(it, header) for it in items]}
    out: str = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**6,
                         default_flow_style=False)
    return out


def _export_red(items: list[Item]) -> str:
    doc = {it.prompt: [it.answer or "", *([] if it.kind is Kind.MULTIPLE_CHOICE else it.accepted)]
           for it in items}
    out: str = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**6,
                         default_flow_style=False)
    return out


def _export_opentdb(items: list[Item]) -> str:
    e = html.escape
    results = [
        {
            "type": "multiple",
            "difficulty": it.difficulty.value,
            "category": e(f"{it.domain.value}: {it.subtopic}"),
            "question": e(it.prompt),
            "correct_answer": e(it.answer or ""),
            "incorrect_answers": [e(c) for c in it.choices or [] if c != it.answer],
        }
        for it in items
    ]
    return json.dumps({"response_code": 0, "results": results}, indent=2, ensure_ascii=False) + "\n"


_GIFT_SPECIAL = "~=#{}:"


def gift_escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in _GIFT_SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _export_gift(items: list[Item]) -> str:
    blocks: list[str] = []
    category = None
    for it in items:
        cat = f"studybot/{it.domain.value}/{it.subtopic}".replace("\n", " ")
        if cat != category:
            blocks.append(f"$CATEGORY: {cat}")
            category = cat
        if it.kind is Kind.MULTIPLE_CHOICE:
            answers = [("=" if c == it.answer else "~") + gift_escape(c) for c in it.choices or []]
        else:
            answers = ["=" + gift_escape(a) for a in [it.answer or "", *it.accepted]]
        if it.explanation:
            answers.append("####" + gift_escape(it.explanation))
        body = "\n".join(f"\t{a}" for a in answers)
        blocks.append(f"::{it.id}:: {gift_escape(it.prompt)} {{\n{body}\n}}")
    return "\n\n".join(blocks) + "\n"


def _anki_field(text: str) -> str:
    return html.escape(text, quote=False).replace("\t", "    ").replace("\n", "<br>")


def _export_anki(items: list[Item]) -> str:
    lines = ["#separator:tab", "#html:true"]
    for it in items:
        front = it.prompt
        if it.kind is Kind.MULTIPLE_CHOICE and it.choices:
            front += "\n\n" + "\n".join(f"{'ABCD'[i]}. {c}" for i, c in enumerate(it.choices))
        back = it.answer if it.kind in _ANSWERED else it.model_answer
        lines.append(f"{_anki_field(front)}\t{_anki_field(back or '')}")
    return "\n".join(lines) + "\n"


def _export_csv(items: list[Item]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for it in items:
        writer.writerow([it.id, it.domain.value, it.subtopic, it.kind.value, it.difficulty.value, it.prompt,
                         CHOICE_SEPARATOR.join(it.choices or []), it.answer or "", it.explanation or "",
                         it.model_answer or ""])
    return buf.getvalue()


_EXPORTERS: dict[str, Callable[[list[Item]], str]] = {
    "studybot": export_studybot,
    "red-trivia": _export_red,
    "opentdb": _export_opentdb,
    "gift": _export_gift,
    "anki-tsv": _export_anki,
    "csv": _export_csv,
}


def export_items(items: list[Item], fmt: str) -> str:
    """The items in `fmt`; kinds the format cannot carry are left out (see `exportable`)."""
    return _EXPORTERS[fmt](exportable(items, fmt))


# ------------------------------------------------------------------------------------------ import


class _Importer:
    """Collects raw questions from a foreign format and validates each one into an `Item`."""

    def __init__(self, fmt: str, domain: Domain, id_prefix: str, source: str) -> None:
        self.fmt, self.domain, self.prefix, self.source = fmt, domain, id_prefix, source
        self.items: list[Item] = []
        self.problems: list[Problem] = []

    def fail(self, n: int | None, message: str) -> None:
        self.problems.append(Problem(self.source, f"question #{n}" if n else None, message))

    def add(self, n: int, *, prompt: str, choices: list[str], correct: list[str], explanation: str = "",
            subtopic: str = "", difficulty: str = "", domain: str = "", tags: list[str] | None = None) -> None:
        """One question: multiple choice when it has four choices with one correct, else short answer."""
        correct = [c.strip() for c in correct if c.strip()]
        if not correct:
            self.fail(n, "no correct answer")
            return
        explanation = explanation.strip()
        if len(explanation) < 20:
            explanation = f"This question was imported from {FORMAT_NAMES[self.fmt]} without an explanation."
        raw: dict[str, Any] = {
            "id": f"{self.prefix}-{n:03d}",
            "domain": domain.strip() or self.domain.value,
            "subtopic": subtopic.strip() or IMPORTED_SUBTOPIC,
            "difficulty": difficulty.strip().lower() or "medium",
            "tags": tags if tags is not None else [self.fmt],
            "prompt": prompt.strip(),
            "explanation": explanation,
        }
        if len(choices) == CHOICE_COUNT and len(correct) == 1:
            raw |= {"kind": Kind.MULTIPLE_CHOICE.value, "choices": [c.strip() for c in choices],
                    "answer": correct[0]}
        else:
            accepted = list(dict.fromkeys(a for a in correct[1:] if a != correct[0]))
            raw |= {"kind": Kind.SHORT_ANSWER.value, "answer": correct[0], "accepted": accepted}
        try:
            self.items.append(validate_item(raw))
        except ValidationError as exc:
            self.problems.extend(Problem(self.source, raw["id"], m) for m in _format_validation(exc))


def _import_red(imp: _Importer, text: str) -> None:
    try:
        doc = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        imp.fail(None, f"not valid YAML: {exc}")
        return
    if not isinstance(doc, dict):
        imp.fail(None, "expected a mapping of question: [answers]")
        return
    n = 0
    for question, answers in doc.items():
        if question == "AUTHOR" and not isinstance(answers, list):
            continue
        n += 1
        if not isinstance(answers, list):
            answers = [answers]
        imp.add(n, prompt=str(question), choices=[], correct=[str(a) for a in answers if a is not None])


def _import_opentdb(imp: _Importer, text: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        imp.fail(None, f"not valid JSON: {exc}")
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        imp.fail(None, "expected an object with a list 'results'")
        return
    if doc.get("response_code", 0) != 0:
        imp.fail(None, f"response_code is {doc.get('response_code')!r}, not 0")
    u = html.unescape
    for n, q in enumerate(doc["results"], 1):
        if not isinstance(q, dict) or not isinstance(q.get("question"), str):
            imp.fail(n, "each result needs a 'question'")
            continue
        correct = u(str(q.get("correct_answer", "")))
        wrong = [u(str(w)) for w in q.get("incorrect_answers") or []]
        choices: list[str] = []
        if q.get("type", "multiple") == "multiple" and len(wrong) == CHOICE_COUNT - 1:
            # put the right answer at a stable, prompt-dependent position rather than always last
            choices = list(wrong)
            choices.insert(zlib.crc32(q["question"].encode()) % CHOICE_COUNT, correct)
        category = u(str(q.get("category", "")))
        imp.add(n, prompt=u(q["question"]), choices=choices, correct=[correct],
                subtopic=category.rpartition(": ")[2], difficulty=str(q.get("difficulty", "")))


_GIFT_ESCAPES = "\\" + _GIFT_SPECIAL
_PLACEHOLDER = 0xE000


def _gift_protect(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        ch = m.group(1)
        if ch == "n":
            return "\n"
        if ch in _GIFT_ESCAPES:
            return chr(_PLACEHOLDER + _GIFT_ESCAPES.index(ch))
        return m.group(0)

    return re.sub(r"\\(.)", repl, text, flags=re.S)


def _gift_restore(text: str) -> str:
    for i, ch in enumerate(_GIFT_ESCAPES):
        text = text.replace(chr(_PLACEHOLDER + i), ch)
    return text.strip()


def _import_gift(imp: _Importer, text: str) -> None:
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if not ln.lstrip().startswith("//")]
    blocks = [b.strip() for b in re.split(r"\n\s*\n", "\n".join(lines)) if b.strip()]
    subtopic = ""
    n = 0
    for block in blocks:
        if block.startswith("$CATEGORY:"):
            subtopic = block.removeprefix("$CATEGORY:").strip().splitlines()[0].rpartition("/")[2]
            continue
        n += 1
        body = _gift_protect(block)
        title = re.match(r"::(.*?)::", body, flags=re.S)
        if title:
            body = body[title.end():]
        body = re.sub(r"^\s*\[(html|moodle|plain|markdown)\]", "", body)
        start, end = body.find("{"), body.rfind("}")
        if start < 0 or end < start:
            imp.fail(n, "no answer block { ... }")
            continue
        after = _gift_restore(body[end + 1 :])
        prompt = _gift_restore(body[:start]) + (f" _____ {after}" if after else "")
        answers, _, feedback = body[start + 1 : end].partition("####")
        answers = answers.strip()
        correct: list[str] = []
        choices: list[str] = []
        if not answers:
            imp.fail(n, "an essay question has no answer to import")
            continue
        if "->" in answers:
            imp.fail(n, "matching questions cannot be imported")
            continue
        if answers.upper() in ("T", "F", "TRUE", "FALSE"):
            correct = ["true" if answers.upper().startswith("T") else "false"]
        elif answers.startswith("#"):
            correct = [_gift_restore(answers[1:].partition("#")[0])]
        else:
            for part in re.split(r"(?=[=~])", answers):
                part = part.strip()
                if not part:
                    continue
                if part[0] not in "=~":
                    imp.fail(n, f"cannot read answer {_gift_restore(part)!r}")
                    continue
                value = re.sub(r"^%-?[\d.]+%", "", part[1:].partition("#")[0].strip())
                value = _gift_restore(value)
                choices.append(value)
                if part[0] == "=":
                    correct.append(value)
        imp.add(n, prompt=prompt, choices=choices, correct=correct, explanation=_gift_restore(feedback),
                subtopic=subtopic)


def _anki_unfield(text: str) -> str:
    return html.unescape(re.sub(r"<br\s*/?>", "\n", text, flags=re.I))


def _import_anki(imp: _Importer, text: str) -> None:
    n = 0
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip() or line.startswith("#"):
            continue
        n += 1
        fields = line.split("\t")
        if len(fields) < 2:
            imp.fail(n, "expected front<TAB>back")
            continue
        imp.add(n, prompt=_anki_unfield(fields[0]), choices=[], correct=[_anki_unfield(fields[1])])


def _import_csv(imp: _Importer, text: str) -> None:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "prompt" not in reader.fieldnames:
        imp.fail(None, f"expected a header row with at least 'prompt' and 'answer' ({', '.join(CSV_COLUMNS)})")
        return
    for n, row in enumerate(reader, 1):
        get = {k: (v or "") for k, v in row.items() if isinstance(k, str) and isinstance(v, str)}
        if get.get("kind", "") in {k.value for k in EXPLAINED_KINDS}:
            imp.fail(n, f"kind {get['kind']} cannot be rebuilt from CSV (no key points or follow-ups)")
            continue
        choices = [c for c in get.get("choices", "").split(CHOICE_SEPARATOR) if c.strip()]
        answer = get.get("answer", "") or get.get("model_answer", "")
        imp.add(n, prompt=get.get("prompt", ""), choices=[c.strip() for c in choices], correct=[answer],
                explanation=get.get("explanation", ""), subtopic=get.get("subtopic", ""),
                difficulty=get.get("difficulty", ""), domain=get.get("domain", ""))


_IMPORTERS: dict[str, Callable[[_Importer, str], None]] = {
    "red-trivia": _import_red,
    "opentdb": _import_opentdb,
    "gift": _import_gift,
    "anki-tsv": _import_anki,
    "csv": _import_csv,
}


def import_items(text: str, fmt: str, *, domain: Domain, id_prefix: str,
                 source: str = "<import>") -> tuple[list[Item], list[Problem]]:
    """Items read from `text` in `fmt`, and every problem found (use the items only when there is none).

    "studybot" text keeps its own ids and domains (`domain` and `id_prefix` are not used); other
    formats get ids `<id_prefix>-<n>` and `domain` unless a row names its own (csv).
    """
    _check_format(fmt)
    if fmt == "studybot":
        items, problems = parse_items(text, source)
    else:
        if not re.fullmatch(ID_PATTERN, id_prefix) or len(id_prefix) > 50:
            return [], [Problem(source, None, f"id prefix {id_prefix!r} must be lowercase words and digits "
                                              "joined by '-'")]
        imp = _Importer(fmt, domain, id_prefix, source)
        _IMPORTERS[fmt](imp, text)
        items, problems = imp.items, imp.problems
        if not items and not problems:
            problems.append(Problem(source, None, f"no questions found in {FORMAT_NAMES[fmt]}"))
    problems += duplicate_problems([(source, it) for it in items])
    return items, problems
