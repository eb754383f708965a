"""Command-line tools behind `./musrenbang <command>` that print JSON for scripts and officers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from core import kamus, regions, sectors, settings

if TYPE_CHECKING:
    from storage.db import Database

T = TypeVar("T")


def cmd_region(args: argparse.Namespace) -> int:
    scope = "" if args.all else settings.load().region_code
    found = regions.gazetteer().resolve(args.text, scope, limit=args.limit)
    print(json.dumps({"query": args.text, "scope": scope or "national", "ambiguous": regions.is_ambiguous(found),
                      "candidates": [c.as_dict() for c in found]}, ensure_ascii=False, indent=2))
    return 0 if found else 1


def cmd_areas_build(args: argparse.Namespace) -> int:
    """Convert one province's wilayah_boundaries files into the region's simplified areas (core/data/areas/)."""

    from core import areas
    from integrations import wilayah_boundaries

    region = args.region or settings.load().region_code
    out = Path(args.out) if args.out else areas.file_for(region)
    try:
        collection = wilayah_boundaries.convert(Path(args.source), region)
        size = wilayah_boundaries.write(collection, out)
    except (OSError, ValueError) as error:
        return _fail(f"cannot build the areas of {region}: {error}")
    levels: dict[str, int] = {}
    for feature in collection["features"]:
        level = feature["properties"]["tingkat"]
        levels[level] = levels.get(level, 0) + 1
    print(json.dumps({"region": region, "file": str(out), "bytes": size, "areas": levels}, indent=2))
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    """Sector and kamus usulan items for a description, as the form suggests them."""
    items = kamus.match(args.text, limit=args.limit)
    ranked = sectors.rank(args.text)
    sector = items[0].sector if items else (ranked[0][0] if ranked else None)
    print(json.dumps({
        "text": args.text,
        "sector": sector,
        "item": items[0].name if items else None,
        "score": round(items[0].score, 3) if items else (round(ranked[0][1], 3) if ranked else 0.0),
        "items": [{"code": m.code, "sector": m.sector, "name": m.name, "unit": m.unit, "score": round(m.score, 3)}
                  for m in items],
    }, ensure_ascii=False, indent=2))
    return 0 if sector else 1


# --- Officers and proposals (the console's CLI twin) ---------------------------------------------


def _with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Runs `work` on the product database and always closes it (an open connection would keep the
    command from exiting). Migrated first, so the first admin can be created on a fresh install."""
    import asyncio

    from storage import migrate
    from storage.db import Database  # imported late so `region` stays light

    config = settings.load()
    url = config.database_url
    migrate.prepare(config)  # local: migrate (a fresh install); production: only check, `migrate` is its own step

    async def run() -> T:
        db = Database(url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _read_password(args: argparse.Namespace) -> str | None:
    """--password, else typed twice at a terminal, else the first line of standard input."""
    import getpass

    if args.password:
        return args.password
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n") or None
    first = getpass.getpass("Password: ")
    return first if first == getpass.getpass("Password (again): ") else None


def _new_password(args: argparse.Namespace) -> tuple[str, str | None]:
    """The password to set, and why it cannot be used (None when it can)."""
    from bot.officer import security  # argon2: the app environment only

    password = _read_password(args)
    if not password:
        return "", "no password (give --password, or type the same one twice)"
    weak = security.check_password_strength(password)
    return password, f"password too weak: {weak}" if weak else None


def cmd_officer_create(args: argparse.Namespace) -> int:
    """Create an officer account; the password is hashed here (argon2) and never printed."""

    from bot.officer import security  # argon2: the app environment only
    from core import roles
    from storage import accounts, audit

    config = settings.load()
    scope = args.scope or (config.region_code if args.role == roles.OPD else None)
    try:
        roles.validate_officer(args.role, scope, args.sector, config.region_code, regions.gazetteer().by_code)
    except roles.ScopeError as error:
        return _fail(str(error))
    password, problem = _new_password(args)
    if problem:
        return _fail(problem)

    async def create(db: Database) -> dict:
        officer = await accounts.create_officer(db, args.username, security.hash_password(password), args.role,
                                                scope, args.sector, args.full_name or "")
        await audit.record(db, args.actor, "officer_create", officer.username,
                           f"{officer.role} {officer.scope_code or ''}".strip())
        return officer.as_dict()

    try:
        created = _with_database(create)
    except (accounts.DuplicateUsername, ValueError) as error:
        return _fail(str(error))
    print(json.dumps(created, ensure_ascii=False, indent=2))
    return 0


def cmd_officer_set_password(args: argparse.Namespace) -> int:
    """A new password for an officer (the only admin locked out, say); their console sessions end."""

    from bot.officer import security  # argon2: the app environment only
    from storage import accounts, audit, login_throttle

    password, problem = _new_password(args)
    if problem:
        return _fail(problem)

    async def set_password(db: Database) -> dict | None:
        officer = await accounts.get_officer(db, args.username)
        if officer is None:
            return None
        ended = await accounts.change_password(db, officer.id, security.hash_password(password))
        await login_throttle.clear_failed_logins(db, f"user:{officer.username}")
        await audit.record(db, args.actor, "officer_password_reset", officer.username, f"{ended} sesi diakhiri")
        return {"username": officer.username, "sessions_ended": ended}

    done = _with_database(set_password)
    if done is None:
        return _fail(f"no officer named {args.username!r}")
    print(json.dumps(done, ensure_ascii=False, indent=2))
    return 0


def cmd_officer_list(args: argparse.Namespace) -> int:
    from storage import accounts

    async def listing(db: Database) -> list[dict]:
        return [o.as_dict() for o in await accounts.list_officers(db)]

    print(json.dumps(_with_database(listing), ensure_ascii=False, indent=2))
    return 0


def _codes_from(args: argparse.Namespace) -> tuple[list[str], list[dict]]:
    """Codes from the command line and --file (one or more per line, # comments), and bad lines."""
    from core import tracking

    lines = [args.code] if args.code else []
    if args.file:
        handle = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
        with handle:
            lines += [line.split("#", 1)[0].strip() for line in handle]
    codes, bad = [], []
    for line in filter(None, lines):
        found = tracking.find_all(line)
        if not found:
            bad.append({"code": line, "ok": False, "error": "not a tracking code"})
        codes += [c for c in found if c not in codes]
    return codes, bad


def cmd_proposal_set_status(args: argparse.Namespace) -> int:
    """Move proposals to STATUS as the server operator (core.status rules; audit-logged)."""

    from core import status as status_rules
    from core.status import Status
    from storage import review
    from workflows import status as status_flow

    if args.status not in status_rules.ALL:
        return _fail(f"unknown status {args.status!r}; one of: {', '.join(status_rules.ALL)}")
    if args.status == Status.DIGABUNG and not args.target:
        return _fail("digabung needs --target USL-XXXXXX (the proposal it is merged into)")
    if not args.code and not args.file:
        return _fail("give a tracking code or --file FILE")
    try:
        codes, results = _codes_from(args)
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror}")
    actor = args.actor if args.actor.startswith("cli:") else f"cli:{args.actor}"

    async def apply(db: Database) -> None:
        for code in codes:
            ref = await review.proposal_ref(db, code)
            row: dict = {"code": code, "old_status": ref.status if ref else None}
            try:
                if args.status == Status.DIGABUNG:
                    merged = await status_flow.merge_proposals(db, None, code, args.target, args.note, actor=actor)
                    row |= {"new_status": Status.DIGABUNG, "target": merged.target,
                            "supporters_added": merged.supporters_added}
                else:
                    view = await status_flow.change_status(db, None, code, args.status, args.reason,
                                                           args.note, actor=actor)
                    row["new_status"] = view.status
                row["ok"] = True
            except LookupError as error:
                row |= {"ok": False, "error": f"unknown proposal {error.args[0]}"}
            except status_rules.TransitionError as error:
                row |= {"ok": False, "error": str(error)}
            results.append(row)

    _with_database(apply)
    failed = sum(not r["ok"] for r in results)
    print(json.dumps({"status": args.status, "actor": actor, "changed": len(results) - failed, "failed": failed,
                      "results": results}, ensure_ascii=False, indent=2))
    if failed:
        print(f"error: {failed} of {len(results)} could not be changed (see \"results\")", file=sys.stderr)
    return 1 if failed else 0


