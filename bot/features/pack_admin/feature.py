"""The pack admin feature, built: `/studybot pack` and its form, over the community's packs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import markup as mk
from bot.actions import Action, encode
from bot.content.format_names import FORMAT_NAMES, FORMATS
from bot.content.pack_rules import MAX_PACK_BYTES, MAX_PACK_ITEMS, guess_format, name_from_filename
from bot.content.problems import BankError
from bot.content.vocabulary import Domain
from bot.events import Actor, Attachment, CommandInvoked, FormSubmitted
from bot.features.daily.settings import QUESTION_SOURCES, QUESTIONS
from bot.features.pack_admin import COMMANDS, NAME
from bot.features.packs import Packs, added_text
from bot.messages import Form, FormField, InputKind, Reply, Response, clip
from bot.ports import Clock
from bot.registry import FeatureSpec
from bot.settings import SettingsStore

if TYPE_CHECKING:
    from bot.services import Services

PASTE_LIMIT = 4000
SHOWN_PROBLEMS = 15
HOW_TO_ADD = (
    "Add one with `/studybot pack add <name>` and paste the questions into the form, or attach a file "
    "(`file` option, where your platform has it). Formats: " + ", ".join(FORMATS) + ". The host can also run "
    "`studybot pack add` for big packs. The format is described in content/FORMAT.md."
)


class PackAdmin:
    def __init__(self, packs: Packs, settings: SettingsStore, clock: Clock) -> None:
        self._packs = packs
        self._settings = settings
        self._clock = clock

    async def on_command(self, event: CommandInvoked) -> Response:
        action = str(event.options.get("action") or "list")
        name = str(event.options.get("name") or "").strip().casefold()
        match action:
            case "list":
                return await self._list(event.actor.community.key)
            case "remove":
                if not name:
                    return Response.private("Say which pack: `/studybot pack remove <name>`.")
                if await self._packs.remove(event.actor.community.key, name, self._clock.now()):
                    return Response.private(f"Removed pack {mk.code(name)}. Questions already posted from it "
                                            "keep their reveal; no new ones will come from it.")
                return Response.private(f"There is no pack called {mk.code(name)}. "
                                        "See them with `/studybot pack list`.")
            case "add":
                return await self._add_from_command(event, name)
        return Response.private("Use `/studybot pack list`, `add` or `remove`.")

    async def _list(self, community: str) -> Response:
        rows = await self._packs.active(community)
        source = await self._settings.get(QUESTIONS, community)
        setting = (f"Daily questions come from: {mk.bold(source)} ({QUESTION_SOURCES[source]}). "
                   "Change it with `/studybot config questions <packs-first|all|packs>`.")
        if not rows:
            return Response.private(f"This community has no packs yet. {HOW_TO_ADD}\n\n{setting}")
        lines = [f"- {mk.code(r.name)}: {r.item_count} question{'s' * (r.item_count != 1)} "
                 f"({FORMAT_NAMES.get(r.source_format, r.source_format)}), added {mk.timestamp(r.added_at, 'd')}"
                 for r in rows]
        return Response(reply=Reply(title="Question packs", text="\n".join(lines) + f"\n\n{setting}"))

    async def _add_from_command(self, event: CommandInvoked, name: str) -> Response:
        fmt = str(event.options.get("format") or "")
        topic = str(event.options.get("topic") or "")
        attached = event.options.get("file")
        if isinstance(attached, Attachment):
            if not name:
                name = name_from_filename(attached.filename)
            if attached.size > MAX_PACK_BYTES:
                return Response.private(f"Pack refused: the file is {attached.size:,} bytes; the limit is "
                                        f"{MAX_PACK_BYTES:,}.")
            try:
                raw = await attached.read()
            except Exception:
                return Response.private("I could not download that file; nothing was added. Try attaching it "
                                        "again.")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                return Response.private("Pack refused: the file is not UTF-8 text.")
            return await self._add(event.actor, name, text, fmt or guess_format(attached.suffix, text), topic)
        if isinstance(attached, str) and attached:
            return Response.private("Files can't be attached to commands here. Run `/studybot pack add <name>` "
                                    "and paste the questions into the form, or ask the host to run "
                                    "`studybot pack add`.")
        if not event.can_open_form:
            return Response.private("Attach the pack as a file (`file` option), or ask the host to run "
                                    "`studybot pack add`.")
        return Response(form=pack_form(name, fmt or "studybot", topic))

    async def on_form(self, event: FormSubmitted) -> Response:
        values = event.values
        return await self._add(event.actor, values.get("name", ""), values.get("content", ""),
                               values.get("format", "") or "studybot", values.get("topic", ""), in_form=True)

    async def _add(self, actor: Actor, name: str, text: str, fmt: str, topic: str, *,
                   in_form: bool = False) -> Response:
        fmt = fmt.strip().casefold() or "studybot"
        domain: Domain | None = None
        if topic.strip():
            try:
                domain = Domain(topic.strip().casefold())
            except ValueError:
                # the pack's own problems too, so a fixed topic is not followed by a second refusal
                _, problems = await self._packs.check(actor.community.key, name, text, fmt, Domain.ML_ALGORITHMS)
                return _refused(in_form, "topic", [f"'{topic}' is not a topic; use one of: "
                                                   + ", ".join(d.value for d in Domain),
                                                   *(clip(str(p), 300) for p in problems)])
        try:
            summary = await self._packs.add(actor.community.key, name, text, fmt, domain, actor.member.id,
                                            self._clock.now())
        except BankError as exc:
            return _refused(in_form, "content", [clip(str(p), 300) for p in exc.problems])
        return Response.private(added_text(summary))


def _refused(in_form: bool, field: str, problems: list[str]) -> Response:
    shown = problems[:SHOWN_PROBLEMS]
    more = f"\n... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    listing = "\n".join(f"- {mk.escape(p)}" for p in shown)
    text = (f"Pack refused; nothing was added. {len(problems)} problem{'s' * (len(problems) != 1)}:\n"
            f"{listing}{more}")
    if not in_form:
        return Response.private(text)
    # the whole list in the form too: Slack shows a refused modal's errors in place and nothing else
    return Response(form_errors={field: clip("\n".join(shown) + more, 500)}, reply=Reply(text=text))


def pack_form(name: str, fmt: str, topic: str) -> Form:
    return Form(
        form_id=encode(NAME, "add"),
        title="Add a question pack",
        intro=(f"Paste a pack (up to {PASTE_LIMIT:,} characters here; at most {MAX_PACK_ITEMS} questions). "
               "A pack with any problem is refused whole and nothing is added. Formats: " + ", ".join(FORMATS)
               + "."),
        fields=(
            FormField("name", "Pack name (e.g. team-nlp)", max_length=32, default=name or None),
            FormField("format", "Format", max_length=20, default=fmt),
            FormField("topic", "Topic for formats without one (e.g. deep-learning)", required=False,
                      max_length=40, default=topic or None),
            FormField("content", "The questions", InputKind.LONG, max_length=PASTE_LIMIT),
        ),
        submit_label="Add pack",
    )


def build_feature(services: Services) -> FeatureSpec:
    packs = PackAdmin(services.packs, services.settings, services.clock)

    async def on_form(event: FormSubmitted, action: Action) -> Response:
        if action.verb != "add":
            return Response.private("That form has ended.")
        if not event.actor.is_admin:
            return Response.private("Only admins can add packs.")
        return await packs.on_form(event)

    return FeatureSpec(name=NAME, catalogue=COMMANDS, commands={"studybot pack": packs.on_command},
                       on_form=on_form, parts={"packs": packs}, admin_actions=("packs:add",))
