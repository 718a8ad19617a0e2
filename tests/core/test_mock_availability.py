"""Weekly availability for peer mocks: parsing plain ranges, the text shown back, and UTC slots of real weeks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.mock.availability import MAX_RANGES, MAX_TEXT, Availability, AvailabilityError, WeeklyRange
from bot.features.mock.availability_parser import parse_availability
from bot.features.mock.grid import SLOT, SLOTS_PER_WEEK
from bot.features.mock.utc_week import WeekGrid, slot_index, slot_start, utc_slots, week_start_of

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def described(text: str) -> str:
    return parse_availability(text).describe()


def error(text: str) -> str:
    with pytest.raises(AvailabilityError) as caught:
        parse_availability(text)
    message = str(caught.value)
    assert "Mon-Thu 18:00-21:00, Sat 10:00-13:00" in message  # every refusal shows an example
    return message


def wall_times(text: str, zone: str, week: datetime) -> list[str]:
    """The member's free UTC slots of that week, shown as local wall times ("Sun 01:00")."""
    tz = ZoneInfo(zone)
    slots = utc_slots(parse_availability(text), tz, week)
    return [slot_start(week, i).astimezone(tz).strftime("%a %H:%M") for i in sorted(slots)]


# -------------------------------------------------------------------------------------------- parsing

@pytest.mark.parametrize(("text", "shown"), [
    ("Mon-Thu 18:00-21:00, Sat 10:00-13:00", "Mon-Thu 18:00-21:00, Sat 10:00-13:00"),
    ("weekdays 7pm-9pm", "Mon-Fri 19:00-21:00"),
    ("Tue 18-20; Sun 10:00-12:30", "Tue 18:00-20:00, Sun 10:00-12:30"),
    ("mon,wed 18:30-20:00", "Mon/Wed 18:30-20:00"),
    ("MONDAY 18:00-19:00, tuesdays 8am-9am", "Mon 18:00-19:00, Tue 08:00-09:00"),
    ("thurs 7 p.m. - 9 p.m.", "Thu 19:00-21:00"),
    ("Sat 10-2pm", "Sat 10:00-14:00"),  # one side with pm: the shorter reading
    ("Mon 7-9pm", "Mon 19:00-21:00"),
    ("Mon 7-9", "Mon 07:00-09:00"),  # bare hours are 24-hour
    ("mon to fri 19h-21h30", "Mon-Fri 19:00-21:30"),
    ("Sat noon-midnight", "Sat 12:00-24:00"),
    ("Sat 18:00-00:00", "Sat 18:00-24:00"),
    ("Sun all day", "Sun 00:00-24:00"),
    ("every day 6-8am", "every day 06:00-08:00"),
    ("Mon-Sun 00:00-24:00", "every day 00:00-24:00"),
    ("weekends 9.30-11", "Sat, Sun 09:30-11:00".replace(", ", "/")),
    ("Fri-Mon 20-22", "Mon/Fri-Sun 20:00-22:00"),  # a day range may wrap over Sunday
    ("7pm-9pm on weekdays", "Mon-Fri 19:00-21:00"),  # times first, days after
    ("Mon 18-20, 21-22", "Mon 18:00-20:00, 21:00-22:00"),  # more ranges for the same day
    ("Mon/Wed 7-8, Mon/Wed 18-20, Sat 10-13", "Mon/Wed 07:00-08:00, 18:00-20:00, Sat 10:00-13:00"),
    ("Mon 1830-2000", "Mon 18:30-20:00"),
])
def test_plain_ranges_are_read_and_shown_back_normalised(text: str, shown: str) -> None:
    assert described(text) == shown


def test_overlapping_and_touching_ranges_are_merged() -> None:
    assert described("Mon 18:00-20:00, Mon 19:00-21:00, Mon 21:00-22:00, Tue-Wed 10-11, Tue 10:30-12") == \
        "Mon 18:00-22:00, Tue 10:00-12:00, Wed 10:00-11:00"
    a = parse_availability("Mon 18:00-20:00, Mon 19:00-21:00")
    assert a.ranges == (WeeklyRange(MON, time(18), time(21)),)


