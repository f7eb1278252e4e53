"""Interactions: slash commands checked against the synced schema, answers, components, modals."""

from __future__ import annotations

import pytest

from fakediscord import (
    is_ephemeral,
)
from tests.test_fakediscord.toy_bot import Lab


async def test_a_slash_command_reaches_the_callback_and_its_reply_is_seen(lab: Lab) -> None:
    ix = await lab.fake.slash("paper search", user=lab.alice, query="goose", author="ada", limit=3)
    reply = await ix.reply()
    assert lab.seen.searches == [{"query": "goose", "author": "ada", "limit": 3}]
    assert reply["content"] == "results for goose"
    assert not ix.ephemeral and lab.fake.messages(lab.channel) == [reply]
    assert (await ix.response())["type"] == 4


async def test_a_deferred_command_is_finished_by_its_follow_up_with_a_file(lab: Lab) -> None:
    ix = await lab.fake.slash("paper export", user=lab.alice)
    assert (await ix.response())["type"] == 5
    assert ix.message is None  # still "thinking"
    lab.seen.release.set()
    (followup,) = await ix.followups(1)
    assert await ix.reply() is followup
    assert followup["content"] == "your export"
    assert [a["filename"] for a in followup["attachments"]] == ["papers.csv"]
    assert lab.fake.attachments(followup) == {"papers.csv": b"id,title\n1,Goose\n"}
    upload = next(c for c in lab.fake.calls if c.path.startswith("/webhooks/"))
    assert upload.files == [("papers.csv", b"id,title\n1,Goose\n")]


async def test_ephemeral_replies_are_flagged_and_stay_out_of_the_channel(lab: Lab) -> None:
    ix = await lab.fake.slash("paper search", user=lab.alice, query="secret")
    reply = await ix.reply()
    assert ix.ephemeral and is_ephemeral(reply) and reply["flags"] & 64
    assert lab.fake.messages(lab.channel) == []


@pytest.mark.parametrize(
    ("path", "options", "error"),
    [
        ("paper search", {"query": "x", "colour": "red"}, "has no option 'colour'"),
        ("paper search", {"author": "ada"}, "missing required options \\['query'\\]"),
        ("paper search", {"query": "x", "limit": "3"}, "limit must be int"),
        ("paper search", {"query": "x", "limit": 11}, "outside \\[1, 10\\]"),
        ("paper lookup", {}, "has no subcommand 'lookup'"),
        ("paper", {}, "needs a subcommand"),
        ("papers search", {"query": "x"}, "/papers was never synced"),
    ],
)
async def test_slash_is_checked_against_the_synced_schema(
    lab: Lab, path: str, options: dict, error: str
) -> None:
    with pytest.raises(AssertionError, match=error):
        await lab.fake.slash(path, user=lab.alice, **options)
    assert lab.seen.searches == []


async def test_a_button_click_is_routed_to_the_view_on_that_message(lab: Lab) -> None:
    reply = await (await lab.fake.slash("paper search", user=lab.alice, query="goose")).reply()
    bob = lab.fake.add_user("bob")
    click = await lab.fake.click(reply, "save", user=bob)
    answer = await click.reply()
    assert lab.seen.clicks == [bob.id]
    assert answer["content"] == "saved" and click.ephemeral
    with pytest.raises(AssertionError, match="has no component 'delete'"):
        await lab.fake.click(reply, "delete", user=bob)


async def test_a_select_reaches_the_view_and_updates_the_message(lab: Lab) -> None:
    reply = await (await lab.fake.slash("paper search", user=lab.alice, query="goose")).reply()
    pick = await lab.fake.select(reply, "topic", ["nlp", "rl"], user=lab.alice)
    assert (await pick.response())["type"] == 7
    assert lab.seen.picks == [["nlp", "rl"]]
    assert reply["content"] == "topics: nlp, rl"  # the stored message was edited in place
    with pytest.raises(AssertionError, match="has no options \\['audio'\\]"):
        await lab.fake.select(reply, "topic", ["audio"], user=lab.alice)


async def test_a_deferred_update_and_its_edit_change_the_clicked_message(lab: Lab) -> None:
    reply = await (await lab.fake.slash("paper search", user=lab.alice, query="goose")).reply()
    click = await lab.fake.click(reply, "refresh", user=lab.alice)
    assert (await click.response())["type"] == 6
    assert await click.reply() is reply
    assert reply["content"] == "refreshed" and reply["components"] == []


async def test_autocomplete_returns_the_bots_choices(lab: Lab) -> None:
    choices = await lab.fake.autocomplete(
        "paper author", focused="name", value="al", user=lab.alice
    )
    assert choices == [{"name": "Alan Turing", "value": "Alan Turing"}]


async def test_member_options_arrive_resolved(lab: Lab) -> None:
    bob = lab.fake.add_user("bob")
    lab.guild.add_member(bob)
    reply = await (await lab.fake.slash("paper share", user=lab.alice, member=bob)).reply()
    assert reply["content"] == "shared with bob"


async def test_a_modal_is_opened_and_its_submission_reaches_on_submit(lab: Lab) -> None:
    ix = await lab.fake.slash("paper note", user=lab.alice)
    assert (await ix.response())["type"] == 9 and ix.modal["title"] == "A note"
    submitted = await lab.fake.submit_modal(ix, {"text": "read later"})
    answer = await submitted.reply()
    assert answer["content"] == "noted: read later" and submitted.ephemeral


async def test_a_slash_command_in_a_dm_carries_the_user(lab: Lab) -> None:
    dm = lab.fake.dm_channel(lab.alice)
    reply = await (
        await lab.fake.slash("paper author", user=lab.alice, channel=dm, name="x")
    ).reply()
    assert reply["content"] == "author x" and "guild_id" not in reply


async def test_an_answer_after_discords_deadline_is_unknown_interaction(lab: Lab) -> None:
    lab.fake.interaction_deadline = 0.0
    ix = await lab.fake.slash("paper search", user=lab.alice, query="late")
    refused = await lab.fake.next_call("POST", "/interactions/{id}/{token}/callback")
    assert refused.status == 404 and ix.late and ix.callbacks == []
