"""The repositories as protocols: what features may ask of storage, whatever the backend.

Features depend on these; the SQLite classes (`bot.store.communities.CommunityRepo` and the rest) are the
default implementation, and `tests/store/test_contracts.py` holds the behaviour every implementation must
show, parametrized over all of them. A second backend (PostgreSQL through asyncpg, for communities that
outgrow one process) implements the same protocols and is added to that test's list of backends.

The value types (Round, Answer, Claim, Job, PackRow, Member, CommunitySettings) are plain frozen
dataclasses; they live next to the SQLite code today but carry nothing of it.

What a PostgreSQL implementation changes (each SQLite module notes its own details):
- placeholders `?` become `$1, $2, ...`; new ids come from `INSERT ... RETURNING id`, not `lastrowid`;
- `ON CONFLICT (...) DO NOTHING / DO UPDATE` stays as written (no `INSERT OR IGNORE/REPLACE` is used);
- a write function becomes one transaction on a pooled connection instead of a group-committed batch on
  the single SQLite writer;
- claims of due jobs use `FOR UPDATE SKIP LOCKED`; the outbox claim's conditional `UPDATE` is already
  safe under READ COMMITTED;
- the per-period totals are upserted by the ledger insert in its transaction (`points_total` is a view of
  the all-time ones), and the schema comes from its own numbered scripts; timestamps may become
  `timestamptz` as long as order is time order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from bot.community import CommunitySettings
from bot.store.communities import Member
from bot.store.jobs import Job
from bot.store.ledger import LedgerRow, Standing, Window
from bot.store.outbox import Claim
from bot.store.packs import PackRow

__all__ = [
    "CommunityStore",
    "JobStore",
    "LedgerStore",
    "MemberStore",
    "OutboxStore",
    "PackStore",
]


@runtime_checkable
class CommunityStore(Protocol):
    """Community settings, keyed by the community's storage key."""

    async def get(self, key: str) -> CommunitySettings | None: ...

    async def enabled(self) -> list[CommunitySettings]:
        """Every enabled community, by key."""
        ...

    async def save(self, s: CommunitySettings, now: datetime) -> None:
        """Create or replace the settings (admin member and notice are kept)."""
        ...

    async def set_admin_member(self, key: str, member: str) -> None: ...

    async def clear_admin_member(self, key: str, member: str) -> bool:
        """Forget who set the community up, if it was this member; True when it was."""
        ...

    async def admin_member(self, key: str) -> str | None: ...

    async def set_admin_notice(self, key: str, notice: str | None) -> bool:
        """Record the problem an admin was told about; False when it equals the one recorded."""
        ...


@runtime_checkable
class MemberStore(Protocol):
    async def touch(self, community: str, member: str, display_name: str, now: datetime) -> None:
        """Create the member or refresh their display name and last-seen time."""
        ...

    async def set_timezone(self, community: str, member: str, zone: str) -> None: ...

    async def get(self, community: str, member: str) -> Member | None: ...

    async def records(self, community: str) -> dict[str, Member]:
        """Every member record of the community, by id (in one query, whatever their number)."""
        ...

    async def names(self, community: str, ids: list[str]) -> dict[str, str]:
        """Display names of the known ones among `ids` (any number of them)."""
        ...

    async def erase(self, community: str, member: str) -> int:
        """Forget the member's row (name, timezone); how many rows went."""
        ...


@runtime_checkable
class LedgerStore(Protocol):
    """Append-only points: one row per (community, member, reason, ref); totals and windows over it.

    Week, month and all-time totals (overall and per topic) are kept with each row, in its transaction, so
    a board page and a member's rank are index reads however long the ledger grows (`bot.store.ledger`)."""

    async def award(self, community: str, member: str, points: int, reason: str, ref: str,
                    now: datetime, *, topic: str | None = None) -> bool:
        """Append a row; False (nothing written) when it was awarded before."""
        ...

    async def sync_zone(self, community: str, zone: str, now: datetime) -> bool:
        """Count the community's weeks and months in `zone` from now on, rebuilding the recent ones from the
        ledger when they were counted in another zone (or never built); True when it rebuilt."""
        ...

    async def standings(self, community: str, w: Window, *, topic: str | None = None, limit: int = 10,
                        offset: int = 0, exclude: Collection[str] = (), now: datetime | None = None
                        ) -> list[Standing]:
        """A page of the board of window `w` (its topic's, if given), most points first; ties share a
        rank and are listed by who reached the score first; `exclude`d members are left out."""
        ...

    async def standing(self, community: str, member: str, w: Window, *, topic: str | None = None,
                       exclude: Collection[str] = (), now: datetime | None = None) -> Standing | None:
        """The member's points and rank on that board; None without points there, or when excluded."""
        ...

    async def gains(self, community: str, w: Window, limit: int = 3, *, exclude: Collection[str] = (),
                    now: datetime | None = None) -> list[tuple[str, int]]:
        """(member, gain) of those who earned most more in `w` than in the period before it (gain > 0)."""
        ...

    async def member_periods(self, community: str, member: str, labels: Iterable[str],
                             topic: str | None = None) -> dict[str, int]:
        """The member's totals of the named periods (`Window.label`); periods without points are left out."""
        ...

    async def community_periods(self, community: str, labels: Iterable[str],
                                topic: str | None = None) -> dict[str, dict[str, int]]:
        """Every member's totals of the named periods, by member then period (one read for a whole export)."""
        ...

    async def by_reason(self, community: str, member: str) -> dict[str, int]:
        """The member's all-time points by reason, most first."""
        ...

    async def recent(self, community: str, member: str, limit: int = 10, offset: int = 0) -> list[LedgerRow]:
        """The member's rows, newest first."""
        ...

    async def community_rows(self, community: str) -> list[tuple[str, int, str, str, str | None, str]]:
        """Every row of the community, oldest first: (member, points, reason, ref, topic, at ISO)."""
        ...

    async def top(self, community: str, since: datetime | None, limit: int = 10, *,
                  topic: str | None = None) -> list[tuple[str, int]]:
        """(member, points) most first, ties by member; since `since` (None: all time), of `topic` if given."""
        ...

    async def total(self, community: str, member: str, since: datetime | None = None) -> int: ...

    async def rank(self, community: str, member: str) -> int | None:
        """1-based all-time rank (members with more points + 1); None with no points."""
        ...

    async def member_rows(self, community: str, member: str) -> list[dict[str, Any]]:
        """Every ledger row of the member, oldest first (for their own data export)."""
        ...

    async def erase_member(self, community: str, member: str) -> int:
        """Delete the member's rows and every total of theirs, so the boards stay consistent; how many rows went."""
        ...


