"""The daily digest: /digest settings, /follow, and the loop that posts when a server is due."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.news.guild_settings import GuildSettingsError, parse_time, parse_zone, suggest_zones
from bot.news.queries import EntityRef
from bot.ui.checks import require_manage_guild
from bot.ui.digest import delivered_parts, digest_messages
from bot.ui.nonces import digest_nonce, send_once
from bot.ui.render import BRAND_COLOUR, entity_choices, entity_label, error_embed, safe

if TYPE_CHECKING:
    from bot.news.digest.service import DuePlan
    from bot.ui.client import NewsBot

log = logging.getLogger(__name__)

CHECK_EVERY = 30.0  # seconds between looks at which servers are due
# Messages read back when looking for a digest whose poster stopped before recording it:
# a digest channel rarely gets more within the minutes a claim takes to go stale.
LOOK_BACK = 100


class DigestPoster:
    """Posts due digests. One claim per server and local day, recorded before sending."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.services = bot.services
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="digest-poster")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        # our own loop rather than tasks.loop: it must survive gateway resets (discord.py #9074)
        await self.bot.wait_until_ready()
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("digest check failed; trying again in %.0f s", CHECK_EVERY)
            await asyncio.sleep(CHECK_EVERY)

    async def run_due(self) -> int:
        """Post every digest that is due now; returns how many were posted."""
        posted = 0
        for plan in await self.services.digests.due_guilds(resume_stale=True):
            # in a fleet, the process owning the server's shard posts; the others skip it
            if self.bot.owns_guild(plan.guild_id):
                posted += await self.post(plan)
        return posted

    async def post(self, plan: DuePlan) -> bool:
        digests = self.services.digests
        sent: list[int] = []
        if plan.resume:
            # the stale claim's window gives the same messages its poster was sending
            messages = digest_messages(await digests.planned_digest(plan))
            found = await self._delivered(plan, messages)
            if found is None:
                await digests.interrupt(plan.guild_id, "its channel could not be read")
                return False
            complete = len(found) >= len(messages)
            if not await digests.resume(plan.guild_id, plan.local_date, found, complete=complete):
                return False
            sent = list(found)
        elif not await digests.claim(plan.guild_id, plan.local_date):
            return False
        else:
            messages = digest_messages(await digests.claimed_digest(plan.guild_id))
        try:
            channel = self.bot.get_channel(plan.channel_id) or await self.bot.fetch_channel(
                plan.channel_id
            )
            for part, message in enumerate(messages):
                if part < len(sent):
                    continue  # already in the channel, sent before a crash
                msg = await send_once(
                    channel,
                    digest_nonce(plan.guild_id, plan.local_date, part),
                    embeds=message,
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                sent.append(msg.id)
        except discord.Forbidden:
            reason = "the bot may not post (or embed links) in the digest channel"
            await self._failed(plan, reason, pause=True, sent=sent)
            return False
        except discord.NotFound:
            await self._failed(plan, "the digest channel no longer exists", pause=True, sent=sent)
            return False
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            await self._failed(plan, f"Discord did not accept it ({exc})", pause=False, sent=sent)
            return False
        await digests.mark_posted(plan.guild_id, plan.local_date, sent, channel_id=plan.channel_id)
        log.info(
            "guild %s: digest of %s posted (%d messages)", plan.guild_id, plan.local_date, len(sent)
        )
        return True

    async def _delivered(
        self, plan: DuePlan, messages: list[list[discord.Embed]]
    ) -> list[int] | None:
        """The ids of the planned digest's messages that the channel shows (sent by a run
        that stopped before recording them), oldest first; [] if it shows none, None if the
        channel cannot be read."""
        me = self.bot.user
        try:
            channel = self.bot.get_channel(plan.channel_id) or await self.bot.fetch_channel(
                plan.channel_id
            )
            history = getattr(channel, "history", None)
            if me is None or history is None:
                return None
            mine = [
                (message.id, [e.to_dict() for e in message.embeds])
                async for message in history(limit=LOOK_BACK, oldest_first=False)
                if message.author.id == me.id
            ]
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            log.warning(
                "guild %s: cannot read the digest channel to look for the digest of %s: %s",
                plan.guild_id, plan.local_date, exc,
            )  # fmt: skip
            return None
        planned = [[e.to_dict() for e in message] for message in messages]
        return delivered_parts(mine[::-1], planned, plan.local_date)

    async def _failed(self, plan: DuePlan, reason: str, *, pause: bool, sent: list[int]) -> None:
        log.warning(
            "guild %s: digest of %s failed%s: %s",
            plan.guild_id,
            plan.local_date,
            " (paused)" if pause else "",
            reason,
        )
        await self.services.digests.mark_failed(
            plan.guild_id, reason, pause, local_date=plan.local_date, message_ids=sent
        )


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class DigestCommands(app_commands.Group, name="digest", description="The daily briefing"):
    def __init__(self, bot: NewsBot, poster: DigestPoster) -> None:
        super().__init__()
        self.services = bot.services
        self.poster = poster

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        require_manage_guild(interaction)
        return True

    @app_commands.command(name="set", description="Where and when to post the daily digest")
    @app_commands.describe(
        channel="The channel to post in",
        time="Local time, HH:MM (24 h)",
        timezone="IANA time zone, e.g. America/Guayaquil",
    )
    async def set_(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 10],
        timezone: app_commands.Range[str, 1, 64] = "UTC",
    ) -> None:
        at = parse_time(time)
        zone = parse_zone(timezone)
        me = interaction.guild.me if interaction.guild else None
        if me is not None:
            perms = channel.permissions_for(me)
            if not (perms.send_messages and perms.embed_links):
                raise GuildSettingsError(
                    f"I cannot post embeds in #{channel.name}: give me Send Messages and "
                    "Embed Links there first."
                )
        gid = str(interaction.guild_id)
        await self.services.store.guilds.update(
            gid,
            channel_id=channel.id,
            digest_time=at.strftime("%H:%M"),
            zone=zone.key,
            enabled=True,
        )
        nxt = await self.services.digests.next_run(gid)
        when = f" Next one <t:{int(nxt.timestamp())}:F>." if nxt else ""
        await interaction.response.send_message(
            f"The digest will be posted in {channel.mention} every day at "
            f"{at.strftime('%H:%M')} ({zone.key}).{when}",
            ephemeral=True,
        )

    @set_.autocomplete("timezone")
    async def timezone_autocomplete(self, interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=z, value=z) for z in suggest_zones(current, 25)]

    @app_commands.command(name="off", description="Stop posting the daily digest")
    async def off(self, interaction: discord.Interaction) -> None:
        await self.services.store.guilds.update(str(interaction.guild_id), enabled=False)
        await interaction.response.send_message("The daily digest is off.", ephemeral=True)

    @app_commands.command(name="show", description="The digest settings and the next run")
    async def show(self, interaction: discord.Interaction) -> None:
        status = await self.services.digests.status(str(interaction.guild_id))
        gs = status.settings
        embed = discord.Embed(title="Daily digest", colour=BRAND_COLOUR)
        embed.add_field(name="Channel", value=f"<#{gs.channel_id}>" if gs.channel_id else "not set")
        embed.add_field(name="Time", value=f"{gs.digest_time} ({gs.zone})")
        embed.add_field(name="State", value="on" if gs.active else "off")
        if status.next_run:
            embed.add_field(
                name="Next run", value=f"<t:{int(status.next_run.timestamp())}:F>", inline=False
            )
        if status.last_posted:
            embed.add_field(name="Last posted", value=status.last_posted.local_date)
        if status.problem:
            embed.add_field(name="Problem", value=safe(status.problem, 1000), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="preview", description="What the digest would say now (only you)")
    async def preview(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        messages = digest_messages(
            await self.services.digests.preview_async(str(interaction.guild_id))
        )
        if not messages:
            await interaction.followup.send("Nothing would be posted now.", ephemeral=True)
            return
        # a preview fits in one reply: the first message (≤ 10 embeds, ≤ 6000 characters)
        await interaction.followup.send(embeds=messages[0], ephemeral=True)

    @app_commands.command(name="now", description="Post today's digest now")
    async def now(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await self.services.digests.plan_now(str(interaction.guild_id))
        if await self.poster.post(plan):
            await interaction.followup.send(f"Posted in <#{plan.channel_id}>.", ephemeral=True)
            return
        status = await self.services.digests.status(str(interaction.guild_id))
        reason = status.problem or "today's digest was already posted"
        await interaction.followup.send(
            embed=error_embed(f"Not posted: {safe(reason, 500)}"), ephemeral=True
        )


class DigestCog(commands.Cog, name="Digest"):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.poster = DigestPoster(bot)
        self.group = DigestCommands(bot, self.poster)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)
        self.poster.start()

    async def cog_unload(self) -> None:
        await self.poster.stop()
        self.bot.tree.remove_command(self.group.name)

    async def _resolve(self, guild_id: str, country: str | None, person: str | None) -> EntityRef:
        if bool(country) == bool(person):
            raise GuildSettingsError("Give exactly one of country or person.")
        kind = "country" if country else "person"
        text = country or person or ""
        ref = await self.services.finder.resolve(guild_id, kind, text)
        if ref is None and kind == "person":
            # following someone not yet in the news is allowed: keep the name as typed
            from bot.news.model import person_key
            from bot.news.queries import clean_argument

            name = clean_argument(text)
            if len(name) >= 2:
                return EntityRef("person", person_key(name), name)
        if ref is None:
            raise GuildSettingsError(f"No {kind} matches “{safe(text, 100)}”.")
        return ref

    async def _change_follow(
        self,
        interaction: discord.Interaction,
        country: str | None,
        person: str | None,
        *,
        follow: bool,
    ) -> None:
        require_manage_guild(interaction)
        gid = str(interaction.guild_id)
        ref = await self._resolve(gid, country, person)
        settings = self.services.store.guilds
        label = entity_label(ref.kind, ref.key, safe(ref.display, 100))
        if follow:
            changed = await settings.follow(gid, ref.kind, ref.key, ref.display)
            text = f"Following {label}." if changed else f"{label} was already followed."
        else:
            changed = await settings.unfollow(gid, ref.kind, ref.key)
            text = f"No longer following {label}." if changed else f"{label} was not followed."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="follow", description="Put a country or person first in the digest")
    @app_commands.describe(country="A country", person="A person")
    @app_commands.guild_only()
    async def follow(
        self,
        interaction: discord.Interaction,
        country: app_commands.Range[str, 1, 100] | None = None,
        person: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        await self._change_follow(interaction, country, person, follow=True)

    @app_commands.command(name="unfollow", description="Stop following a country or person")
    @app_commands.describe(country="A country", person="A person")
    @app_commands.guild_only()
    async def unfollow(
        self,
        interaction: discord.Interaction,
        country: app_commands.Range[str, 1, 100] | None = None,
        person: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        await self._change_follow(interaction, country, person, follow=False)

    @follow.autocomplete("country")
    @unfollow.autocomplete("country")
    async def country_autocomplete(self, interaction: discord.Interaction, current: str):
        refs = await self.services.finder.suggest_countries(str(interaction.guild_id), current)
        return entity_choices(refs, "country")

    @follow.autocomplete("person")
    @unfollow.autocomplete("person")
    async def person_autocomplete(self, interaction: discord.Interaction, current: str):
        refs = await self.services.finder.suggest_persons(str(interaction.guild_id), current)
        return entity_choices(refs, "person")

    @app_commands.command(name="following", description="What this server follows")
    @app_commands.guild_only()
    async def following(self, interaction: discord.Interaction) -> None:
        follows = (await self.services.store.guilds.get(str(interaction.guild_id))).follows
        if not follows:
            await interaction.response.send_message(
                "This server follows nothing yet: use /follow.", ephemeral=True
            )
            return
        lines = [entity_label(f.kind, f.key, safe(f.display, 100)) for f in follows]
        embed = discord.Embed(
            title="Followed", description="\n".join(lines)[:4000], colour=BRAND_COLOUR
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(DigestCog(bot))
