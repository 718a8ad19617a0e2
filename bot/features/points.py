"""How many points each action earns. One place, so the help text and the ledger agree."""

ANSWER_ON_TIME = 10
ANSWER_LATE = 4
KEY_POINT_COVERED = 2
KUDOS_RECEIVED = 3

REASON_ANSWER = "daily_answer"
REASON_KEY_POINT = "daily_key_point"
REASON_KUDOS = "kudos"
REASON_ADMIN = "admin_adjustment"
