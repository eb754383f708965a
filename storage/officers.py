"""The officers' side of storage: accounts, login throttling, sessions, audit log, the proposal
queue of a scope, status changes with role checks, merging duplicates, and the escalation desk.

Like `storage.repo`, every function is its own unit of work and returns plain dataclasses.
Password hashing stays with the callers (the gateway, the CLI): this package also runs in the
Rasa environment, which has no hashing library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from core import roles, similarity, tracking
from core import status as status_rules
from storage import duplicates as duplicate_search
from storage import messages, repo
from storage.db import Database
from storage.models import (
    AuditEntry,
    Citizen,
    Escalation,
    FaqEntry,
    LoginThrottle,
    Officer,
    OfficerSession,
    Proposal,
    StatusChange,
    Support,
    as_utc,
    utcnow,
)

DUPLICATE_SCORE = round(similarity.THRESHOLD * 100)  # percent, as the page shows Duplicate.score
QUEUE_LIMIT = 200

# The officer's answer, as the citizen receives it on their channel.
ANSWER_INTRO: dict[str, str] = {
    "id": "Jawaban petugas atas pertanyaan Anda (\"{question}\"):\n{answer}",
    "jv": "Wangsulan petugas tumrap pitakèn panjenengan (\"{question}\"):\n{answer}",
    "su": "Waleran patugas kana patarosan anjeun (\"{question}\"):\n{answer}",
}




# --- Accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerView:
    """An officer without the password hash, safe to hand to templates and JSON."""

    id: int
    username: str
    full_name: str
    role: str
    scope_code: str | None
    sector: str | None
    active: bool
    created_at: datetime

    def as_dict(self) -> dict:
        return {"id": self.id, "username": self.username, "full_name": self.full_name, "role": self.role,
                "scope_code": self.scope_code, "sector": self.sector, "active": self.active,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class Credentials:
    officer: OfficerView
    password_hash: str = field(repr=False)


def _officer_view(row: Officer) -> OfficerView:
    return OfficerView(row.id, row.username, row.full_name or "", row.role, row.scope_code, row.sector,
                       bool(row.active), as_utc(row.created_at))


class DuplicateUsername(ValueError):
    """The username is taken."""


async def create_officer(db: Database, username: str, password_hash: str, role: str, scope_code: str | None = None,
                         sector: str | None = None, full_name: str = "") -> OfficerView:
    """Store a new officer; raises ScopeError for an unusable role/scope, DuplicateUsername."""
    username = username.strip().lower()
    if not username:
        raise ValueError("username is empty")
    roles.validate_officer(role, scope_code, sector)
    async with db.session() as session:
        row = Officer(username=username, full_name=full_name.strip(), password_hash=password_hash, role=role,
                      scope_code=scope_code if role != roles.ADMIN else None, sector=sector, active=True,
                      created_at=utcnow())
        session.add(row)
        try:
            await session.commit()
        except IntegrityError as error:
            raise DuplicateUsername(f"username {username!r} is taken") from error
        return _officer_view(row)


async def get_officer(db: Database, username: str) -> OfficerView | None:
    found = await get_credentials(db, username)
    return found.officer if found else None


async def get_credentials(db: Database, username: str) -> Credentials | None:
    async with db.session() as session:
        row = (
            await session.execute(select(Officer).where(Officer.username == username.strip().lower()))
        ).scalar_one_or_none()
        return Credentials(_officer_view(row), row.password_hash) if row else None


async def list_officers(db: Database) -> list[OfficerView]:
    async with db.session() as session:
        rows = (await session.execute(select(Officer).order_by(Officer.role, Officer.username))).scalars().all()
        return [_officer_view(r) for r in rows]


async def set_password_hash(db: Database, username: str, password_hash: str) -> bool:
    async with db.session() as session:
        done = await session.execute(update(Officer).where(Officer.username == username.strip().lower())
                                     .values(password_hash=password_hash))
        await session.commit()
        return done.rowcount == 1


async def change_password(db: Database, officer_id: int, password_hash: str,
                          keep_session: str | None = None) -> int | None:
    """A new password ends every session of the account but `keep_session` (a token hash): whoever
    held the old password, or a browser left logged in, is out. The number of sessions ended, or
    None when there is no such officer."""
    async with db.session() as session:
        done = await session.execute(update(Officer).where(Officer.id == officer_id)
                                     .values(password_hash=password_hash))
        if done.rowcount != 1:
            await session.rollback()
            return None
        ended = delete(OfficerSession).where(OfficerSession.officer_id == officer_id)
        if keep_session is not None:
            ended = ended.where(OfficerSession.token_hash != keep_session)
        count = (await session.execute(ended)).rowcount
        await session.commit()
        return count


async def set_active(db: Database, officer_id: int, active: bool) -> bool:
    """Switch an account on or off; switching it off also ends its sessions."""
    async with db.session() as session:
        done = await session.execute(update(Officer).where(Officer.id == officer_id).values(active=active))
        if not active:
            await session.execute(delete(OfficerSession).where(OfficerSession.officer_id == officer_id))
        await session.commit()
        return done.rowcount == 1


# --- Login throttling (in the database: every gateway instance counts the same failures) -------


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    locked_until: datetime | None


async def locked_until(db: Database, keys: list[str], now: datetime | None = None) -> datetime | None:
    """The latest lock of any of these keys that is still in force, or None."""
    now = now or utcnow()
    async with db.session() as session:
        values = (
            await session.execute(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
        ).scalars().all()
    active = [as_utc(v) for v in values if v is not None and as_utc(v) > now]
    return max(active) if active else None


async def record_failed_login(db: Database, key: str, lockout: Callable[[int], timedelta | None],
                              window: timedelta, now: datetime | None = None) -> ThrottleState:
    """Count one failure for `key` and lock it for `lockout(failures)`.

    The count restarts when the previous failure is older than `window`. The increment is one
    UPDATE, so failures arriving at the same time on several gateways are all counted.
    """
    now = now or utcnow()
    for _ in range(5):
        async with db.session() as session:
            bumped = await session.execute(
                update(LoginThrottle).where(LoginThrottle.key == key)
                .values(failures=case((LoginThrottle.last_failure_at < now - window, 1),
                                      else_=LoginThrottle.failures + 1),
                        last_failure_at=now)
                .execution_options(synchronize_session=False)
            )
            if bumped.rowcount == 0:
                lock = lockout(1)
                session.add(LoginThrottle(key=key, failures=1, last_failure_at=now,
                                          locked_until=now + lock if lock else None))
                try:
                    await session.commit()
                except IntegrityError:  # the first failure arrived twice at once: count on that row
                    await session.rollback()
                    continue
                return ThrottleState(1, now + lock if lock else None)
            row = (await session.execute(select(LoginThrottle).where(LoginThrottle.key == key))).scalar_one()
            lock = lockout(row.failures)
            previous = as_utc(row.locked_until)
            if lock and (previous is None or previous < now + lock):
                row.locked_until = now + lock
            state = ThrottleState(row.failures, as_utc(row.locked_until))
            await session.commit()
            return state
    raise RuntimeError(f"could not record the failed login of {key}")


async def clear_failed_logins(db: Database, key: str) -> None:
    async with db.session() as session:
        await session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
        await session.commit()


# --- Sessions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionView:
    officer: OfficerView
    csrf_token: str
    expires_at: datetime


async def create_session(db: Database, officer_id: int, token_hash: str, csrf_token: str, expires_at: datetime,
                         ip: str | None = None) -> None:
    now = utcnow()
    async with db.session() as session:
        await session.execute(delete(OfficerSession).where(OfficerSession.expires_at < now))
        session.add(OfficerSession(token_hash=token_hash, officer_id=officer_id, csrf_token=csrf_token, ip=ip,
                                   created_at=now, expires_at=expires_at))
        await session.commit()


async def get_session(db: Database, token_hash: str, now: datetime | None = None) -> SessionView | None:
    """The live session of an active officer with this token hash, or None."""
    now = now or utcnow()
    async with db.session() as session:
        row = (
            await session.execute(
                select(OfficerSession, Officer).join(Officer, Officer.id == OfficerSession.officer_id)
                .where(OfficerSession.token_hash == token_hash, OfficerSession.expires_at > now,
                       Officer.active.is_(True))
            )
        ).one_or_none()
    if row is None:
        return None
    stored, officer = row
    return SessionView(_officer_view(officer), stored.csrf_token, as_utc(stored.expires_at))


async def delete_session(db: Database, token_hash: str) -> None:
    async with db.session() as session:
        await session.execute(delete(OfficerSession).where(OfficerSession.token_hash == token_hash))
        await session.commit()


# --- Audit log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditView:
    id: int
    actor: str
    action: str
    target: str | None
    detail: str | None
    ip: str | None
    created_at: datetime


async def audit(db: Database, actor: str, action: str, target: str | None = None, detail: str | None = None,
                ip: str | None = None, officer_id: int | None = None) -> None:
    async with db.session() as session:
        session.add(AuditEntry(officer_id=officer_id, actor=actor[:120], action=action[:40],
                               target=target[:160] if target else None, detail=detail, ip=ip, created_at=utcnow()))
        await session.commit()


async def audit_log(db: Database, limit: int = 200, actor: str | None = None,
                    action: str | None = None, target: str | None = None) -> list[AuditView]:
    """The newest entries first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if target:
        query = query.where(AuditEntry.target == target)
    async with db.session() as session:
        rows = (await session.execute(query)).scalars().all()
        return [AuditView(r.id, r.actor, r.action, r.target, r.detail, r.ip, as_utc(r.created_at)) for r in rows]


