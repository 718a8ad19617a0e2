"""Buttons, selects and modals. A button's or a select's custom_id is the core's action id, so any one
ever posted keeps working after a restart: `ActionItem` is a DynamicItem whose template is the action
codec, and every click or pick is rebuilt from the message it came from. Modal submissions are read
from the raw payload by their custom_id (the form id), so they do not depend on an in-memory modal
either."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import discord

from adapters.discord.text import markdown
from bot import markup as mk
from bot.actions import ACTION_ID
from bot.messages import Form, FormField, InputKind, Reply, Select, SelectOption, Style, clip

# the action codec (bot.actions): feature:verb[:arg...], ASCII, at most 100 characters
ACTION_TEMPLATE = re.compile(rf"(?P<action>{ACTION_ID.pattern})")
MODAL_TITLE_LIMIT = 45
MODAL_CHILDREN_LIMIT = 5
LABEL_LIMIT = 45
LABEL_DESCRIPTION_LIMIT = 100
PLACEHOLDER_LIMIT = 100
TEXT_INPUT_LIMIT = 4000
TEXT_DISPLAY_LIMIT = 4000
BUTTON_LABEL_LIMIT = 80
#: https://discord.com/developers/docs/components/reference#string-select
ROWS_PER_MESSAGE = 5
SELECT_OPTIONS_LIMIT = 25
OPTION_LABEL_LIMIT = 100
OPTION_DESCRIPTION_LIMIT = 100
SELECT_PLACEHOLDER_LIMIT = 150
# component types in MODAL_SUBMIT payloads
ACTION_ROW = 1
LABEL = 18
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})  # string, user, role, mentionable, channel

STYLES = {
    Style.PRIMARY: discord.ButtonStyle.primary,
    Style.SECONDARY: discord.ButtonStyle.secondary,
    Style.SUCCESS: discord.ButtonStyle.success,
    Style.DANGER: discord.ButtonStyle.danger,
}


class ActionSink(Protocol):
    async def on_action(self, interaction: discord.Interaction, action: str,
                        values: tuple[str, ...] = ()) -> None: ...


def sink_of(client: discord.Client) -> ActionSink:
    sink: ActionSink | None = getattr(client, "studybot", None)
    if sink is None:
        raise RuntimeError("this client has no studybot interaction handler")
    return sink


ActionWidget = discord.ui.Button[discord.ui.View] | discord.ui.Select[discord.ui.View]


def picked(interaction: discord.Interaction) -> tuple[str, ...]:
    """What a select's pick sent (the raw `values` of the MESSAGE_COMPONENT payload)."""
    data: Mapping[str, Any] = interaction.data or {}
    return tuple(str(v) for v in data.get("values") or ())


class ActionItem(discord.ui.DynamicItem[ActionWidget], template=ACTION_TEMPLATE):
    """A button or a string select carrying an action id; a click or a pick reaches the core as
    ChoiceSelected (with the picked values for a select).

    One DynamicItem class for both: discord.py keys dynamic items by their template, and buttons and
    selects share one (the action codec); the component type tells them apart when one is rebuilt."""

    def __init__(self, item: ActionWidget, row: int | None = None) -> None:
        super().__init__(item, row=row)

    @property
    def action(self) -> str:
        return self.custom_id

    @classmethod
    def button(cls, action: str, label: str | None = None,
               style: discord.ButtonStyle = discord.ButtonStyle.secondary, row: int | None = None) -> ActionItem:
        return cls(discord.ui.Button(label=label, style=style, custom_id=action), row=row)

    @classmethod
    def select(cls, spec: Select, row: int | None = None) -> ActionItem:
        return cls(discord.ui.Select(custom_id=spec.action, options=select_options(spec.options),
                                     placeholder=clip(spec.placeholder, SELECT_PLACEHOLDER_LIMIT),
                                     min_values=spec.min_values, max_values=max(1, spec.max_values)), row=row)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ActionItem:
        if isinstance(item, discord.ui.Button | discord.ui.Select):
            return cls(item)
        # another kind of component with an action id (none is ever sent): a plain button stands in
        return cls.button(match.group("action"))

    @property
    def is_select(self) -> bool:
        return isinstance(self.item, discord.ui.Select)

    async def callback(self, interaction: discord.Interaction) -> None:
        values = picked(interaction) if self.is_select else ()
        await sink_of(interaction.client).on_action(interaction, self.action, values)


def select_options(options: Iterable[SelectOption], defaults: Sequence[str] = ()) -> list[discord.SelectOption]:
    return [discord.SelectOption(label=clip(o.label, OPTION_LABEL_LIMIT), value=o.value,
                                 description=clip(o.description, OPTION_DESCRIPTION_LIMIT) if o.description else None,
                                 default=o.value in defaults)
            for o in list(options)[:SELECT_OPTIONS_LIMIT]]