# --- SIPD exchange (integrations/sipd) and the yearly report (bot/public/report.py, ops/pdf.py) ----


def cmd_export_sipd(args: argparse.Namespace) -> int:
    """Proposals in SIPD's usulan layout (CSV or XLSX), without any personal data."""
    from pathlib import Path

    from integrations import sipd

    async def records(db: Database) -> list[dict]:
        return await sipd.export_records(db, args.year)

    rows = _with_database(records)
    out = args.out or f"sipd_usulan_{args.year or 'semua'}.{args.format}"
    try:
        if out == "-":
            if args.format == "xlsx":
                sipd.write_xlsx(rows, sys.stdout.buffer)
            else:
                sipd.write_csv(rows, sys.stdout)
            return 0
        if args.format == "xlsx":
            count = sipd.write_xlsx(rows, Path(out))
        else:
            with open(out, "w", encoding="utf-8-sig", newline="") as handle:  # the BOM tells Excel it is UTF-8
                count = sipd.write_csv(rows, handle)
    except OSError as error:
        return _fail(f"cannot write {out}: {error.strerror}")
    print(json.dumps({"file": out, "format": args.format, "year": args.year, "rows": count}, ensure_ascii=False,
                     indent=2))
    return 0


def cmd_import_sipd(args: argparse.Namespace) -> int:
    """Statuses (and Catatan as the reason) from a SIPD usulan file; citizens are notified of each change."""
    from pathlib import Path

    from integrations import sipd
    from storage import audit

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"no such file: {args.file}")

    async def apply(db: Database) -> sipd.ImportSummary:
        summary = await sipd.import_statuses(db, path, args.format)
        await audit.record(db, sipd.IMPORT_ACTOR, "sipd_import", path.name[:160],
                           json.dumps({"changed": summary.changed, "unchanged": summary.unchanged,
                                         "errors": len(summary.errors)}))
        return summary

    try:
        summary = _with_database(apply)
    except sipd.ImportFormatError as error:
        print(json.dumps({"file": args.file, "changed": 0, "unchanged": 0,
                          "errors": [{"line": None, "error": str(error)}]}, ensure_ascii=False, indent=2))
        return _fail(str(error))
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror}")
    print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    if summary.errors:
        print(f"error: {len(summary.errors)} of {summary.rows} rows not applied (see \"errors\")", file=sys.stderr)
    return 1 if summary.errors else 0