def test_a_range_across_midnight_spills_into_the_next_day() -> None:
    a = parse_availability("Fri 22:00-01:00")
    assert a.ranges == (WeeklyRange(FRI, time(22), time(0)), WeeklyRange(SAT, time(0), time(1)))
    assert a.describe() == "Fri 22:00-01:00"
    # Sunday night wraps into Monday: the local week repeats
    b = parse_availability("Sun 23:00-01:30")
    assert b.ranges == (WeeklyRange(MON, time(0), time(1, 30)), WeeklyRange(SUN, time(23), time(0)))
    assert b.describe() == "Sun 23:00-01:30"
    assert described("thurs 11pm-1am") == "Thu 23:00-01:00"


def test_odd_minutes_are_rounded_inside_the_range_and_said() -> None:
    a = parse_availability("Mondays and Fridays 18:15-19:45")
    assert a.describe() == "Mon/Fri 18:30-19:30"
    assert a.notes == ("'18:15-19:45' was read as 18:30-19:30: times go on the half-hour grid, "
                       "rounded inside the range",)
    assert parse_availability("Mon 18:00-20:00").notes == ()
    assert "does not cover a whole half hour" in error("Mon 18:10-18:40")


def test_odd_unicode_is_read() -> None:
    # full-width letters, digits and colon; en dash; non-breaking, thin and zero-width spaces
    assert described("ＭＯＮ １８：００–２０：００") == "Mon 18:00-20:00"
    assert described("Mon\u00a018:00\u201320:00,\u2009Sat\u202f10\u201412") == "Mon 18:00-20:00, Sat 10:00-12:00"
    assert described("Tue\u200b 18:00 \u2212 19:00") == "Tue 18:00-19:00"
    assert described("Wed 18:00〜19:00") == "Wed 18:00-19:00"
    assert described("Thu ١٨-٢٠") == "Thu 18:00-20:00"  # Arabic-Indic digits


@pytest.mark.parametrize(("text", "said"), [
    ("Montag 18-20", "'Montag' is not a day or a time"),
    ("понедельник 18-20", "'понедельник' is not a day or a time"),
    ("Mon 18-20 😀", "'😀' is not a day or a time"),
    ("Mon 18:00", "'18:00' needs an end time, like 18:00-20:00"),
    ("18-20", "'18-20' has no day before it (put the days first"),
    ("Mon", "'Mon' has no times after it"),
    ("Mon 18-20, Sun", "'Sun' has no times after it"),
    ("Mon 25:00-26:00", "'25:00' is not a time of day; '26:00' is not a time of day"),
    ("Mon 18:75-19", "'18:75' is not a time of day"),
    ("Mon 13pm-14pm", "'13pm' is not a time of day"),
    ("Mon 18:00-18:00", "'18:00-18:00' starts and ends at the same time"),
    ("Mon - ", "a '-' without a day or a time on each side"),
    ("", "there are no days or times in it"),
    ("on at", "there are no days or times in it"),
])
def test_bad_input_names_what_could_not_be_understood(text: str, said: str) -> None:
    assert said in error(text)


def test_every_bad_part_is_listed_at_once_with_the_original_spelling() -> None:
    with pytest.raises(AvailabilityError) as caught:
        parse_availability("Mon 18-20, Tues 19-21, Frday 18-20, Sat 9:99-10")
    assert caught.value.problems == ("'Frday' is not a day or a time", "'9:99' is not a time of day")
    assert str(caught.value).startswith("I couldn't read all of that: 'Frday' is not a day or a time; ")


def test_over_long_input_is_refused_with_the_limit() -> None:
    text = "Mon 18:00-20:00, " * 60
    assert len(text) > MAX_TEXT
    assert f"the text is {len(text)} characters long; keep it under {MAX_TEXT}" in error(text)
    assert described(text[:MAX_TEXT].rsplit(",", 1)[0]) == "Mon 18:00-20:00"


