"""A process that still holds a SQLite connection when its work is done must exit all the same.

SQLAlchemy 1.4 lets the interpreter leave without closing aiosqlite connections by marking their
worker thread a daemon. aiosqlite 0.22 moved the thread inside the connection object, so that mark
no longer reaches it: one connection left open (a task torn down mid-query, a forgotten session) kept
the gateway, a CLI command or the test run alive forever after its last line (CI timed out after every
test had passed). requirements/*.lock pin aiosqlite 0.21 for that; this test fails on 0.22.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LEAKY = """
import asyncio
from sqlalchemy import text
from storage.db import Database

held = []

async def main(url):
    db = Database(url)
    session = db.session()
    await session.execute(text("SELECT 1"))
    held.append(session)  # never closed
    await db.dispose()

asyncio.run(main(URL))
print("work done")
"""

# A SQLite file's pool (storage/db.py) keeps connections open between sessions: a process that never
# disposes its Database still holds them, each with its aiosqlite thread, when its last line has run.
POOLED = """
import asyncio
from sqlalchemy import text
from storage.db import Database

async def main(url):
    db = Database(url)

    async def lookup():
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
            await asyncio.sleep(0.01)

    await asyncio.gather(*(lookup() for _ in range(8)))
    assert db.engine.pool.checkedin() > 0  # idle pooled connections, never disposed

asyncio.run(main(URL))
print("work done")
"""


@pytest.mark.parametrize("script_text", [LEAKY, POOLED], ids=["session-left-open", "pool-never-disposed"])
def test_a_process_with_a_connection_left_open_still_exits(tmp_path: Path, script_text: str) -> None:
    script = tmp_path / "leaky.py"
    script.write_text(script_text.replace("URL", repr(f"sqlite+aiosqlite:///{tmp_path / 'leaky.db'}")))
    try:
        done = subprocess.run([sys.executable, "-W", "ignore", str(script)], cwd=ROOT, capture_output=True,
                              text=True, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired as hung:
        raise AssertionError(f"the process did its work ({hung.stdout!r}) but did not exit in 60 s") from None
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "work done"
