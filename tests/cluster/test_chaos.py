"""Nothing is lost when any one process dies: the production topology (`./musrenbang cluster`: nginx with
the deploy/ sites, 2 gateways, 2 Rasa processes x 2 workers pulling the model from nginx's model server,
2 action servers, Redis, PostgreSQL) serves citizens on the web chat, Telegram and WhatsApp (the fake platform
servers) while, one at a time, a gateway, a Rasa process, an action server and Redis are killed with SIGKILL
and restarted, and PostgreSQL is restarted. Then: every accepted message answered exactly once and in order
per sender, every proposal stored once, every status notification delivered once. The counts are printed.

One copy is not a failure: a gateway killed in the milliseconds between a platform's answer and the outbox's
"sent" record (the Bot API and the Graph API have no idempotency key) leaves a delivery another gateway sends
again; the outbox row proves it (`interrupted`, counted when the claim is taken over), and the test reports
those re-sends ("resent_because_sender_died") apart from real duplicates, of which there must be none.

Slow (a cluster start loads the model four times, ~8 minutes): `./musrenbang test` (and so CI) sets
MUSRENBANG_CLUSTER_TESTS=1 unless told 0; a bare pytest run leaves it out (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bench import soak
from ops.cluster import Cluster, Ports
from ops.stack import APP_BIN, ROOT
from storage.db import Database
from storage.models import InboundMessage, OutboxMessage, Proposal
from tests.conftest import trained_model
from tests.fakes.telegram import FakeTelegram
from tests.fakes.whatsapp import FakeGraph

pytestmark = pytest.mark.skipif(os.environ.get("MUSRENBANG_CLUSTER_TESTS") != "1",
                                reason="the cluster test runs with MUSRENBANG_CLUSTER_TESTS=1")

CODE = re.compile(r"USL-[0-9A-HJKMNP-TV-Z]{6}")
PLACEHOLDER = "USL-XXXXXX"  # how the FAQ answers ("apa itu musrenbang?") show a code: not a code given
SENDERS_PER_CHANNEL = int(os.environ.get("CHAOS_SENDERS", "8"))
WA_SECRET, WA_TOKEN, WA_PHONE_ID = "chaos-app-secret", "chaos-token", "109876543210"
TG_SECRET = "chaos_webhook_secret"
# A proposal in six turns (the form asks only what the first message lacks), then questions until the end.
SCRIPT = ("mau usul pembangunan saluran drainase yang mampet di Desa Sinduadi", '/inform{"sector":"drainase"}',
          "rt 1 rw 2", "lewati", "lewati", "ya")
FOLLOW_UP = ("usulan saya", "apa itu musrenbang?", "halo")


@dataclass
class Sender:
    channel: str
    id: str
    sent: list[str] = field(default_factory=list)  # message ids accepted (200), in order
    refused: int = 0  # attempts nginx or a gateway answered with an error (sent again)
    web_answers: dict[str, list[str]] = field(default_factory=dict)  # web: message id → reply texts
    late_replies: list[str] = field(default_factory=list)  # web: replies fetched by polling /api/updates


class Traffic:
    """Citizens on three channels, all through nginx (TLS)."""

    def __init__(self, cluster: Cluster, http: aiohttp.ClientSession, telegram: FakeTelegram) -> None:
        self.cluster, self.http, self.telegram = cluster, http, telegram
        self.ssl = cluster.tls_context()
        self.stop = asyncio.Event()

    async def _post(self, path: str, sender: Sender, message_id: str, **kwargs: object) -> dict | None:
        """POST until a gateway takes it (a killed one answers 502 through nginx): the platforms and the
        web chat page send again, with the same message id."""
        for _attempt in range(120):
            try:
                async with self.http.post(f"{self.cluster.url}{path}", ssl=self.ssl, **kwargs) as response:
                    if response.status == 200:
                        sender.sent.append(message_id)
                        body = await response.read()  # the platforms' webhooks are answered with no body
                        return json.loads(body) if sender.channel == "web" else None
                    if response.status < 500 and response.status != 429:
                        raise AssertionError(f"{path} answered {response.status}: {await response.text()}")
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            sender.refused += 1
            await asyncio.sleep(1)
        raise AssertionError(f"{path}: no gateway took {message_id}")

    async def say(self, sender: Sender, text: str) -> None:
        if sender.channel == "web":
            message_id = uuid.uuid4().hex
            body = await self._post("/api/chat", sender, message_id,
                                    json={"sender": sender.id, "message": text, "message_id": message_id})
            sender.web_answers[message_id] = [m.get("text") or "" for m in body["messages"]]
        elif sender.channel == "telegram":
            update = self.telegram.text_update(int(sender.id), text)
            await self._post("/webhooks/telegram", sender, f"u{update['update_id']}", json=update,
                             headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
        else:
            message_id = f"wamid.{uuid.uuid4().hex}"
            message = {"from": sender.id, "id": message_id, "timestamp": str(int(time.time())), "type": "text",
                       "text": {"body": text}}
            value = {"messaging_product": "whatsapp",
                     "metadata": {"display_phone_number": "62274000000", "phone_number_id": WA_PHONE_ID},
                     "contacts": [{"profile": {"name": "Warga"}, "wa_id": sender.id}], "messages": [message]}
            body = json.dumps({"object": "whatsapp_business_account",
                               "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}]}).encode()
            signature = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
            await self._post("/webhooks/whatsapp", sender, message_id, data=body,
                             headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})

    async def collect_late_replies(self, sender: Sender) -> int:
        """The web chat page's poll for replies that came after its request (Rasa was down): the replies,
        and the acknowledgement that marks them delivered."""
        after, count = 0, 0
        for _ in range(20):
            async with self.http.get(f"{self.cluster.url}/api/updates", ssl=self.ssl,
                                     params={"sender": sender.id, "after": str(after)}) as response:
                assert response.status == 200, response.status
                body = await response.json()
            if not body["messages"]:
                return count
            count += len(body["messages"])
            sender.late_replies += [m.get("text") or "" for m in body["messages"]]
            after = body["last"]
        raise AssertionError(f"web:{sender.id}: late replies never acknowledged")

    async def converse(self, sender: Sender, db: Database) -> None:
        """The proposal script (each message once the previous one is answered, as a person types), then
        questions until the chaos is over."""
        await asyncio.sleep(random.uniform(0, 3))
        for text in SCRIPT:
            await self.say(sender, text)
            await wait_answered(db, sender)
            await asyncio.sleep(random.uniform(0.2, 1.0))
        while not self.stop.is_set():
            await self.say(sender, random.choice(FOLLOW_UP))
            await wait_answered(db, sender)
            await asyncio.sleep(random.uniform(1, 3))


async def wait_answered(db: Database, sender: Sender, timeout_s: float = 300) -> None:
    """Until the sender's last message is processed (its replies in the outbox or in the web answer)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            async with db.session() as session:
                status = (await session.execute(select(InboundMessage.status).where(
                    InboundMessage.channel == sender.channel, InboundMessage.sender == sender.id,
                    InboundMessage.message_id == sender.sent[-1]))).scalar()
            if status == "done":
                return
        except Exception:
            pass
        await asyncio.sleep(0.5)
    raise AssertionError(f"{sender.channel}:{sender.id} message {sender.sent[-1]} not answered")