def test_too_many_separate_ranges_are_refused() -> None:
    text = "every day " + ", ".join(f"{h:02d}:00-{h:02d}:30" for h in range(5))  # 35 ranges
    assert f"that makes 35 separate ranges in the week; keep it to {MAX_RANGES} or fewer" in error(text)
    assert len(parse_availability("every day " + ", ".join(f"{h:02d}:00-{h:02d}:30" for h in range(4))).ranges) == 28


def test_none_is_an_empty_availability() -> None:
    a = parse_availability("none")
    assert a.is_empty and a.describe() == "none" and utc_slots(a, ZoneInfo("UTC"), week_start_of(NOW)) == frozenset()
    assert parse_availability(a.describe()) == a
    assert not parse_availability("Mon 18-19").is_empty


def test_weekly_range_keeps_its_invariants() -> None:
    with pytest.raises(ValueError, match="half-hour grid"):
        WeeklyRange(MON, time(18, 15), time(19))
    with pytest.raises(ValueError, match="after the start"):
        WeeklyRange(MON, time(19), time(18))
    with pytest.raises(ValueError, match="weekday"):
        WeeklyRange(7, time(18), time(19))
    whole = Availability((WeeklyRange(SAT, time(0), time(0)),))
    assert whole.describe() == "Sat 00:00-24:00"
    # built by hand, out of order and overlapping: normalised like parsed text
    by_hand = Availability((WeeklyRange(SAT, time(11), time(13)), WeeklyRange(SAT, time(10), time(12))))
    assert by_hand == parse_availability("Sat 10-13") and by_hand.ranges == (WeeklyRange(SAT, time(10), time(13)),)


local_weeks = st.frozensets(st.integers(0, SLOTS_PER_WEEK - 1), max_size=SLOTS_PER_WEEK)


@st.composite
def few_runs(draw: st.DrawFn) -> frozenset[int]:
    """A week of up to 15 runs (so at most 30 ranges after splitting at midnight)."""
    runs = draw(st.lists(st.tuples(st.integers(0, SLOTS_PER_WEEK - 1), st.integers(1, 60)), max_size=15))
    return frozenset(s % SLOTS_PER_WEEK for start, length in runs for s in range(start, start + length))


@settings(max_examples=300, deadline=None)
@given(st.one_of(few_runs(), local_weeks))
def test_describe_round_trips_through_the_parser(slots: frozenset[int]) -> None:
    a = Availability.from_local_slots(slots)
    assert a.local_slots() == slots
    text = a.describe()
    if len(a.ranges) <= MAX_RANGES:
        assert len(text) < MAX_TEXT
        assert parse_availability(text) == a, text
    else:
        with pytest.raises(AvailabilityError, match="separate ranges"):
            parse_availability(text)


@settings(max_examples=200, deadline=None)
@given(local_weeks)
def test_utc_is_the_local_week_shifted_by_a_fixed_offset(slots: frozenset[int]) -> None:
    a = Availability.from_local_slots(slots)
    week = datetime(2025, 1, 6, tzinfo=UTC)  # no DST anywhere below
    assert utc_slots(a, ZoneInfo("UTC"), week) == slots
    assert utc_slots(a, ZoneInfo("Asia/Kolkata"), week) == frozenset((s - 11) % SLOTS_PER_WEEK for s in slots)
    assert utc_slots(a, ZoneInfo("America/New_York"), week) == frozenset((s + 10) % SLOTS_PER_WEEK for s in slots)


# ------------------------------------------------------------------------------------------ UTC slots

NOW = datetime(2025, 3, 5, 12, tzinfo=UTC)


