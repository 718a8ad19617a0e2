"""What the mock feature shows about "did it happen?": the answers board in the pair's space, what was
recorded when a session closed, and the answers to a late or second click. Pure functions of the session.

Everything here is said to the members of the session only (their private space, or only-you replies),
and says what the database holds: who answered what, who earned points, whose no-show counts.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot import markup as mk
from bot.actions import encode
from bot.features.mock import NAME, REPORT_WINDOW
from bot.features.mock.attendance import settle_session
from bot.features.mock.model import Answer, Outcome, Report, Session, SessionStatus
from bot.features.mock.points import FEEDBACK_GIVEN, SESSION_DONE
from bot.features.mock.views import all_of_you, at, people
from bot.messages import Choice, Reply, Style, clip

WINDOW_DAYS = int(REPORT_WINDOW.total_seconds() // 86400)
CLOSED_TITLE = "Mock interview: what was recorded"


def nobody_could(s: Session) -> str:
    return "Neither of us could make it" if len(s.members) == 2 else "None of us could make it"


def said(s: Session, r: Report | None, points: bool = True) -> str:
    """A member's answer in words, with the points it earned."""
    if r is None:
        return "not answered yet"
    if r.answer is Answer.MET:
        return "we met" + (f" (+{r.points} points)" if r.points and points else "")
    if r.answer is Answer.ABSENT:
        return f"{at(r.about or '')} didn't show"
    return nobody_could(s).lower()


def answer_choices(s: Session, names: Mapping[str, str]) -> list[Choice]:
    choices = [Choice("Yes, we met", encode(NAME, "met", s.id), Style.SUCCESS)]
    if len(s.members) == 2:
        choices.append(Choice("My partner didn't show", encode(NAME, "noshow", s.id)))
    else:  # a trio: say who
        choices += [Choice(f"{clip(names.get(m, 'A member'), 40)} didn't show", encode(NAME, "noshow", s.id, pos))
                    for pos, m in enumerate(s.members)]
    choices.append(Choice(nobody_could(s), encode(NAME, "none", s.id)))
    return choices


def card_choice(s: Session) -> Choice:
    return Choice("Write my scorecard", encode(NAME, "card", s.id), Style.PRIMARY)


def board_reply(s: Session, names: Mapping[str, str]) -> Reply:
    """"Did it happen?" with the answers so far (a session still open for answers)."""
    if s.status is not SessionStatus.BOOKED:
        return closed_reply(s)
    by = f" by {mk.timestamp(s.closes_at, 'f')}" if s.closes_at is not None else ""
    lines = [f"{people(s.members)}: did your mock interview happen? Each of you answers for yourself{by}. "
             f"A session that happened earns each of you {SESSION_DONE} points, and each scorecard you write "
             f"{FEEDBACK_GIVEN} more. A missed session counts against someone only when a partner reports it and "
             "they don't say it happened."]
    if s.reports:
        lines += ["", mk.bold("Answers so far")] + [f"- {at(m)}: {said(s, s.report_of(m))}" for m in s.members]
        outcomes = settle_session(s, final=False).outcomes
        for m in s.members:
            r = s.report_of(m)
            accusers = s.accusers(m)
            if accusers and r is None and outcomes[m] is Outcome.PENDING:
                lines.append(f"\n{at(m)}: {people(accusers)} says you didn't show. If you were there, answer "
                             f"\"Yes, we met\"{by}; otherwise it counts as a missed session for you.")
        disputed = [m for m in s.members if outcomes[m] is Outcome.DISPUTED]
        if disputed:
            whom = all_of_you(s) if len(disputed) == len(s.members) else people(disputed)
            lines.append(f"\nThese answers disagree about {whom}: a disputed answer counts against nobody "
                         "(and a session needs two members who were there to count as happened).")
    choices = answer_choices(s, names)
    if any(r.answer is Answer.MET for r in s.reports):
        choices.append(card_choice(s))
    return Reply(title="Did it happen?", text="\n".join(lines), choices=tuple(choices))


