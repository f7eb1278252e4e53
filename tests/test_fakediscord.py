"""The fake Discord itself, proven with a small throwaway bot run by the real discord.py client."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import (
    Channel,
    FakeDiscord,
    Guild,
    RateLimits,
    User,
    is_ephemeral,
    overwrite,
    running,
)
from tests.fakediscord.state import SEND_MESSAGES, VIEW_CHANNEL


@dataclass
class Seen:
    """What the throwaway bot observed, for the tests to assert on."""

    searches: list[dict] = field(default_factory=list)
    clicks: list[int] = field(default_factory=list)
    picks: list[list[str]] = field(default_factory=list)
    reactions: list[tuple[str, int, str]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)


class Buttons(discord.ui.View):
    def __init__(self, seen: Seen) -> None:
        super().__init__(timeout=None)
        self.seen = seen

    @discord.ui.button(label="Save", custom_id="save")
    async def save(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.seen.clicks.append(interaction.user.id)
        await interaction.response.send_message("saved", ephemeral=True)

    @discord.ui.button(label="Refresh", custom_id="refresh")
    async def refresh(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()  # type 6: update the message later
        await interaction.edit_original_response(content="refreshed", view=None)

    @discord.ui.select(
        custom_id="topic",
        options=[discord.SelectOption(label=x, value=x) for x in ("nlp", "vision", "rl")],
        max_values=2,
    )
    async def topic(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        self.seen.picks.append(select.values)
        await interaction.response.edit_message(content=f"topics: {', '.join(select.values)}")


class Note(discord.ui.Modal, title="A note"):
    text = discord.ui.TextInput(label="Note", custom_id="text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.text.value}", ephemeral=True)


class Paper(app_commands.Group):
    def __init__(self, seen: Seen) -> None:
        super().__init__(name="paper", description="Find papers")
        self.seen = seen

    @app_commands.command(description="Search the digests")
    @app_commands.describe(query="Words to look for", author="Only this author", limit="How many")
    async def search(
        self,
        interaction: discord.Interaction,
        query: str,
        author: str | None = None,
        limit: app_commands.Range[int, 1, 10] = 5,
    ) -> None:
        self.seen.searches.append({"query": query, "author": author, "limit": limit})
        await interaction.response.send_message(
            f"results for {query}", view=Buttons(self.seen), ephemeral=query == "secret"
        )

    @app_commands.command(description="Papers by an author")
    @app_commands.describe(name="The author's name")
    async def author(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"author {name}")

    @author.autocomplete("name")
    async def author_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
        return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n.lower()]

    @app_commands.command(description="Share the results with someone")
    @app_commands.describe(member="Who to share with")
    async def share(self, interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"shared with {member.display_name}")

    @app_commands.command(description="Write a note")
    async def note(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Note())

    @app_commands.command(description="A slow export, sent as a file")
    async def export(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.seen.release.wait()
        data = discord.File(io.BytesIO(b"id,title\n1,Goose\n"), filename="papers.csv")
        await interaction.followup.send("your export", file=data, ephemeral=True)


def make_bot(seen: Seen) -> commands.Bot:
    intents = discord.Intents.none()
    intents.guilds = intents.guild_reactions = True
    bot = commands.Bot(
        command_prefix=commands.when_mentioned, intents=intents, guild_ready_timeout=0.05
    )
    bot.tree.add_command(Paper(seen))

    @bot.event
    async def setup_hook() -> None:
        await bot.tree.sync()

    @bot.event
    async def on_raw_reaction_add(event: discord.RawReactionActionEvent) -> None:
        seen.reactions.append(("add", event.user_id, str(event.emoji)))

    @bot.event
    async def on_raw_reaction_remove(event: discord.RawReactionActionEvent) -> None:
        seen.reactions.append(("remove", event.user_id, str(event.emoji)))

    return bot


@dataclass
class Lab:
    fake: FakeDiscord
    bot: commands.Bot
    guild: Guild
    channel: Channel
    alice: User
    seen: Seen


@pytest.fixture
async def lab(fake_discord: FakeDiscord) -> AsyncIterator[Lab]:
    guild = fake_discord.add_guild(name="Research Lab")
    channel = guild.add_text_channel("papers")
    alice = fake_discord.add_user("alice")
    guild.add_member(alice)
    seen = Seen()
    bot = make_bot(seen)
    async with running(bot, fake_discord):
        yield Lab(fake_discord, bot, guild, channel, alice, seen)


async def test_the_bot_logs_in_and_its_intents_are_recorded(lab: Lab) -> None:
    assert lab.bot.is_ready()
    assert lab.bot.user.id == lab.fake.bot_user.id
    intents = discord.Intents._from_value(lab.fake.identify_intents)
    assert intents.guilds and intents.guild_reactions and not intents.message_content
    cached = lab.bot.get_guild(lab.guild.id)
    assert cached.name == "Research Lab"
    assert [c.name for c in cached.text_channels] == ["papers"]
    assert cached.me.guild_permissions.send_messages


async def test_a_wrong_token_fails_login(fake_discord: FakeDiscord) -> None:
    bot = make_bot(Seen())
    with pytest.raises(discord.LoginFailure):
        async with running(bot, token="not-the-token"):
            pass
    assert fake_discord.calls[0].status == 401


async def test_the_synced_commands_are_stored_with_ids(lab: Lab) -> None:
    (paper,) = lab.fake.commands[None]
    assert paper["name"] == "paper" and paper["id"]
    subcommands = {o["name"]: o for o in paper["options"]}
    assert set(subcommands) == {"search", "author", "share", "note", "export"}
    query, author, limit = subcommands["search"]["options"]
    assert (query["name"], query["required"], query["description"]) == (
        "query",
        True,
        "Words to look for",
    )
    assert author["required"] is False and limit["type"] == 4 and limit["max_value"] == 10


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


async def test_autocomplete_returns_the_bots_choices(lab: Lab) -> None:
    choices = await lab.fake.autocomplete(
        "paper author", focused="name", value="al", user=lab.alice
    )
    assert choices == [{"name": "Alan Turing", "value": "Alan Turing"}]


async def test_reactions_reach_the_raw_listeners(lab: Lab) -> None:
    reply = await (await lab.fake.slash("paper search", user=lab.alice, query="goose")).reply()
    assert await lab.fake.react(reply, "🔖", user=lab.alice)
    await lab.fake.wait_for(lambda: len(lab.seen.reactions) == 1)
    assert reply["reactions"][0]["count"] == 1
    assert await lab.fake.unreact(reply["id"], "🔖", user=lab.alice)
    await lab.fake.wait_for(lambda: len(lab.seen.reactions) == 2)
    assert lab.seen.reactions == [("add", lab.alice.id, "🔖"), ("remove", lab.alice.id, "🔖")]


async def test_the_bots_own_reaction_is_recorded(lab: Lab) -> None:
    sent = await lab.bot.get_channel(lab.channel.id).send("hello")
    await sent.add_reaction("✅")
    (stored,) = lab.fake.messages(lab.channel)
    assert stored["reactions"][0]["me"] and stored["reactions"][0]["emoji"]["name"] == "✅"


async def test_a_thread_is_created_from_a_message_and_announced(lab: Lab) -> None:
    sent = await lab.bot.get_channel(lab.channel.id).send("today's digest")
    thread = await sent.create_thread(name="Discussion")
    assert thread.id == sent.id and thread.parent_id == lab.channel.id
    await lab.fake.wait_for(lambda: lab.bot.get_channel(thread.id) is not None)
    await thread.send("first!")
    assert [m["content"] for m in lab.fake.messages(thread.id)] == ["first!"]


async def test_a_dm_is_delivered_and_listed_per_user(lab: Lab) -> None:
    user = await lab.bot.fetch_user(lab.alice.id)
    await user.send("your daily digest")
    assert [m["content"] for m in lab.fake.dms(lab.alice)] == ["your daily digest"]


async def test_a_closed_dm_is_forbidden(lab: Lab) -> None:
    hermit = lab.fake.add_user("hermit", accepts_dms=False)
    with pytest.raises(discord.Forbidden) as refused:
        await (await lab.bot.fetch_user(hermit.id)).send("hi")
    assert refused.value.code == 50007


async def test_a_repeated_nonce_returns_the_first_message(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    first = await channel.send("digest 2025-03-20", nonce="delivery-42")
    again = await channel.send("digest 2025-03-20", nonce="delivery-42")
    other = await channel.send("digest 2025-03-21", nonce="delivery-43")
    assert again.id == first.id != other.id
    assert [m["content"] for m in lab.fake.messages(lab.channel)] == [
        "digest 2025-03-20",
        "digest 2025-03-21",
    ]
    assert (
        lab.fake.calls[-2].body
        == {
            "content": "digest 2025-03-20",
            "nonce": "delivery-42",
            "enforce_nonce": True,
            "tts": False,
        }
        or lab.fake.calls[-2].body["enforce_nonce"] is True
    )


async def test_permission_overwrites_reach_the_bot_cache_and_the_rest_side(
    fake_discord: FakeDiscord,
) -> None:
    guild = fake_discord.add_guild()
    hidden = guild.add_text_channel(
        "staff", overwrites=[overwrite(guild.everyone, deny=VIEW_CHANNEL)]
    )
    muted = guild.add_text_channel(
        "news", overwrites=[overwrite(guild.bot_role, deny=SEND_MESSAGES)]
    )
    async with running(make_bot(Seen()), fake_discord) as bot:
        me = bot.get_guild(guild.id).me
        assert not bot.get_channel(hidden.id).permissions_for(me).view_channel
        assert not bot.get_channel(muted.id).permissions_for(me).send_messages
        with pytest.raises(discord.Forbidden) as unseen:
            await bot.http.send_message(hidden.id, params=_text("hi"))
        with pytest.raises(discord.Forbidden) as silent:
            await bot.http.send_message(muted.id, params=_text("hi"))
    assert (unseen.value.code, silent.value.code) == (50001, 50013)


def _text(content: str) -> discord.http.MultipartParameters:
    return discord.http.handle_message_parameters(content=content)


async def test_a_deleted_channel_is_unknown_and_the_bot_hears_of_it(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    await lab.fake.delete_channel(lab.channel)
    await lab.fake.wait_for(lambda: lab.bot.get_channel(lab.channel.id) is None)
    with pytest.raises(discord.NotFound) as gone:
        await channel.send("hello?")
    assert gone.value.code == 10003


async def test_injected_faults_surface_as_discord_errors(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    lab.fake.fail_next("POST", "/channels/{channel_id}/messages", 403)
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("one")
    lab.fake.fail_next("POST", r"/channels/\d+/messages", 404, code=10003)
    with pytest.raises(discord.NotFound):
        await channel.send("two")
    await channel.send("three")
    assert forbidden.value.code == 50013
    assert [m["content"] for m in lab.fake.messages(lab.channel)] == ["three"]
    assert [c.status for c in lab.fake.calls[-3:]] == [403, 404, 200]


async def test_an_injected_429_is_waited_out_and_the_post_succeeds(lab: Lab) -> None:
    lab.fake.fail_next("POST", "/channels/{channel_id}/messages", 429, retry_after=0.05)
    await lab.bot.get_channel(lab.channel.id).send("patient")
    assert lab.fake.stats["429"] == 1
    assert [c.status for c in lab.fake.calls[-2:]] == [429, 200]
    assert [m["content"] for m in lab.fake.messages(lab.channel)] == ["patient"]


async def test_a_channel_bucket_answers_429_and_discord_py_waits_it_out(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    await channel.send("before the limits")  # discord.py now believes the bucket is roomy
    limits = RateLimits(global_per_second=50, channel_messages=2, channel_window=0.1)
    lab.fake.set_rate_limits(limits)
    await asyncio.gather(*(channel.send(f"post {n}") for n in range(4)))
    refused = [c for c in lab.fake.calls if c.status == 429]
    assert refused and lab.fake.stats["429"] == len(refused)
    posted = [m["content"] for m in lab.fake.messages(lab.channel)]
    assert sorted(posted[1:]) == [f"post {n}" for n in range(4)]


async def test_the_channel_bucket_headers_make_discord_py_pace_itself(lab: Lab) -> None:
    limits = RateLimits(global_per_second=50, channel_messages=2, channel_window=0.1)
    lab.fake.set_rate_limits(limits)
    channel = lab.bot.get_channel(lab.channel.id)
    await asyncio.gather(*(channel.send(f"post {n}") for n in range(5)))
    assert lab.fake.stats["429"] == 0  # it read X-RateLimit-Remaining and waited
    assert len(lab.fake.messages(lab.channel)) == 5


async def test_the_global_limit_answers_429_and_discord_py_retries(lab: Lab) -> None:
    others = [lab.guild.add_text_channel(f"c{n}") for n in range(4)]
    limits = RateLimits(global_per_second=2, global_window=0.05, channel_messages=5)
    lab.fake.set_rate_limits(limits)
    await asyncio.gather(*(lab.bot.http.send_message(c.id, params=_text("hi")) for c in others))
    assert lab.fake.stats["429_global"] >= 1
    assert all(len(lab.fake.messages(c)) == 1 for c in others)


async def test_unknown_routes_are_recorded_for_the_fixture_to_fail_on(lab: Lab) -> None:
    with pytest.raises(discord.NotFound):
        await lab.bot.http.request(
            discord.http.Route("GET", "/guilds/{guild_id}/bans", guild_id=lab.guild.id)
        )
    assert [(c.method, c.path) for c in lab.fake.unhandled] == [
        ("GET", f"/guilds/{lab.guild.id}/bans")
    ]
    lab.fake.unhandled.clear()  # the fixture would fail this test otherwise


async def test_next_message_and_next_call_await_what_the_bot_does(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    task = asyncio.create_task(channel.send("scheduled digest"))
    posted = await lab.fake.next_message(lab.channel)
    call = await lab.fake.next_call("POST", "/channels/{channel_id}/messages")
    await task
    assert posted["content"] == call.body["content"] == "scheduled digest"


async def test_a_deferred_update_and_its_edit_change_the_clicked_message(lab: Lab) -> None:
    reply = await (await lab.fake.slash("paper search", user=lab.alice, query="goose")).reply()
    click = await lab.fake.click(reply, "refresh", user=lab.alice)
    assert (await click.response())["type"] == 6
    assert await click.reply() is reply
    assert reply["content"] == "refreshed" and reply["components"] == []


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


async def test_a_private_thread_without_a_message(lab: Lab) -> None:
    thread = await lab.bot.get_channel(lab.channel.id).create_thread(name="Reading group")
    assert thread.type is discord.ChannelType.private_thread
    assert lab.fake.channels[thread.id].parent_id == lab.channel.id


async def test_with_message_intents_the_bot_hears_its_own_posts(fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild().add_text_channel("papers")
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.default())
    async with running(bot, fake_discord):
        channel = next(iter(bot.get_all_channels()))
        heard = asyncio.ensure_future(bot.wait_for("message", timeout=5))
        sent = await channel.send("hello")
        assert (await heard).id == sent.id and sent.author == bot.user


async def test_the_bot_removes_a_users_reaction(lab: Lab) -> None:
    sent = await lab.bot.get_channel(lab.channel.id).send("vote")
    assert await lab.fake.react(sent.id, "👍", user=lab.alice)
    await sent.remove_reaction("👍", discord.Object(lab.alice.id))
    await lab.fake.wait_for(lambda: len(lab.seen.reactions) == 2)
    assert lab.fake.messages(lab.channel)[0]["reactions"] == []


async def test_an_answer_after_discords_deadline_is_unknown_interaction(lab: Lab) -> None:
    lab.fake.interaction_deadline = 0.0
    ix = await lab.fake.slash("paper search", user=lab.alice, query="late")
    refused = await lab.fake.next_call("POST", "/interactions/{id}/{token}/callback")
    assert refused.status == 404 and ix.late and ix.callbacks == []


async def test_after_a_reconnect_request_the_bot_resumes_and_gets_missed_events(lab: Lab) -> None:
    sent = await lab.bot.get_channel(lab.channel.id).send("digest")
    await lab.fake.gateway.request_reconnect()
    assert not await lab.fake.react(sent.id, "🔖", user=lab.alice)  # queued, not yet delivered
    await lab.fake.wait_for(lambda: lab.fake.gateway.resumes == 1)
    await lab.fake.wait_for(lambda: lab.seen.reactions == [("add", lab.alice.id, "🔖")])
    assert [f["op"] for f in lab.fake.gateway.received].count(2) == 1  # resumed, not re-identified
