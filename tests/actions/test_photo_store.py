"""The action server reads photos through the same store as the gateway: with MEDIA_URL=s3://… (moto's S3
server, tests/fakes/s3.py) a reference the gateway stored in the bucket is accepted by the form and kept
at submission, one that is not in the bucket is refused — here in the Rasa environment, with its boto3."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import common
from actions.proposal_form import ValidateProposalForm
from actions.submission import ActionSubmitProposal
from storage import proposals
from tests.fakes.s3 import s3_server

STORED, NEVER_STORED = "0123456789abcdef0123456789abcdef.jpg", "fedcba9876543210fedcba9876543210.jpg"


def slots_of(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_a_photo_in_the_s3_store_is_accepted_and_kept(tracker_from, dispatcher, domain, action_database,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with s3_server(tmp_path / "moto.log") as s3:
        bucket = s3.make_bucket("actions-photos")
        for name, value in s3.env(bucket).items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("MEDIA_DIR", raising=False)
        common.config.cache_clear()
        s3.client().put_object(Bucket=bucket, Key=f"photos/{STORED}", Body=b"\xff\xd8\xff a stored photo")

        form = ValidateProposalForm()
        assert (await form.validate_photo(STORED, dispatcher, tracker_from("confirmed_proposal"), domain))["photo"] \
            == STORED
        refused = await form.validate_photo(NEVER_STORED, dispatcher, tracker_from("confirmed_proposal"), domain)
        assert refused.get("photo") is None

        events = await ActionSubmitProposal().run(dispatcher, tracker_from("confirmed_proposal", photo=STORED), domain)
        stored = await proposals.get_proposal(action_database, slots_of(events)["last_code"])
        assert stored.has_photo
        assert not (tmp_path / "media").exists()  # nothing looked for on the action server's disk
    common.config.cache_clear()