# --- The proposal queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    sector: str | None = None
    village: str | None = None
    waiting_days: int | None = None  # at least this many days in the current status


@dataclass(frozen=True)
class QueueItem:
    code: str
    description: str
    sector: str
    village_code: str
    status: str
    created_at: datetime
    updated_at: datetime
    supporters: int


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    total: int  # matching every filter (items stop at the limit)
    counts: dict[str, int]  # per status, with every filter but the status one


def _scope_clauses(scope: roles.Scope) -> list:
    clauses = []
    if scope.village is not None:
        clauses.append(Proposal.village_code == scope.village)
    if scope.prefix is not None:
        clauses.append(Proposal.village_code.startswith(scope.prefix, autoescape=True))
    if scope.sector is not None:
        clauses.append(Proposal.sector == scope.sector)
    return clauses


async def proposal_queue(db: Database, scope: roles.Scope, filters: QueueFilter | None = None,
                         now: datetime | None = None, limit: int = QUEUE_LIMIT) -> Queue:
    """Proposals in a scope, the longest-waiting first, with counts per status for the tabs."""
    filters = filters or QueueFilter()
    now = now or utcnow()
    common = _scope_clauses(scope)
    if filters.sector:
        common.append(Proposal.sector == filters.sector)
    if filters.village:
        common.append(Proposal.village_code == filters.village)
    if filters.waiting_days:
        common.append(Proposal.updated_at <= now - timedelta(days=filters.waiting_days))
    chosen = [*common, Proposal.status == filters.status] if filters.status else common
    supporters = (
        select(func.count(Support.id)).where(Support.proposal_id == Proposal.id).scalar_subquery()
    )
    async with db.session() as session:
        counts = dict(
            (await session.execute(select(Proposal.status, func.count(Proposal.id)).where(*common)
                                   .group_by(Proposal.status))).all()
        )
        total = (await session.execute(select(func.count(Proposal.id)).where(*chosen))).scalar_one()
        rows = (
            await session.execute(
                select(Proposal.code, Proposal.description, Proposal.sector, Proposal.village_code, Proposal.status,
                       Proposal.created_at, Proposal.updated_at, supporters.label("supporters"))
                .where(*chosen).order_by(Proposal.updated_at, Proposal.id).limit(limit)
            )
        ).all()
    items = [QueueItem(r.code, r.description, r.sector, r.village_code, r.status, as_utc(r.created_at),
                       as_utc(r.updated_at), r.supporters) for r in rows]
    return Queue(items, total, counts)