def action_views(reply: Reply) -> list[discord.ui.View]:
    """The reply's selects (a row each, first) and choices (buttons, rows of five) as persistent
    components, five rows to a message: the first view fits beside the selects, any further view holds
    the buttons that did not (sent as a message of its own; an edit keeps only the first).

    Views are stopped before they are sent: discord.py then keeps no per-message copy, and the
    DynamicItem answers every click and pick."""
    rows: list[list[ActionItem]] = [[ActionItem.select(spec)] for spec in reply.selects]
    rows += [[ActionItem.button(c.action, clip(c.label, BUTTON_LABEL_LIMIT), STYLES[c.style]) for c in choices]
             for choices in reply.rows()]
    views: list[discord.ui.View] = []
    for start in range(0, len(rows), ROWS_PER_MESSAGE):
        view = discord.ui.View(timeout=None)
        for row, items in enumerate(rows[start : start + ROWS_PER_MESSAGE]):
            for item in items:
                item.row = row
                view.add_item(item)
        view.stop()
        views.append(view)
    return views


def _text_input(spec: FormField) -> discord.ui.TextInput[discord.ui.Modal]:
    return discord.ui.TextInput(
        custom_id=spec.id,
        style=discord.TextStyle.paragraph if spec.kind is InputKind.LONG else discord.TextStyle.short,
        required=spec.required,
        max_length=min(spec.max_length, TEXT_INPUT_LIMIT),
        placeholder=clip(spec.placeholder, PLACEHOLDER_LIMIT) if spec.placeholder else None,
        default=clip(spec.default, TEXT_INPUT_LIMIT) if spec.default else None,
    )


def _select_input(spec: FormField) -> discord.ui.Select[discord.ui.Modal]:
    """A select field: a string select inside the label (component type 3 in type 18)."""
    options = select_options(spec.options, spec.defaults)
    most = 1 if spec.kind is InputKind.SELECT else max(1, min(spec.max_values, len(options)))
    return discord.ui.Select(custom_id=spec.id, options=options, min_values=1 if spec.required else 0,
                             max_values=most, required=spec.required,
                             placeholder=clip(spec.placeholder, SELECT_PLACEHOLDER_LIMIT) if spec.placeholder else None)


def form_modal(form: Form) -> discord.ui.Modal:
    """A Form as a modal: the intro as a text display above the inputs when there is room for it (a
    modal holds five components), else shortened into the first input's description. Text fields are
    text inputs, select fields string selects, each inside a label."""
    modal = discord.ui.Modal(title=clip(form.title, MODAL_TITLE_LIMIT), custom_id=form.form_id, timeout=None)
    fields = form.fields[:MODAL_CHILDREN_LIMIT]
    intro_fits = bool(form.intro) and len(fields) < MODAL_CHILDREN_LIMIT
    if form.intro and intro_fits:
        modal.add_item(discord.ui.TextDisplay(clip(markdown(form.intro), TEXT_DISPLAY_LIMIT)))
    for index, spec in enumerate(fields):
        description = None
        if form.intro and not intro_fits and index == 0:
            description = clip(mk.plain_text(form.intro), LABEL_DESCRIPTION_LIMIT)
        component = _select_input(spec) if spec.is_select else _text_input(spec)
        modal.add_item(discord.ui.Label(text=clip(spec.label, LABEL_LIMIT), description=description,
                                        component=component))
    modal.stop()  # submissions are read from the payload (see modal_values), not from this object
    return modal


def _inputs(components: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    """Every input of a MODAL_SUBMIT's components: inside labels, or in legacy action rows."""
    for comp in components:
        kind = comp.get("type")
        if kind == ACTION_ROW:
            yield from _inputs(comp.get("components", ()))
        elif kind == LABEL and "component" in comp:
            yield from _inputs((comp["component"],))
        elif "custom_id" in comp:
            yield comp


def _is_select(component: Mapping[str, Any]) -> bool:
    return component.get("type") in SELECT_TYPES or "values" in component


def modal_values(components: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Text input values by custom_id from a MODAL_SUBMIT's components (selects are not text)."""
    return {str(c["custom_id"]): str(c.get("value") or "") for c in _inputs(components) if not _is_select(c)}


def modal_selections(components: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Select picks by custom_id from a MODAL_SUBMIT's components (nothing picked: an empty tuple)."""
    return {str(c["custom_id"]): tuple(str(v) for v in c.get("values") or ())
            for c in _inputs(components) if _is_select(c)}


#: custom ids of "Open the form" buttons; not an action id (a dot never appears in one), so the DynamicItem
#: leaves them alone and the handler answers them, with the form or with "expired"
FORM_BUTTON_PREFIX = "studybot.form."


def open_form_view(custom_id: str) -> discord.ui.View:
    """One "Open the form" button. Stopped like `action_view`: the handler answers its clicks."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Open the form", style=discord.ButtonStyle.primary, custom_id=custom_id))
    view.stop()
    return view
