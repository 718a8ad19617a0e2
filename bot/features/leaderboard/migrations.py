"""The leaderboard feature's own tables (FeatureSpec.migrations: numbered, never edit a shipped one).

The per-period point totals are not here: they are kept with each ledger row by `bot.store.ledger`
(the core's migrations), because daily answers write ledger rows inside their own transaction.
"""

MIGRATIONS: tuple[str, ...] = (
    """
    -- days a member studied, each in the member's own local date, with the zone it was counted in: a
    -- later change of zone (travel) never moves a day already counted, and DST is just local midnight
    CREATE TABLE board_days (
        community TEXT NOT NULL,
        member    TEXT NOT NULL,
        day       TEXT NOT NULL,
        zone      TEXT NOT NULL,
        first_at  TEXT NOT NULL,
        source    TEXT NOT NULL,
        PRIMARY KEY (community, member, day)
    );
    CREATE INDEX board_days_recent ON board_days (community, first_at);

    -- the same days as one bitmap per member (bit i: day number base + i studied), kept with each new day:
    -- a streak with a year of history is one row and a walk over its runs, not 365 rows
    CREATE TABLE board_streaks (
        community TEXT NOT NULL,
        member    TEXT NOT NULL,
        base      INTEGER NOT NULL,
        bits      BLOB NOT NULL,
        PRIMARY KEY (community, member)
    );

    -- members whose days before these tables were filled in from their daily answers
    CREATE TABLE board_backfilled (
        community TEXT NOT NULL,
        member    TEXT NOT NULL,
        at        TEXT NOT NULL,
        PRIMARY KEY (community, member)
    );

    -- scored attempts at bank items (ItemAttempted), per member, topic and community-local day
    CREATE TABLE board_attempts (
        community TEXT NOT NULL,
        member    TEXT NOT NULL,
        topic     TEXT NOT NULL,
        day       TEXT NOT NULL,
        attempts  INTEGER NOT NULL,
        correct   INTEGER NOT NULL,
        PRIMARY KEY (community, member, topic, day)
    );
    CREATE INDEX board_attempts_day ON board_attempts (community, day);

    -- members an admin left off the boards (hosts): their points are still kept
    CREATE TABLE board_exclusions (
        community TEXT NOT NULL,
        member    TEXT NOT NULL,
        by_member TEXT NOT NULL,
        reason    TEXT,
        at        TEXT NOT NULL,
        PRIMARY KEY (community, member)
    );

    -- a forget-me waiting for its confirmation button (the button carries only this id)
    CREATE TABLE board_forget (
        id         INTEGER PRIMARY KEY,
        community  TEXT NOT NULL,
        member     TEXT NOT NULL,
        created_at TEXT NOT NULL
    );

    -- every admin action the core saw (bot.audit): who, when, what, why, and what they were told
    CREATE TABLE audit_log (
        id         INTEGER PRIMARY KEY,
        community  TEXT NOT NULL,
        actor      TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        at         TEXT NOT NULL,
        action     TEXT NOT NULL,
        reason     TEXT,
        options    TEXT NOT NULL,
        outcome    TEXT NOT NULL
    );
    CREATE INDEX audit_log_recent ON audit_log (community, id);

    -- communities set up before the weekly recap existed get its job (due at once: the run finds the
    -- community's recap time and reschedules itself there)
    INSERT INTO jobs (kind, key, community, platform, due_at, payload, status, created_at)
        SELECT 'board.recap', key, key, substr(key, 1, instr(key, ':') - 1), '2000-01-01T00:00:00.000000Z',
               '{}', 'pending', '2000-01-01T00:00:00.000000Z'
        FROM communities WHERE enabled = 1
        ON CONFLICT (kind, key) DO NOTHING;
    """,
)
