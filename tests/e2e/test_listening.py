"""Internal services are reachable only from this machine: the action server and Rasa have no token,
so they must listen on loopback (read from the kernel's socket table, without sending any traffic)."""

from __future__ import annotations

from pathlib import Path


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
