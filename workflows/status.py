"""The one path of every status change by someone other than the citizen: the officer console
(one proposal or in bulk), the CLI (`proposal set-status`) and the SIPD import.

What each writer may do differs only in data: an officer's role and scope narrow the moves
(`core.roles`), the console and the CLI ask for the inputs a move needs (a reason to reject, a
note saying what to fix) and merge only through `merge_proposals`, an import records decisions
already taken elsewhere and is audited per file by its caller. The status machine itself, the
history row and the news to citizens are `storage.status_changes.record_change`, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import roles, tracking
from core import status as status_rules
from core.status import Status
from storage import audit, status_changes
from storage.accounts import OfficerView
from storage.db import Database
from storage.proposals import ProposalView, move_supporters
from storage.review import ProposalRef, proposal_ref


def _actor(officer: roles.OfficerLike | None, actor: str | None) -> str:
    if actor:
        return actor
    if isinstance(officer, OfficerView):
        return f"officer:{officer.username}"
    raise ValueError("an actor is needed")


async def change_status(db: Database, officer: OfficerView | None, code: str, new_status: str,
                        reason: str | None = None, note: str | None = None, actor: str | None = None,
                        ip: str | None = None, expected_status: str | None = None, imported: bool = False,
                        merge_into: ProposalRef | None = None) -> ProposalView:
    """Change a proposal's status as this officer may (or as the server operator, `officer=None`).

    Raises LookupError, PermissionError (not this officer's move) or TransitionError. For
    `perlu_perbaikan` the note says what to fix and is what the citizen is told.
    The role is checked on a read; the storage write refuses the change if the status moved
    since (or differs from `expected_status`, the status the caller saw), so no change ever skips
    the role rules. `imported`: a decision taken elsewhere (SIPD), with its reason as given; only
    the status machine applies and the caller audits the whole import. `merge_into`: set by
    `merge_proposals` only, which audits the merge itself.
    """
    reason, note = (reason or "").strip() or None, (note or "").strip() or None
    if not imported and new_status == Status.DIGABUNG and merge_into is None:
        raise status_rules.TransitionError("use merge_proposals to merge a duplicate")
    ref = await proposal_ref(db, code)
    if ref is None or (officer is not None and not roles.can_see(officer, ref)):
        raise LookupError(code)  # outside one's scope reads as unknown: a code's existence is not told
    if expected_status is not None and ref.status != expected_status:  # moved since the caller looked
        raise status_changes.StatusMoved(f"{code} is now {ref.status!r}, not {expected_status!r}")
    target = merge_into.code if merge_into else None
    if officer is not None:
        roles.check_officer_transition(officer, ref, ref.status, new_status, reason, note, target)
        if merge_into is not None and not roles.can_see(officer, merge_into):
            raise LookupError(merge_into.code)  # as unknown, like every code outside one's scope
    elif not imported:
        missing = roles.missing_fields(new_status, reason, note, target)
        if missing:
            raise status_rules.TransitionError(f"status {new_status!r} needs a {missing[0]}")
    if new_status == Status.PERLU_PERBAIKAN and not reason:
        reason = note
    who = _actor(officer, actor)
    view = await status_changes.change_status(db, code, new_status, who, reason=reason, note=note,
                                              expected_status=expected_status or ref.status, merge_into=target)
    if not imported and merge_into is None:
        await audit.record(db, who, "status_change", code,
                           f"{ref.status} → {new_status}" + (f"; {reason}" if reason else ""), ip,
                           officer.id if officer else None)
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

    Two steps (the status change, on `change_status`'s path, is its own transaction); calling it
    again after a crash between them finishes the move instead of failing. The status change
    locks both proposals in id order and re-checks that the target is still open, so of two
    opposite merges at the same moment one applies and the other is refused.
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
    resuming = (source_ref.status == Status.DIGABUNG
                and await status_changes.last_reason(db, source_code) == reason)
    who = _actor(officer, actor)
    if not resuming:
        await change_status(db, officer, source_code, Status.DIGABUNG, reason, note, who,
                            expected_status=source_ref.status, merge_into=target_ref)
    added, total = await move_supporters(db, source_code, target)
    await audit.record(db, who, "merge", source_code, f"{reason}; {added} pendukung dipindah", ip,
                       officer.id if officer else None)
    return MergeResult(source_code, target, added, total)
