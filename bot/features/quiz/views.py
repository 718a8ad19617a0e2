"""What quizzes and races show: questions with lettered buttons, results, summaries, reveals, standings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot import markup as mk
from bot.actions import encode
from bot.content.item import Item
from bot.features.quiz import NAME
from bot.ids import CommunityRef, MemberRef
from bot.messages import MAX_LABEL, Choice, Field, Reply, Style, clip

LETTERS = "ABCDEFGH"
MEDALS = ("🥇", "🥈", "🥉")
EXPLANATION_LIMIT = 900
ENDED = "That quiz button is no longer in use (the quiz ended or was replaced). Start one with /quiz."


def letter(index: int) -> str:
    return LETTERS[index] if 0 <= index < len(LETTERS) else "?"


def choice_text(item: Item, index: int) -> str:
    choices = item.choices or []
    return f"{letter(index)}) {choices[index]}" if 0 <= index < len(choices) else letter(index)


def layout(item: Item, action: Callable[[int], str]) -> tuple[str, tuple[Choice, ...]]:
    """The choices as buttons "A) text" when every one fits a label; else as "A) text" lines in the message
    with buttons that carry only the letter."""
    choices = item.choices or []
    labels = [f"{letter(i)}) {c}" for i, c in enumerate(choices)]
    if all(len(label) <= MAX_LABEL for label in labels):
        return "", tuple(Choice(label, action(i)) for i, label in enumerate(labels))
    return lines(item), tuple(Choice(letter(i), action(i)) for i in range(len(choices)))


def lines(item: Item, marks: dict[int, str] | None = None) -> str:
    marks = marks or {}
    return "\n".join(f"{marks.get(i, '')}{mk.bold(letter(i) + ')')} {mk.escape(c)}"
                     for i, c in enumerate(item.choices or []))


def meta(item: Item) -> tuple[Field, ...]:
    return (Field("Topic", f"{item.domain.value} · {item.subtopic}"), Field("Difficulty", item.difficulty.value))


def duration(span: timedelta) -> str:
    seconds = max(0, int(span.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


# solo ---------------------------------------------------------------------------------------------
def question_reply(session_id: int, idx: int, total: int, item: Item) -> Reply:
    listing, buttons = layout(item, lambda k: encode(NAME, "ans", session_id, idx, k))
    text = mk.escape(item.prompt) + (f"\n\n{listing}" if listing else "")
    return Reply(title=f"Quiz · question {idx + 1} of {total}", text=text, fields=meta(item), choices=buttons)


def result_reply(session_id: int, idx: int, total: int, item: Item, picked: int, correct: bool, earned: int,
                 finished: bool, repeat: bool = False) -> Reply:
    marks = {item.correct_index or 0: "✅ "}
    if not correct:
        marks[picked] = "❌ "
    if correct:
        head = f"✅ Right: {mk.bold(mk.escape(choice_text(item, picked)))}."
    else:
        head = (f"❌ Not quite: you picked {mk.escape(choice_text(item, picked))}. The answer is "
                f"{mk.bold(mk.escape(choice_text(item, item.correct_index or 0)))}.")
    if earned:
        head += f" +{earned} points."
    elif correct:
        head += " No points this time: you got this one right in the last 30 days."
    if repeat:
        head = "You already answered this one, so it counts as before.\n" + head
    text = (f"{mk.escape(item.prompt)}\n\n{lines(item, marks)}\n\n{head}\n\n"
            f"{mk.bold('Why')}: {mk.escape(clip(item.explanation or '', EXPLANATION_LIMIT))}")
    nxt = (Choice("See my results", encode(NAME, "next", session_id), Style.PRIMARY) if finished
           else Choice("Next question", encode(NAME, "next", session_id), Style.PRIMARY))
    return Reply(title=f"Quiz · question {idx + 1} of {total}", text=text, fields=meta(item), choices=(nxt,))


def summary_reply(session_id: int, score: int, asked: int, taken: timedelta, earned: int,
                  weakest: tuple[str, int, int] | None, to_review: int | None) -> Reply:
    parts = [f"Score: {mk.bold(f'{score}/{asked}')}" + (f" ({round(100 * score / asked)}%)" if asked else ""),
             f"Time: {duration(taken)}"]
    if weakest is not None:
        topic, right, of = weakest
        parts.append(f"Weakest topic: {mk.bold(topic)} ({right} of {of} right)")
    else:
        parts.append("Weakest topic: none, every answer was right.")
    parts.append(f"Points: +{earned}")
    if to_review:
        parts.append(f"{plural(to_review, 'question')} you missed went to your review queue: /review brings "
                     "them back when they are due.")
    return Reply(title="Quiz results", text="\n".join(parts),
                 choices=(Choice("Another quiz like this", encode(NAME, "again", session_id), Style.PRIMARY),))


def offer_reply(open_id: int, new_id: int, answered: int, total: int, about: str) -> Reply:
    return Reply(title="You have a quiz open",
                 text=f"Your quiz on {about} is at question {answered + 1} of {total}. Continue it, or start "
                      "the new one (the open one ends where it is)?",
                 choices=(Choice("Continue", encode(NAME, "cont", open_id, new_id), Style.PRIMARY),
                          Choice("Start new", encode(NAME, "new", open_id, new_id))))


# races ------------------------------------------------------------------------------------------
def announce_reply(race_id: int, starter: MemberRef, count: int, seconds: int, about: str,
                   first_at: datetime) -> Reply:
    text = (f"{mk.mention(starter)} started a quiz race: {plural(count, 'question')} on {about}, {seconds} s each.\n"
            "Pick with the letter buttons; your pick is private and your first pick counts. When a question "
            "closes, the answer and the fastest right answers are shown. Right answers score, faster ones "
            f"score more.\n\nThe first question comes {mk.timestamp(first_at, 'R')}.")
    return Reply(title="Quiz race", text=text,
                 choices=(Choice("Stop the race", encode(NAME, "stop", race_id), Style.DANGER),))


def race_question_reply(question_id: int, idx: int, total: int, item: Item, deadline: datetime) -> Reply:
    listing, buttons = layout(item, lambda k: encode(NAME, "pick", question_id, k))
    text = (mk.escape(item.prompt) + (f"\n\n{listing}" if listing else "")
            + f"\n\nPick privately; it closes {mk.timestamp(deadline, 'R')}.")
    return Reply(title=f"Race · question {idx + 1} of {total}", text=text, fields=meta(item), choices=buttons)


def reveal_reply(idx: int, total: int, item: Item, picked: int, right: int,
                 fastest: Sequence[tuple[MemberRef, timedelta]]) -> Reply:
    answer = item.correct_index or 0
    who = (f"{plural(picked, 'member')} picked; {right} got it right." if picked
           else "Nobody picked this time.")
    podium = ", ".join(f"{MEDALS[n]} {mk.mention(m)} ({t.total_seconds():.1f} s)" for n, (m, t) in enumerate(fastest))
    text = (f"{mk.escape(item.prompt)}\n\n{lines(item, {answer: '✅ '})}\n\n"
            f"Answer: {mk.bold(mk.escape(choice_text(item, answer)))}\n"
            f"{mk.escape(clip(item.explanation or '', EXPLANATION_LIMIT))}\n\n{who}"
            + (f"\nFastest right: {podium}" if podium else ""))
    return Reply(title=f"Race · question {idx + 1} of {total} · closed", text=text, fields=meta(item))


def standings_reply(community: CommunityRef, rows: Sequence[tuple[str, int, int]], asked: int,
                    ending: str) -> Reply:
    """`rows`: (member, points, right answers), best first."""
    if rows:
        listing = "\n".join(
            f"{MEDALS[n] if n < len(MEDALS) and pts > 0 else f'{n + 1}.'} {mk.mention(MemberRef(community, m))}: "
            f"{mk.bold(str(pts))} pts ({right}/{asked} right)" for n, (m, pts, right) in enumerate(rows[:10]))
    else:
        listing = "Nobody scored this time."
    return Reply(title="Race results", text=f"{ending}\n\n{listing}")