# --- One proposal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalRef:
    """Enough of a proposal to decide who may see and move it."""

    code: str
    status: str
    village_code: str
    sector: str


@dataclass(frozen=True)
class HistoryRow:
    old_status: str | None
    new_status: str
    actor: str
    reason: str | None
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class Duplicate:
    code: str
    description: str
    status: str
    score: int
    supporters: int


@dataclass(frozen=True)
class ProposalDetail:
    code: str
    status: str
    description: str
    sector: str
    item_code: str | None
    village_code: str
    rt: str | None
    rw: str | None
    latitude: float | None
    longitude: float | None
    photo_ref: str | None
    language: str
    created_at: datetime
    updated_at: datetime
    citizen_channel: str
    citizen_name: str | None
    citizen_phone: str | None
    supporters: int
    history: list[HistoryRow]
    duplicates: list[Duplicate]


async def proposal_ref(db: Database, code: str) -> ProposalRef | None:
    async with db.session() as session:
        row = (
            await session.execute(select(Proposal.code, Proposal.status, Proposal.village_code, Proposal.sector)
                                  .where(Proposal.code == code))
        ).one_or_none()
    return ProposalRef(*row) if row else None


async def proposal_detail(db: Database, code: str) -> ProposalDetail | None:
    """Everything an officer in scope sees: contact data, full history with internal notes, duplicates."""
    async with db.session() as session:
        found = (
            await session.execute(select(Proposal, Citizen).join(Citizen, Citizen.id == Proposal.citizen_id)
                                  .where(Proposal.code == code))
        ).one_or_none()
        if found is None:
            return None
        proposal, citizen = found
        supporters = await repo.supporter_count(session, proposal.id)
        changes = (
            await session.execute(select(StatusChange).where(StatusChange.proposal_id == proposal.id)
                                  .order_by(StatusChange.id))
        ).scalars().all()
        history = [HistoryRow(c.old_status, c.new_status, c.actor, c.reason, c.note, as_utc(c.created_at))
                   for c in changes]
    duplicates = await _likely_duplicates(db, proposal)
    return ProposalDetail(
        code=proposal.code, status=proposal.status, description=proposal.description, sector=proposal.sector,
        item_code=proposal.item_code, village_code=proposal.village_code, rt=proposal.rt, rw=proposal.rw,
        latitude=proposal.latitude, longitude=proposal.longitude, photo_ref=proposal.photo_ref,
        language=proposal.language, created_at=as_utc(proposal.created_at), updated_at=as_utc(proposal.updated_at),
        citizen_channel=citizen.channel, citizen_name=citizen.name, citizen_phone=citizen.phone,
        supporters=supporters, history=history, duplicates=duplicates,
    )


