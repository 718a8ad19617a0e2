"""The points ledger: append-only rows, totals kept in the same transaction, and leaderboard queries.

Every ledger row is written by `ledger_insert`, the one insert path: `LedgerRepo.award` and
`DailyRepo.save_answer` (inside its own transaction) both call it. A row is idempotent on
(ref, reason, community, member): a second insert of the same award writes nothing.

Per-period totals (`ledger_periods`) are kept by `ledger_insert` in the same transaction as the row: one row
per (community, period, topic, member), where period is `all`, `w2025-06-02` (the local Monday of a week)
or `m2025-06` (a local month) and topic is `''` for every topic. A board is then an index range read
(`ledger_periods_rank`): top-10 and "my rank" cost the same at a million ledger rows as at a hundred.

Which zone are weeks and months counted in? The one `ledger_zones` names for the community, not the
community's settings directly: every insert keys its week and month by that zone, so the totals are always
consistent with each other. When the community's timezone changes (or on a database from before these
totals), `sync_zone` rebuilds the recent weeks and months from the ledger itself in the new zone, in one
transaction, and records the new zone; a board read that finds the zone it is asked for is not the one the
totals are keyed by does that first. Periods older than the rebuilt ones keep the zone they were counted
in (nothing shows them but a member's own chart of past weeks).

"My rank" does not count everyone ahead one by one (that was up to 0.9 ms p99 at 5,000 members on a board):
`ledger_period_buckets` keeps how many members each board has in each bucket of totals (`bucket_of`: each total
below 100 a bucket of its own, then two significant digits), in the same transaction as the totals. The
members ahead of a total are those of the buckets above it (a few hundred rows at most) plus those of its own
bucket above it, a range of `ledger_periods_rank` bounded at both ends (`STANDING_SQL`, one statement). Every
write to `ledger_periods` is in this module and moves the buckets with it: the insert, a zone change's
rebuild and a member's erasure (a property test checks the counts against the totals after any mix of them).

Ties: ranks are competition ranks (1 + how many have strictly more points), so equal totals share a rank;
within a tie, whoever reached the score first is listed first (`reached_at`, the time of the last row that
changed the total), then by member id.

Portability: the SQL is plain `INSERT ... ON CONFLICT (...) DO NOTHING / DO UPDATE` and `SELECT`s that
PostgreSQL runs as they are; a PostgreSQL implementation changes `?` to `$1, $2, ...` (asyncpg), reads "was
it inserted" from `INSERT ... RETURNING id` (or the command status) instead of `cursor.rowcount`, creates
`points_total` as the same view of the all-time totals, `ledger_period_buckets` as a plain table with the same
primary key (`WITHOUT ROWID` is SQLite's way of keeping a table in its key's order), and runs
`WITH ... AS MATERIALIZED` (PostgreSQL 12+) and `DELETE ... RETURNING` as written.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.store.db import Database, to_db

# The raw-ledger window queries (the legacy `top`, and the benchmark's "plain" figure). The window is
# materialized first, so no index that orders the ledger by member (ledger_member, for a member's own rows)
# can tempt the planner into reading a whole community in member order to skip the GROUP BY sort.
TOP_SQL_WINDOW = """
    WITH w AS MATERIALIZED (SELECT member, points FROM ledger WHERE community = ? AND created_at >= ?)
    SELECT member, SUM(points) AS total FROM w GROUP BY member ORDER BY total DESC, member LIMIT ?
"""
TOP_SQL_ALL = """
    SELECT member, points FROM points_total
    WHERE community = ? ORDER BY points DESC, reached_at, member LIMIT ?
"""
TOP_SQL_TOPIC_WINDOW = """
    WITH w AS MATERIALIZED (SELECT member, points FROM ledger WHERE community = ? AND topic = ? AND created_at >= ?)
    SELECT member, SUM(points) AS total FROM w GROUP BY member ORDER BY total DESC, member LIMIT ?
"""
TOP_SQL_TOPIC_ALL = """
    WITH w AS MATERIALIZED (SELECT member, points FROM ledger WHERE community = ? AND topic = ?)
    SELECT member, SUM(points) AS total FROM w GROUP BY member ORDER BY total DESC, member LIMIT ?
