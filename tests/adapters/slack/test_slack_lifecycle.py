"""The App Home refresh signal, the app leaving a workspace, private spaces (group DMs) and deletes."""

from __future__ import annotations

from typing import Any

import pytest
from slack_fake import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    OTHER_TEAM,
    OTHER_TOKEN,
    TEAM,
    FakeSlack,
    click,
    command,
    submission,
    tokens_revoked,
    uninstalled,
)
from slack_harness import SlackHarness, clock_fixture, fake_fixture, harness_fixture  # noqa: F401 (pytest fixtures)
from slack_sdk.oauth.installation_store import Bot, FileInstallationStore

from bot.events import CommandInvoked, Event, HomeOpened
from bot.ids import ChannelRef, CommunityRef, MemberRef, Platform
from bot.messages import Form, FormField, Reply, Response
from bot.ports import DeliveryError, DeliveryProblem

COMMUNITY = CommunityRef(Platform.SLACK, TEAM)
DAILY = ChannelRef(COMMUNITY, CHANNEL)
FORM = Form("daily:submit:1", "Answer", fields=(FormField("answer", "Answer"),))


async def set_up(h: SlackHarness) -> None:
    await h.send(command(h.fake, ADMIN, "/studybot", "setup"))
    await h.send(submission(h.fake.called("views.open")[-1].params["view"], ADMIN, {"time": "09:00"}))


# App Home refresh: the core's signal, for every kind of response ----------------------------------------
@pytest.mark.parametrize("refresh", [True, False])
@pytest.mark.parametrize("kind", ["command", "button", "form"])
async def test_the_home_tab_is_published_when_the_response_says_so(harness: SlackHarness, kind: str,
                                                                   refresh: bool) -> None:
    def answer(event: Event) -> Response:
        if isinstance(event, CommandInvoked) and kind == "form":
            return Response(form=FORM)
        return Response(reply=Reply(text="done"), refresh_home=refresh)

    harness.script(answer)
    if kind == "command":
        await harness.send(command(harness.fake, ALICE, "/stats", ""))
    elif kind == "button":
        await harness.send(click(harness.fake, ALICE, "quiz:go:1"))
    else:  # a `daily:` form: the adapter no longer guesses from the callback id
        await harness.send(command(harness.fake, ALICE, "/daily", ""))
        view = harness.fake.called("views.open")[-1].params["view"]
        assert view["callback_id"] == "daily:submit:1"
        await harness.send(submission(view, ALICE, {"answer": "bias"}))
    assert harness.fake.responses()[-1]["text"] == "done"
    published = harness.fake.called("views.publish")
    assert [c.params["user_id"] for c in published] == ([ALICE] if refresh else [])
    if refresh:
        assert published[0].params["view"]["type"] == "home"


async def test_a_refused_form_can_still_refresh_the_home_tab(harness: SlackHarness) -> None:
    harness.script(lambda e: Response(form=FORM) if isinstance(e, CommandInvoked) else
                   Response(reply=Reply(text="your home")) if isinstance(e, HomeOpened) else
                   Response(form_errors={"answer": "Too short"}, refresh_home=True))
    await harness.send(command(harness.fake, ALICE, "/daily", ""))
    response = await harness.send(submission(harness.fake.called("views.open")[-1].params["view"], ALICE,
                                             {"answer": "x"}))
    assert '"response_action": "errors"' in response.body
    assert [c.params["user_id"] for c in harness.fake.called("views.publish")] == [ALICE]


# the app leaves a workspace ----------------------------------------------------------------------
@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
async def test_leaving_a_workspace_removes_the_community_and_forgets_the_token(harness: SlackHarness,
                                                                               event: str) -> None:
    await set_up(harness)
    key = COMMUNITY.key
    settings = await harness.core.communities.get(key)
    assert settings is not None and settings.enabled
    payload = uninstalled("Ev0GONE0001") if event == "app_uninstalled" else tokens_revoked("Ev0GONE0001")
    before = len(harness.fake.calls)
    response = await harness.send(payload)
    assert response.status == 200
    assert harness.fake.calls[before:] == []  # no Web API call: the token is dead anyway
    settings = await harness.core.communities.get(key)
    assert settings is not None and not settings.enabled
    await harness.run_until(harness.clock.now().replace(hour=9, minute=5))  # the daily post time passes
    assert harness.fake.calls[before:] == [] and harness.fake.posts() == []
    with pytest.raises(DeliveryError) as info:  # the token is forgotten: nothing goes out with it again
        await harness.adapter.chat.send(DAILY, Reply(text="hello?"))
    assert info.value.problem is DeliveryProblem.AUTH
    assert harness.fake.posts() == []
    harness.script(lambda e: Response.private("should not run"))
    await harness.send(command(harness.fake, ALICE, "/stats", "", name="after"))
    assert harness.events == []  # the core never hears from a removed workspace
    assert "not installed" in harness.fake.responses()[-1]["text"]


