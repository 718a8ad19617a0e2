"""The mock feature's own tables (FeatureSpec.migrations): numbered scripts, never edited once shipped.

Every write that a second click, a second process or a restart could repeat meets a unique key:
one round per (community, occurrence), one member per (session, member), one turn row per
(session, turn), one scorecard per (session, turn), one absence per (session, member), one answer to
"did it happen?" per (session, member)."""

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE mock_profiles (
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        tracks TEXT NOT NULL,
        level TEXT NOT NULL,
        zone TEXT NOT NULL,
        availability TEXT NOT NULL,
        cadence TEXT NOT NULL,
        paused INTEGER NOT NULL DEFAULT 0,
        paused_until TEXT,
        missed_in_row INTEGER NOT NULL DEFAULT 0,
        joined_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (community, member)
    );
    CREATE TABLE mock_drafts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        tracks TEXT NOT NULL,
        level TEXT NOT NULL,
        zone TEXT NOT NULL,
        availability TEXT NOT NULL,
        cadence TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (community, member)
    );
    CREATE TABLE mock_rounds (
        id INTEGER PRIMARY KEY,
        community TEXT NOT NULL,
        occurrence TEXT NOT NULL,
        week_start TEXT NOT NULL,
        waiting TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        UNIQUE (community, occurrence)
    );
    CREATE TABLE mock_sessions (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES mock_rounds (id),
        community TEXT NOT NULL,
        track TEXT NOT NULL,
        week_start TEXT NOT NULL,
        overlap TEXT NOT NULL,
        repeat INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        space TEXT,
        start_at TEXT,
        booked_by TEXT,
        deadline_at TEXT,
        declined TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX mock_sessions_by_community ON mock_sessions (community, status);
    CREATE TABLE mock_members (
        session_id INTEGER NOT NULL REFERENCES mock_sessions (id),
        position INTEGER NOT NULL,
        member TEXT NOT NULL,
        level TEXT NOT NULL,
        absent INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, position),
        UNIQUE (session_id, member)
    );
    CREATE INDEX mock_members_by_member ON mock_members (member);
    CREATE TABLE mock_turns (
        session_id INTEGER NOT NULL REFERENCES mock_sessions (id),
        turn INTEGER NOT NULL,
        interviewer TEXT NOT NULL,
        interviewee TEXT NOT NULL,
        item_id TEXT,
        sent_at TEXT,
        PRIMARY KEY (session_id, turn)
    );
    CREATE TABLE mock_scorecards (
        session_id INTEGER NOT NULL REFERENCES mock_sessions (id),
        turn INTEGER NOT NULL,
        community TEXT NOT NULL,
        interviewer TEXT,
        interviewee TEXT NOT NULL,
        item_id TEXT,
        modeling_judgment INTEGER NOT NULL,
        production_readiness INTEGER NOT NULL,
        evaluation_rigor INTEGER NOT NULL,
        communication_clarity INTEGER NOT NULL,
        strengths TEXT,
        improve TEXT,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        PRIMARY KEY (session_id, turn)
    );
    CREATE INDEX mock_scorecards_by_interviewee ON mock_scorecards (community, interviewee);
    CREATE TABLE mock_seen (
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        item_id TEXT NOT NULL,
        PRIMARY KEY (community, member, item_id)
    );
    """,
    # 2: each member answers "did it happen?" for themselves (mock_reports, with the points that answer earned);
    # what was recorded for each member when the session closed (mock_members.outcome), and when
    # (mock_sessions.closed_at); the private space's name, stored before it is opened (space_name)
    """
    ALTER TABLE mock_sessions ADD COLUMN space_name TEXT;
    ALTER TABLE mock_sessions ADD COLUMN closed_at TEXT;
    ALTER TABLE mock_members ADD COLUMN outcome TEXT;
    CREATE TABLE mock_reports (
        session_id INTEGER NOT NULL REFERENCES mock_sessions (id),
        member TEXT NOT NULL,
        answer TEXT NOT NULL,
        about TEXT,
        points INTEGER NOT NULL DEFAULT 0,
        reported_at TEXT NOT NULL,
        PRIMARY KEY (session_id, member)
    );
    """,
    # 3: sessions booked by a build before the report window have no close (mock.expire): plant one catch-up
    # job per community with an open session (upkeep.py), due long ago so the start-up sweep runs it at once.
    # Only rows of the core's `jobs` table, as bot.store.jobs.job_upsert writes them (platform: the community
    # key's prefix); an existing row is left as it is.
    """
    INSERT INTO jobs (kind, key, community, platform, due_at, payload, status, created_at)
    SELECT 'mock.reconcile', community, community,
           CASE WHEN instr(community, ':') > 0 THEN substr(community, 1, instr(community, ':') - 1)
                ELSE community END,
           '2000-01-01T00:00:00.000000Z', '{}', 'pending', MAX(updated_at)
    FROM mock_sessions WHERE status IN ('opening', 'proposed', 'booked') GROUP BY community
    ON CONFLICT (kind, key) DO NOTHING;
    """,
    # 4: each round's waiting members with why they wait and whether that round told them (waiting.py: a
    # member left waiting round after round is told once per stretch, not every round)
    """
    CREATE TABLE mock_waiting (
        round_id INTEGER NOT NULL REFERENCES mock_rounds (id),
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        reason TEXT NOT NULL,
        basis TEXT NOT NULL,
        told INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (round_id, member)
    );
    CREATE INDEX mock_waiting_by_member ON mock_waiting (community, member);
    """,
)
