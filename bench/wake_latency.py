"""The gateway's own share of a webhook turn: Telegram webhook POST → reply at the platform, with a
fake Rasa that answers at once and the fake Bot API (tests/fakes), the gateway app in this process.
What remains is storing, claiming, waking the worker and the outbox dispatcher, and delivering, so
waking on events instead of polling shows here (it must not be slower).
Run: `.venv/app/bin/python -m bench.wake_latency [--turns 100] [--database-url URL]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bench.turns import percentile
from bot.app import create_app
from bot.channels import telegram
from core.settings import Settings
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram import FakeTelegram

SECRET = "bench-secret"


async def run(database_url: str, var_dir: Path, turns: int) -> list[float]:
    fake, rasa = FakeTelegram(), FakeRasa()
    await fake.start()
    await rasa.start()
    config = Settings(var_dir=var_dir, database_url=database_url, rasa_url=rasa.url, telegram_bot_token=fake.token,
                      telegram_mode="webhook", telegram_webhook_secret=SECRET, telegram_api_url=fake.url,
                      public_url="https://bench.example", telegram_rate_per_minute=100_000)
    client = TestClient(TestServer(create_app(config)))
    await client.start_server()
    latencies = []
    try:
        for turn in range(turns):
            chat = 9000 + turn % 5
            before = len(fake.sent_to(chat))
            started = time.perf_counter()
            async with client.post(telegram.WEBHOOK_PATH, json=fake.text_update(chat, f"halo {turn}"),
                                   headers={telegram.SECRET_HEADER: SECRET}) as response:
                assert response.status == 200
            while len(fake.sent_to(chat)) == before:
                await asyncio.sleep(0.001)
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.05)  # idle between turns: the loops go back to sleep
    finally:
        await client.close()
        await rasa.stop()
        await fake.stop()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--database-url", action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        urls = args.database_url or [f"sqlite+aiosqlite:///{Path(temporary) / 'bench.db'}"]
        for url in urls:
            from bench.idle import migrate

            migrate(url)
            values = asyncio.run(run(url, Path(temporary) / "var", args.turns))
            backend = "sqlite" if url.startswith("sqlite") else "postgresql"
            print(f"{backend}: webhook → delivered, {args.turns} turns: p50 {statistics.median(values):.1f} ms, "
                  f"p95 {percentile(values, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
