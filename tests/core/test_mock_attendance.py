"""Who was at a mock session, from what each member answered for themselves (attendance.settle): the rules
by hand, and properties over every combination of answers (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.mock.attendance import settle
from bot.features.mock.model import Answer, Outcome, Report, SessionStatus

AT = datetime(2025, 6, 9, 17, tzinfo=UTC)
PAIR = ("ann", "bob")
TRIO = ("ann", "bob", "cyd")


def met(who: str) -> Report:
    return Report(who, Answer.MET, None, AT)


def absent(who: str, about: str) -> Report:
    return Report(who, Answer.ABSENT, about, AT)


def none(who: str) -> Report:
    return Report(who, Answer.NONE, None, AT)


def outcomes(members: tuple[str, ...], *reports: Report, final: bool = True) -> tuple[SessionStatus, list[str]]:
    got = settle(members, reports, final)
    return got.status, [got.outcomes[m].value for m in members]


def test_pairs_by_hand() -> None:
    assert outcomes(PAIR) == (SessionStatus.UNCONFIRMED, ["unconfirmed", "unconfirmed"])
    assert outcomes(PAIR, met("ann"), met("bob")) == (SessionStatus.DONE, ["present", "present"])
    assert outcomes(PAIR, met("ann")) == (SessionStatus.DONE, ["present", "present"])  # one "we met" vouches
    # a no-show counts only when the partner reported it and the member did not say it happened
    assert outcomes(PAIR, absent("bob", "ann")) == (SessionStatus.MISSED, ["noshow", "present"])
    assert outcomes(PAIR, absent("bob", "ann"), none("ann")) == (SessionStatus.MISSED, ["noshow", "present"])
    assert outcomes(PAIR, absent("bob", "ann"), met("ann")) == (SessionStatus.DISPUTED, ["disputed", "present"])
    assert outcomes(PAIR, absent("bob", "ann"), absent("ann", "bob")) == (SessionStatus.DISPUTED,
                                                                          ["disputed", "disputed"])
    assert outcomes(PAIR, none("ann")) == (SessionStatus.MISSED, ["excused", "excused"])
    assert outcomes(PAIR, none("ann"), none("bob")) == (SessionStatus.MISSED, ["excused", "excused"])
    assert outcomes(PAIR, none("ann"), met("bob")) == (SessionStatus.DISPUTED, ["disputed", "disputed"])


def test_before_the_window_closes_silence_decides_nothing() -> None:
    assert outcomes(PAIR, absent("bob", "ann"), final=False) == (SessionStatus.MISSED, ["pending", "present"])
    assert outcomes(PAIR, none("ann"), final=False)[1] == ["excused", "pending"]
    assert outcomes(PAIR, met("ann"), final=False)[1] == ["present", "present"]


def test_trios_by_hand() -> None:
    # two report that the third didn't show: the two met, the third's no-show counts
    assert outcomes(TRIO, absent("ann", "cyd"), absent("bob", "cyd")) == (SessionStatus.DONE,
                                                                          ["present", "present", "noshow"])
    # ... unless the third says they met: disputed for them, the others' session still happened
    assert outcomes(TRIO, absent("ann", "cyd"), met("bob"), met("cyd")) == (SessionStatus.DONE,
                                                                            ["present", "present", "disputed"])
    assert outcomes(TRIO, absent("ann", "cyd")) == (SessionStatus.MISSED, ["present", "unconfirmed", "noshow"])


members_st = st.sampled_from([PAIR, TRIO])


@st.composite
def answers(draw: st.DrawFn) -> tuple[tuple[str, ...], list[Report]]:
    members = draw(members_st)
    out = []
    for m in members:
        kind = draw(st.sampled_from(["silent", "met", "absent", "none"]))
        if kind == "met":
            out.append(met(m))
        elif kind == "none":
            out.append(none(m))
        elif kind == "absent":
            out.append(absent(m, draw(st.sampled_from([x for x in members if x != m]))))
    return members, draw(st.permutations(out))


@settings(max_examples=400, deadline=None)
@given(answers())
def test_a_no_show_counts_only_when_a_partner_reported_it_and_nothing_contradicts_it(
        case: tuple[tuple[str, ...], list[Report]]) -> None:
    members, reports = case
    got = settle(members, reports, final=True)
    by = {r.member: r for r in reports}
    for m in members:
        accused = any(r.answer is Answer.ABSENT and r.about == m for r in reports)
        said_there = m in by and by[m].answer in (Answer.MET, Answer.ABSENT)
        someone_met = any(r.answer is Answer.MET and r.member != m for r in reports)
        if got.outcomes[m] is Outcome.NOSHOW:
            assert accused and not said_there and not someone_met
        if accused and (said_there or someone_met):
            assert got.outcomes[m] is Outcome.DISPUTED  # contradicting reports count against nobody
        if accused and not said_there and not someone_met:
            assert got.outcomes[m] is Outcome.NOSHOW
    assert Outcome.PENDING not in got.outcomes.values()
    present = sum(o is Outcome.PRESENT for o in got.outcomes.values())
    assert (got.status is SessionStatus.DONE) == (present >= 2)
    if not reports:
        assert got.status is SessionStatus.UNCONFIRMED


@settings(max_examples=400, deadline=None)
@given(answers())
def test_what_is_decided_before_the_close_stays_decided_and_order_does_not_matter(
        case: tuple[tuple[str, ...], list[Report]]) -> None:
    members, reports = case
    final = settle(members, reports, final=True)
    early = settle(members, reports, final=False)
    for m in members:
        assert early.outcomes[m] in (Outcome.PENDING, final.outcomes[m])
        assert early.outcomes[m] is not Outcome.NOSHOW or m in {r.member for r in reports}
    assert settle(members, list(reversed(reports)), final=True) == final
