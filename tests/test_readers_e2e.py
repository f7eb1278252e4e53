"""The personal layer end to end: follows, the daily DM digest, closed DMs, privacy."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.config import DeliveryConfig
from fakediscord import is_ephemeral, walk_components

THURSDAY_8 = datetime(2025, 3, 20, 8, 0, tzinfo=UTC)  # the day tests/data lists 2503.99999
THURSDAY_10 = datetime(2025, 3, 20, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def people(fake, *names: str, **options):
    """A guild with #papers and these members; ``options`` go to every add_user."""
    guild = fake.add_guild()
    guild.add_channel("papers")
    users = [fake.add_user(name, **options) for name in names]
    for user in users:
        guild.add_member(user)
    return users


async def follow(fake, user, kind: str, **options) -> dict:
    ix = await fake.slash(f"follow {kind}", user=user, **options)
    reply = await ix.reply()
    assert is_ephemeral(reply)
    return reply


async def test_follow_list_and_remove_buttons_are_private_and_only_mine(fake_discord, run_bot):
    alice, bob = people(fake_discord, "alice", "bob")
    async with run_bot(clock=Clock(THURSDAY_8)) as bot:
        reply = await follow(fake_discord, alice, "author", name="Zoë Müller")
        assert reply["content"].startswith("Following author: Zoë Müller.")
        await follow(fake_discord, alice, "keyword", words="stripes")
        await follow(fake_discord, bob, "category", name="cs.CL")
        again = await follow(fake_discord, alice, "keyword", words="STRIPES")
        assert again["content"].lower() == "you already follow keyword: stripes."
        listing = await (await fake_discord.slash("following", user=alice)).reply()
        assert is_ephemeral(listing)
        text = listing["embeds"][0]["description"]
        assert "author: Zoë Müller" in text and "keyword: stripes" in text
        assert "cs.CL" not in text  # bob's
        ids = [c["custom_id"] for c in walk_components(listing["components"]) if "custom_id" in c]
        assert len(ids) == 2
        pressed = await fake_discord.click(listing, ids[0], user=alice)
        updated = await pressed.reply()
        assert [f.reason for f in await bot.follows.following(alice.id)] == ["keyword: stripes"]
        assert "Zoë" not in updated["embeds"][0]["description"]
        choices = await fake_discord.autocomplete("unfollow", focused="follow", value="", user=bob)
        assert [c["name"] for c in choices] == ["category: cs.CL"]  # never alice's
        [theirs] = await bot.follows.following(alice.id)
        taken = await fake_discord.slash("unfollow", user=bob, follow=str(theirs.id))
        assert (await taken.reply())["content"].startswith("That is not one of your follows")
        assert await bot.follows.following(alice.id) == [theirs]


async def test_the_follow_limit_is_said_plainly(fake_discord, run_bot):
    [alice] = people(fake_discord, "alice")
    async with run_bot(clock=Clock(THURSDAY_8)) as bot:
        bot.follows.limit = 2
        await follow(fake_discord, alice, "keyword", words="zebras")
        await follow(fake_discord, alice, "keyword", words="goose")
        refused = await follow(fake_discord, alice, "search", query='"state evolution"')
        assert refused["content"].startswith("You already follow 2 things, the most paperboy")
        assert len(await bot.follows.following(alice.id)) == 2
        empty = await follow(fake_discord, alice, "search", query="-- ! ?")
        assert "no words to look for" in empty["content"] or "already follow 2" in empty["content"]


async def test_author_autocomplete_comes_from_the_database(fake_discord, run_bot):
    [alice] = people(fake_discord, "alice")
    async with run_bot():
        choices = await fake_discord.autocomplete(
            "follow author", focused="name", value="mull", user=alice
        )
        assert [c["value"] for c in choices] == ["Zoë Müller"]


async def test_the_digest_comes_once_by_dm_with_why_each_paper_matched(fake_discord, run_bot):
    alice, bob = people(fake_discord, "alice", "bob")
    clock = Clock(THURSDAY_8)
    async with run_bot(clock=clock) as bot:
        await follow(fake_discord, alice, "author", name="Zoë Müller")
        await follow(fake_discord, alice, "keyword", words="stripes")
        await follow(
            fake_discord, alice, "keyword", words="goose"
        )  # listed the day before: not new
        await follow(fake_discord, bob, "keyword", words="quantum chromodynamics")
        assert await bot.personal.deliver_due(THURSDAY_8) == {}  # before 09:00: nobody is due
        clock.now = THURSDAY_10
        reports = await bot.personal.deliver_due(THURSDAY_10)
        assert reports[alice.id].papers == 1 and reports[alice.id].messages == 1
        assert reports[bob.id].papers == 0 and fake_discord.dms(bob) == []
        [dm] = fake_discord.dms(alice)
        embed = dm["embeds"][0]
        assert embed["title"] == "Your papers for 2025-03-20"
        assert "A New Paper About Zebras" in embed["description"]
        assert "author: Zoë Müller; keyword: stripes" in embed["description"]  # listed once
        assert "Goose" not in embed["description"]
        assert await bot.personal.deliver_due(THURSDAY_10) == {}  # done for the day
        assert len(fake_discord.dms(alice)) == 1