def cmd_opendata(args: argparse.Namespace) -> int:
    """Regenerate /data's open-data files now (the gateway also does it once a day, on first request)."""
    from pathlib import Path

    from bot.public import opendata

    config = settings.load()
    directory = Path(args.out) if args.out else config.open_data_dir

    async def build(db: Database) -> opendata.Files:
        return await opendata.generate(db, config.region_code, directory)

    try:
        files = _with_database(build)
    except OSError as error:
        return _fail(f"cannot write {directory}: {error.strerror}")
    print(json.dumps({"directory": str(files.directory), "date": files.made_on.isoformat(),
                      "files": [opendata.CSV_NAME, opendata.JSON_NAME, opendata.METADATA_NAME]}, indent=2))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The yearly evaluation (HTML, and PDF through headless Chromium when asked and available)."""
    from pathlib import Path

    from bot.public import report
    from ops import pdf

    async def build(db: Database) -> str:
        return report.render(await report.build(db, settings.load().region_code, args.year))

    html_file = Path(args.out or f"laporan_musrenbang_{args.year}.html")
    try:
        html_file.write_text(_with_database(build), encoding="utf-8")
    except OSError as error:
        return _fail(f"cannot write {html_file}: {error.strerror}")
    answer: dict = {"year": args.year, "html": str(html_file)}
    problem = None
    if args.pdf:
        pdf_file = html_file.with_suffix(".pdf")
        problem = pdf.print_pdf(html_file, pdf_file)
        answer["pdf"] = None if problem else str(pdf_file)
        if problem:
            answer["pdf_error"] = problem
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return _fail(f"no PDF: {problem}") if problem else 0


# --- API keys of the Open311 interface (bot/open311) ---------------------------------------------


def cmd_apikey_create(args: argparse.Namespace) -> int:
    """Create a key and print it once: only its hash is stored, so it cannot be shown again."""

    from storage import api_keys, audit

    async def create(db: Database) -> tuple[api_keys.ApiKeyView, str]:
        view, key = await api_keys.create_key(db, args.name)
        await audit.record(db, args.actor, "apikey_create", view.name, view.prefix)
        return view, key

    try:
        view, key = _with_database(create)
    except ValueError as error:  # a bad or taken name
        return _fail(str(error))
    print(json.dumps({**view.as_dict(), "key": key}, ensure_ascii=False, indent=2))
    print("Store this key now: it is not shown again (only its hash is kept).", file=sys.stderr)
    return 0


def cmd_apikey_list(args: argparse.Namespace) -> int:
    from storage import api_keys

    async def listing(db: Database) -> list[dict]:
        return [k.as_dict() for k in await api_keys.list_keys(db)]

    print(json.dumps(_with_database(listing), ensure_ascii=False, indent=2))
    return 0


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    """Revoke a key at once: its next request gets 403. The row stays, for the record."""

    from storage import api_keys, audit

    async def revoke(db: Database) -> dict | None:
        view = await api_keys.revoke_key(db, args.name)
        if view is not None:
            await audit.record(db, args.actor, "apikey_revoke", view.name)
        return view.as_dict() if view else None

    revoked = _with_database(revoke)
    if revoked is None:
        return _fail(f"no API key named {args.name!r}")
    print(json.dumps(revoked, ensure_ascii=False, indent=2))
    return 0


def cmd_media_sweep(args: argparse.Namespace) -> int:
    """Remove the photos no proposal refers to (the gateway does this every hour as well)."""
    from bot import media

    config = settings.load()
    hours = config.media_keep_hours if args.older_than_hours is None else args.older_than_hours
    removed = _with_database(lambda db: media.sweep_unreferenced(db, config, hours * 3600))
    print(json.dumps({"removed": len(removed), "files": removed}, ensure_ascii=False, indent=2))
    return 0


# --- Failed deliveries of the outbox (bot/outbox.py) ----------------------------------------------


def cmd_resend(args: argparse.Namespace) -> int:
    """List the messages the outbox gave up on, or queue them again (all, some ids, one channel's)."""

    from storage import audit, messages

    if args.list:
        async def listing(db: Database) -> list[dict]:
            return [{"id": f.id, "channel": f.channel, "recipient": f.recipient, "kind": f.kind, "text": f.text,
                     "attempts": f.attempts, "last_error": f.last_error, "queued_at": f.created_at.isoformat()}
                    for f in await messages.failed_deliveries(db)]

        print(json.dumps(_with_database(listing), ensure_ascii=False, indent=2))
        return 0
    if not args.ids and not args.all:
        return _fail("name the ids to re-send, or --all (see --list)")

    async def resend(db: Database) -> list[int]:
        queued = await messages.resend_failed(db, ids=args.ids or None, channel=args.channel)
        if queued:
            await audit.record(db, args.actor, "outbox_resend", args.channel or "all",
                               ",".join(map(str, queued))[:500])
        return queued

    queued = _with_database(resend)
    print(json.dumps({"queued": queued}, indent=2))
    return 0 if queued or args.all else 1


# --- Personal data (UU 27/2022) ------------------------------------------------------------------


def cmd_citizen_erase(args: argparse.Namespace) -> int:
    """Erase a citizen's personal data and chat history at once; their proposals stay, anonymised."""
    from storage import erasure, tracker_events

    channel, sep, external_id = args.sender.partition(":")
    if not sep or not channel or not external_id:
        return _fail("give the sender as CHANNEL:ID, e.g. whatsapp:6281234567890 or telegram:123456789")
    config = settings.load()

    async def erase(db: Database) -> tuple[erasure.Erasure, erasure.Finished]:
        erased = await erasure.erase_citizen(db, channel, external_id, actor=args.actor)
        tracker = tracker_events.TrackerStore.of(config)
        return erased, await erasure.finish_erasures(db, tracker, grace=erasure.NO_GRACE)

    erased, finished = _with_database(erase)
    print(json.dumps({"sender": args.sender, "found": erased.found, "proposals_anonymised": erased.proposals,
                      "questions_emptied": erased.escalations, "messages_deleted": finished.inbound + finished.outbox,
                      "rasa_events_deleted": finished.events}, indent=2))
    return 0 if erased.found else 1


def cmd_purge(args: argparse.Namespace) -> int:
    """Run the gateway's personal-data step now: finish erasures, purge past RETENTION_DAYS."""
    from storage import erasure, tracker_events

    config = settings.load()
    tracker = tracker_events.TrackerStore.of(config)
    days = config.retention_days if args.days is None else args.days

    async def purge(db: Database) -> tuple[erasure.Finished, erasure.Purged]:
        return await erasure.finish_erasures(db, tracker), await erasure.purge_expired(db, tracker, days)

    finished, purged = _with_database(purge)
    print(json.dumps({"retention_days": days, "erasures_finished": finished.citizens, "inbound": purged.inbound,
                      "outbox": purged.outbox, "receipts": purged.receipts, "rasa_events": purged.events}, indent=2))
    return 0


def _privacy_commands(commands: argparse._SubParsersAction) -> None:
    import getpass

    citizen = commands.add_parser("citizen", help="citizens' personal data (UU 27/2022)").add_subparsers(
        dest="citizen_command", required=True)
    erase = citizen.add_parser("erase", help="erase a citizen's personal data and chat history; proposals stay "
                                             "anonymised (JSON)")
    erase.add_argument("sender", help="CHANNEL:ID as the gateway names the conversation, e.g. whatsapp:62812...")
    erase.add_argument("--actor", default=f"cli:{getpass.getuser()}", help="who asked, for the audit log")
    erase.set_defaults(run=cmd_citizen_erase)
    purge = commands.add_parser("purge", help="delete chat messages and Rasa events past RETENTION_DAYS (JSON)")
    purge.add_argument("--days", type=int, help="this many days instead of RETENTION_DAYS")
    purge.set_defaults(run=cmd_purge)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="musrenbang")
    commands = root.add_subparsers(dest="command", required=True)
    region = commands.add_parser("region", help="resolve a desa/kelurahan name to Kemendagri codes")
    region.add_argument("text")
    region.add_argument("--all", action="store_true", help="search the whole country, not only this kabupaten")
    region.add_argument("--limit", type=int, default=5)
    region.set_defaults(run=cmd_region)
    areas_ = commands.add_parser("areas", help="map areas of the region").add_subparsers(
        dest="areas_command", required=True)
    build = areas_.add_parser("build", help="simplified desa/kecamatan/kabupaten polygons from wilayah_boundaries")
    build.add_argument("--source", default=str(settings.PROJECT_ROOT.parent / "shared/data/wilayah_boundaries"),
                       help="a folder in the cahyadsn/wilayah_boundaries layout "
                            "(default ../shared/data/wilayah_boundaries)")
    build.add_argument("--region", help="kabupaten/kota code (default MUSRENBANG_REGION)")
    build.add_argument("--out", help="output file (default core/data/areas/REGION.geojson)")
    build.set_defaults(run=cmd_areas_build)
    classify = commands.add_parser("classify", help="sector and kamus usulan item of a proposal description")
    classify.add_argument("text")
    classify.add_argument("--limit", type=int, default=3)
    classify.set_defaults(run=cmd_classify)
    _officer_commands(commands)
    _apikey_commands(commands)
    _sipd_commands(commands)
    media = commands.add_parser("media", help="citizens' photos").add_subparsers(dest="media_command", required=True)
    sweep = media.add_parser("sweep", help="remove photos no proposal refers to (JSON: how many)")
    sweep.add_argument("--older-than-hours", type=float, default=None,
                       help="keep newer files (default MEDIA_KEEP_HOURS, 24: a form may still be open)")
    sweep.set_defaults(run=cmd_media_sweep)
    _resend_command(commands)
    _privacy_commands(commands)
    return root