async def test_revoking_only_user_tokens_leaves_the_bot_in_place(harness: SlackHarness) -> None:
    await set_up(harness)
    await harness.send(tokens_revoked("Ev0USER0001", bot=False, users=(ALICE,)))
    settings = await harness.core.communities.get(COMMUNITY.key)
    assert settings is not None and settings.enabled
    await harness.adapter.chat.send(DAILY, Reply(text="still here"))
    assert harness.fake.posts(CHANNEL)[-1]["text"] == "still here"


async def test_an_uninstall_deletes_the_installation_and_spares_other_teams(fake: FakeSlack, clock: Any,
                                                                           tmp_path: Any) -> None:
    store = FileInstallationStore(base_dir=str(tmp_path / "installations"))
    await store.async_save_bot(Bot(team_id=OTHER_TEAM, bot_token=OTHER_TOKEN, bot_id="B0BOT0002",
                                   bot_user_id="U0BOT0002", installed_at=1748854800.0))
    h = await SlackHarness(fake, clock, ":memory:", installation_store=store).boot()
    try:
        other = ChannelRef(CommunityRef(Platform.SLACK, OTHER_TEAM), "C0OTHER01")
        await h.adapter.chat.send(other, Reply(text="hi other"))
        assert fake.called("chat.postMessage")[-1].token == OTHER_TOKEN
        await h.send(uninstalled("Ev0GONE0002", team=OTHER_TEAM))
        assert await store.async_find_bot(enterprise_id=None, team_id=OTHER_TEAM) is None
        with pytest.raises(DeliveryError):
            await h.adapter.chat.send(other, Reply(text="gone"))
        await h.adapter.chat.send(DAILY, Reply(text="the default team is untouched"))
        assert fake.posts(CHANNEL)[-1]["text"] == "the default team is untouched"
        # installing again brings the team back
        await store.async_save_bot(Bot(team_id=OTHER_TEAM, bot_token=OTHER_TOKEN, bot_id="B0BOT0002",
                                       bot_user_id="U0BOT0002", installed_at=1748858400.0))
        await h.adapter.chat.send(other, Reply(text="back"))
        assert fake.posts("C0OTHER01")[-1]["text"] == "back"
    finally:
        await h.close()


# private spaces and deletes ------------------------------------------------------------------------
async def test_a_private_space_is_a_group_dm_with_exactly_those_members(harness: SlackHarness) -> None:
    chat = harness.adapter.chat
    members = tuple(MemberRef(COMMUNITY, m) for m in (ALICE, BOB, CAROL, BOB))
    space = await chat.open_private_space(DAILY, members, "Mock interview · Alice, Bob, Carol")
    (opened,) = harness.fake.called("conversations.open")
    assert opened.params["users"] == f"{ALICE},{BOB},{CAROL}"  # each once, in order, and no one else
    assert space.community == COMMUNITY and space.thread_id is None and space.id.startswith("G")
    assert harness.fake.conversations[space.id] == (ALICE, BOB, CAROL)
    await chat.send(space, Reply(text="Welcome"))
    assert harness.fake.posts(space.id)[-1]["text"] == "Welcome"
    assert harness.fake.posts(CHANNEL) == []  # nothing in the channel it was opened from


async def test_a_refused_private_space_raises(harness: SlackHarness) -> None:
    chat = harness.adapter.chat
    harness.fake.fail("conversations.open", "user_not_found")
    with pytest.raises(DeliveryError) as info:
        await chat.open_private_space(DAILY, (MemberRef(COMMUNITY, ALICE), MemberRef(COMMUNITY, BOB)), "pair")
    assert info.value.problem is DeliveryProblem.MEMBER_GONE
    harness.fake.fail("conversations.open", "missing_scope")
    with pytest.raises(DeliveryError) as info:
        await chat.open_private_space(DAILY, (MemberRef(COMMUNITY, ALICE), MemberRef(COMMUNITY, BOB)), "pair")
    assert info.value.problem is DeliveryProblem.AUTH
    calls = len(harness.fake.calls)
    crowd = tuple(MemberRef(COMMUNITY, f"U0CROWD{i:02d}") for i in range(9))
    with pytest.raises(DeliveryError) as info:  # more than a Slack group DM holds: refused before asking
        await chat.open_private_space(DAILY, crowd, "crowd")
    assert info.value.problem is DeliveryProblem.NOT_PRIVATE and len(harness.fake.calls) == calls
    assert harness.fake.posts() == []


async def test_delete_and_a_message_already_gone(harness: SlackHarness) -> None:
    chat = harness.adapter.chat
    ref = await chat.send(DAILY, Reply(text="oops"))
    await chat.delete(ref)
    (call,) = harness.fake.called("chat.delete")
    assert (call.params["channel"], call.params["ts"]) == (CHANNEL, ref.id)
    assert harness.fake.messages[CHANNEL] == []
    await chat.delete(ref)  # message_not_found: counts as deleted
    assert len(harness.fake.called("chat.delete")) == 2
    harness.fake.fail("chat.delete", "cant_delete_message")
    with pytest.raises(DeliveryError):
        await chat.delete(ref)
