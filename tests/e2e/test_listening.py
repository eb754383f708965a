"""Internal services are reachable only from this machine: the action server has no token, so it (and
Rasa, whose every route asks for RASA_TOKEN besides) listens on loopback unless configured otherwise;
and a call that does reach the action server cannot store a proposal the form would have refused."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from core import texts
from storage import proposals
from storage.db import Database
from tests.conversations.driver import database_url_of

DATA = Path(__file__).resolve().parent.parent / "data"


def listening_addresses(port: int) -> set[str]:
    """The local addresses of TCP sockets listening on `port` (IPv4 and IPv6), from /proc/net/tcp*."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    if len(hex_address) == 8:  # IPv4, little-endian
        return ".".join(str(int(hex_address[i:i + 2], 16)) for i in (6, 4, 2, 0))
    return "::1" if hex_address == "00000000000000000000000001000000" else hex_address


def test_the_action_server_and_rasa_listen_on_loopback_only(stack) -> None:
    for name, port in (("action server", stack.actions_port), ("rasa", stack.rasa_port)):
        addresses = listening_addresses(port)
        assert addresses, f"nothing listens on the {name} port {port}"
        assert addresses <= {"127.0.0.1", "::1"}, f"the {name} listens on {addresses}"


def own_non_loopback_address() -> str | None:
    """This host's address towards other machines (a UDP "connect" picks it without sending anything)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed like any outside address, never reached
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_the_action_server_and_rasa_refuse_connections_from_the_network(stack) -> None:
    address = own_non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    for port in (stack.actions_port, stack.rasa_port):
        with pytest.raises(ConnectionRefusedError), socket.create_connection((address, port), timeout=5):
            pass
        with socket.create_connection(("127.0.0.1", port), timeout=5):  # ... while serving on loopback
            pass


def http(method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_rasa_answers_only_callers_with_the_token(stack) -> None:
    """Without the token nothing reaches a conversation: neither the HTTP API nor the REST channel."""
    base = stack.rasa_url
    forged_turn = {"sender": "web:someone-else-0001", "message": "usulan saya"}
    assert http("GET", f"{base}/conversations/web:someone-else-0001/tracker")[0] == 401
    assert http("POST", f"{base}/webhooks/rest/webhook", forged_turn)[0] == 401
    assert http("POST", f"{base}/webhooks/rest/webhook?token=wrong", forged_turn)[0] == 401
    token = urllib.parse.urlencode({"token": stack.rasa_token})
    assert http("GET", f"{base}/conversations/web:someone-else-0001/tracker?{token}")[0] == 200


async def test_a_forged_call_to_the_submit_action_stores_nothing(stack) -> None:
    """POST /webhook on the action server with slots the form never checked (a desa in Aceh, a kamus item
    of another sector): refused in the citizen's language, nothing stored."""
    tracker = json.loads((DATA / "confirmed_proposal.json").read_text())
    sender = f"web:forged{uuid.uuid4().hex[:12]}"
    tracker["sender_id"] = sender
    for forged in ({"village_code": "11.01.01.2001"}, {"kamus_item": "pembangunan_jembatan"},
                   {"photo": "../musrenbang.db"}):
        tracker["slots"].update({"draft_id": uuid.uuid4().hex, "village_code": "34.04.07.2001",
                                 "kamus_item": None, "photo": "skip", **forged})
        call = {"next_action": "action_submit_proposal", "sender_id": sender, "tracker": tracker,
                "domain": {}, "version": "3.6.21"}
        status, answer = http("POST", f"http://127.0.0.1:{stack.actions_port}/webhook", call)
        assert status == 200
        assert [r.get("text", "") for r in answer["responses"]] == [
            texts.submission_refused(["village_code"] if "village_code" in forged else
                                     ["kamus_item"] if "kamus_item" in forged else ["photo"], "id")]
    db = Database(database_url_of(stack))
    try:
        assert await proposals.count_citizen_proposals(db, "web", sender.removeprefix("web:")) == 0
    finally:
        await db.dispose()
