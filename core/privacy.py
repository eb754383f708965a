"""Personal data in citizens' free text and the public view of what they submit.

The one place these rules live. Phone numbers, NIK, e-mail addresses and the name a citizen gives
in their own words ("nama saya Rahmat Hidayat") are masked (`redact`) wherever a proposal or a
conversation is shown to someone other than its submitter and supporters: the dashboard, its search
and map, Open311, SIPD exports, status replies to strangers and the officers' Telegram group (which
also passes what the database knows of the citizen, `private`). Map pins are published rounded
(`public_pin`), to about 110 m.
"""

from __future__ import annotations

import re

REDACTED = "[disembunyikan]"
PIN_DECIMALS = 3  # ≈ 110 m: enough to find the road or the drain, not to point at one house

# +62 8.., 62 8.., 08.., 0274-..: a leading 0 or 62 and 7 to 13 more digits, spaced by blanks, dots
# or dashes, not inside a word. The union of the two patterns the public pages and the officers' chat
# had, less one false hit: thousands groups after a number ("Rp 1.000.000.000" is money).
PHONE_RE = re.compile(r"(?<!\w)(?!(?<=\d[.,])\d{3}(?:[.,]\d{3})*(?!\d))(?:\+?62|0)(?:[\s.\-]?\d){7,13}(?!\d)")
NIK_RE = re.compile(r"(?<!\d)\d{16}(?!\d)")
# A NIK written in groups: "3404.0112.3456.0003", "3404 0112 3456 0003", "34.04.01.120345.0003",
# "340401-120345-0003". Checked by `_is_nik` (16 digits starting with a province code), so
# "2026 2027 2028 2029" or an amount of money is left alone.
GROUPED_NIK_RE = re.compile(r"(?<![\w.,])\d{2,6}(?:[ .\-]\d{2,6}){1,7}(?![\w]|[.,]\d)")
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
PERSONAL_RE = re.compile("|".join(f"(?:{p.pattern})" for p in (PHONE_RE, NIK_RE, EMAIL_RE)))

# Kemendagri province codes (the first two digits of every NIK).
_PROVINCES = frozenset({11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63,
                        64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96})
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+")

# A citizen telling their name (id/jv/su, formal or chat): "nama saya", "nama lengkap saya", "Nama:", "namaku",
# "saya bernama", "jeneng kula", "asma kula", "nami abdi", "ngaran kuring". The name is the words after it on the
# same line, at most NAME_WORDS, up to punctuation or a word that carries on the sentence (NOT_NAMES).
INTRO_RE = re.compile(
    r"(?<!\w)(?:nama(?:\s+lengkap)?\s+(?:saya|aku|ku|gue|gw|kula|kulo|abdi|kuring)|nama(?:\s+lengkap)?(?=[ \t]*:)|"
    r"namaku|nama(?:ne|nipun)\s+(?:kula|kulo)|(?:saya|aku|kula|abdi)\s+bernama|jeneng(?:ku|\s+(?:kula|kulo|aku|ku))|asma\s+(?:kula|kulo)|"
    r"nami\s+(?:abdi|kula|kulo|kuring)|ngaran\s+(?:abdi|kuring))(?!\w)[ \t]*(?:[:=][ \t]*)?"
    r"(?:(?:adalah|ialah|yaitu|yakni|nyaéta|nyaeta)[ \t]+)?", re.IGNORECASE)
NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
NAME_WORDS = 4
# Words that go on with the sentence after a name, and the speakers' labels of an escalation's excerpt
# (actions/escalation.py): never a name, never blanked.
NOT_NAMES = frozenset("""
    dari di ke ka ti saking kaliyan mau ingin pengin pengen hendak badhe bade ajeng arep hoyong bakal akan
    tinggal warga yang ingkang anu nu dan lan sareng jeung serta dengan ini itu niki niku ieu eta punya
    sendiri pribadi selaku sebagai rt rw dusun desa kampung nomor nomer no hp wa telp telepon email nik umur
    usia alamat asal mohon tolong minta nyuwun nyuhunkeun mengusulkan usul ngusulaken ngusulkeun ya yo iya
    nggih muhun saya aku kula kulo abdi kuring gue gw belum sudah tidak bukan juga bot
    """.split())