async def test_a_pending_dm_is_reposted_with_its_nonce_and_not_doubled(fake_discord, run_bot):
    [alice] = people(fake_discord, "alice")
    clock = Clock(THURSDAY_8)
    async with run_bot(clock=clock) as bot:
        await follow(fake_discord, alice, "keyword", words="zebras")
        reader = await bot.follows.reader(alice.id)
        await bot.personal.deliver(reader, THURSDAY_10)
        # A crash after the post but before the ledger said "sent": the row is pending again.
        await bot.db.execute("UPDATE dm_deliveries SET state = 'pending', message_id = NULL")
        await bot.db.execute("UPDATE readers SET delivered_through = '2025-03-19'")
        report = await bot.personal.deliver(await bot.follows.reader(alice.id), THURSDAY_10)
        assert report.messages == 1
        assert len(fake_discord.dms(alice)) == 1
        assert fake_discord.stats["nonce_dedupes"] == 1


async def test_closed_dms_pause_the_digest_and_the_next_command_says_how_to_resume(
    fake_discord, run_bot
):
    [alice] = people(fake_discord, "alice", accepts_dms=False)
    clock = Clock(THURSDAY_8)
    async with run_bot(clock=clock) as bot:
        await follow(fake_discord, alice, "keyword", words="zebras")
        report = (await bot.personal.deliver_due(THURSDAY_10))[alice.id]
        assert report.paused
        refused = [c for c in fake_discord.calls if c.status == 403]
        assert len(refused) == 1
        assert await bot.personal.deliver_due(THURSDAY_10) == {}  # not retried
        assert len([c for c in fake_discord.calls if c.status == 403]) == 1
        ix = await fake_discord.slash("following", user=alice)
        [notice] = await ix.followups(1)
        assert is_ephemeral(notice)
        assert notice["content"] == (
            "Your daily paper digest is paused: I could not send you a direct message (Discord"
            " error 50007: your DMs are closed to me). Allow direct messages from this server's"
            " members (Privacy Settings), then run /follow resume."
        )
        ix = await fake_discord.slash("following", user=alice)
        await ix.reply()
        assert ix.sent_followups == []  # told once
        alice.accepts_dms = True
        resumed = await (await fake_discord.slash("follow resume", user=alice)).reply()
        assert resumed["content"].startswith("Your digest is on again")
        assert (await bot.personal.deliver_due(THURSDAY_10))[alice.id].papers == 1
        assert len(fake_discord.dms(alice)) == 1


async def test_settings_move_the_digest_to_my_time_zone_and_days(fake_discord, run_bot):
    [alice] = people(fake_discord, "alice")
    async with run_bot(clock=Clock(THURSDAY_8)) as bot:
        await follow(fake_discord, alice, "keyword", words="zebras")
        ix = await fake_discord.slash(
            "follow settings", user=alice, time="07:30", timezone="Asia/Tokyo", weekdays="fri"
        )
        assert "07:30 Asia/Tokyo, Fri" in (await ix.reply())["content"]
        bad = await fake_discord.slash("follow settings", user=alice, timezone="Mars/Olympus")
        assert "not an IANA timezone" in (await bad.reply())["content"]
        assert await bot.personal.deliver_due(THURSDAY_10) == {}  # Thursday: not her day
        friday = datetime(2025, 3, 20, 22, 45, tzinfo=UTC)  # 07:45 Friday in Tokyo
        assert (await bot.personal.deliver_due(friday))[alice.id].papers == 1


async def test_catch_up_is_bounded_like_channels(fake_discord, run_bot):
    [alice] = people(fake_discord, "alice")
    start = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)
    async with run_bot(clock=Clock(start), delivery=DeliveryConfig(catch_up_days=1)) as bot:
        await follow(fake_discord, alice, "search", query="zebras -goose")
        report = (await bot.personal.deliver_due(THURSDAY_10))[alice.id]
        assert report.skipped_days >= 1 and report.days == [THURSDAY_10.date()]
        [dm] = fake_discord.dms(alice)
        [note] = dm["embeds"][0]["fields"]
        assert note["value"].startswith("1 older day(s) (2025-03-19) are not in this digest")