def description_similarity(first: str, second: str) -> int:
    """How alike two needs read (0–100), across languages and phrasings (core.similarity, text only)."""
    return round(similarity.similarity(first, second) * 100)


async def _likely_duplicates(db: Database, proposal: Proposal, limit: int = 5) -> list[Duplicate]:
    """Open proposals of the same village and sector that likely describe the same need (storage.duplicates)."""
    found = await duplicate_search.similar_open_proposals(
        db, proposal.village_code, proposal.sector, proposal.description, proposal.item_code, proposal.latitude,
        proposal.longitude, limit=limit, exclude_code=proposal.code)
    return [Duplicate(d.code, d.description, d.status, round(d.score * 100), d.supporters) for d in found]


# --- Status changes by officers (and the CLI) ---------------------------------------------------


def _actor(officer: roles.OfficerLike | None, actor: str | None) -> str:
    if actor:
        return actor
    if isinstance(officer, OfficerView):
        return f"officer:{officer.username}"
    raise ValueError("an actor is needed")


async def officer_change_status(db: Database, officer: OfficerView | None, code: str, new_status: str,
                                reason: str | None = None, note: str | None = None, actor: str | None = None,
                                ip: str | None = None) -> repo.ProposalView:
    """Change a proposal's status as this officer may (or as the server operator, `officer=None`).

    Raises LookupError, PermissionError (not this officer's move) or TransitionError. For
    `perlu_perbaikan` the note says what to fix and is what the citizen is told.
    The role is checked on a read; `repo.change_status` refuses the change if the status moved
    since, so no change ever skips the role rules.
    """
    if new_status == "digabung":
        raise status_rules.TransitionError("use merge_proposals to merge a duplicate")
    reason, note = (reason or "").strip() or None, (note or "").strip() or None
    ref = await proposal_ref(db, code)
    if ref is None:
        raise LookupError(code)
    if officer is not None:
        roles.check_officer_transition(officer, ref, ref.status, new_status, reason, note)
    else:
        missing = roles.missing_fields(new_status, reason, note, None)
        if missing:
            raise status_rules.TransitionError(f"status {new_status!r} needs a {missing[0]}")
    if new_status == "perlu_perbaikan" and not reason:
        reason = note
    who = _actor(officer, actor)
    view = await repo.change_status(db, code, new_status, who, reason=reason, note=note, expected_status=ref.status)
    await audit(db, who, "status_change", code, f"{ref.status} → {new_status}" + (f"; {reason}" if reason else ""),
                ip, officer.id if officer else None)
    return view