def _resend_command(commands: argparse._SubParsersAction) -> None:
    import getpass

    resend = commands.add_parser("resend", help="messages the outbox gave up on: list them, or queue them again")
    resend.add_argument("ids", nargs="*", type=int, help="outbox ids to re-send (from --list)")
    resend.add_argument("--list", action="store_true", help="show failed deliveries (JSON)")
    resend.add_argument("--all", action="store_true", help="re-send every failed delivery")
    resend.add_argument("--channel", help="only this channel's (telegram, whatsapp, web)")
    resend.add_argument("--actor", default=f"cli:{getpass.getuser()}", help=argparse.SUPPRESS)
    resend.set_defaults(run=cmd_resend)


def _officer_commands(commands: argparse._SubParsersAction) -> None:
    import getpass

    default_actor = f"cli:{getpass.getuser()}"
    officer = commands.add_parser("officer", help="officer accounts of the console").add_subparsers(
        dest="officer_command", required=True)
    create = officer.add_parser("create", help="create an officer (password from --password or prompted)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=("desa", "kecamatan", "opd", "admin"))
    create.add_argument("--scope", help="desa PP.KK.CC.DDDD, kecamatan PP.KK.CC, opd PP.KK (default: this kabupaten)")
    create.add_argument("--sector", help="opd only: limit to one sector (bidang)")
    create.add_argument("--full-name", default="")
    create.add_argument("--password", help="better typed at the prompt (or piped on stdin) than left in history")
    create.add_argument("--actor", default=default_actor, help=argparse.SUPPRESS)
    create.set_defaults(run=cmd_officer_create)
    officer.add_parser("list", help="all officer accounts (JSON)").set_defaults(run=cmd_officer_list)
    password = officer.add_parser("set-password", help="a new password for an officer; ends their sessions")
    password.add_argument("--username", required=True)
    password.add_argument("--password", help="better typed at the prompt (or piped on stdin) than left in history")
    password.add_argument("--actor", default=default_actor, help=argparse.SUPPRESS)
    password.set_defaults(run=cmd_officer_set_password)
    proposal = commands.add_parser("proposal", help="proposals, as the server operator").add_subparsers(
        dest="proposal_command", required=True)
    set_status = proposal.add_parser("set-status", help="move one proposal, or every code in --file, to STATUS")
    set_status.add_argument("code", nargs="?", help="USL-XXXXXX (or use --file)")
    set_status.add_argument("status")
    set_status.add_argument("--file", help="codes to move, one per line ('-' reads standard input)")
    set_status.add_argument("--reason", help="shown to the citizen; required for ditolak")
    set_status.add_argument("--note", help="internal note; for perlu_perbaikan, what to fix (sent to the citizen)")
    set_status.add_argument("--target", help="digabung: the proposal it is merged into")
    set_status.add_argument("--actor", default=default_actor, help="recorded in the history (cli:NAME)")
    set_status.set_defaults(run=cmd_proposal_set_status)


def _sipd_commands(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export", help="export proposals for other systems").add_subparsers(
        dest="export_command", required=True)
    sipd_export = export.add_parser("sipd", help="proposals in SIPD's usulan layout (no personal data)")
    sipd_export.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    sipd_export.add_argument("--year", type=int, help="only proposals submitted in this year (local time)")
    sipd_export.add_argument("--out", help="file to write ('-' for standard output; default sipd_usulan_YEAR.EXT)")
    sipd_export.set_defaults(run=cmd_export_sipd)
    imports = commands.add_parser("import", help="import decisions from other systems").add_subparsers(
        dest="import_command", required=True)
    sipd_import = imports.add_parser("sipd", help="statuses from a SIPD usulan file (CSV or XLSX), JSON summary")
    sipd_import.add_argument("file")
    sipd_import.add_argument("--format", choices=("csv", "xlsx"), help="default: from the file name")
    sipd_import.set_defaults(run=cmd_import_sipd)
    opendata = commands.add_parser("opendata", help="regenerate the open-data files served at /data (CSV, JSON)")
    opendata.add_argument("--out", help="directory (default OPEN_DATA_DIR, var/opendata)")
    opendata.set_defaults(run=cmd_opendata)
    report = commands.add_parser("report", help="yearly evaluation per kecamatan and sector (HTML, optional PDF)")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--out", help="HTML file (default laporan_musrenbang_YEAR.html); the PDF goes beside it")
    report.add_argument("--pdf", action="store_true", help="also print a PDF with headless Chromium")
    report.set_defaults(run=cmd_report)


def _apikey_commands(commands: argparse._SubParsersAction) -> None:
    import getpass

    default_actor = f"cli:{getpass.getuser()}"
    apikey = commands.add_parser("apikey", help="API keys of the Open311 interface").add_subparsers(
        dest="apikey_command", required=True)
    create = apikey.add_parser("create", help="create a key and print it (once)")
    create.add_argument("name", help="who uses it, e.g. lapor-sleman (letters, digits, . _ -)")
    create.add_argument("--actor", default=default_actor, help=argparse.SUPPRESS)
    create.set_defaults(run=cmd_apikey_create)
    apikey.add_parser("list", help="all keys (JSON; never the keys themselves)").set_defaults(run=cmd_apikey_list)
    revoke = apikey.add_parser("revoke", help="revoke a key by name")
    revoke.add_argument("name")
    revoke.add_argument("--actor", default=default_actor, help=argparse.SUPPRESS)
    revoke.set_defaults(run=cmd_apikey_revoke)


def main(argv: list[str] | None = None) -> int:
    import os

    os.umask(0o077)  # a database or export created here is the owner's alone
    args = parser().parse_args(argv)
    from storage import migrate

    try:
        return args.run(args)
    except (settings.ConfigError, migrate.SchemaBehind) as error:
        return _fail(str(error))


if __name__ == "__main__":
    sys.exit(main())