def outcome_line(s: Session, member: str, you: bool = False) -> str:
    """What was recorded for one member of a closed session (`you`: said to that member)."""
    o = s.outcome_of(member)
    r = s.report_of(member)
    them = "you" if you else "them"
    accusers = s.accusers(member)
    if o is Outcome.PRESENT:
        return ("you were there" if you else "was there") + (f" (+{SESSION_DONE} points)"
                                                            if s.status is SessionStatus.DONE else "")
    if o is Outcome.NOSHOW:
        by = f"as {people(accusers)} reported, " if accusers else ""
        return f"didn't show ({by}and did not say it happened): it counts as a missed session"
    if o is Outcome.EXCUSED:
        return f"couldn't make it: nothing counts against {them}"
    if o is Outcome.DISPUTED:
        kept = f"; {'you keep' if you else 'keeps'} the {r.points} points of that answer" if r and r.points else ""
        return f"disputed (answered: {said(s, r, points=False)}): nothing counts against {them}{kept}"
    return f"didn't answer: nothing counts against {them}"


def closed_reply(s: Session) -> Reply:
    """What was recorded when the session closed (the closing notice, and the board once closed)."""
    lines = [f"- {at(m)}: {outcome_line(s, m)}" for m in s.members]
    choices: tuple[Choice, ...] = ()
    match s.status:
        case SessionStatus.DONE:
            head = "It happened. Well done!"
            choices = (card_choice(s),)
            lines.append("\nScore your partner with \"Write my scorecard\": it reaches only them, by DM.")
        case SessionStatus.MISSED:
            head = "It did not take place."
        case SessionStatus.DISPUTED:
            head = "Your answers disagree, so I recorded this session as disputed: it counts against nobody."
        case SessionStatus.UNCONFIRMED:
            return Reply(title=CLOSED_TITLE, text=(
                f"Nobody answered \"Did it happen?\" within {WINDOW_DAYS} days of your mock interview, so I closed "
                "it as unconfirmed: no points, and nothing counts against anyone. No worries: the next round pairs "
                "you again."))
        case _:
            head = "This mock interview is over."
    return Reply(title=CLOSED_TITLE, text=f"{head}\n\n" + "\n".join(lines), choices=choices)


def late_text(s: Session, me: str) -> str:
    """The answer to a click on "did it happen?" after the session closed."""
    on = f" on {mk.timestamp(s.closed_at, 'd')}" if s.closed_at is not None else ""
    if s.status is SessionStatus.UNCONFIRMED:
        return (f"Too late to answer: nobody answered within {WINDOW_DAYS} days of this mock interview, so it was "
                f"closed{on} as unconfirmed. No points, and nothing counts against anyone; that can't change now.")
    return (f"This mock interview was closed{on}. What was recorded for you: {outcome_line(s, me, you=True)}. "
            "That can't change now.")


def already_text(s: Session, me: str) -> str:
    return f"You already answered: {said(s, s.report_of(me))}. Each of you answers once, for yourself."


def no_card_text(s: Session, me: str) -> str:
    """Why the member has no scorecard to write for their interviewee in this session, truthfully."""
    partner = s.interviewee(s.members.index(me))
    if s.status is SessionStatus.BOOKED:
        if s.report_of(me) is None:
            return ("A scorecard is written once the session has happened: answer \"Did it happen?\" in your "
                    "private space first.")
        outcomes = settle_session(s, final=False).outcomes
        if outcomes[me] is Outcome.PRESENT:
            return (f"By the answers so far {at(partner)}, your interviewee, wasn't there, so there is nothing to "
                    "score.")
        return "By the answers so far you weren't both there, so there is nothing to score."
    match s.status:
        case SessionStatus.DONE:
            if s.outcome_of(me) is Outcome.PRESENT:
                return f"{at(partner)}, your interviewee, wasn't there, as recorded, so there is nothing to score."
            if s.outcome_of(me) is Outcome.DISPUTED:
                return "The answers about you disagreed, so there is no scorecard for you to write."
            return "You weren't there, as recorded, so there is nothing to score."
        case SessionStatus.DISPUTED:
            return "This session was recorded as disputed (your answers disagreed), so it has no scorecards."
        case SessionStatus.MISSED:
            return "This session did not take place, as recorded, so there is nothing to score."
        case SessionStatus.UNCONFIRMED:
            return f"Nobody answered \"Did it happen?\" within {WINDOW_DAYS} days, so this session has no scorecards."
        case SessionStatus.CANCELLED:
            return "This session was cancelled, so there is nothing to score."
    return "A scorecard is written once the session has happened."
