"""Members first on the event loop (bot.precedence): background steps wait while a member's request is
handled, go one per loop turn once members are idle, and are never held for longer than the limit."""

from __future__ import annotations

import asyncio

import pytest

from bot.precedence import MembersFirst, background, in_background


async def step(gate: MembersFirst, name: str, log: list[str]) -> None:
    with background():
        await gate.turn()
        log.append(name)


async def turns(n: int) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_a_background_step_waits_for_the_members_request_being_handled() -> None:
    gate, log = MembersFirst(max_wait_s=60), []
    with gate.member():
        task = asyncio.ensure_future(step(gate, "job", log))
        await turns(5)
        assert log == [] and gate.held == 1 and gate.members_busy
    await turns(3)
    assert log == ["job"] and task.done() and not gate.members_busy


async def test_members_work_never_waits() -> None:
    gate = MembersFirst(max_wait_s=60)
    with gate.member(), gate.member():
        assert not in_background()
        await asyncio.wait_for(gate.turn(), 0.5)  # a member's own call goes at once, busy or not
    assert gate.held == 0


async def test_steps_made_ready_together_go_one_per_turn_of_the_loop() -> None:
    gate, log = MembersFirst(max_wait_s=60), []
    with gate.member():
        tasks = [asyncio.ensure_future(step(gate, f"job{n}", log)) for n in range(3)]
        await turns(2)
    # members idle: the oldest goes first, then one a turn, so a member arriving finds one step ahead
    seen = []
    for _ in range(12):
        await asyncio.sleep(0)
        seen.append(len(log))
    assert log == ["job0", "job1", "job2"]
    assert all(b - a <= 1 for a, b in zip([0, *seen], seen, strict=False))
    await asyncio.gather(*tasks)


async def test_the_first_background_step_of_a_turn_goes_at_once_and_the_next_waits_a_turn() -> None:
    gate, log = MembersFirst(max_wait_s=60), []
    first = asyncio.ensure_future(step(gate, "a", log))
    second = asyncio.ensure_future(step(gate, "b", log))
    await asyncio.sleep(0)  # both tasks run their first step in this turn
    assert log == ["a"]
    await turns(3)
    assert log == ["a", "b"]
    await asyncio.gather(first, second)


async def test_while_members_stay_busy_a_waiting_step_still_goes_after_the_limit() -> None:
    gate, log = MembersFirst(max_wait_s=0.005), []
    with gate.member():
        tasks = [asyncio.ensure_future(step(gate, f"job{n}", log)) for n in range(2)]
        await asyncio.wait_for(asyncio.gather(*tasks), 2.0)  # slowed, never stopped
        assert log == ["job0", "job1"] and gate.members_busy


async def test_a_cancelled_waiter_hands_its_turn_on() -> None:
    gate, log = MembersFirst(max_wait_s=60), []
    with gate.member():
        doomed = asyncio.ensure_future(step(gate, "doomed", log))
        kept = asyncio.ensure_future(step(gate, "kept", log))
        await turns(2)
        doomed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await doomed
    await asyncio.wait_for(kept, 1.0)
    assert log == ["kept"]


async def test_a_members_request_waiting_on_the_platform_holds_no_background_step() -> None:
    gate, log = MembersFirst(max_wait_s=60), []
    with gate.member():
        task = asyncio.ensure_future(step(gate, "job", log))
        await turns(3)
        assert log == []  # the member's request is on the loop: the step waits
        with gate.platform_call():  # ...now it waits on Slack or Discord, not using the loop
            assert not gate.members_busy
            await turns(3)
            assert log == ["job"]
        assert gate.members_busy  # back from the platform: busy again until answered
    assert not gate.members_busy
    await task


async def test_a_requests_concurrent_platform_calls_count_it_out_once_and_back_once() -> None:
    gate = MembersFirst(max_wait_s=60)
    release = asyncio.Event()

    async def call() -> None:
        with gate.platform_call():
            await release.wait()

    with gate.member(), gate.member():  # two members; the first of them makes three calls at once
        with gate.member():
            calls = [asyncio.ensure_future(call()) for _ in range(3)]
            await turns(2)
            assert gate.members_busy  # the other two members are still busy
            release.set()
            await asyncio.gather(*calls)
        assert gate.members_busy
    assert not gate.members_busy


async def test_a_platform_call_outliving_its_request_does_not_count_it_again() -> None:
    gate, log = MembersFirst(max_wait_s=60), []
    release = asyncio.Event()

    async def call() -> None:
        with gate.platform_call():
            await release.wait()

    with gate.member():
        straggler = asyncio.ensure_future(call())
        await turns(2)
    release.set()
    await straggler
    assert not gate.members_busy
    await asyncio.wait_for(step(gate, "job", log), 1.0)  # nothing counts as busy: it goes at once
    assert log == ["job"]


async def test_background_platform_calls_change_no_count() -> None:
    gate = MembersFirst(max_wait_s=60)
    with gate.member():
        with background(), gate.platform_call():
            assert gate.members_busy
        assert gate.members_busy
    assert not gate.members_busy
