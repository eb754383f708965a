from __future__ import annotations

import re

from core import tracking

CODE = re.compile(r"USL-[0-9A-HJKMNP-TV-Z]{6}")


def test_new_codes_follow_the_contract_and_are_not_sequential() -> None:
    codes = [tracking.new_code() for _ in range(2000)]
    assert all(CODE.fullmatch(c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert sorted(codes) != codes


def test_every_accepted_spelling_normalises_to_the_same_code() -> None:
    for written in ("USL-7K3Q9D", "usl-7k3q9d", "usl 7k3q9d", "USL7K3Q9D", "Usl 7K3q9D", "kode usl-7k3q9d ya"):
        assert tracking.normalise(written) == "USL-7K3Q9D", written


def test_crockford_lookalikes_are_read_as_digits() -> None:
    assert tracking.normalise("USL-O1LI2A") == "USL-01112A"


def test_not_a_code() -> None:
    for text in ("USL-7K3Q9", "USL-7K3Q9DX", "ABC-7K3Q9D", "", "usulan saya", "USL-7K3Q9U"):
        assert tracking.normalise(text) is None, text


def test_several_codes_in_one_message() -> None:
    assert tracking.find_all("cek USL-7K3Q9D dan usl 8hj2kx, juga USL-7K3Q9D") == ["USL-7K3Q9D", "USL-8HJ2KX"]