@runtime_checkable
class OutboxStore(Protocol):
    """Idempotency keys of messages the core sends on its own, each claimed with a lease."""

    async def claim(self, key: str, community: str, destination: str, now: datetime, owner: str,
                    force: bool = False) -> Claim:
        """NEW for the first claimant, RECLAIMED after a lapsed lease (or, with `force`, a row waiting for
        its retry time), SENT / ABANDONED when settled, BUSY otherwise. Never two live claims of one key."""
        ...

    async def mark_sent(self, key: str, message: str, now: datetime, delivered_to: str | None = None) -> None: ...

    async def mark_failed(self, key: str, error: str, retry_at: datetime) -> int:
        """Release the claim; nobody (but a forced claim) takes it before `retry_at`. Returns attempts."""
        ...

    async def attempts(self, key: str) -> int: ...

    async def is_claimed(self, key: str) -> bool: ...

    async def mark_abandoned(self, key: str, error: str) -> None: ...

    async def retry_waiting(self, community: str, now: datetime) -> int:
        """Make the community's rows waiting for a retry time due now; how many."""
        ...

    async def retry_after_outage(self, platform: str, now: datetime) -> list[str]:
        """Rows of the platform's communities waiting because it was unavailable are due now; which
        communities."""
        ...

    async def next_retry(self, community: str, after: datetime) -> datetime | None: ...

    async def sent_messages(self, keys: list[str]) -> dict[str, str]:
        """Message ref keys of the rows among `keys` that were sent."""
        ...

    async def forget(self, keys: list[str]) -> int:
        """Delete the rows of these keys; how many went."""
        ...

    async def erase_member(self, community: str, member: str) -> int:
        """Delete the rows of direct messages to this member; how many went."""
        ...

    async def claim_owners(self) -> list[str]: ...

    async def release(self, owners: list[str], now: datetime) -> int:
        """End the live claims of these (dead) owners now; how many rows."""
        ...


@runtime_checkable
class PackStore(Protocol):
    """Community packs: each add is a new version; the newest version of a name is the pack unless removed."""

    async def add(self, community: str, name: str, source_format: str, items: str, item_count: int,
                  added_by: str, now: datetime, items_json: str | None = None,
                  schema_key: str | None = None) -> PackRow: ...

    async def remove(self, community: str, name: str, now: datetime) -> bool:
        """Mark the pack removed; False when there was no active pack of that name."""
        ...

    async def versions(self, community: str) -> list[PackRow]:
        """Every version of every pack of the community, oldest first."""
        ...

    async def fingerprint(self, community: str) -> tuple[int, int, int]:
        """A value that changes whenever a pack of the community is added or removed."""
        ...


@runtime_checkable
class JobStore(Protocol):
    """Durable jobs (kind, key, due_at, payload), claimed with a lease."""

    async def schedule(self, kind: str, key: str, community: str, due_at: datetime,
                       payload: dict[str, Any], now: datetime) -> None:
        """Create or replace the job, pending at `due_at` (also when it is running: its finish then
        matches nothing and the new due time stands)."""
        ...

    async def cancel(self, kind: str, key: str) -> None: ...

    async def cancel_community(self, community: str) -> int: ...

    async def claim_due(self, now: datetime, owner: str, lease_until: datetime, platforms: tuple[str, ...] | None,
                        limit: int) -> list[Job]:
        """Up to `limit` due jobs (oldest first; a lapsed lease counts as due) now running for `owner`."""
        ...

    async def finish(self, job: Job, owner: str, now: datetime, status: str = "done",
                     error: str | None = None) -> None: ...

    async def retry(self, job: Job, owner: str, at: datetime, error: str) -> None: ...

    async def next_due(self, platforms: tuple[str, ...] | None) -> datetime | None: ...

    async def get(self, kind: str, key: str) -> tuple[str, datetime, int, str | None] | None:
        """(status, due_at, attempts, last_error)."""
        ...

    async def missing(self, kind: str, communities: list[str]) -> list[str]: ...

    async def release(self, owners: list[str], now: datetime) -> int: ...

    async def owners(self) -> list[str]: ...


if TYPE_CHECKING:  # the default implementation satisfies every protocol, checked by `mypy` (strict on bot/)
    from bot.store.communities import CommunityRepo, MemberRepo
    from bot.store.db import Database
    from bot.store.jobs import JobRepo
    from bot.store.ledger import LedgerRepo
    from bot.store.outbox import OutboxRepo
    from bot.store.packs import PackRepo

    def _sqlite_satisfies_protocols(db: Database) -> None:
        _communities: CommunityStore = CommunityRepo(db)
        _members: MemberStore = MemberRepo(db)
        _ledger: LedgerStore = LedgerRepo(db)
        _outbox: OutboxStore = OutboxRepo(db)
        _packs: PackStore = PackRepo(db)
        _jobs: JobStore = JobRepo(db)