@dataclass(frozen=True)
class MergeResult:
    code: str
    target: str
    supporters_added: int
    target_supporters: int


async def merge_proposals(db: Database, officer: OfficerView | None, code: str, target_code: str,
                          note: str | None = None, actor: str | None = None, ip: str | None = None) -> MergeResult:
    """Merge duplicate `code` into `target_code`: the duplicate becomes `digabung` (its people are
    told), its supporters and its submitter become supporters of the target, each once.

    Two steps (the status change is `repo.change_status`'s own transaction); calling it again after a
    crash between them finishes the move instead of failing.
    """
    source_code, target = tracking.normalise(code) or code, tracking.normalise(target_code) or target_code
    if source_code == target:
        raise status_rules.TransitionError("a proposal cannot be merged into itself")
    source_ref, target_ref = await proposal_ref(db, source_code), await proposal_ref(db, target)
    if source_ref is None or target_ref is None:
        raise LookupError(target if source_ref else source_code)
    if not status_rules.is_open(target_ref.status):
        raise status_rules.TransitionError(f"{target} is closed ({target_ref.status})")
    reason = f"Digabung ke {target}"
    resuming = source_ref.status == "digabung" and await _last_reason(db, source_code) == reason
    who = _actor(officer, actor)
    if not resuming:
        if officer is not None:
            roles.check_officer_transition(officer, source_ref, source_ref.status, "digabung", target=target)
            if not roles.can_see(officer, target_ref):
                raise PermissionError(f"{target} is outside this officer's scope")
        await repo.change_status(db, source_code, "digabung", who, reason=reason, note=(note or "").strip() or None)
    added, total = await _move_supporters(db, source_code, target)
    await audit(db, who, "merge", source_code, f"{reason}; {added} pendukung dipindah", ip,
                officer.id if officer else None)
    return MergeResult(source_code, target, added, total)


async def _last_reason(db: Database, code: str) -> str | None:
    async with db.session() as session:
        return (
            await session.execute(select(StatusChange.reason).join(Proposal, Proposal.id == StatusChange.proposal_id)
                                  .where(Proposal.code == code).order_by(StatusChange.id.desc()).limit(1))
        ).scalar_one_or_none()


