"""Gateway v10 over a websocket: HELLO, IDENTIFY/READY, GUILD_CREATE, heartbeats, RESUME,
server-initiated reconnect (op 7), member chunks, and dispatch of events to the bot.

Compression follows the client's query: ``zlib-stream`` (one shared deflate stream, each
message ending in a sync flush) or ``zstd-stream`` (one flushed block per message).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from bot.sandbox.state import shard_of

if TYPE_CHECKING:
    from bot.sandbox.emulator import Emulator

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11

CLOSE_REASONS = {
    4000: b"Unknown error.",
    4007: b"Invalid seq.",
    4009: b"Session timed out.",
    4014: b"Disallowed intent(s).",
}


class _Packer:
    """Encodes one connection's outgoing frames with the compression it asked for."""

    def __init__(self, compress: str | None) -> None:
        self.compress = compress
        if compress == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif compress == "zstd-stream":
            import zstandard

            self._zstd = zstandard.ZstdCompressor().compressobj()
            self._flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK

    def pack(self, payload: dict[str, Any]) -> bytes | str:
        text = json.dumps(payload, separators=(",", ":"))
        if self.compress == "zlib-stream":
            data = text.encode()
            return self._zlib.compress(data) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self.compress == "zstd-stream":
            return self._zstd.compress(text.encode()) + self._zstd.flush(self._flush)
        return text


