"""Buttons and modals. A button's custom_id is the core's action id, so any button ever posted keeps
working after a restart: `ActionButton` is a DynamicItem whose template is the action codec, and every
click is rebuilt from the message it came from. Modal submissions are read from the raw payload by
their custom_id (the form id), so they do not depend on an in-memory modal either."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import discord

from adapters.discord.text import markdown
from bot import markup as mk
from bot.actions import ACTION_ID
from bot.messages import Form, InputKind, Reply, Style, clip

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

STYLES = {
    Style.PRIMARY: discord.ButtonStyle.primary,
    Style.SECONDARY: discord.ButtonStyle.secondary,
    Style.SUCCESS: discord.ButtonStyle.success,
    Style.DANGER: discord.ButtonStyle.danger,
}


class ActionSink(Protocol):
    async def on_action(self, interaction: discord.Interaction, action: str) -> None: ...


def sink_of(client: discord.Client) -> ActionSink:
    sink: ActionSink | None = getattr(client, "studybot", None)
    if sink is None:
        raise RuntimeError("this client has no studybot interaction handler")
    return sink


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=ACTION_TEMPLATE):
    """A button carrying an action id; clicks reach the core as ChoiceSelected."""

    def __init__(self, action: str, label: str | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary, row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=action), row=row)
        self.action = action

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> ActionButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        style = item.style if isinstance(item, discord.ui.Button) else discord.ButtonStyle.secondary
        return cls(match.group("action"), label, style)

    async def callback(self, interaction: discord.Interaction) -> None:
        await sink_of(interaction.client).on_action(interaction, self.action)


def action_view(reply: Reply) -> discord.ui.View:
    """The reply's choices as persistent buttons, rows of five. The view is stopped before it is sent:
    discord.py then keeps no per-message copy, and the DynamicItem answers every click."""
    view = discord.ui.View(timeout=None)
    for row, choices in enumerate(reply.rows()):
        for choice in choices:
            view.add_item(ActionButton(choice.action, clip(choice.label, BUTTON_LABEL_LIMIT),
                                       STYLES[choice.style], row=row))
    view.stop()
    return view


def form_modal(form: Form) -> discord.ui.Modal:
    """A Form as a modal: the intro as a text display above the inputs when there is room for it (a
    modal holds five components), else shortened into the first input's description."""
    modal = discord.ui.Modal(title=clip(form.title, MODAL_TITLE_LIMIT), custom_id=form.form_id, timeout=None)
    fields = form.fields[:MODAL_CHILDREN_LIMIT]
    intro_fits = bool(form.intro) and len(fields) < MODAL_CHILDREN_LIMIT
    if form.intro and intro_fits:
        modal.add_item(discord.ui.TextDisplay(clip(markdown(form.intro), TEXT_DISPLAY_LIMIT)))
    for index, spec in enumerate(fields):
        description = None
        if form.intro and not intro_fits and index == 0:
            description = clip(mk.plain_text(form.intro), LABEL_DESCRIPTION_LIMIT)
        text_input: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
            custom_id=spec.id,
            style=discord.TextStyle.paragraph if spec.kind is InputKind.LONG else discord.TextStyle.short,
            required=spec.required,
            max_length=min(spec.max_length, TEXT_INPUT_LIMIT),
            placeholder=clip(spec.placeholder, PLACEHOLDER_LIMIT) if spec.placeholder else None,
            default=clip(spec.default, TEXT_INPUT_LIMIT) if spec.default else None,
        )
        modal.add_item(discord.ui.Label(text=clip(spec.label, LABEL_LIMIT), description=description,
                                        component=text_input))
    modal.stop()  # submissions are read from the payload (see modal_values), not from this object
    return modal


def modal_values(components: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Input values by custom_id from a MODAL_SUBMIT's components (labels, or legacy action rows)."""
    values: dict[str, str] = {}
    for comp in components:
        kind = comp.get("type")
        if kind == 1:
            values.update(modal_values(comp.get("components", ())))
        elif kind == 18 and "component" in comp:
            values.update(modal_values((comp["component"],)))
        elif "custom_id" in comp:
            value = comp.get("value")
            if value is None and "values" in comp:
                value = ",".join(str(v) for v in comp["values"])
            values[str(comp["custom_id"])] = str(value or "")
    return values


#: custom ids of "Open the form" buttons; not an action id (a dot never appears in one), so the DynamicItem
#: leaves them alone and the handler answers them, with the form or with "expired"
FORM_BUTTON_PREFIX = "studybot.form."


def open_form_view(custom_id: str) -> discord.ui.View:
    """One "Open the form" button. Stopped like `action_view`: the handler answers its clicks."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Open the form", style=discord.ButtonStyle.primary, custom_id=custom_id))
    view.stop()
    return view