async def test_forget_me_deletes_follows_settings_and_the_dm_ledger(fake_discord, run_bot):
    alice, bob = people(fake_discord, "alice", "bob")
    async with run_bot(clock=Clock(THURSDAY_8)) as bot:
        for user in (alice, bob):
            await follow(fake_discord, user, "keyword", words="zebras")
        await bot.bookmarks.add(alice.id, "2503.99999")
        await bot.bookmarks.store.set_note(alice.id, "2503.99999", "read on the train")
        await bot.personal.deliver_due(THURSDAY_10)
        text = await bot.privacy.forget(alice.id)
        assert text == (
            "Deleted 1 bookmark(s) with 1 note(s), 1 follow(s), your digest settings and"
            " 1 record(s) of direct messages sent to you."
        )
        assert await bot.follows.following(alice.id) == []
        assert await bot.follows.reader(alice.id) is None
        assert [f.reason for f in await bot.follows.following(bob.id)] == ["keyword: zebras"]
        left = await bot.db.fetchval(
            "SELECT count(*) FROM dm_deliveries WHERE user_id = ?", (bob.id,)
        )
        assert left == 1


async def test_one_scheduler_job_serves_every_reader_each_minute(fake_discord, run_bot):
    [alice] = people(fake_discord, "alice")
    clock = Clock(THURSDAY_8)
    async with run_bot(clock=clock) as bot:
        job = bot.scheduler.jobs.get_job("readers")
        assert job is not None and str(job.trigger) == "cron[minute='*']"
        await follow(fake_discord, alice, "keyword", words="zebras")
        clock.now = THURSDAY_10
        reports = await job.func()  # what the job runs, with the bot's clock
        assert reports[alice.id].papers == 1
        assert len(fake_discord.dms(alice)) == 1


async def test_keyword_autocomplete_offers_the_papers_words_never_other_peoples_follows(
    fake_discord, run_bot
):
    alice, bob = people(fake_discord, "alice", "bob")
    async with run_bot(clock=Clock(THURSDAY_8)):
        await follow(fake_discord, bob, "keyword", words="zebrafish secrets")
        choices = await fake_discord.autocomplete(
            "follow keyword", focused="words", value="new zeb", user=alice
        )
        assert [c["value"] for c in choices] == ["new zebras"]
        assert choices[0]["name"] == "new zebras (1 papers)"
        secret = await fake_discord.autocomplete(
            "follow keyword", focused="words", value="secr", user=alice
        )
        assert secret == []


async def test_following_again_after_a_while_starts_from_today(fake_discord, run_bot):
    [alice] = people(fake_discord, "alice")
    clock = Clock(datetime(2025, 3, 1, 8, 0, tzinfo=UTC))
    async with run_bot(clock=clock) as bot:
        await follow(fake_discord, alice, "keyword", words="goose")
        [mine] = await bot.follows.following(alice.id)
        await bot.follows.unfollow(alice.id, mine.id)
        clock.now = THURSDAY_8  # weeks later: the days in between are not hers to catch up
        await follow(fake_discord, alice, "keyword", words="goose")
        assert (await bot.follows.reader(alice.id)).delivered_through == date(2025, 3, 19)
        assert (await bot.personal.deliver_due(THURSDAY_10))[alice.id].papers == 0  # 03-19's


async def test_following_pages_twenty_at_a_time(fake_discord, run_bot):
    [alice] = people(fake_discord, "alice")
    async with run_bot(clock=Clock(THURSDAY_8)) as bot:
        for n in range(23):
            await bot.follows.follow(alice.id, "keyword", f"word{n:02d}")
        listing = await (await fake_discord.slash("following", user=alice)).reply()
        labels = [c.get("label") for c in walk_components(listing["components"]) if c["type"] == 2]
        assert labels == [f"✕ {n}" for n in range(1, 21)] + ["Previous", "Next"]
        turned = await (
            await fake_discord.click(listing, "paperboy:following:next", user=alice)
        ).reply()
        assert turned["embeds"][0]["description"].splitlines()[0] == "21. keyword: word20"
        remove = [
            c["custom_id"]
            for c in walk_components(turned["components"])
            if c.get("label") == "✕ 21"
        ]
        after = await (await fake_discord.click(turned, remove[0], user=alice)).reply()
        assert "word20" not in after["embeds"][0]["description"]
        assert len(await bot.follows.following(alice.id)) == 22


async def test_another_refusal_pauses_too_and_opening_dms_too_fast_is_retried(
    fake_discord, run_bot
):
    [alice] = people(fake_discord, "alice")
    async with run_bot(clock=Clock(THURSDAY_8)) as bot:
        await follow(fake_discord, alice, "keyword", words="zebras")
        fake_discord.fail_next(
            "POST",
            "/channels/{channel}/messages",
            403,
            code=40003,
            message="You are opening direct messages too fast",
        )
        report = (await bot.personal.deliver_due(THURSDAY_10))[alice.id]
        assert report.failed and not report.paused
        fake_discord.fail_next("POST", "/channels/{channel}/messages", 403, code=50001)
        assert (await bot.personal.deliver_due(THURSDAY_10))[alice.id].paused
        reader = await bot.follows.reader(alice.id)
        assert (
            reader.paused
            == "Discord refused my direct message to you (error 50001: Missing Access)"
        )
        assert await bot.personal.deliver_due(THURSDAY_10) == {}  # not retried every minute
        assert fake_discord.dms(alice) == []