def test_week_helpers() -> None:
    week = week_start_of(NOW)
    assert week == datetime(2025, 3, 3, tzinfo=UTC)
    assert slot_start(week, 0) == week and slot_start(week, 335) == week + 335 * SLOT
    assert slot_index(week, datetime(2025, 3, 4, 18, 45, tzinfo=UTC)) == 48 + 37
    with pytest.raises(ValueError, match=r"not in 0\.\.335"):
        slot_start(week, 336)
    with pytest.raises(ValueError, match="Monday 00:00 UTC"):
        slot_start(week + timedelta(hours=1), 0)
    with pytest.raises(ValueError, match="Monday 00:00 UTC"):
        utc_slots(parse_availability("Mon 18-19"), ZoneInfo("UTC"), datetime(2025, 3, 3))


def test_new_york_spring_forward_inside_the_week() -> None:
    # Sunday 9 March 2025: 02:00 EST jumps to 03:00 EDT; the wall hour 02:00-03:00 does not exist
    week = datetime(2025, 3, 3, tzinfo=UTC)
    assert wall_times("Sun 01:00-04:00", "America/New_York", week) == \
        ["Sun 01:00", "Sun 01:30", "Sun 03:00", "Sun 03:30"]
    # before the change: UTC-5; after it: UTC-4, the same wall time is an hour earlier in UTC
    slots = utc_slots(parse_availability("Sat 18:00-19:00, Sun 18:00-19:00"), ZoneInfo("America/New_York"), week)
    assert [slot_start(week, i).strftime("%a %H:%M") for i in sorted(slots)] == \
        ["Sat 23:00", "Sat 23:30", "Sun 22:00", "Sun 22:30"]


def test_new_york_fall_back_counts_the_repeated_hour_twice() -> None:
    # Sunday 2 November 2025: 02:00 EDT falls back to 01:00 EST; 01:00-02:00 happens twice
    week = datetime(2025, 10, 27, tzinfo=UTC)
    tz = ZoneInfo("America/New_York")
    slots = sorted(utc_slots(parse_availability("Sun 01:00-02:00"), tz, week))
    starts = [slot_start(week, i) for i in slots]
    assert [s.strftime("%H:%M") for s in starts] == ["05:00", "05:30", "06:00", "06:30"]
    assert [s.astimezone(tz).strftime("%H:%M %Z") for s in starts] == ["01:00 EDT", "01:30 EDT", "01:00 EST",
                                                                        "01:30 EST"]


@pytest.mark.parametrize(("week", "before", "after"), [
    (datetime(2025, 3, 24, tzinfo=UTC), "17:00", "16:00"),  # 30 March: CET -> CEST
    (datetime(2025, 10, 20, tzinfo=UTC), "16:00", "17:00"),  # 26 October: CEST -> CET
])
def test_berlin_dst_inside_the_week(week: datetime, before: str, after: str) -> None:
    tz = ZoneInfo("Europe/Berlin")
    slots = utc_slots(parse_availability("Sat 18:00-18:30, Mon 18:00-18:30"), tz, week)
    assert [slot_start(week, i).strftime("%a %H:%M") for i in sorted(slots)] == [f"Mon {before}",
                                                                                f"Sat {before}"]
    later = utc_slots(parse_availability("Sun 18:00-18:30"), tz, week)
    assert [slot_start(week, i).strftime("%a %H:%M") for i in later] == [f"Sun {after}"]


def test_berlin_night_range_across_the_spring_gap() -> None:
    # Sat 23:00 to Sun 03:00 local, with 02:00-03:00 skipped: three real hours
    assert wall_times("Sat 23:00-03:00", "Europe/Berlin", datetime(2025, 3, 24, tzinfo=UTC)) == \
        ["Sat 23:00", "Sat 23:30", "Sun 00:00", "Sun 00:30", "Sun 01:00", "Sun 01:30"]


