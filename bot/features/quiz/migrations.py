"""The quiz feature's own tables (FeatureSpec.migrations): never edit a shipped script, add one.

Portable SQL: partial unique indexes and `ON CONFLICT DO NOTHING` run on PostgreSQL as written."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE quiz_sessions (
        id INTEGER PRIMARY KEY,
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        status TEXT NOT NULL,
        topic TEXT,
        difficulty TEXT,
        count INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
    );
    CREATE UNIQUE INDEX quiz_sessions_one_open ON quiz_sessions (community, member) WHERE status = 'open';
    CREATE INDEX quiz_sessions_member ON quiz_sessions (community, member, status);
    CREATE TABLE quiz_questions (
        session_id INTEGER NOT NULL REFERENCES quiz_sessions (id),
        idx INTEGER NOT NULL,
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        item_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        answer INTEGER NOT NULL,
        picked INTEGER,
        correct INTEGER NOT NULL DEFAULT 0,
        earned INTEGER NOT NULL DEFAULT 0,
        answered_at TEXT,
        PRIMARY KEY (session_id, idx)
    );
    CREATE INDEX quiz_questions_member_item ON quiz_questions (community, member, item_id, answered_at);
    CREATE TABLE quiz_races (
        id INTEGER PRIMARY KEY,
        community TEXT NOT NULL,
        channel TEXT NOT NULL,
        started_by TEXT,
        topic TEXT,
        count INTEGER NOT NULL,
        seconds INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        first_at TEXT NOT NULL,
        stop_by TEXT,
        stop_at TEXT,
        finished_at TEXT,
        ended TEXT
    );
    CREATE UNIQUE INDEX quiz_races_one_per_channel ON quiz_races (community, channel) WHERE finished_at IS NULL;
    CREATE TABLE quiz_race_questions (
        id INTEGER PRIMARY KEY,
        race_id INTEGER NOT NULL REFERENCES quiz_races (id),
        idx INTEGER NOT NULL,
        item_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        answer INTEGER NOT NULL,
        deadline TEXT,
        message TEXT,
        closed_at TEXT,
        settled_at TEXT,
        UNIQUE (race_id, idx)
    );
    CREATE TABLE quiz_race_picks (
        id INTEGER PRIMARY KEY,
        question_id INTEGER NOT NULL REFERENCES quiz_race_questions (id),
        community TEXT NOT NULL,
        member TEXT NOT NULL,
        choice INTEGER NOT NULL,
        event_at TEXT NOT NULL,
        arrived_at TEXT NOT NULL,
        UNIQUE (question_id, member)
    );
    CREATE INDEX quiz_race_picks_member ON quiz_race_picks (community, member);
    """,
)