async def _move_supporters(db: Database, source_code: str, target_code: str) -> tuple[int, int]:
    async with db.session() as session:
        source = (await session.execute(select(Proposal).where(Proposal.code == source_code)
                                        .with_for_update())).scalar_one()
        target = (await session.execute(select(Proposal).where(Proposal.code == target_code)
                                        .with_for_update())).scalar_one()
        moving = [source.citizen_id, *(
            await session.execute(select(Support.citizen_id).where(Support.proposal_id == source.id)
                                  .order_by(Support.id))
        ).scalars().all()]
        present = {target.citizen_id, *(
            await session.execute(select(Support.citizen_id).where(Support.proposal_id == target.id))
        ).scalars().all()}
        added = 0
        for citizen_id in moving:
            if citizen_id not in present:
                session.add(Support(proposal_id=target.id, citizen_id=citizen_id, created_at=utcnow()))
                present.add(citizen_id)
                added += 1
        await session.execute(delete(Support).where(Support.proposal_id == source.id))
        await session.commit()
        return added, len(present) - 1


# --- The escalation desk ------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationView:
    id: int
    question: str
    excerpt: str
    status: str  # open → claimed → answered
    channel: str
    language: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    claimed_by: int | None
    claimed_by_name: str | None
    claimed_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    faq_entry_id: int | None


class ClaimError(RuntimeError):
    """The escalation is someone else's, or answered already."""


def _escalation_view(row: Escalation, citizen: Citizen, claimer: str | None, now: datetime,
                     sla_days: int) -> EscalationView:
    created = as_utc(row.created_at)
    due = roles.add_working_days(created, sla_days)
    return EscalationView(
        id=row.id, question=row.question, excerpt=row.excerpt or "", status=row.status, channel=citizen.channel,
        language=citizen.language or "id", created_at=created, due_at=due,
        overdue=row.status != "answered" and now > due, claimed_by=row.claimed_by,
        claimed_by_name=claimer or row.answered_by,
        claimed_at=as_utc(row.claimed_at), answer=row.answer, answered_at=as_utc(row.answered_at),
        faq_entry_id=row.faq_entry_id,
    )


def _escalation_query():  # noqa: ANN202 - a Select
    return (select(Escalation, Citizen, Officer.username)
            .join(Citizen, Citizen.id == Escalation.citizen_id)
            .outerjoin(Officer, Officer.id == Escalation.claimed_by))


async def escalation_queue(db: Database, sla_days: int, now: datetime | None = None, answered: bool = False,
                           limit: int = 100) -> list[EscalationView]:
    """Waiting escalations oldest first (or, with `answered`, the latest answered ones)."""
    now = now or utcnow()
    query = _escalation_query()
    if answered:
        query = query.where(Escalation.status == "answered").order_by(Escalation.answered_at.desc())
    else:
        query = query.where(Escalation.status.in_(("open", "claimed"))).order_by(Escalation.created_at,
                                                                                 Escalation.id)
    async with db.session() as session:
        rows = (await session.execute(query.limit(limit))).all()
    return [_escalation_view(e, c, name, now, sla_days) for e, c, name in rows]


async def get_escalation(db: Database, escalation_id: int, sla_days: int,
                         now: datetime | None = None) -> EscalationView | None:
    async with db.session() as session:
        row = (await session.execute(_escalation_query().where(Escalation.id == escalation_id))).one_or_none()
    return _escalation_view(*row, now or utcnow(), sla_days) if row else None