def _is_nik(written: str) -> bool:
    """Whether digits written in groups read as a NIK: 16 digits starting with a province code (the
    birth date is not checked: people mistype it, and a wrong one is still their number); thousands
    groups are money, never a NIK."""
    digits = re.sub(r"\D", "", written)
    return len(digits) == 16 and not _THOUSANDS_RE.fullmatch(written) and int(digits[:2]) in _PROVINCES


def _mask_grouped(written: str, mark: str) -> str:
    """Every run of whole groups in a run of numbers that reads as a NIK, masked ("RT 3 3404 0112 3456
    0003" holds one after the RT number)."""
    parts = re.split(r"([ .\-])", written)  # groups at even places, separators between them
    groups = parts[::2]
    for start in range(len(groups)):
        if not groups[start]:
            continue
        for end in range(start + 1, len(groups) + 1):
            span = "".join(parts[2 * start:2 * end - 1])
            if sum(len(g) for g in groups[start:end]) >= 16:
                if _is_nik(span):
                    return "".join(parts[:2 * start]) + mark + _mask_grouped("".join(parts[2 * end - 1:]), mark)
                break
    return written


def introduced_names(text: str) -> list[str]:
    """The names `text` says its writer has ("nama saya Rahmat Hidayat, ..." gives "Rahmat Hidayat")."""
    names = []
    for intro in INTRO_RE.finditer(text):
        words: list[str] = []
        position = intro.end()
        while len(words) < NAME_WORDS:
            word = NAME_WORD_RE.match(text, position)
            if word is None or word.group(0).lower() in NOT_NAMES:
                break
            words.append(word.group(0))
            gap = re.compile(r"[ \t]+").match(text, word.end())  # a name stays on its line
            if gap is None:
                break
            position = gap.end()
        if words:
            names.append(" ".join(words))
    return names


def _mask_names(text: str, names: list[str], mark: str) -> str:
    """Every name, whole or any word of three letters or more of it, in any case ("Terima kasih, rahmat")."""
    words: set[str] = set()
    for name in names:
        words.add(name.strip())
        words.update(word for word in name.split() if len(word) >= 3)
    for word in sorted((w for w in words if w and w.lower() not in NOT_NAMES), key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", mark, text, flags=re.IGNORECASE)
    return text


def _mask_known_phone(text: str, value: str, mark: str) -> str:
    """A phone number known to be the citizen's (their record, their WhatsApp id), however it is written:
    with 0, 62 or +62 in front, spaced by blanks, dots or dashes."""
    digits = re.sub(r"\D", "", value)
    tail = digits[2:] if digits.startswith("62") else digits.lstrip("0")
    if len(tail) < 6:  # not a phone number: matching it would blank ordinary numbers
        return text
    return re.sub(r"(?:\+?62|0)?[\s.-]?" + r"[\s.-]?".join(tail), mark, text)


def redact(text: str | None, mark: str = REDACTED, phone_mark: str | None = None,
           private: tuple[str, ...] = (), name_mark: str | None = None) -> str:
    """`text` with every phone number, NIK, e-mail address and self-introduced name replaced by `mark`
    (phone numbers by `phone_mark`, names by `name_mark` when given: the officers' chat says what was
    there). `private`: what else is known to be the writer's (their stored name and phone number).
    Names and known numbers go first, then NIKs in groups, so that "3404 0112 3456 0003" is not read as
    "3404" and a phone number."""
    text = text or ""
    phone_mark = mark if phone_mark is None else phone_mark
    names = [value for value in private if len(re.sub(r"\D", "", value)) < 6] + introduced_names(text)
    for value in private:
        if len(re.sub(r"\D", "", value)) >= 6:
            text = _mask_known_phone(text, value, phone_mark)
    text = _mask_names(text, names, mark if name_mark is None else name_mark)
    grouped = GROUPED_NIK_RE.sub(lambda m: _mask_grouped(m.group(0), mark), text)
    grouped = PHONE_RE.sub(phone_mark, grouped)
    return PERSONAL_RE.sub(mark, grouped)


def public_text(text: str | None) -> str | None:
    """A citizen's or officer's free text as anyone may read it; None stays None."""
    return None if text is None else redact(text)


def public_pin(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    """A map pin as anyone may see it: rounded to about 110 m, or none when either half is missing."""
    if latitude is None or longitude is None:
        return None, None
    return round(latitude, PIN_DECIMALS), round(longitude, PIN_DECIMALS)
