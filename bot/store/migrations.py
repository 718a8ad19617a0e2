"""Schema migrations, applied in order at start; `PRAGMA user_version` records how far we got.

Never edit a shipped migration: append a new one.

These scripts are SQLite DDL (the `points_total` trigger, `INTEGER PRIMARY KEY` as the rowid, `PRAGMA
user_version`). A PostgreSQL implementation keeps its own numbered scripts that reach the same tables,
columns, unique constraints and indexes; the repositories' queries are written to run on both.
"""

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE communities (
        key            TEXT PRIMARY KEY,
        channel        TEXT,
        post_time      TEXT NOT NULL DEFAULT '09:00',
        timezone       TEXT NOT NULL DEFAULT 'UTC',
        days           TEXT NOT NULL DEFAULT 'mon,tue,wed,thu,fri,sat,sun',
        topics         TEXT NOT NULL DEFAULT '',
        difficulty_mix TEXT NOT NULL DEFAULT 'easy:30,medium:50,hard:20',
        reveal_hours   INTEGER,
        grace_minutes  INTEGER NOT NULL DEFAULT 360,
        enabled        INTEGER NOT NULL DEFAULT 0,
        admin_notice   TEXT,
        admin_member   TEXT,
        active_since   TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
    );

    CREATE TABLE members (
        community    TEXT NOT NULL,
        id           TEXT NOT NULL,
        display_name TEXT NOT NULL,
        timezone     TEXT,
        first_seen   TEXT NOT NULL,
        last_seen    TEXT NOT NULL,
        PRIMARY KEY (community, id)
    );

    CREATE TABLE daily_rounds (
        id            INTEGER PRIMARY KEY,
        community     TEXT NOT NULL,
        local_date    TEXT NOT NULL,
        status        TEXT NOT NULL,
        item_id       TEXT,
        channel       TEXT,
        due_at        TEXT NOT NULL,
        posted_at     TEXT,
        message       TEXT,
        reveal_due_at TEXT,
        revealed_at   TEXT,
        thread        TEXT,
        UNIQUE (community, local_date)
    );
    CREATE INDEX daily_rounds_open ON daily_rounds (status, reveal_due_at);

    CREATE TABLE daily_answers (
        id             INTEGER PRIMARY KEY,
        round_id       INTEGER NOT NULL REFERENCES daily_rounds (id),
        community      TEXT NOT NULL,
        member         TEXT NOT NULL,
        text           TEXT NOT NULL,
        shared         INTEGER NOT NULL DEFAULT 0,
        late           INTEGER NOT NULL DEFAULT 0,
        submitted_at   TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        edits          INTEGER NOT NULL DEFAULT 0,
        covered        TEXT NOT NULL DEFAULT '',
        checklist_done INTEGER NOT NULL DEFAULT 0,
        UNIQUE (round_id, member)
    );
    CREATE INDEX daily_answers_member ON daily_answers (community, member, submitted_at);

    CREATE TABLE daily_skips (
        round_id INTEGER NOT NULL,
        member   TEXT NOT NULL,
        at       TEXT NOT NULL,
        PRIMARY KEY (round_id, member)
    );

    CREATE TABLE kudos (
        answer_id INTEGER NOT NULL REFERENCES daily_answers (id),
        voter     TEXT NOT NULL,
        at        TEXT NOT NULL,
        PRIMARY KEY (answer_id, voter)
    );

    CREATE TABLE ledger (
        id         INTEGER PRIMARY KEY,
        community  TEXT NOT NULL,
        member     TEXT NOT NULL,
        points     INTEGER NOT NULL,
        reason     TEXT NOT NULL,
        ref        TEXT NOT NULL,
        created_at TEXT NOT NULL,
        -- ref first: an idempotency key, not an index the leaderboard planner should pick
        UNIQUE (ref, reason, community, member)
    );
    CREATE INDEX ledger_window ON ledger (community, created_at, member, points);

    CREATE TABLE points_total (
        community TEXT NOT NULL,
        member    TEXT NOT NULL,
        points    INTEGER NOT NULL,
        PRIMARY KEY (community, member)
    );
    CREATE INDEX points_total_rank ON points_total (community, points DESC, member);

    CREATE TRIGGER ledger_total AFTER INSERT ON ledger BEGIN
        INSERT INTO points_total (community, member, points)
        VALUES (NEW.community, NEW.member, NEW.points)
        ON CONFLICT (community, member) DO UPDATE SET points = points + excluded.points;
    END;

    CREATE TABLE outbox (
        key         TEXT PRIMARY KEY,
        community   TEXT NOT NULL,
        destination TEXT NOT NULL,
        status      TEXT NOT NULL,
        lease_until TEXT,
        message     TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        created_at  TEXT NOT NULL,
        sent_at     TEXT
    );
    CREATE INDEX outbox_pending ON outbox (status, lease_until);
    """,
    """
    CREATE TABLE community_packs (
        id            INTEGER PRIMARY KEY,
        community     TEXT NOT NULL,
        name          TEXT NOT NULL,
        source_format TEXT NOT NULL,
        items         TEXT NOT NULL,
        item_count    INTEGER NOT NULL,
        added_by      TEXT NOT NULL,
        added_at      TEXT NOT NULL,
        removed_at    TEXT
    );
    CREATE INDEX community_packs_by_name ON community_packs (community, name, id);

    ALTER TABLE communities ADD COLUMN question_source TEXT NOT NULL DEFAULT 'packs-first';
    """,
    """
    -- who holds a live claim (NULL while the row only waits for its retry time), so a restarted process
    -- can take back its own dead claims at once and an admin's action can retry a waiting row
    ALTER TABLE outbox ADD COLUMN owner TEXT;
    """,
    """
    -- durable scheduled work: a job is data (kind, key, due_at, payload), claimed with a lease like the
    -- outbox, dispatched by kind; `platform` lets a process run only the jobs of platforms it serves
    CREATE TABLE jobs (
        kind        TEXT NOT NULL,
        key         TEXT NOT NULL,
        community   TEXT NOT NULL,
        platform    TEXT NOT NULL,
        due_at      TEXT NOT NULL,
        payload     TEXT NOT NULL DEFAULT '{}',
        status      TEXT NOT NULL DEFAULT 'pending',
        owner       TEXT,
        lease_until TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        created_at  TEXT NOT NULL,
        finished_at TEXT,
        PRIMARY KEY (kind, key)
    );
    CREATE INDEX jobs_due ON jobs (status, due_at);
    CREATE INDEX jobs_by_community ON jobs (community, status);
    """,
    """
    -- settings that features declare (bot.settings), per community or per member, stored as text
    CREATE TABLE settings (
        scope      TEXT NOT NULL,
        scope_id   TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (scope, scope_id, key)
    );
    """,
    """
    -- the topic (content domain) of the item the points were earned on; NULL for older rows and for
    -- points tied to no item (an admin's award). Indexed for a leaderboard filtered by topic; the index
    -- also holds member and points, so that query reads the index only, never the table.
    ALTER TABLE ledger ADD COLUMN topic TEXT;
    CREATE INDEX ledger_topic_window ON ledger (community, topic, created_at, member, points);
    """,
    """
    -- private messages waiting behind a "show it to me" button (bot.store.drops)
    CREATE TABLE private_drops (
        id         INTEGER PRIMARY KEY,
        key        TEXT NOT NULL UNIQUE,
        community  TEXT NOT NULL,
        member     TEXT NOT NULL,
        reply      TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX private_drops_by_member ON private_drops (community, member);
    """,
    """
    -- per-period totals, kept by bot.store.ledger.ledger_insert in the same transaction as each ledger row:
    -- period 'all', 'w<local Monday>' or 'm<local YYYY-MM>', topic '' for every topic. A board is a range
    -- read of ledger_periods_rank; reached_at orders a tie by who reached the score first.
    CREATE TABLE ledger_periods (
        community  TEXT NOT NULL,
        period     TEXT NOT NULL,
        topic      TEXT NOT NULL,
        member     TEXT NOT NULL,
        points     INTEGER NOT NULL,
        reached_at TEXT NOT NULL,
        PRIMARY KEY (community, period, topic, member)
    );
    CREATE INDEX ledger_periods_rank ON ledger_periods (community, period, topic, points DESC, reached_at, member);
    CREATE INDEX ledger_periods_member ON ledger_periods (community, member);

    -- the zone each community's weeks and months are keyed by; '' = not built yet (rows from before this
    -- migration): the first board read builds them from the ledger (LedgerRepo.sync_zone)
    CREATE TABLE ledger_zones (
        community TEXT PRIMARY KEY,
        zone      TEXT NOT NULL
    );

    -- a member's own rows (their points history, export, erasure). The raw window queries materialize their
    -- window first, so this index cannot flip them to reading a community in member order.
    CREATE INDEX ledger_member ON ledger (community, member, created_at);

    INSERT INTO ledger_zones (community, zone) SELECT DISTINCT community, '' FROM ledger;
    INSERT INTO ledger_periods (community, period, topic, member, points, reached_at)
        SELECT community, 'all', '', member, SUM(points), MAX(created_at) FROM ledger GROUP BY community, member;
    INSERT INTO ledger_periods (community, period, topic, member, points, reached_at)
        SELECT community, 'all', topic, member, SUM(points), MAX(created_at) FROM ledger
        WHERE topic IS NOT NULL AND topic <> '' GROUP BY community, topic, member;

    -- the all-time totals are ledger_periods' ('all', '') rows now: one upsert fewer on every award
    DROP TRIGGER ledger_total;
    DROP TABLE points_total;
    CREATE VIEW points_total AS
        SELECT community, member, points, reached_at FROM ledger_periods WHERE period = 'all' AND topic = '';
    """,
    """
    -- the daily question's schedule became settings the daily feature declares (bot.features.daily.settings):
    -- each community's values are copied from its columns into `settings`, under the keys those SettingSpecs
    -- use and as text they parse. The columns stay in place, no longer read or written: dropping a column
    -- needs SQLite 3.35 and rewrites the table, and the previous build still opens this file.
    INSERT INTO settings (scope, scope_id, key, value, updated_at)
        SELECT 'community', key, 'time', post_time, updated_at FROM communities WHERE post_time <> ''
        ON CONFLICT (scope, scope_id, key) DO NOTHING;
    -- days were stored as weekday numbers (Monday = 0); the setting reads names
    INSERT INTO settings (scope, scope_id, key, value, updated_at)
        SELECT 'community', key, 'days',
               CASE days WHEN '0,1,2,3,4,5,6' THEN 'every day' WHEN '0,1,2,3,4' THEN 'weekdays'
                   ELSE replace(replace(replace(replace(replace(replace(replace(days,
                       '0', 'mon'), '1', 'tue'), '2', 'wed'), '3', 'thu'), '4', 'fri'), '5', 'sat'), '6', 'sun')
               END, updated_at
        FROM communities WHERE days <> ''
        ON CONFLICT (scope, scope_id, key) DO NOTHING;
    INSERT INTO settings (scope, scope_id, key, value, updated_at)
        SELECT 'community', key, 'topics', CASE topics WHEN '' THEN 'all' ELSE topics END, updated_at
        FROM communities WHERE topics IS NOT NULL
        ON CONFLICT (scope, scope_id, key) DO NOTHING;
    INSERT INTO settings (scope, scope_id, key, value, updated_at)
        SELECT 'community', key, 'difficulty', difficulty_mix, updated_at FROM communities WHERE difficulty_mix <> ''
        ON CONFLICT (scope, scope_id, key) DO NOTHING;
    -- NULL was "at the next post", which is the setting's default
    INSERT INTO settings (scope, scope_id, key, value, updated_at)
        SELECT 'community', key, 'reveal', 'after ' || reveal_hours || 'h', updated_at
        FROM communities WHERE reveal_hours IS NOT NULL
        ON CONFLICT (scope, scope_id, key) DO NOTHING;
    INSERT INTO settings (scope, scope_id, key, value, updated_at)
        SELECT 'community', key, 'grace', grace_minutes || ' min', updated_at FROM communities
        WHERE grace_minutes IS NOT NULL
        ON CONFLICT (scope, scope_id, key) DO NOTHING;
    INSERT INTO settings (scope, scope_id, key, value, updated_at)
        SELECT 'community', key, 'questions', question_source, updated_at FROM communities
        WHERE question_source <> ''
        ON CONFLICT (scope, scope_id, key) DO NOTHING;
    """,
    """
    -- how many members each board (community, period, topic) has in each bucket of totals, kept by
    -- bot.store.ledger in the same transaction as the totals: "my rank" counts the members in the buckets
    -- above a total and those of its own bucket above it (ledger_periods_rank), not everyone ahead. A bucket
    -- is named by its lowest total: each total below 100 (and every negative one) is a bucket of its own,
    -- then two significant digits (100-109, ..., 990-999, 1000-1099, ...), 100,000 wide from 1,000,000 on.
    CREATE TABLE ledger_period_buckets (
        community TEXT NOT NULL,
        period    TEXT NOT NULL,
        topic     TEXT NOT NULL,
        low       INTEGER NOT NULL,
        members   INTEGER NOT NULL,
        PRIMARY KEY (community, period, topic, low)
    ) WITHOUT ROWID;
    INSERT INTO ledger_period_buckets (community, period, topic, low, members)
        SELECT community, period, topic, low, COUNT(*) FROM (
            SELECT community, period, topic,
                   CASE WHEN points < 100 THEN points
                        WHEN points < 1000 THEN points - points % 10
                        WHEN points < 10000 THEN points - points % 100
                        WHEN points < 100000 THEN points - points % 1000
                        WHEN points < 1000000 THEN points - points % 10000
                        ELSE points - points % 100000 END AS low
            FROM ledger_periods) AS totals
        GROUP BY community, period, topic, low;
    """,
    """
    -- a pack's items also as the JSON the schema validated (one per line), with the key of the schema
    -- that did (bot.content.files.schema_key): a serving process makes records from them without the
    -- schema, and validates the YAML again only where the schema has changed since
    ALTER TABLE community_packs ADD COLUMN items_json TEXT;
    ALTER TABLE community_packs ADD COLUMN schema_key TEXT;
    """,
)