def faults() -> list[tuple[str, int]]:
    return [("gateway-1", signal.SIGKILL), ("rasa-1", signal.SIGKILL), ("actions-2", signal.SIGKILL),
            ("redis", signal.SIGKILL), ("postgres", signal.SIGINT)]  # SIGINT: PostgreSQL's fast shutdown


async def chaos(cluster: Cluster, log: list[str]) -> None:
    for name, sig in faults():
        await asyncio.sleep(4)
        started = time.monotonic()
        await asyncio.to_thread(cluster.kill, name, sig)
        await asyncio.sleep(1)
        await asyncio.to_thread(cluster.launch, name)
        await asyncio.to_thread(cluster.wait_ready, name)
        log.append(f"{name}: {signal.Signals(sig).name}, back in {time.monotonic() - started:.0f} s")
        print(log[-1], flush=True)


def set_status(cluster: Cluster, codes: list[str], status: str) -> None:
    subprocess.run([str(APP_BIN / "python"), "-m", "ops.cli", "proposal", "set-status", "--file", "-", status],
                   input="\n".join(codes), text=True, cwd=ROOT, env=cluster.env(), check=True, capture_output=True,
                   timeout=120)


async def test_nothing_is_lost_when_any_one_process_dies(tmp_path_factory) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    graph = FakeGraph(token=WA_TOKEN, phone_number_id=WA_PHONE_ID).start()
    # Not under pytest's own temporary folder: that is root's alone (0700), and the cluster's PostgreSQL runs as
    # the postgres user, which must reach its data directory.
    scratch = Path(tempfile.mkdtemp(prefix="musrenbang-chaos-"))
    scratch.chmod(0o755)
    directory = Path(os.environ.get("CHAOS_CLUSTER_DIR") or scratch) / "cluster"
    cluster = Cluster(directory=directory, model=trained_model(),
                      ports=Ports.default(int(os.environ.get("CHAOS_BASE_PORT", "18600"))),
                      extra_env={"TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.url,
                                 "TELEGRAM_WEBHOOK_SECRET": TG_SECRET, "WHATSAPP_TOKEN": WA_TOKEN,
                                 "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID, "WHATSAPP_APP_SECRET": WA_SECRET,
                                 "WHATSAPP_VERIFY_TOKEN": "chaos", "WHATSAPP_GRAPH_URL": graph.url.rsplit("/", 1)[0],
                                 "WHATSAPP_GRAPH_VERSION": graph.url.rsplit("/", 1)[1],
                                 "WEB_RATE_PER_MINUTE": "600", "TELEGRAM_RATE_PER_MINUTE": "600",
                                 "WHATSAPP_RATE_PER_MINUTE": "600", "RASA_TIMEOUT": "60"})
    started = time.monotonic()
    try:
        await asyncio.to_thread(cluster.start, lambda message: print(message, flush=True))
        start_s = time.monotonic() - started
        # Every Rasa worker pulled the published model from the cluster's own model server (nginx), as in
        # production: no Rasa process was given a model file.
        for name in ("rasa-1", "rasa-2"):
            command = Path(f"/proc/{cluster.processes[name].pid}/cmdline").read_bytes().split(b"\0")
            assert b"run" in command and b"--model" not in command, command
        assert model_downloads(cluster) >= cluster.rasa_processes * cluster.rasa_workers, model_downloads(cluster)
        db = Database(cluster.database_url)
        senders = ([Sender("web", uuid.uuid4().hex) for _ in range(SENDERS_PER_CHANNEL)]
                   + [Sender("telegram", str(700000 + i)) for i in range(SENDERS_PER_CHANNEL)]
                   + [Sender("whatsapp", f"628{random.randrange(10**9, 10**10)}") for _ in range(SENDERS_PER_CHANNEL)])
        log: list[str] = []
        chaos_started = time.monotonic()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as http:
            traffic = Traffic(cluster, http, telegram)
            talks = [asyncio.create_task(traffic.converse(sender, db)) for sender in senders]
            chaos_task = asyncio.create_task(chaos(cluster, log))
            pending = {chaos_task, *talks}
            while not chaos_task.done():  # a sender that fails stops the test at once
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task.exception() is not None:
                        raise task.exception()
            await chaos_task
            traffic.stop.set()
            await asyncio.gather(*talks)
            await drained(db, outbox=False)
            late = sum([await traffic.collect_late_replies(s) for s in senders if s.channel == "web"])
            chaos_s = time.monotonic() - chaos_started
            await drained(db)
        counts = await check(db, senders, telegram, graph)
        counts["web_late_replies"] = late

        # Notifications: every proposal moves one stage; each submitter hears of it exactly once, even
        # though a gateway is killed while they go out.
        codes = counts.pop("codes")
        assert codes, "no proposal was stored"
        set_status(cluster, codes, "diverifikasi_desa")
        await asyncio.to_thread(cluster.kill, "gateway-2", signal.SIGKILL)
        await asyncio.to_thread(cluster.launch, "gateway-2")
        await asyncio.to_thread(cluster.wait_ready, "gateway-2")
        await asyncio.sleep(5)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as http:
            traffic = Traffic(cluster, http, telegram)
            for sender in senders:
                if sender.channel == "web":
                    await traffic.collect_late_replies(sender)
        await drained(db)
        notified = await check_notifications(db, senders, telegram, graph)
        counts.update(notified)
        counts["faults"] = len(log) + 1  # the chaos's, and the gateway killed while notifications go out
        counts["model_downloads_from_nginx"] = model_downloads(cluster)  # rasa-1's restart pulled it again
        assert counts["model_downloads_from_nginx"] >= (cluster.rasa_processes + 1) * cluster.rasa_workers
        await db.dispose()
        print(f"\ncluster chaos: start {start_s:.0f} s, chaos {chaos_s:.0f} s; " + "; ".join(log))
        print("counts: " + json.dumps(counts, sort_keys=True))

        # The soak's short form (bench/soak.py runs it for 20 minutes): steady load, no errors, memory flat.
        minutes = float(os.environ.get("SOAK_MINUTES", "2"))
        result = await asyncio.to_thread(soak.run, cluster, minutes, 10, 20)
        print("soak: " + json.dumps({k: v for k, v in result.items() if k != "samples"}, sort_keys=True))
        assert result["errors"] == 0 and result["memory_flat"], result
    finally:
        await asyncio.to_thread(cluster.stop)
        graph.stop()
        await telegram.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def model_downloads(cluster: Cluster) -> int:
    """Rasa's pulls (aiohttp) that downloaded the model from the cluster's nginx, by its access log (the start
    check's ranged GET is a 206, a pull with an unchanged ETag a 304)."""
    log = cluster.directory / "nginx" / "logs" / "access.log"
    return sum(1 for line in log.read_text().splitlines()
               if '"GET /models/musrenbang.tar.gz HTTP/1.1" 200 ' in line and "aiohttp" in line)