@dataclass
class Session:
    """A gateway session: survives a dropped socket so the bot can RESUME it."""

    id: str
    intents: int
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    packer: _Packer | None = None
    shard: tuple[int, int] = (0, 1)
    transport: asyncio.BaseTransport | None = None  # of the socket now attached

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session's shard receives the guild's events."""
        shard_id, count = self.shard
        return guild_id is None or shard_of(guild_id, count) == shard_id

    def next_payload(self, event: str, data: Any) -> dict[str, Any]:
        self.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.sent.append(payload)
        del self.sent[:-1000]  # events kept for replay on RESUME
        return payload


class Gateway:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.sessions: dict[str, Session] = {}
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.identifies = 0
        self.resumes = 0
        self.compressions: list[str | None] = []
        self.replayed = 0  # events sent again on RESUME
        self._outages: dict[int, asyncio.Event] = {}  # shard -> set when it may come back
        self.closes: list[int] = []  # close codes the emulator sent, in order
        self._transports: dict[int, asyncio.BaseTransport] = {}  # id(ws) -> its connection

    # ------------------------------------------------------------------ connection
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        if request.transport is not None:
            self._transports[id(ws)] = request.transport
        compress = request.query.get("compress")
        self.compressions.append(compress)
        packer = _Packer(compress)
        session: Session | None = None
        await self._send(
            ws, packer, {"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        )
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    if message.type == WSMsgType.BINARY:
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                    continue
                try:
                    frame = json.loads(message.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                session = await self._on_frame(ws, packer, session, frame) or session
        finally:
            self._transports.pop(id(ws), None)
            if session is not None and session.ws is ws:
                session.ws = session.transport = None
        return ws

    async def _send(self, ws: web.WebSocketResponse, packer: _Packer, payload: dict) -> bool:
        """Whether the payload went out on the socket."""
        if ws.closed:
            return False
        data = packer.pack(payload)
        try:
            if isinstance(data, bytes):
                await ws.send_bytes(data)
            else:
                await ws.send_str(data)
        except (ConnectionError, RuntimeError) as exc:
            # The client went away mid-send; the event stays in the session for RESUME.
            log.debug("gateway: send failed (%s)", exc)
            return False
        return True

    async def _on_frame(
        self, ws: web.WebSocketResponse, packer: _Packer, session: Session | None, frame: dict
    ) -> Session | None:
        op = frame.get("op")
        data = frame.get("d")
        if op == HEARTBEAT:
            await self._send(ws, packer, {"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            return await self._identify(ws, packer, data or {})
        elif op == RESUME:
            return await self._resume(ws, packer, data or {})
        elif op == REQUEST_MEMBERS and session is not None:
            await self._members_chunk(session, data or {})
        elif op in (3, 4):  # presence / voice updates: accepted, ignored
            pass
        else:
            log.debug("gateway: ignoring op %s", op)
        return None

    async def _identify(
        self, ws: web.WebSocketResponse, packer: _Packer, data: dict
    ) -> Session | None:
        emu = self.emulator
        if not emu.token_ok(str(data.get("token", ""))):
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS & ~emu.granted_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = data.get("shard") or [0, 1]
        if not (isinstance(shard, list) and len(shard) == 2 and 0 <= shard[0] < shard[1]):
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        self.identifies += 1
        session = Session(id=secrets.token_hex(16), intents=intents, ws=ws, packer=packer)
        session.transport = self._transports.get(id(ws))
        session.shard = (int(shard[0]), int(shard[1]))
        self.sessions[session.id] = session
        guilds = [g for g in emu.guilds.values() if session.serves(g.id)]
        ready = {
            "v": 10,
            "user": emu.bot_user.to_json(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "shard": list(session.shard),
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": emu.gateway_url,
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "application": {"id": str(emu.application_id), "flags": 0},
            "_trace": ["sandbox"],
        }
        await self._send(ws, packer, session.next_payload("READY", ready))
        for guild in guilds:
            await self._send(
                ws, packer, session.next_payload("GUILD_CREATE", emu.guild_json(guild))
            )
        self.ready.set()
        return session

    async def _resume(
        self, ws: web.WebSocketResponse, packer: _Packer, data: dict
    ) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        outage = self._outages.get(session.shard[0]) if session is not None else None
        if outage is not None:
            await outage.wait()  # the shard's gateway is down: RESUMED comes when it is back
        if session is None or not self.emulator.token_ok(str(data.get("token", ""))):
            await self._send(ws, packer, {"op": INVALID_SESSION, "d": False})
            return None
        if session.ws is not None and session.ws is not ws and not session.ws.closed:
            await session.ws.close(code=4000)
        session.ws, session.packer = ws, packer
        session.transport = self._transports.get(id(ws))
        last = int(data.get("seq") or 0)
        missed = [p for p in session.sent if p["s"] > last]
        for payload in missed:
            await self._send(ws, packer, payload)
        self.replayed += len(missed)
        await self._send(ws, packer, session.next_payload("RESUMED", {"_trace": ["sandbox"]}))
        self.resumes += 1
        self.resumed.set()
        self.emulator.notify()
        return session

    async def _members_chunk(self, session: Session, data: dict) -> None:
        emu = self.emulator
        guild = emu.guilds.get(int(data.get("guild_id", 0)))
        if guild is None or session.ws is None:
            return
        chunk = {
            "guild_id": str(guild.id),
            "members": [guild.member_json(u, emu.joined_at) for u in guild.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await self._send(
            session.ws, session.packer, session.next_payload("GUILD_MEMBERS_CHUNK", chunk)
        )

    # --------------------------------------------------------------------- control
    async def dispatch(
        self,
        event: str,
        data: Any,
        *,
        intent: int | None = None,
        guild_id: int | None = None,
        delivered: list[tuple[int, int]] | None = None,
        live: list[tuple[int, int]] | None = None,
    ) -> int:
        """Send an event to every session (of the guild's shard) that asked for it; kept for
        RESUME while a socket is down. Returns how many sessions received it, and appends
        each one's shard to ``delivered``, and to ``live`` when it went out on an open
        socket at once (a session whose process died never resumes to get the rest)."""
        count = 0
        for session in list(self.sessions.values()):
            if intent is not None and not session.intents & intent:
                continue
            if not session.serves(guild_id):
                continue
            if event == "MESSAGE_CREATE":
                payload = session.next_payload(
                    event, self.emulator.visible_to_bot(data, session.intents)
                )
            else:
                payload = session.next_payload(event, data)
            count += 1
            if delivered is not None:
                delivered.append(session.shard)
            if session.ws is not None and session.packer is not None:
                sent = await self._send(session.ws, session.packer, payload)
                if sent and live is not None:
                    live.append(session.shard)
        return count

    async def request_reconnect(self) -> None:
        """Op 7: ask every connected client to reconnect and resume."""
        self.resumed.clear()
        for session in self.sessions.values():
            if session.ws is not None and session.packer is not None:
                await self._send(session.ws, session.packer, {"op": RECONNECT, "d": None})

    # ------------------------------------------------------------------------ faults
    def _targets(self, shard: int | None) -> list[Session]:
        return [
            s
            for s in self.sessions.values()
            if s.ws is not None and (shard is None or s.shard[0] == shard)
        ]

    async def close(self, code: int, *, shard: int | None = None) -> int:
        """Close the connected sessions (of shard ``shard``) with ``code``, as Discord does:
        1006 drops the connection with no close frame; after 4007 (invalid seq) and 4009
        (session timed out) the session cannot be resumed. Returns how many were closed."""
        closed = 0
        for session in self._targets(shard):
            ws = session.ws
            assert ws is not None
            self.closes.append(code)
            if code in (4007, 4009):
                self.sessions.pop(session.id, None)
            # From now on events wait in the session for a RESUME to replay them.
            session.ws = None
            if code == 1006:
                if session.transport is not None:
                    session.transport.abort()  # type: ignore[attr-defined]
            else:
                await ws.close(code=code, message=CLOSE_REASONS.get(code, b""))
            session.transport = None
            closed += 1
        return closed

    def hold(self, shard: int) -> None:
        """Keep shard ``shard`` down: its RESUMEs wait (events for its guilds pile up for the
        replay) until ``release(shard)``; the other shards go on."""
        self._outages[shard] = asyncio.Event()

    def release(self, shard: int) -> None:
        outage = self._outages.pop(shard, None)
        if outage is not None:
            outage.set()

    async def invalidate_session(self, *, resumable: bool, shard: int | None = None) -> int:
        """Op 9 INVALID_SESSION: with ``resumable`` the client may RESUME; without, the
        session is gone and the client must IDENTIFY again."""
        sessions = self._targets(shard)
        for session in sessions:
            assert session.ws is not None and session.packer is not None
            if not resumable:
                self.sessions.pop(session.id, None)
            await self._send(session.ws, session.packer, {"op": INVALID_SESSION, "d": resumable})
        return len(sessions)

    async def close_all(self) -> None:
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close(code=1001)
