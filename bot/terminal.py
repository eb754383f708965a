"""Chat with the assistant from a terminal, through the running gateway (`./musrenbang chat`).

Buttons are listed with numbers; typing the number presses the button. It uses the same
HTTP endpoint as the web chat, so it exercises the whole stack.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid

from core import settings


def post(url: str, sender: str, text: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": text, "message_id": uuid.uuid4().hex}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response).get("messages", [])
    except urllib.error.HTTPError as error:  # 4xx/5xx still carry a readable notice
        return json.load(error).get("messages", [])


def show(messages: list[dict], out=sys.stdout) -> list[dict]:  # noqa: ANN001 - a text stream
    buttons: list[dict] = []
    for message in messages:
        if message.get("text"):
            print(f"bot> {message['text']}", file=out)
        for button in message.get("buttons") or []:
            buttons.append(button)
            print(f"     [{len(buttons)}] {button.get('title')}", file=out)
    out.flush()
    return buttons


def main(argv: list[str] | None = None) -> int:
    config = settings.load()
    parser = argparse.ArgumentParser(description="Terminal chat with e-Musrenbang")
    parser.add_argument("--url", default=f"http://{config.gateway_host}:{config.gateway_port}")
    parser.add_argument("--sender", default="term" + uuid.uuid4().hex[:12])
    args = parser.parse_args(argv)
    endpoint = args.url.rstrip("/") + "/api/chat"
    print("e-Musrenbang — ketik pesan, angka untuk memilih tombol, Ctrl-D untuk keluar.", flush=True)
    buttons: list[dict] = []
    for line in sys.stdin:
        text = line.strip()
        if not text:
            continue
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            buttons = show(post(endpoint, args.sender, text))
        except (urllib.error.URLError, OSError) as error:
            print(f"bot> (gateway tidak dapat dihubungi: {error})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