async def drained(db: Database, timeout_s: float = 180, outbox: bool = True) -> None:
    """Until neither queue (or only the inbound one) has a message waiting."""
    deadline = time.monotonic() + timeout_s
    while True:
        async with db.session() as session:
            inbound = (await session.execute(select(func.count()).select_from(InboundMessage).where(
                InboundMessage.status.in_(("queued", "processing"))))).scalar_one()
            waiting_out = (await session.execute(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status.in_(("pending", "sending"))))).scalar_one()
        if not inbound and not (outbox and waiting_out):
            return
        assert time.monotonic() < deadline, f"{inbound} inbound and {waiting_out} outbox messages still waiting"
        await asyncio.sleep(1)


def _key(text: str) -> str:
    """A reply as both sides show it (a channel may escape or trim): its first letters and digits."""
    return re.sub(r"[^0-9A-Za-z]", "", text)[:24]


@dataclass(frozen=True)
class Queued:
    """An outbox row as the check needs it: its text, and how many of its deliveries a dying sender cut short
    between the platform's answer and the "sent" record (the row's `interrupted`, counted when another
    gateway took the claim over: provable from the row, not guessed from the platform's side)."""

    text: str
    interrupted: int = 0


def delivered_once(queued: list[Queued], delivered: list[str]) -> tuple[str | None, int]:
    """(None, re-sends) when every queued message reached the platform once and in queue order (a message
    may go out in several parts: its first part carries its opening words), apart from the copies of
    messages whose sender died mid-delivery (at most one more per cut-short delivery): those are counted,
    not failed, as the Bot API and the Graph API have no idempotency key. Else (what is wrong, re-sends)."""
    wanted = [(key, row.interrupted) for row in queued if (key := _key(row.text))]
    got = [_key(text) for text in delivered]
    position = 0
    for key, _ in wanted:
        try:
            position = got.index(key, position) + 1
        except ValueError:
            return f"{key!r} missing or out of order", 0
    allowed, extra_allowed = Counter(key for key, _ in wanted), Counter()
    for key, interrupted in wanted:
        extra_allowed[key] += interrupted
    counted = Counter(got)
    twice = [key for key, count in allowed.items() if counted[key] > count + extra_allowed[key]]
    resent = sum(min(counted[key] - count, extra_allowed[key])
                 for key, count in allowed.items() if counted[key] > count)
    return (f"delivered twice: {twice}" if twice else None), resent