def test_kolkata_half_hour_offset() -> None:
    week = datetime(2025, 6, 2, tzinfo=UTC)
    slots = utc_slots(parse_availability("Mon 18:00-19:30"), ZoneInfo("Asia/Kolkata"), week)
    assert [slot_start(week, i).strftime("%a %H:%M") for i in sorted(slots)] == ["Mon 12:30", "Mon 13:00",
                                                                                "Mon 13:30"]


def test_kathmandu_quarter_hour_offset_keeps_only_whole_slots() -> None:
    # UTC+05:45: local 18:00-20:00 is 12:15-14:15 UTC; only the slots wholly inside it count
    week = datetime(2025, 6, 2, tzinfo=UTC)
    assert wall_times("Mon 18:00-20:00", "Asia/Kathmandu", week) == ["Mon 18:15", "Mon 18:45", "Mon 19:15"]


def test_midnight_spill_wraps_at_the_edges_of_the_utc_week() -> None:
    week = datetime(2025, 6, 2, tzinfo=UTC)
    # Sunday 22:00-01:00 UTC: Sunday's part at the end, the Monday spill at the start of the same week
    assert sorted(utc_slots(parse_availability("Sun 22:00-01:00"), ZoneInfo("UTC"), week)) == \
        [0, 1, 332, 333, 334, 335]
    # Tokyo (UTC+9) Monday 08:00 is Sunday 23:00 UTC: the end of this UTC week, nothing dropped
    assert sorted(utc_slots(parse_availability("Mon 08:00-09:00"), ZoneInfo("Asia/Tokyo"), week)) == [334, 335]
    # Los Angeles (UTC-7) Sunday 20:00-22:00 is Monday 03:00-05:00 UTC: the start of this UTC week
    assert sorted(utc_slots(parse_availability("Sun 20:00-22:00"), ZoneInfo("America/Los_Angeles"), week)) == \
        [6, 7, 8, 9]


def test_week_grid_matches_utc_slots_for_many_members() -> None:
    week = datetime(2025, 10, 20, tzinfo=UTC)
    grid = WeekGrid(ZoneInfo("Europe/Berlin"), week)
    for text in ("Mon-Thu 18:00-21:00, Sat 10:00-13:00", "Sun 01:00-04:00", "every day 00:00-24:00"):
        a = parse_availability(text)
        assert grid.slots(a) == utc_slots(a, ZoneInfo("Europe/Berlin"), week)
    # a whole week free is 336 slots in a plain week, also across a DST change (the UTC week is whole)
    assert len(grid.slots(parse_availability("every day 00:00-24:00"))) == SLOTS_PER_WEEK


def reference_slots(a: Availability, zone: ZoneInfo, week: datetime) -> frozenset[int]:
    """Minute by minute: a UTC slot is free when every minute of it falls in a free local half-hour."""
    local = a.local_slots()

    def free(at: datetime) -> bool:
        wall = at.astimezone(zone)
        return wall.weekday() * 48 + wall.hour * 2 + wall.minute // 30 in local

    return frozenset(i for i in range(SLOTS_PER_WEEK)
                     if all(free(week + i * SLOT + timedelta(minutes=k)) for k in range(30)))


ZONES = ("America/New_York", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
         "Pacific/Chatham", "America/St_Johns", "Africa/Casablanca", "Pacific/Apia", "UTC")
DST_WEEKS = (datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 24, tzinfo=UTC),
             datetime(2025, 3, 31, tzinfo=UTC), datetime(2025, 9, 22, tzinfo=UTC),
             datetime(2025, 10, 20, tzinfo=UTC), datetime(2025, 10, 27, tzinfo=UTC),
             datetime(2025, 2, 24, tzinfo=UTC), datetime(2011, 12, 26, tzinfo=UTC))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(DST_WEEKS), local_weeks)
def test_utc_slots_match_a_minute_by_minute_reference(zone: str, week: datetime, slots: frozenset[int]) -> None:
    a = Availability.from_local_slots(slots)
    assert utc_slots(a, ZoneInfo(zone), week) == reference_slots(a, ZoneInfo(zone), week)