"""
MEMBER_WINDOW_SQL = "SELECT SUM(points) FROM ledger WHERE community = ? AND member = ? AND created_at >= ?"

#: a board page: members of one (community, period, topic) by points, ties by who reached them first
BOARD_SQL = """
    SELECT member, points FROM ledger_periods
    WHERE community = ? AND period = ? AND topic = ?{exclude}
    ORDER BY points DESC, reached_at, member LIMIT ? OFFSET ?
"""
#: how many members are ahead of a total (a competition rank is this + 1): those of the buckets wholly above
#: it, and those above it in its own bucket (below the lowest bucket above it), counted on the rank index
_AHEAD_OF = """
    COALESCE((SELECT SUM(members) FROM ledger_period_buckets
              WHERE community = ?1 AND period = ?2 AND topic = ?3 AND low > {points}), 0) + (
        SELECT COUNT(*) FROM ledger_periods
        WHERE community = ?1 AND period = ?2 AND topic = ?3 AND points > {points}
          AND points < COALESCE((SELECT MIN(low) FROM ledger_period_buckets
                                 WHERE community = ?1 AND period = ?2 AND topic = ?3 AND low > {points}), ?5))"""
#: (community, period, topic, points, NO_LIMIT) -> members ahead of `points`
AHEAD_SQL = "SELECT " + _AHEAD_OF.format(points="?4")
#: "my rank" in one statement: (community, period, topic, member, NO_LIMIT) -> the zone the weeks and months
#: are keyed by, the member's points (NULL without any here) and how many are ahead of them
STANDING_SQL = f"""
    SELECT (SELECT zone FROM ledger_zones WHERE community = ?1), me.points, {_AHEAD_OF.format(points="me.points")}
    FROM (SELECT 1) AS one
    LEFT JOIN ledger_periods AS me ON me.community = ?1 AND me.period = ?2 AND me.topic = ?3 AND me.member = ?4
"""
MINE_SQL = "SELECT points FROM ledger_periods WHERE community = ? AND period = ? AND topic = ? AND member = ?"
_INSERT_SQL = """
    INSERT INTO ledger (community, member, points, reason, ref, created_at, topic)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (ref, reason, community, member) DO NOTHING