def _platform_texts(channel: str, recipient: str, telegram: FakeTelegram, graph: FakeGraph) -> list[str]:
    if channel == "telegram":
        return [m.get("text") or m.get("caption") or "" for m in telegram.sent_to(int(recipient))]
    return [sent.text for sent in graph.to(recipient)]


async def check(db: Database, senders: list[Sender], telegram: FakeTelegram, graph: FakeGraph) -> dict:
    """Every accepted message done once; platform deliveries = the outbox, once each, in order; proposals once."""
    async with db.session() as session:
        inbound = (await session.execute(select(InboundMessage.channel, InboundMessage.sender,
                                                InboundMessage.message_id, InboundMessage.status)
                                         .order_by(InboundMessage.id))).all()
        outbox = (await session.execute(select(OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.payload,
                                               OutboxMessage.status, OutboxMessage.kind, OutboxMessage.interrupted)
                                        .order_by(OutboxMessage.id))).all()
        proposal_rows = (await session.execute(select(Proposal.code))).scalars().all()
    stored = Counter((row.channel, row.sender, row.message_id) for row in inbound)
    assert all(count == 1 for count in stored.values())
    assert all(row.status == "done" for row in inbound)
    accepted = 0
    for sender in senders:
        accepted += len(sender.sent)
        ids = [row.message_id for row in inbound if (row.channel, row.sender) == (sender.channel, sender.id)]
        # stored once each, in the order the citizen sent them (a resent message is the same row)
        assert ids == list(dict.fromkeys(sender.sent)), f"{sender.channel}:{sender.id}"
    deliveries = resent = 0
    for sender in senders:
        if sender.channel == "web":
            # answered in the request, or (a gateway or Rasa was down meanwhile) by a late reply the page polls
            unanswered = sum(1 for answers in sender.web_answers.values() if not answers)
            assert unanswered <= len(sender.late_replies), f"web:{sender.id}: {unanswered} unanswered"
            continue
        queued = [Queued(json.loads(row.payload).get("text") or "", row.interrupted) for row in outbox
                  if (row.channel, row.recipient) == (sender.channel, sender.id)]
        delivered = _platform_texts(sender.channel, sender.id, telegram, graph)
        # each reply reached the platform exactly once, in the order it was queued
        problem, again = delivered_once(queued, delivered)
        assert problem is None, f"{sender.channel}:{sender.id}: {problem}"
        deliveries += len(delivered)
        resent += again
    codes = Counter(proposal_rows)
    assert all(count == 1 for count in codes.values())
    told = set()
    for sender in senders:
        texts = (" ".join([*(" ".join(a) for a in sender.web_answers.values()), *sender.late_replies])
                 if sender.channel == "web" else
                 " ".join(_platform_texts(sender.channel, sender.id, telegram, graph)))
        told |= set(CODE.findall(texts)) - {PLACEHOLDER}
    assert told <= set(codes), "a tracking code was given that is not stored"
    submitted = [s for s in senders if s.channel in ("telegram", "whatsapp")]
    return {"senders": len(senders), "accepted_messages": accepted,
            "resent_after_error": sum(s.refused for s in senders),
            "inbound_rows": len(inbound), "platform_deliveries": deliveries, "proposals": len(codes),
            "resent_because_sender_died": resent, "cut_short_deliveries": sum(row.interrupted for row in outbox),
            "codes_told": len(told), "codes": sorted(codes), "platform_senders": len(submitted)}


