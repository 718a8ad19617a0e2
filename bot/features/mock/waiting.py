"""Members a round could not pair: why (truthfully, from that round's candidates), and whether to tell them.

A member whose free times overlap nobody's stays unpaired round after round; a DM every round saying the
same thing is noise. So a waiting member is told at the start of a stretch of waiting (the first round
they wait after being paired, or ever), again when the reason or their own profile (tracks, timezone,
availability) changed since they were last told, and otherwise at most every `RETELL_ROUNDS` rounds.
The decision is taken in the round's own write (repo.create_round) and stored with the round, so a rerun
after a crash sends the same DMs (each under its outbox key) and no others.

Reasons (`reason_of`, pure): "alone" (nobody else was free to pair this round), "no-time" (nobody had a
free hour in common with the member), "no-track:<tracks>" (members free at the same times practise only
these other tracks), "taken" (members who fit were paired with others: the numbers did not work out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.features.mock.model import TRACK_LABELS
from bot.features.mock.pair_model import Candidate
from bot.features.mock.session_times import run_starts
from bot.messages import Reply

#: a member still waiting, for the same reason and with the same profile, is told again after this many rounds
RETELL_ROUNDS = 4
TITLE = "Mock interviews: next round"


@dataclass(frozen=True, slots=True)
class LastTold:
    """The last time a member was told they wait: what was said, on what profile, how long ago."""

    reason: str
    basis: str
    rounds_ago: int  # 1: the round before this one
    paired_since: bool  # the member was put in a (not cancelled) session after that round


def basis_of(tracks: Sequence[str], zone: str, availability: str) -> str:
    """What of the member's own profile a reason depends on (a change there is worth telling again)."""
    return f"{','.join(sorted(tracks))}|{zone}|{' '.join(availability.split()).lower()}"


def should_tell(last: LastTold | None, reason: str, basis: str) -> bool:
    return (last is None or last.paired_since or last.reason != reason or last.basis != basis
            or last.rounds_ago >= RETELL_ROUNDS)


def reason_of(member: str, candidates: Sequence[Candidate], starts: Mapping[str, int]) -> str:
    """Why this member of the round's candidates was left waiting (see the module docstring); `starts`:
    each candidate's session starts (session_times.run_starts)."""
    me = next((c for c in candidates if c.id == member), None)
    others = [c for c in candidates if c.id != member]
    if me is None or not others:
        return "alone"
    at_my_times = [c for c in others if starts[c.id] & starts[me.id]]
    if not at_my_times:
        return "no-time"
    if any(c.tracks & me.tracks for c in at_my_times):
        return "taken"
    return "no-track:" + ",".join(sorted(set().union(*(c.tracks for c in at_my_times)) - me.tracks))


def reasons(waiting: Sequence[str], candidates: Sequence[Candidate], session_slots: int) -> dict[str, str]:
    """`reason_of` each waiting member, each candidate's starts computed once."""
    starts = {c.id: run_starts(c.slots, session_slots) for c in candidates}
    return {m: reason_of(m, candidates, starts) for m in waiting}


def waiting_reply(reason: str) -> Reply:
    """The DM to a waiting member: why, and what would help (only what would)."""
    later = (f" I won't repeat this every round: you hear from me again when something changes, or in "
             f"{RETELL_ROUNDS} rounds if nothing does.")
    if reason == "alone":
        why = ("No partner this round: you were the only member free to pair. Nothing to change on your side; "
               "you are first in line next round, and more members joining (/mock join) is what helps.")
    elif reason == "no-time":
        why = ("No partner this round: nobody in the pool is free for a full hour at the same time as you this "
               "week. Widening your weekly free times (/mock availability) is what helps; you are first in line "
               "once your times meet someone's.")
    elif reason.startswith("no-track:"):
        tracks = [TRACK_LABELS.get(t, t) for t in reason.partition(":")[2].split(",") if t]
        listed = ", ".join(tracks) if tracks else "other tracks"
        why = ("No partner this round: the members free at your times practise other tracks "
               f"({listed}). Adding one of those tracks (/mock join keeps your other answers) would help, as "
               "would wider free times (/mock availability); you are first in line next round.")
    elif reason == "taken":
        why = ("No partner this round: the members who share a track and a free hour with you were paired with "
               "others (the numbers did not work out). You are first in line next round; wider free times "
               "(/mock availability) give you more choice.")
    else:  # a round of an earlier build, which kept no reason
        why = ("No partner this round: nobody else shared a track and a free hour with you, or the numbers did "
               "not work out. You are first in line next round. More free times help: /mock availability.")
        later = ""
    return Reply(title=TITLE, text=why + later)


def decide(waiting: Mapping[str, str], bases: Mapping[str, str],
           last: Mapping[str, LastTold | None]) -> dict[str, bool]:
    """For each waiting member (with their reason), whether this round tells them."""
    return {m: should_tell(last.get(m), r, bases.get(m, "")) for m, r in waiting.items()}