async def claim_escalation(db: Database, escalation_id: int, officer_id: int) -> bool:
    """Take an escalation to answer it. Atomic: of two officers claiming at once, one gets it."""
    async with db.session() as session:
        taken = await session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id,
                   or_(Escalation.status == "open",
                       and_(Escalation.status == "claimed", Escalation.claimed_by == officer_id)))
            .values(status="claimed", claimed_by=officer_id, claimed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return taken.rowcount == 1


async def release_escalation(db: Database, escalation_id: int, officer_id: int, force: bool = False) -> bool:
    """Give a claimed escalation back to the desk (its claimer, or an admin with `force`)."""
    condition = [Escalation.id == escalation_id, Escalation.status == "claimed"]
    if not force:
        condition.append(Escalation.claimed_by == officer_id)
    async with db.session() as session:
        done = await session.execute(update(Escalation).where(*condition)
                                     .values(status="open", claimed_by=None, claimed_at=None)
                                     .execution_options(synchronize_session=False))
        await session.commit()
        return done.rowcount == 1


async def answer_escalation(db: Database, escalation_id: int, officer_id: int | None, answer: str,
                            actor: str | None = None) -> bool:
    """Store the answer and queue it to the citizen's channel; an open one is claimed on the way.

    The outbox dedupe key makes the answer go out once even if this runs again (e.g. after a crash
    between the two steps, the same officer submits again). Raises LookupError or ClaimError.
    `officer_id=None` with an `actor` is an answer from outside the console (the officers' Telegram
    chat), where there is no officer account to name.
    """
    answer = answer.strip()
    if not answer:
        raise ValueError("the answer is empty")
    now = utcnow()
    async with db.session() as session:
        done = await session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id,
                   or_(Escalation.status == "open",
                       and_(Escalation.status == "claimed", Escalation.claimed_by == officer_id)))
            .values(status="answered", claimed_by=officer_id, answer=answer, answered_at=now, answered_by=actor,
                    claimed_at=func.coalesce(Escalation.claimed_at, now))
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        found = (await session.execute(select(Escalation, Citizen).join(Citizen, Citizen.id == Escalation.citizen_id)
                                       .where(Escalation.id == escalation_id))).one_or_none()
    if found is None:
        raise LookupError(escalation_id)
    row, citizen = found
    if done.rowcount == 0:
        if not (row.status == "answered" and row.claimed_by == officer_id):
            raise ClaimError("claimed by another officer" if row.status == "claimed" else "answered already")
        answer = row.answer  # a repeat: send what was stored
    question = row.question if len(row.question) <= 80 else row.question[:77] + "..."
    intro = ANSWER_INTRO.get(citizen.language or "id") or ANSWER_INTRO["id"]
    payload = {"text": intro.format(question=question, answer=answer), "buttons": [], "image": None}
    await messages.queue_outgoing(db, citizen.channel, citizen.external_id, payload, "notification",
                                  dedupe_key=f"escalation-answer:{escalation_id}")
    return done.rowcount == 1


async def save_as_faq(db: Database, escalation_id: int, question: str | None = None, answer: str | None = None,
                      topic: str = "petugas", language: str | None = None) -> int:
    """Keep an answered escalation as an FAQ entry (once); returns the entry's id.

    The officer may tidy the question and answer into a general form first.
    """
    async with db.session() as session:
        found = (await session.execute(
            select(Escalation, Citizen).join(Citizen, Citizen.id == Escalation.citizen_id)
            .where(Escalation.id == escalation_id).with_for_update(of=Escalation)
        )).one_or_none()
        if found is None:
            raise LookupError(escalation_id)
        row, citizen = found
        if row.status != "answered" or not row.answer:
            raise ClaimError("only an answered escalation can become an FAQ entry")
        if row.faq_entry_id is not None:
            return row.faq_entry_id
        entry = FaqEntry(topic=topic.strip()[:64] or "petugas", language=language or citizen.language or "id",
                         question=(question or "").strip() or row.question, answer=(answer or "").strip() or row.answer,
                         active=True, created_at=utcnow())
        session.add(entry)
        await session.flush()
        row.faq_entry_id = entry.id
        await session.commit()
        return entry.id


# --- Escalations in the officers' Telegram chat ------------------------------------------------


