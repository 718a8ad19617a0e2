"""What /review shows: a card's question, its answer with the rating buttons, the empty queue, the
reminder DM. Text from the bank is escaped and clipped to fit every platform's message."""

from __future__ import annotations

from datetime import datetime, timedelta

from fsrs import Rating

from bot import markup as mk
from bot.actions import encode
from bot.content.item import Item
from bot.content.vocabulary import Kind
from bot.features.review import NAME
from bot.features.review.model import ReviewCard
from bot.features.review.srs import LABELS, RATINGS, span
from bot.messages import Choice, Field, Reply, Style, clip

PROMPT_LIMIT = 1200  # the question on the front of a card
PROMPT_ON_BACK = 400  # the question again above the answer
MODEL_ANSWER_LIMIT = 1200
EXPLANATION_LIMIT = 900
LETTERS = "ABCDEFGH"
STYLES = {Rating.Again: Style.DANGER, Rating.Hard: Style.SECONDARY, Rating.Good: Style.PRIMARY,
          Rating.Easy: Style.SUCCESS}
HOW_CARDS_COME = ("Cards join your queue when you miss a quiz question, or leave key points of a daily "
                  "question unticked in your checklist.")
SETTINGS_BUTTON = Choice("Reminder settings", encode(NAME, "settings"))
STALE = "You already rated that card, or that button is from an earlier card."
GONE = "That card is no longer in your queue."
FOREIGN = "That review card belongs to someone else; run /review for your own."


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def _title(item: Item) -> str:
    return f"Review · {item.domain.value}"


def _choices_text(item: Item) -> str:
    return "\n".join(f"{LETTERS[i]}) {mk.escape(c)}" for i, c in enumerate(item.choices or ()))


def question_reply(card: ReviewCard, item: Item, due: int, preface: str = "") -> Reply:
    """The front of the card: the question (for multiple choice, its choices as text) and Show answer."""
    text = mk.escape(clip(item.prompt, PROMPT_LIMIT))
    if item.kind is Kind.MULTIPLE_CHOICE:
        text += "\n\n" + _choices_text(item)
    text += "\n\nRecall your answer, then show it."
    return Reply(title=_title(item), text=(preface + "\n\n" if preface else "") + text,
                 fields=(Field("Topic", f"{item.domain.value} · {item.subtopic}"), Field("Due now", str(due))),
                 choices=(Choice("Show answer", encode(NAME, "show", card.id, card.reps), Style.PRIMARY),))


def answer_text(item: Item) -> str:
    """The back of the card: the right choice and why (multiple choice, short answer), or the key points
    and the model answer (open kinds)."""
    if item.kind is Kind.MULTIPLE_CHOICE and item.correct_index is not None:
        right = f"{LETTERS[item.correct_index]}) {mk.escape(item.answer or '')}"
        return f"{mk.bold('Answer')}: {right}\n\n{mk.escape(clip(item.explanation or '', EXPLANATION_LIMIT))}"
    if item.kind is Kind.SHORT_ANSWER:
        return (f"{mk.bold('Answer')}: {mk.escape(item.answer or '')}\n\n"
                f"{mk.escape(clip(item.explanation or '', EXPLANATION_LIMIT))}")
    parts = []
    if item.key_points:
        parts.append(mk.bold("Key points") + "\n" + "\n".join(f"- {mk.escape(k)}" for k in item.key_points))
    if item.model_answer:
        parts.append(mk.bold("Model answer") + "\n" + mk.escape(clip(item.model_answer, MODEL_ANSWER_LIMIT)))
    return "\n\n".join(parts) or "This question has no written answer; judge your recall yourself."


def answer_reply(card: ReviewCard, item: Item, due: int, comes_back: dict[Rating, timedelta]) -> Reply:
    text = (f"{mk.escape(clip(item.prompt, PROMPT_ON_BACK))}\n\n{answer_text(item)}\n\n"
            "How well did you recall it? (each button says when the card comes back)")
    choices = tuple(Choice(f"{LABELS[r]} · {span(comes_back[r])}", encode(NAME, "rate", card.id, card.reps, int(r)),
                           STYLES[r]) for r in RATINGS)
    return Reply(title=_title(item), text=text, choices=choices, fields=(Field("Due now", str(due)),))


def rated_line(rating: Rating, due_at: datetime, earned: int) -> str:
    gained = f" +{plural(earned, 'point')}." if earned else ""
    return (f"Rated {mk.bold(LABELS[rating])}: that card comes back {mk.timestamp(due_at, 'R')} "
            f"({mk.timestamp(due_at, 'd')}).{gained}")


def empty_reply(total: int, next_due_at: datetime | None, preface: str = "") -> Reply:
    """Nothing due: when the next card is, and how many there are."""
    if total == 0:
        body = f"Your review queue is empty. {HOW_CARDS_COME}"
    else:
        when = f" The next one is due {mk.timestamp(next_due_at, 'R')}." if next_due_at else ""
        body = f"No cards due right now.{when} You have {plural(total, 'card')} in your queue."
    lead = preface + "\n\n" if preface else ""
    return Reply(title="Review", text=lead + body + "\n\nA daily DM can tell you when cards are due: "
                 "`/review settings`.", choices=(SETTINGS_BUTTON,))


def set_aside_note(n: int) -> str:
    if not n:
        return ""
    return (f"I set aside {plural(n, 'card')} whose question is no longer in this community's bank "
            "(a pack was removed).")


def reminder_reply(due: int) -> Reply:
    return Reply(title="Review reminder",
                 text=f"You have {plural(due, 'review card')} due. A few minutes now keeps "
                      f"{'it' if due == 1 else 'them'} fresh.",
                 choices=(Choice("Start reviewing", encode(NAME, "next"), Style.PRIMARY),),
                 footer="Change or stop these DMs with /review settings.")
