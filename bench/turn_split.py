"""Where a web chat turn's time goes in the cluster (bench/scale.py --trace DIR): for each request of a load
level, joined by its message id and sender,
- the bench's send and answer (bench/load.py),
- the gateway storing it (inbound_messages.created_at),
- the gateway's Rasa call, start (after its wait for a free slot, `queued_s`) and end (its "turn" log line),
- Rasa's own timestamps in its tracker: the turn's first event (a new conversation's session start, else the
  user event: after the conversation lock, the tracker read and NLU) and its closing action_listen.
Writes turns.json (one row per request) and prints percentiles of each span and the order in which turns
that were waiting at the same moment were answered."""

from __future__ import annotations

import json
import statistics
from datetime import datetime
from pathlib import Path

import asyncpg

from bench.load import Turn

TURN_KEY = "musrenbang_turn"


def _gateway_calls(logs: Path) -> dict[str, tuple[float, float, str]]:
    """message id → (Rasa call sent, returned, outcome) from the gateways' JSON logs."""
    calls = {}
    for log in sorted(logs.glob("gateway-*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if '"message": "turn ' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            end = datetime.fromisoformat(entry["time"]).timestamp()
            sent = end - float(entry["seconds"]) + float(entry.get("queued_s") or 0)  # after the gateway's queue
            calls[entry["message_id"]] = (sent, end, entry.get("outcome", ""))
    return calls


async def _database(url: str, senders: list[str]) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Stored-at per message id, and Rasa's (first event, action_listen) per message id from its tracker."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        stored = {row["message_id"]: row["created_at"].timestamp() for row in await connection.fetch(
            "SELECT message_id, created_at FROM inbound_messages WHERE channel = 'web' AND sender = ANY($1)", senders)}
        rows = await connection.fetch(
            "SELECT sender_id, type_name, action_name, timestamp, data FROM rasa.events WHERE sender_id = ANY($1) "
            "ORDER BY id", [f"web:{sender}" for sender in senders])
    finally:
        await connection.close()
    rasa: dict[str, tuple[float, float]] = {}
    by_sender: dict[str, list] = {}
    for row in rows:
        by_sender.setdefault(row["sender_id"], []).append(row)
    for events in by_sender.values():
        first = None
        turn = None
        for row in events:
            if first is None:
                first = row["timestamp"]
            if row["type_name"] == "user":
                turn = ((json.loads(row["data"]).get("metadata") or {}).get(TURN_KEY), first)
            elif row["type_name"] == "action" and row["action_name"] == "action_listen" and turn is not None:
                rasa[turn[0]] = (turn[1], row["timestamp"])
                turn, first = None, None
            if row["type_name"] == "action" and row["action_name"] == "action_listen" and turn is None:
                first = None  # the session start's own listen: the next turn starts at its next event
    return stored, rasa


def _percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"n": len(values)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"n": len(values), "p50": round(cuts[49], 3), "p95": round(cuts[94], 3), "max": round(max(values), 3)}


def _out_of_order(rows: list[dict]) -> dict[str, int]:
    """Of two requests both waiting between the gateway storing them and Rasa starting on them, how often
    the later one was started first (0 is first come, first served)."""
    waiting = sorted((row for row in rows if row["stored"] and row["rasa_first"]), key=lambda row: row["stored"])
    pairs = overtaken = 0
    for index, early in enumerate(waiting):
        for late in waiting[index + 1:]:
            if late["stored"] >= early["rasa_first"]:
                break
            pairs += 1
            overtaken += late["rasa_first"] < early["rasa_first"]
    return {"pairs waiting together": pairs, "later one started first": overtaken}


async def report(turns: list[Turn], database_url: str, logs: Path, out: Path) -> dict:
    calls = _gateway_calls(logs)
    stored, rasa = await _database(database_url, sorted({turn.sender for turn in turns}))
    rows = []
    for turn in turns:
        row = {"sender": turn.sender, "seq": turn.seq, "kind": turn.kind, "status": turn.status,
               "sent": turn.started, "answered": turn.ended}
        row["stored"] = stored.get(turn.message_id)
        call = calls.get(turn.message_id)
        row["rasa_call"], row["rasa_return"], row["outcome"] = call if call else (None, None, None)
        row["rasa_first"], row["rasa_listen"] = rasa.get(turn.message_id, (None, None))
        rows.append(row)
    out.mkdir(parents=True, exist_ok=True)
    (out / "turns.json").write_text(json.dumps(rows, indent=0) + "\n")

    def span(a: str, b: str) -> list[float]:
        return [row[b] - row[a] for row in rows if row[a] is not None and row[b] is not None]

    summary = {
        "kinds": {kind: sum(1 for row in rows if row["kind"] == kind) for kind in ("answer", "notice", "error")},
        "outcomes": {o: sum(1 for row in rows if row["outcome"] == o) for o in {row["outcome"] for row in rows}},
        "total": _percentiles(span("sent", "answered")),
        "bench→stored": _percentiles(span("sent", "stored")),
        "stored→rasa call (incl. the gateway's queue)": _percentiles(span("stored", "rasa_call")),
        "rasa call→rasa first event": _percentiles(span("rasa_call", "rasa_first")),
        "rasa first event→listen": _percentiles(span("rasa_first", "rasa_listen")),
        "rasa listen→call returns": _percentiles(span("rasa_listen", "rasa_return")),
        "call returns→bench answered": _percentiles(span("rasa_return", "answered")),
        "first turns (seq 1)": _percentiles([r["answered"] - r["sent"] for r in rows if r["seq"] == 1]),
        "later turns": _percentiles([r["answered"] - r["sent"] for r in rows if r["seq"] > 1]),
    }
    summary["served out of order"] = _out_of_order(rows)
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary, indent=1), flush=True)
    return summary
