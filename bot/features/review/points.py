"""What reviewing earns: a little per card, once per card per local day, and only so many cards a day,
so the board rewards keeping cards fresh rather than rating the same card again and again."""

CARD = 1  # points for rating a card (any rating: the effort is the recall)
DAILY_CARDS = 10  # at most this many cards earn points per member per local day
REASON = "review_card"