@dataclass(frozen=True)
class EscalationPost:
    """What the officers' chat is shown of a new escalation; `private` is what must be blanked out."""

    id: int
    question: str
    excerpt: str
    channel: str
    private: tuple[str, ...]  # the citizen's name and phone number (a WhatsApp id is one)


async def escalations_to_post(db: Database, limit: int = 20) -> list[EscalationPost]:
    """Waiting escalations not yet queued for the officers' chat, oldest first."""
    async with db.session() as session:
        rows = (await session.execute(
            select(Escalation, Citizen).join(Citizen, Citizen.id == Escalation.citizen_id)
            .where(Escalation.posted_at.is_(None), Escalation.status.in_(("open", "claimed")))
            .order_by(Escalation.id).limit(limit)
        )).all()
    posts = []
    for row, citizen in rows:
        private = [citizen.name or "", citizen.phone or ""]
        if citizen.channel == "whatsapp":
            private.append(citizen.external_id)
        posts.append(EscalationPost(row.id, row.question, row.excerpt or "", citizen.channel,
                                    tuple(value for value in private if value.strip())))
    return posts


async def escalation_posted(db: Database, escalation_id: int) -> None:
    """Its post is in the outbox: the periodic check passes it by from now on."""
    async with db.session() as session:
        await session.execute(update(Escalation).where(Escalation.id == escalation_id, Escalation.posted_at.is_(None))
                              .values(posted_at=utcnow()).execution_options(synchronize_session=False))
        await session.commit()


async def escalation_post_sent(db: Database, escalation_id: int, chat_id: str, message_id: int) -> None:
    """Telegram's id of the delivered post, so that a reply to it can be matched to the escalation."""
    async with db.session() as session:
        await session.execute(update(Escalation).where(Escalation.id == escalation_id)
                              .values(post_chat_id=str(chat_id), post_message_id=message_id,
                                      posted_at=func.coalesce(Escalation.posted_at, utcnow()))
                              .execution_options(synchronize_session=False))
        await session.commit()


async def escalation_for_post(db: Database, chat_id: str, message_id: int) -> int | None:
    """The escalation whose post in `chat_id` is `message_id`, or None (any other message)."""
    async with db.session() as session:
        return (await session.execute(
            select(Escalation.id).where(Escalation.post_chat_id == str(chat_id),
                                        Escalation.post_message_id == message_id).limit(1)
        )).scalar_one_or_none()


@dataclass(frozen=True)
class ChatAnswer:
    outcome: str  # "sent" (the citizen gets it), "answered" (already, by `by`), "claimed" (`by` holds it)
    by: str | None


async def answer_from_chat(db: Database, escalation_id: int, actor: str, answer: str) -> ChatAnswer:
    """An answer from the officers' Telegram chat, on the console's path (`answer_escalation`
    claims, stores and queues it to the citizen once), audited under `actor`.

    Running it again for the same message (a redelivered update) reports "sent" again and sends
    nothing new. Raises LookupError for an unknown escalation, ValueError for an empty answer.
    """
    answer = answer.strip()
    try:
        fresh = await answer_escalation(db, escalation_id, None, answer, actor=actor)
    except ClaimError:
        fresh = False
    async with db.session() as session:
        row, claimer = (await session.execute(
            select(Escalation, Officer.username).outerjoin(Officer, Officer.id == Escalation.claimed_by)
            .where(Escalation.id == escalation_id)
        )).one()
    by = claimer or row.answered_by
    if not fresh and not (row.status == "answered" and row.answered_by == actor and row.answer == answer):
        return ChatAnswer("answered" if row.status == "answered" else "claimed", by)
    target = f"eskalasi:{escalation_id}"
    if not await audit_log(db, limit=1, actor=actor, action="escalation_answer", target=target):
        await audit(db, actor, "escalation_answer", target, "dijawab lewat Telegram")
    return ChatAnswer("sent", actor)
