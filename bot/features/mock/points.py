"""How many points a mock interview earns. One place, so the texts and the ledger agree."""

SESSION_DONE = 15  # each member present at a session that happened
FEEDBACK_GIVEN = 5  # each scorecard sent

REASON_SESSION = "mock_session"  # ref: the session id
REASON_FEEDBACK = "mock_feedback"  # ref: "<session id>:<turn>"
