"""The calendar invite of a booked session (RFC 5545 through the `icalendar` package).

One UID per session, so calendars update the same event when it is rescheduled (a higher SEQUENCE) or
cancelled (METHOD:CANCEL, STATUS:CANCELLED). Times are UTC: every calendar shows them in its own zone."""

from __future__ import annotations

from datetime import datetime

from bot.features.mock.model import SESSION
from bot.messages import FileOut

MIME = "text/calendar"
FILE_NAME = "mock-interview.ics"


def invite(session_id: int, sequence: int, start: datetime, summary: str, description: str, stamp: datetime,
           cancelled: bool = False) -> FileOut:
    from icalendar import Calendar, Event  # 0.15 s to import: only when an invite is made, not at start-up

    cal = Calendar()
    cal.add("prodid", "-//studybot//mock interviews//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"studybot-mock-{session_id}@studybot")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + SESSION)
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return FileOut(FILE_NAME, cal.to_ical(), MIME, "Calendar invite")
