"""What the daily question shows: the post, the form, the saved reply, the reveal, the checklist."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from bot import markup as mk
from bot.actions import encode
from bot.commands import ANSWER_LIMIT
from bot.community import format_days
from bot.content.item import Item
from bot.features import points
from bot.features.daily.model import Answer, Round, RoundStatus
from bot.features.daily.settings import DailySchedule
from bot.features.schedule import next_occurrence
from bot.ids import MemberRef
from bot.messages import Choice, Field, Form, FormField, InputKind, Reply, Response, Style, clip

# One limit every form can round-trip: Slack's plain-text input holds at most 3,000 characters (Discord
# 4,000), so an answer saved anywhere can be opened for editing anywhere without losing text.
MAX_ANSWER = ANSWER_LIMIT
LATE_ANSWER_WINDOW = timedelta(days=7)
# control characters (category Cc) except tab and newline, bidi overrides and isolates, zero-width space, BOM
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\ufeff]")

ENDED = "This question has ended, or that button is no longer mine. Try /daily for today's question."
ALREADY = {
    RoundStatus.POSTED: "Today's question is already posted.",
    RoundStatus.REVEALING: "Today's question has already been revealed.",
    RoundStatus.REVEALED: "Today's question has already been revealed.",
    RoundStatus.SKIPPED: "Today's question was skipped (its time passed while I could not post it).",
}
KEPT = ("The reveal has happened, so your saved answer can no longer be edited; it stays as you last "
        "saved it before the reveal.")


def setup_summary(settings: DailySchedule, now: datetime) -> str:
    """What the daily question does now that /studybot setup saved (the admin's confirmation)."""
    occ = next_occurrence(now, settings.post_time, settings.zone, settings.days)
    first = f" The first question comes {mk.timestamp(occ.at, 'f')}." if occ else ""
    return (f"The daily question will be posted here {format_days(settings.days)} at "
            f"{settings.post_time.strftime('%H:%M')} ({settings.timezone}).{first} "
            "Answer with the buttons or /daily.")


def handed_back(text: str) -> str:
    """The member's own text, shown back to them so nothing they wrote is lost."""
    return "\n\nHere is what you sent, so you can keep it:\n" + mk.escape(clip(text, MAX_ANSWER))


def clean_answer(text: str) -> str:
    """NFC, no control or bidi-override characters, trimmed; newlines and emoji kept."""
    return _UNWANTED.sub("", unicodedata.normalize("NFC", text)).strip()





# rendering ----------------------------------------------------------------------------------------
def too_long(text: str) -> Response:
    """Refuse an over-long answer but hand the text back, so the member loses nothing."""
    problem = f"Your answer is {len(text):,} characters; the limit is {MAX_ANSWER:,}, so it was not saved."
    overflow = text[MAX_ANSWER - 200 :]
    return Response(
        form_errors={"answer": f"That is {len(text):,} characters; the limit is {MAX_ANSWER:,}."},
        reply=Reply(text=f"{problem} Shorten it and submit again. The part past the limit was:\n"
                         + mk.escape(clip(overflow, 1500))),
    )


def _meta(item: Item) -> tuple[Field, ...]:
    return (Field("Topic", f"{item.domain.value} · {item.subtopic}"),
            Field("Difficulty", item.difficulty.value))


def question_reply(rnd: Round, item: Item, mine: Answer | None = None) -> Reply:
    choices = [Choice("Edit my answer" if mine else "Answer", encode("daily", "answer", rnd.id), Style.PRIMARY)]
    if mine is None:
        choices.append(Choice("Skip", encode("daily", "skip", rnd.id)))
    if item.hint:
        choices.append(Choice("Hint", encode("daily", "hint", rnd.id)))
    reveal = (f"\n\nAnswers stay private until the reveal {mk.timestamp(rnd.reveal_due_at, 'R')}."
              if rnd.reveal_due_at else "")
    return Reply(title=f"Daily question · {rnd.local_date.isoformat()}", text=mk.escape(item.prompt) + reveal,
                 fields=_meta(item), choices=tuple(choices))


def answer_form(rnd: Round, item: Item, mine: Answer | None) -> Form:
    late = not rnd.open_for_answers
    intro = ("The reveal has happened: this is a late answer, and you get the model answer once it is saved."
             "\n\n" if late else "") + mk.escape(item.prompt)
    label = "Your late answer" if late else "Your answer (private until the reveal)"
    return Form(
        form_id=encode("daily", "submit", rnd.id),
        title="Your late answer" if late else "Your answer",
        intro=intro,
        fields=(FormField("answer", label, InputKind.LONG,
                          max_length=MAX_ANSWER, placeholder="Explain as you would in an interview",
                          default=mine.text if mine else None),),
        submit_label="Save answer",
    )


def saved_reply(rnd: Round, ans: Answer, earned: int) -> Reply:
    share = (Choice("Keep private", encode("daily", "private", rnd.id)) if ans.shared
             else Choice("Share at the reveal", encode("daily", "share", rnd.id), Style.SUCCESS))
    when = f" until the reveal {mk.timestamp(rnd.reveal_due_at, 'R')}" if rnd.reveal_due_at else ""
    sharing = ("It will be shared in the reveal thread." if ans.shared
               else "It stays private; share it if you'd like kudos.")
    gained = f" +{earned} points." if earned else ""
    return Reply(text=f"Saved. Only you can see your answer{when}. {sharing}{gained}\n"
                      "You can edit it until the reveal.",
                 choices=(Choice("Edit my answer", encode("daily", "answer", rnd.id)), share))


def late_reply(ans: Answer, item: Item, earned: int) -> Reply:
    gained = f" (+{earned} points for a late answer)" if earned else ""
    body = (f"Saved{gained}. The reveal has happened, so here is the model answer:\n\n"
            f"{mk.escape(item.model_answer or '')}")
    return Reply(text=body, title="Late answer saved", choices=checklist_choices(ans, item))


def reveal_reply(rnd: Round, item: Item, answers: list[Answer], shared: list[Answer]) -> Reply:
    on_time = [a for a in answers if not a.late]
    key_points = "\n".join(f"- {mk.escape(k)}" for k in item.key_points or ())
    n = len(on_time)
    if n:
        thread = f"; {len(shared)} shared their answer in the thread" if shared else ""
        people = (f"{n} member{'s' * (n != 1)} answered{thread}. If you answered, check your DMs to tick the "
                  "key points you covered.")
    else:
        people = "Nobody answered this one before the reveal. You can still answer it late with /daily."
    text = (f"{bold_prompt(item)}\n\n{mk.bold('Model answer')}\n{mk.escape(item.model_answer or '')}\n\n"
            f"{mk.bold('Key points')}\n{key_points}\n\n{people}")
    return Reply(title=f"Reveal · {rnd.local_date.isoformat()}", text=text, fields=_meta(item))


def bold_prompt(item: Item) -> str:
    return f"{mk.bold('Question')}: {mk.escape(item.prompt)}"


def shared_answer_reply(ans: Answer, author: MemberRef) -> Reply:
    return Reply(text=f"{mk.mention(author)} answered:\n{mk.escape(ans.text)}",
                 choices=(Choice("Kudos", encode("daily", "kudos", ans.id), Style.SUCCESS),))


def checklist_choices(ans: Answer, item: Item) -> tuple[Choice, ...]:
    ticks = tuple(
        Choice(f"{'☑' if i in ans.covered else '☐'} {i + 1}", encode("daily", "tick", ans.id, i),
               Style.SUCCESS if i in ans.covered else Style.SECONDARY)
        for i in range(len(item.key_points or ()))
    )
    return (*ticks, Choice("Done", encode("daily", "done", ans.id), Style.PRIMARY))


def checklist_reply(ans: Answer, item: Item) -> Reply:
    listing = "\n".join(f"{i + 1}. {mk.escape(k)}" for i, k in enumerate(item.key_points or ()))
    return Reply(title="Your checklist",
                 text=f"Which key points did your answer cover? Tick them, then press Done "
                      f"(+{points.KEY_POINT_COVERED} points each).\n\n{listing}",
                 choices=checklist_choices(ans, item))


