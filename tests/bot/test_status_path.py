"""One path for every status change: the officer console (one proposal, in bulk, merging), the CLI
(`proposal set-status`) and the SIPD import all go through `workflows.status.change_status`, and the
only SQL that moves a status is `storage.status_changes.record_change` under it.

The Open311 API writes no status (it only submits proposals, which start at `diajukan`); the
citizen's own fix goes through `record_change` too (`status_changes.resubmit_proposal`).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import status as status_rules
from integrations import sipd
from storage import accounts, status_changes
from storage.db import Database
from storage.models import AuditEntry, OutboxMessage, StatusChange
from tests.bot.sites import Browser, Gateway, propose, status_of
from tests.conftest import in_thread
from workflows import status as status_flow

ROOT = Path(__file__).resolve().parents[2]
ILLEGAL = "cannot move from 'ditolak' to 'diverifikasi_desa'"


@pytest.fixture
async def admin_console(console: Gateway) -> tuple[Gateway, Browser]:
    """The console (tests/bot/conftest.py), and one admin's browser logged in."""
    browser = await console.logged_in("root", "admin")
    return console, browser


class Spy:
    """Counts calls of the one path, and checks that no status is written outside one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, str]] = []
        self.writes = 0  # storage writes attempted (the status machine may still refuse them)
        self.inside = 0
        change, record = status_flow.change_status, status_changes.record_change

        async def spied_change(db, officer, code, new_status, *args, **kwargs):
            self.calls.append((code, new_status))
            self.inside += 1
            try:
                return await change(db, officer, code, new_status, *args, **kwargs)
            finally:
                self.inside -= 1

        async def spied_record(*args, **kwargs):
            assert self.inside, "a status was written outside workflows.status.change_status"
            self.writes += 1
            return await record(*args, **kwargs)

        monkeypatch.setattr(status_flow, "change_status", spied_change)
        monkeypatch.setattr(status_changes, "record_change", spied_record)


def run_cli(monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path, *argv: str) -> dict:
    from ops import cli

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MUSRENBANG_VAR", str(tmp_path / "cli-var"))
    monkeypatch.setenv("MUSRENBANG_REGION", "34.04")
    return in_thread(cli.main, list(argv))


def sipd_file(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "sipd.csv"
    lines = ["ID Usulan,Status,Catatan", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def counts(db: Database) -> tuple[int, int, int]:
    async with db.session() as session:
        return tuple([(await session.execute(select(func.count(table.id)))).scalar_one()
                      for table in (StatusChange, OutboxMessage, AuditEntry)])


async def test_every_writer_goes_through_the_one_path(admin_console: tuple[Gateway, Browser], sqlite_db_url: str,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys) -> None:
    gateway, admin = admin_console
    db = gateway.db
    codes = [await propose(db, f"citizen-000{i}", f"k{i}", description=f"Jalan rusak {i}") for i in range(6)]
    spy = Spy(monkeypatch)

    assert (await admin.post(f"/officer/usulan/{codes[0]}/status", {"new_status": "diverifikasi_desa"}))[0] == 302
    assert (await admin.post("/officer/usulan/massal", {"codes": [codes[1]], "new_status": "diverifikasi_desa"}))[0] \
        == 200
    assert (await admin.post(f"/officer/usulan/{codes[2]}/gabung", {"target": codes[5]}))[0] == 302
    assert run_cli(monkeypatch, sqlite_db_url, tmp_path, "proposal", "set-status", codes[3], "diverifikasi_desa") == 0
    capsys.readouterr()
    summary = await sipd.import_statuses(db, sipd_file(tmp_path, [(codes[4], "Diverifikasi desa/kelurahan", "")]))
    assert summary.changed == 1 and not summary.errors

    assert spy.calls == [(codes[0], "diverifikasi_desa"), (codes[1], "diverifikasi_desa"), (codes[2], "digabung"),
                         (codes[3], "diverifikasi_desa"), (codes[4], "diverifikasi_desa")]
    assert spy.writes == 5
    assert [await status_of(db, c) for c in codes] == ["diverifikasi_desa"] * 2 + ["digabung"] + \
        ["diverifikasi_desa"] * 2 + ["diajukan"]


async def test_an_illegal_move_is_refused_the_same_way_by_every_writer(
        admin_console: tuple[Gateway, Browser], sqlite_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys) -> None:
    gateway, admin = admin_console
    db = gateway.db
    admin_view = await accounts.get_officer(db, "root")
    code = await propose(db, "citizen-0001", "k1")
    target = await propose(db, "citizen-0002", "k2", description="Jalan berlubang")
    await status_changes.change_status(db, code, "ditolak", "officer:x", reason="Bukan kewenangan daerah")
    assert "diverifikasi_desa" not in status_rules.allowed_next("ditolak")
    before = await counts(db)
    spy = Spy(monkeypatch)

    # The operator's writers report the status machine's own words.
    assert run_cli(monkeypatch, sqlite_db_url, tmp_path, "proposal", "set-status", code, "diverifikasi_desa") == 1
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["ok"] is False and result["error"] == ILLEGAL
    summary = await sipd.import_statuses(db, sipd_file(tmp_path, [(code, "diverifikasi_desa", "")]))
    assert summary.changed == 0 and summary.errors[0]["error"].startswith(ILLEGAL)
    with pytest.raises(status_rules.TransitionError, match=ILLEGAL):
        await status_flow.change_status(db, None, code, "diverifikasi_desa", actor="cli:x")
    # An officer (even an admin) holds no move the status machine lacks: refused as not theirs.
    with pytest.raises(PermissionError):
        await status_flow.change_status(db, admin_view, code, "diverifikasi_desa")
    assert (await admin.post(f"/officer/usulan/{code}/status", {"new_status": "diverifikasi_desa"}))[0] == 403
    status, page, _ = await admin.post("/officer/usulan/massal", {"codes": [code], "new_status": "diverifikasi_desa"})
    assert status == 200 and "bukan wewenang Anda pada tahap ini" in page
    status, page, _ = await admin.post(f"/officer/usulan/{code}/gabung", {"target": target})
    assert status == 403

    assert await status_of(db, code) == "ditolak"
    changes, outbox, audits = await counts(db)
    assert (changes, outbox) == before[:2]  # no history row, no news
    assert audits - before[2] == 1  # only the bulk page's own summary row ("0 dari 1 usulan diubah")
    # Through the one path: CLI, SIPD, the operator, the admin, the bulk page (the single and merge
    # pages refuse it before, from the same roles.allowed_transitions); only the operator's writers
    # reached the storage write, where core.status refused it.
    assert spy.calls == [(code, "diverifikasi_desa")] * 5 and spy.writes == 3


def _calls(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found.add(f"{node.value.id}.{node.attr}")
        if isinstance(node, ast.Name):
            found.add(node.id)
    return found


def test_no_other_module_writes_a_status() -> None:
    """Statically: only workflows/status.py calls the storage write, and only storage/status_changes.py
    (and storage/proposals.py, for the initial status of a new proposal) sets `status` on a proposal."""
    writers = {}
    for folder in ("actions", "bot", "core", "integrations", "ops", "storage", "workflows", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            names = _calls(ast.parse(source))
            if "status_changes.change_status" in names or "status_changes.record_change" in names:
                writers[str(path.relative_to(ROOT))] = True
            assert "proposal.status =" not in source or path.name == "status_changes.py", path
    assert set(writers) == {"workflows/status.py"}
