"""The JSON Schema of a bank file (`content/schema.json`), generated from the pydantic model.

Regenerate after changing `schema.py`: `python -m bot.content.schema_json` (or
`studybot content schema --write`); a test fails while the committed file differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from bot.content.schema import ItemModel

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "content" / "schema.json"


class _AuthorsNames(GenerateJsonSchema):
    """Definitions named as authors know them (`CodeTest`, not the model class `CodeTestModel`)."""

    def normalize_name(self, name: str) -> str:
        return super().normalize_name(name).removesuffix("Model")


def bank_file_schema() -> dict[str, Any]:
    """`{domain, items}` where each item is an `Item` whose `domain` may be inherited from the header."""
    item = ItemModel.model_json_schema(ref_template="#/$defs/{model}", schema_generator=_AuthorsNames)
    defs: dict[str, Any] = dict(item.pop("$defs", {}))
    item["required"] = [r for r in item.get("required", []) if r != "domain"]
    item["description"] = (item.get("description", "") + " Per-kind rules are in content/FORMAT.md and "
                           "are checked by `studybot content check`.").strip()
    defs["Item"] = item
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://studybot.local/content/schema.json",
        "title": "studybot question bank file",
        "description": "A YAML file under content/bank/: a header domain and its items (see content/FORMAT.md).",
        "type": "object",
        "additionalProperties": False,
        "required": ["domain", "items"],
        "properties": {
            "domain": {"$ref": "#/$defs/Domain"},
            "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
        },
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    return json.dumps(bank_file_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0]) if args else SCHEMA_PATH
    out.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