async def check_notifications(db: Database, senders: list[Sender], telegram: FakeTelegram, graph: FakeGraph) -> dict:
    async with db.session() as session:
        rows = (await session.execute(select(OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.status)
                                      .where(OutboxMessage.kind == "notification"))).all()
    assert all(row.status == "sent" for row in rows if row.channel != "web")
    per = Counter((row.channel, row.recipient) for row in rows)
    assert all(count == 1 for count in per.values()), "a status change notified someone twice"
    resent = 0
    for sender in senders:
        if sender.channel == "web":
            continue
        queued = await _all_queued(db, sender)
        delivered = _platform_texts(sender.channel, sender.id, telegram, graph)
        problem, again = delivered_once(queued, delivered)
        assert problem is None, f"{sender.channel}:{sender.id}: {problem}"
        resent += again
    return {"notifications": len(rows), "notifications_platform": sum(1 for r in rows if r.channel != "web"),
            "resent_because_sender_died_total": resent}


async def _all_queued(db: Database, sender: Sender) -> list[Queued]:
    async with db.session() as session:
        found = (await session.execute(select(OutboxMessage.payload, OutboxMessage.interrupted).where(
            OutboxMessage.channel == sender.channel, OutboxMessage.recipient == sender.id)
            .order_by(OutboxMessage.id))).all()
    return [Queued(json.loads(payload).get("text") or "", interrupted) for payload, interrupted in found]