"""
#: an award's totals, one (period, topic) at a time: a statement a row (`executemany`) costs less than one
#: multi-row VALUES upsert, which SQLite runs as a subquery; the difference pays for reading the totals first
#: and moving their buckets (`python -m bench leaderboard`: the award costs what it did before the buckets)
_UPSERT_PERIOD = """
    INSERT INTO ledger_periods (community, period, topic, member, points, reached_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (community, period, topic, member) DO UPDATE SET
        points = ledger_periods.points + excluded.points,
        reached_at = CASE WHEN excluded.reached_at > ledger_periods.reached_at
                          THEN excluded.reached_at ELSE ledger_periods.reached_at END
"""
#: the member's totals an award is about to change, each found by its key (`(n, points)`, n the key's place;
#: one statement, and no `IN (...)` lists the planner could answer from the rank index instead)
TOTALS_BEFORE_SQL = {n: " UNION ALL ".join(f"SELECT {i}, points FROM ledger_periods WHERE community = ? AND period = ? "
                                           "AND topic = ? AND member = ?" for i in range(n)) for n in range(1, 7)}
#: a member's totals, deleted (forget-me), and what they were: the buckets they leave
ERASE_TOTALS_SQL = "DELETE FROM ledger_periods WHERE community = ? AND member = ? RETURNING period, topic, points"
_MOVE_BUCKET = """
    INSERT INTO ledger_period_buckets (community, period, topic, low, members) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (community, period, topic, low) DO UPDATE SET
        members = ledger_period_buckets.members + excluded.members
"""
NO_LIMIT = 2**63 - 1
#: bucket width by a total's number of digits (3 digits: 10, ... 7 and more: 100,000); see `bucket_of`
_BUCKET_WIDTHS = {3: 10, 4: 100, 5: 1_000, 6: 10_000, 7: 100_000}
ALL = "all"
NO_TOPIC = ""  # the topic of a total over every topic
#: how far back a zone change rebuilds weeks (this one and 12 before: the member chart's span) and months
REBUILD_WEEKS = 12
REBUILD_MONTHS = 3


@dataclass(frozen=True, slots=True)
class Window:
    """A leaderboard period: its key in `ledger_periods`, and its bounds in UTC (None for all time).

    Weeks run Monday 00:00 to the next Monday 00:00 and months from the 1st to the next 1st, both in `zone`,
    so a window is bounded at both ends: `start <= t < end`."""

    kind: str  # "week", "month" or "all"
    label: str
    zone: str
    start: datetime | None = None
    end: datetime | None = None

    def before(self) -> Window:
        """The period before this one (all time has none: itself)."""
        if self.start is None:
            return self
        return window(self.kind, self.start - timedelta(seconds=1), self.zone)

    def contains(self, when: datetime) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when < self.end)


@dataclass(frozen=True, slots=True)
class Standing:
    member: str
    points: int
    rank: int  # competition rank: 1 + members with strictly more points


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time()).replace(tzinfo=zone).astimezone(UTC)


def window(kind: str, now: datetime, zone: str) -> Window:
    """The week, month or all-time window that contains `now`, in `zone`."""
    if kind == ALL:
        return Window(ALL, ALL, zone)
    tz = ZoneInfo(zone)
    day = now.astimezone(tz).date()
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Window("week", f"w{monday.isoformat()}", zone, _midnight(monday, tz),
                      _midnight(monday + timedelta(days=7), tz))
    if kind == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Window("month", f"m{first.isoformat()[:7]}", zone, _midnight(first, tz), _midnight(following, tz))
    raise ValueError(f"unknown period {kind!r}")


def _labels(created_at: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """The week and month keys of an instant in a zone (the same rule as `window`)."""
    day = created_at.astimezone(zone).date()
    return f"w{(day - timedelta(days=day.weekday())).isoformat()}", f"m{day.isoformat()[:7]}"


def _zone_for_insert(conn: sqlite3.Connection, community: str) -> str:
    """The zone this community's weeks and months are keyed by ('' while they are not built yet). The first
    row of a new community takes the community's timezone (UTC when it has no settings yet)."""
    row = conn.execute("SELECT zone FROM ledger_zones WHERE community = ?", (community,)).fetchone()
    if row is not None:
        return str(row[0])
    tz = conn.execute("SELECT timezone FROM communities WHERE key = ?", (community,)).fetchone()
    zone = str(tz[0]) if tz else "UTC"
    conn.execute("INSERT INTO ledger_zones (community, zone) VALUES (?, ?) ON CONFLICT (community) DO NOTHING",
                 (community, zone))
    return zone


def bucket_of(points: int) -> int:
    """The bucket a total is counted in (`ledger_period_buckets.low`: its lowest total). Each total below 100
    (and every negative one) is a bucket of its own; then two significant digits: 100-109, ..., 990-999,
    1000-1099, ..., and 100,000 wide from 1,000,000 on. (The migration that built the table says the same in
    SQL.) Exact where most members are, so a bucket rarely holds many members above a given total."""
    if points < 100:
        return points
    width = _BUCKET_WIDTHS[min(len(str(points)), 7)]
    return points - points % width


def _move_buckets(conn: sqlite3.Connection, moves: list[tuple[str, str, str, int, int]]) -> None:
    """Apply (community, period, topic, low, +n or -n) to the bucket counts. A bucket left with nobody stays,
    at 0: deleting it would cost an award another statement, a board only ever has a few hundred buckets
    (`bucket_of`), and "my rank" reads past the empty ones."""
    conn.executemany(_MOVE_BUCKET, moves)


def ledger_insert(conn: sqlite3.Connection, community: str, member: str, points: int, reason: str, ref: str,
                  created_at: datetime, topic: str | None = None) -> bool:
    """Append one ledger row inside the caller's transaction, with its per-period totals and their buckets;
    False (nothing written) when this (community, member, reason, ref) was recorded before. (`points_total`
    is a view of the all-time totals.) A total that crosses into another bucket moves there."""
    at = to_db(created_at)
    cur = conn.execute(_INSERT_SQL, (community, member, points, reason, ref, at, topic))
    if cur.rowcount <= 0:
        return False
    zone = _zone_for_insert(conn, community)
    periods = [ALL]
    if zone:
        periods += _labels(created_at, ZoneInfo(zone))
    topics = (NO_TOPIC,) if not topic else (NO_TOPIC, topic)
    keys = [(period, t) for period in periods for t in topics]
    before = dict(conn.execute(TOTALS_BEFORE_SQL[len(keys)],
                               [v for period, t in keys for v in (community, period, t, member)]).fetchall())
    conn.executemany(_UPSERT_PERIOD, [(community, period, t, member, points, at) for period, t in keys])
    moves: list[tuple[str, str, str, int, int]] = []
    for n, (period, t) in enumerate(keys):
        was = before.get(n)
        if was is None:  # a total this award starts
            moves.append((community, period, t, bucket_of(points), 1))
        elif (leaves := bucket_of(int(was))) != (enters := bucket_of(int(was) + points)):
            moves += ((community, period, t, leaves, -1), (community, period, t, enters, 1))
    if moves:
        _move_buckets(conn, moves)
    return True


def _exclusion(exclude: Collection[str], column: str = "member") -> tuple[str, tuple[str, ...]]:
    """The clause that leaves excluded members out (few: hosts), and its parameters."""
    if not exclude:
        return "", ()
    marks = ",".join("?" * len(exclude))
    return f" AND {column} NOT IN ({marks})", tuple(exclude)


class _Stale(Exception):
    """The week and month totals are keyed by another zone than the one asked for."""


def _check_zone(conn: sqlite3.Connection, community: str, w: Window) -> None:
    if w.kind == ALL:
        return
    row = conn.execute("SELECT zone FROM ledger_zones WHERE community = ?", (community,)).fetchone()
    _same_zone(w, None if row is None else str(row[0]))


def _same_zone(w: Window, keyed_by: str | None) -> None:
    if w.kind != ALL and keyed_by is not None and keyed_by != w.zone:
        raise _Stale


def _board(conn: sqlite3.Connection, community: str, w: Window, topic: str, limit: int, offset: int,
           exclude: Collection[str]) -> list[Standing]:
    _check_zone(conn, community, w)
    where, excluded = _exclusion(exclude)
    rows = conn.execute(BOARD_SQL.format(exclude=where),
                        (community, w.label, topic, *excluded, limit, offset)).fetchall()
    out: list[Standing] = []
    for n, (member, points) in enumerate(rows):
        if out and out[-1].points == points:
            rank = out[-1].rank
        elif n == 0 and offset > 0:
            rank = 1 + _ahead(conn, community, w.label, topic, int(points), exclude)
        else:
            rank = offset + n + 1
        out.append(Standing(str(member), int(points), rank))
    return out


def _ahead(conn: sqlite3.Connection, community: str, label: str, topic: str, points: int,
           exclude: Collection[str]) -> int:
    """How many non-excluded members have more points: the buckets above `points` and the few members above
    it in its own bucket, less the excluded ones ahead."""
    ahead = int(conn.execute(AHEAD_SQL, (community, label, topic, points, NO_LIMIT)).fetchone()[0])
    return ahead - _excluded_ahead(conn, community, label, topic, points, exclude)


def _excluded_ahead(conn: sqlite3.Connection, community: str, label: str, topic: str, points: int,
                    exclude: Collection[str]) -> int:
    """How many of the excluded members (few: hosts) are ahead of `points`, each found by its key
    (`member IN (...)` lets the planner walk the rank index instead)."""
    ahead = 0
    for member in exclude:
        row = conn.execute(MINE_SQL, (community, label, topic, member)).fetchone()
        if row is not None and int(row[0]) > points:
            ahead += 1
    return ahead


def _standing(conn: sqlite3.Connection, community: str, member: str, w: Window, topic: str,
              exclude: Collection[str]) -> Standing | None:
    if member in exclude:
        _check_zone(conn, community, w)
        return None
    zone, points, ahead = conn.execute(STANDING_SQL, (community, w.label, topic, member, NO_LIMIT)).fetchone()
    _same_zone(w, zone)
    if points is None:
        return None
    ahead = int(ahead) - _excluded_ahead(conn, community, w.label, topic, int(points), exclude)
    return Standing(member, int(points), 1 + ahead)


def _rebuild(conn: sqlite3.Connection, community: str, zone: str, now: datetime) -> None:
    """Key the recent weeks and months by `zone`: drop them and sum them again from the ledger itself."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    week_from = today - timedelta(days=today.weekday() + 7 * REBUILD_WEEKS)
    month_from = today.replace(day=1)
    for _ in range(REBUILD_MONTHS - 1):
        month_from = (month_from - timedelta(days=1)).replace(day=1)
    week_label, month_label = f"w{week_from.isoformat()}", f"m{month_from.isoformat()[:7]}"
    for table in ("ledger_periods", "ledger_period_buckets"):
        conn.execute(f"DELETE FROM {table} WHERE community = ? AND period >= ? AND period < 'x'",
                     (community, week_label))
        conn.execute(f"DELETE FROM {table} WHERE community = ? AND period >= ? AND period < 'n'",
                     (community, month_label))
    week_cut, month_cut = to_db(_midnight(week_from, tz)), to_db(_midnight(month_from, tz))
    totals: dict[tuple[str, str, str], list[Any]] = {}
    labels: dict[str, tuple[str, str]] = {}  # by quarter hour: every zone's midnight falls on one
    rows = conn.execute("SELECT member, points, topic, created_at FROM ledger WHERE community = ? AND created_at >= ?",
                        (community, min(week_cut, month_cut)))
    for member, points, topic, at in rows:
        quarter = f"{at[:14]}{int(at[14:16]) // 15}"
        pair = labels.get(quarter)
        if pair is None:
            pair = labels[quarter] = _labels(datetime.fromisoformat(at), tz)
        keys = []
        if at >= week_cut:
            keys.append(pair[0])
        if at >= month_cut:
            keys.append(pair[1])
        for period in keys:
            for t in (NO_TOPIC, topic) if topic else (NO_TOPIC,):
                have = totals.get((period, t, member))
                if have is None:
                    totals[(period, t, member)] = [points, at]
                else:
                    have[0] += points
                    have[1] = max(have[1], at)
    conn.executemany("INSERT INTO ledger_periods (community, period, topic, member, points, reached_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [(community, p, t, m, v[0], v[1]) for (p, t, m), v in totals.items()])
    buckets: dict[tuple[str, str, int], int] = {}
    for (p, t, _), v in totals.items():
        key = (p, t, bucket_of(v[0]))
        buckets[key] = buckets.get(key, 0) + 1
    conn.executemany("INSERT INTO ledger_period_buckets (community, period, topic, low, members) "
                     "VALUES (?, ?, ?, ?, ?)", [(community, p, t, low, n) for (p, t, low), n in buckets.items()])
    conn.execute("""INSERT INTO ledger_zones (community, zone) VALUES (?, ?)
                    ON CONFLICT (community) DO UPDATE SET zone = excluded.zone""", (community, zone))


@dataclass(frozen=True, slots=True)
class LedgerRow:
    id: int
    points: int
    reason: str
    ref: str
    topic: str | None
    at: datetime


class LedgerRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def award(self, community: str, member: str, points: int, reason: str, ref: str,
                    now: datetime, *, topic: str | None = None) -> bool:
        """Append a row; False (and nothing written) when this (member, reason, ref) was awarded before.
        `topic` is the domain of the item the points were earned on, when there is one."""

        def w(c: sqlite3.Connection) -> bool:
            return ledger_insert(c, community, member, points, reason, ref, now, topic)

        return await self._db.write(w)

    # per-period boards --------------------------------------------------------------------------------
    async def sync_zone(self, community: str, zone: str, now: datetime) -> bool:
        """Key the community's week and month totals by `zone`, rebuilding the recent ones from the ledger
        if they were keyed by another zone (or never built); True when it rebuilt."""

        def w(c: sqlite3.Connection) -> bool:
            row = c.execute("SELECT zone FROM ledger_zones WHERE community = ?", (community,)).fetchone()
            if row is not None and str(row[0]) == zone:
                return False
            _rebuild(c, community, zone, now)
            return True

        return await self._db.write(w)

    async def _read_synced(self, community: str, w: Window, now: datetime, fn: Any) -> Any:
        try:
            return await self._db.read(fn)
        except _Stale:
            await self.sync_zone(community, w.zone, now)
            return await self._db.read(fn)

    async def standings(self, community: str, w: Window, *, topic: str | None = None, limit: int = 10,
                        offset: int = 0, exclude: Collection[str] = (), now: datetime | None = None
                        ) -> list[Standing]:
        """A page of the board of window `w` (of `topic` if given), most points first, without `exclude`."""

        def q(c: sqlite3.Connection) -> list[Standing]:
            return _board(c, community, w, topic or NO_TOPIC, limit, offset, exclude)

        result: list[Standing] = await self._read_synced(community, w, now or datetime.now(UTC), q)
        return result

    async def standing(self, community: str, member: str, w: Window, *, topic: str | None = None,
                       exclude: Collection[str] = (), now: datetime | None = None) -> Standing | None:
        """The member's points and rank in window `w`; None without points there (or when excluded)."""

        def q(c: sqlite3.Connection) -> Standing | None:
            return _standing(c, community, member, w, topic or NO_TOPIC, exclude)

        result: Standing | None = await self._read_synced(community, w, now or datetime.now(UTC), q)
        return result

    async def gains(self, community: str, w: Window, limit: int = 3, *, exclude: Collection[str] = (),
                    now: datetime | None = None) -> list[tuple[str, int]]:
        """Members who gained most over the period before `w`: (member, points in w - points before)."""
        before = w.before()

        def q(c: sqlite3.Connection) -> list[tuple[str, int]]:
            _check_zone(c, community, w)
            where, excluded = _exclusion(exclude, "t.member")
            rows = c.execute(
                f"""SELECT t.member, t.points - COALESCE(b.points, 0) AS gain FROM ledger_periods t
                    LEFT JOIN ledger_periods b ON b.community = t.community AND b.period = ? AND b.topic = ''
                                              AND b.member = t.member
                    WHERE t.community = ? AND t.period = ? AND t.topic = ''{where}
                    ORDER BY gain DESC, t.reached_at, t.member LIMIT ?""",
                (before.label, community, w.label, *excluded, limit)).fetchall()
            return [(str(m), int(g)) for m, g in rows if int(g) > 0]

        result: list[tuple[str, int]] = await self._read_synced(community, w, now or datetime.now(UTC), q)
        return result

    async def member_periods(self, community: str, member: str, labels: Iterable[str],
                             topic: str | None = None) -> dict[str, int]:
        """The member's totals of the named periods (those with none are left out)."""
        wanted = list(labels)

        def q(c: sqlite3.Connection) -> dict[str, int]:
            out: dict[str, int] = {}
            for label in wanted:
                row = c.execute(MINE_SQL, (community, label, topic or NO_TOPIC, member)).fetchone()
                if row is not None:
                    out[label] = int(row[0])
            return out

        return await self._db.read(q)

    async def community_periods(self, community: str, labels: Iterable[str],
                                topic: str | None = None) -> dict[str, dict[str, int]]:
        """Every member's totals of the named periods, by member then period (a community export: one read,
        one range of the rank index a period, not a lookup a member)."""
        wanted = list(dict.fromkeys(labels))

        def q(c: sqlite3.Connection) -> dict[str, dict[str, int]]:
            out: dict[str, dict[str, int]] = {}
            for label in wanted:
                for member, points in c.execute("SELECT member, points FROM ledger_periods WHERE community = ? "
                                                "AND period = ? AND topic = ?", (community, label, topic or NO_TOPIC)):
                    out.setdefault(str(member), {})[label] = int(points)
            return out

        return await self._db.read(q)

    async def by_reason(self, community: str, member: str) -> dict[str, int]:
        """The member's all-time points by reason (where they came from)."""

        def q(c: sqlite3.Connection) -> dict[str, int]:
            rows = c.execute("SELECT reason, SUM(points) FROM ledger WHERE community = ? AND member = ? "
                             "GROUP BY reason ORDER BY SUM(points) DESC, reason", (community, member)).fetchall()
            return {str(r): int(p) for r, p in rows}

        return await self._db.read(q)

    async def recent(self, community: str, member: str, limit: int = 10, offset: int = 0) -> list[LedgerRow]:
        """The member's ledger rows, newest first: how their points were earned."""

        def q(c: sqlite3.Connection) -> list[LedgerRow]:
            rows = c.execute("""SELECT id, points, reason, ref, topic, created_at FROM ledger
                                WHERE community = ? AND member = ? ORDER BY created_at DESC, id DESC
                                LIMIT ? OFFSET ?""", (community, member, limit, offset)).fetchall()
            return [LedgerRow(int(i), int(p), str(r), str(ref), t, datetime.fromisoformat(at))
                    for i, p, r, ref, t, at in rows]

        return await self._db.read(q)

    async def community_rows(self, community: str) -> list[tuple[str, int, str, str, str | None, str]]:
        """Every ledger row of the community, oldest first: (member, points, reason, ref, topic, at)."""

        def q(c: sqlite3.Connection) -> list[tuple[str, int, str, str, str | None, str]]:
            return [(str(m), int(p), str(r), str(ref), t, str(at)) for m, p, r, ref, t, at in c.execute(
                "SELECT member, points, reason, ref, topic, created_at FROM ledger WHERE community = ? "
                "ORDER BY created_at, id", (community,))]

        return await self._db.read(q)

    # the first API: raw windows ------------------------------------------------------------------------
    async def top(self, community: str, since: datetime | None, limit: int = 10, *,
                  topic: str | None = None) -> list[tuple[str, int]]:
        """The `limit` members with most points since `since` (None: all time), most first; with `topic`,
        only points earned on items of that topic."""

        def q(c: sqlite3.Connection) -> list[tuple[str, int]]:
            if topic is not None:
                if since is None:
                    rows = c.execute(TOP_SQL_TOPIC_ALL, (community, topic, limit)).fetchall()
                else:
                    rows = c.execute(TOP_SQL_TOPIC_WINDOW, (community, topic, to_db(since), limit)).fetchall()
            elif since is None:
                rows = c.execute(TOP_SQL_ALL, (community, limit)).fetchall()
            else:
                rows = c.execute(TOP_SQL_WINDOW, (community, to_db(since), limit)).fetchall()
            return [(str(r[0]), int(r[1])) for r in rows]

        return await self._db.read(q)

    async def total(self, community: str, member: str, since: datetime | None = None) -> int:
        def q(c: sqlite3.Connection) -> int:
            if since is None:
                row = c.execute(
                    "SELECT points FROM points_total WHERE community = ? AND member = ?", (community, member)
                ).fetchone()
            else:
                row = c.execute(MEMBER_WINDOW_SQL, (community, member, to_db(since))).fetchone()
            return int(row[0]) if row and row[0] is not None else 0

        return await self._db.read(q)

    async def rank(self, community: str, member: str) -> int | None:
        """1-based all-time rank, or None with no points."""

        def q(c: sqlite3.Connection) -> int | None:
            mine = _standing(c, community, member, Window(ALL, ALL, "UTC"), NO_TOPIC, ())
            return None if mine is None else mine.rank

        return await self._db.read(q)

    async def member_rows(self, community: str, member: str) -> list[dict[str, Any]]:
        def q(c: sqlite3.Connection) -> list[dict[str, Any]]:
            rows = c.execute(
                """SELECT points, reason, ref, topic, created_at FROM ledger WHERE community = ? AND member = ?
                   ORDER BY created_at, id""", (community, member)).fetchall()
            return [{"points": int(r[0]), "reason": str(r[1]), "ref": str(r[2]), "topic": r[3], "at": str(r[4])}
                    for r in rows]

        return await self._db.read(q)

    async def erase_member(self, community: str, member: str) -> int:
        """Delete the member's rows and every total of theirs, in one transaction: the boards stay consistent.
        Other members' rows keep their points, but a ref naming this member (kudos they gave: "answer:voter")
        names a random token instead."""

        def w(c: sqlite3.Connection) -> int:
            gone = c.execute("DELETE FROM ledger WHERE community = ? AND member = ?", (community, member)).rowcount
            leaving = c.execute(ERASE_TOTALS_SQL, (community, member)).fetchall()
            _move_buckets(c, [(community, str(p), str(t), bucket_of(int(v)), -1) for p, t, v in leaving])
            token = f"erased-{uuid.uuid4().hex[:12]}"
            for row_id, ref in c.execute("SELECT id, ref FROM ledger WHERE community = ? AND instr(ref, ?) > 0",
                                         (community, member)).fetchall():
                parts = str(ref).split(":")
                if member in parts:
                    c.execute("UPDATE ledger SET ref = ? WHERE id = ?",
                              (":".join(token if p == member else p for p in parts), row_id))
            return gone

        return await self._db.write(w)
