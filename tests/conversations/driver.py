"""Play blind-written conversation scenarios against the running stack and judge them.

A scenario (tests/conversations/scenarios/*.yml, format in scenarios/FORMAT.md) is one citizen with
one goal. `play` sends its messages through the gateway's web chat (`POST /api/chat`), reads Rasa's
tracker after every turn (`GET /conversations/web:<sender>/tracker`) to choose what the citizen
types next, and judges the outcome against the STORED records (proposals, supports, escalations)
and every reply (not empty, no 5xx, in the expected language).

Used by tests/e2e/test_scenarios.py (one test per scenario) and bench/conversations.py (figures per
register). Not a test module itself: the Rasa-environment pytest run collects tests/conversations/test_*.py.

How the next message is chosen: first the `opening` messages in order; then, from the tracker, the
answer list of the question being asked (proposal_form: description→what, sector→kind,
village_code→place or place_choice when candidates are offered, rt_rw, photo, map_pin→pin,
duplicate_choice→duplicate, confirmed→confirm; escalation_form: question), or otherwise the next
`followups` item. The n-th time a question is asked its n-th answer is sent, then the last one again;
a missing list ends the conversation. It ends as well once the goal is reached, after 20 messages, or
when the same message was sent 5 times in a row without the bot's state moving (a loop).

Scenarios are independent: each has its own sender, and the proposals it made (setup and stored) are
closed afterwards, so that a later scenario on the same database is not offered them as duplicates.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import aiohttp
import yaml
from sqlalchemy import select

from core import regions, sectors, settings, texts
from storage import proposals
from storage.db import Database
from storage.models import Citizen, Escalation, Proposal, StatusChange, Support

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# Another folder (e.g. a scratch scenario file) with MUSRENBANG_SCENARIOS=/path/to/folder
SCENARIOS = Path(os.environ.get("MUSRENBANG_SCENARIOS") or HERE / "scenarios")
KNOWN_FAILURES = HERE / "known_failures.yml"

CHANNEL = "web"
MAX_MESSAGES = 20
# The same message sent this many times in a row without moving the conversation (same form and
# question) is a loop: the conversation is given up then instead of at MAX_MESSAGES.
MAX_REPEATS = 5
REGION = "34.04"  # Kabupaten Sleman: the region the scenarios are written for
REGISTERS = ("id_formal", "id_informal", "mixed", "jv_ngoko", "jv_krama", "su_loma", "su_lemes")
GOALS = ("proposal", "support", "status", "my_proposals", "faq", "human", "cancel", "outside_region", "chat")
ANSWER_KEYS = ("what", "kind", "place", "place_choice", "rt_rw", "photo", "pin", "duplicate", "confirm", "question")
# requested_slot of the proposal form → the scenario's answer key
FORM_KEYS = {"description": "what", "sector": "kind", "village_code": "place", "rt_rw": "rt_rw", "photo": "photo",
             "map_pin": "pin", "duplicate_choice": "duplicate", "confirmed": "confirm"}
FOLLOWUPS = "followups"
OPENING = "opening"

# Greetings, vocatives and lead-ins that belong to the chat, not to the stored description.
# Phrases found anywhere in the description:
SALUTATIONS = (
    "selamat pagi", "selamat siang", "selamat sore", "selamat malam", "halo", "hallo", "helo", "hai", "hi",
    "assalamualaikum", "assalamu'alaikum", "assalamu alaikum", "asalamualaikum", "assalamualaikum wr wb",
    "permisi", "punten", "sampurasun", "rampes", "sugeng enjing", "sugeng siang", "sugeng sonten", "sugeng dalu",
    "sugeng", "nyuwun sewu", "kulo nuwun", "kula nuwun", "wilujeng enjing", "wilujeng siang", "wilujeng sonten",
    "wilujeng wengi", "wilujeng", "terima kasih", "makasih", "matur nuwun", "matur suwun", "hatur nuhun",
    "saya mau mengusulkan", "saya ingin mengusulkan", "saya mau usul", "saya ingin usul", "mau usul",
    "pengen usul", "mau mengusulkan", "ingin mengusulkan", "saya mau mengajukan", "saya ingin mengajukan",
    "mohon izin", "kula badhe", "kulo badhe", "aku arep usul", "arep usul", "abdi bade", "abdi badé",
    "bade ngusulkeun", "hoyong ngusulkeun",
)
# Vocatives only count at the start or the end of the description, or before a comma ("min, ...").
VOCATIVES = ("min", "mimin", "admin", "kak", "pak", "bu", "mas", "mbak", "gan", "bang", "lur", "bro", "sis", "om",
             "kang", "akang", "teh", "ceu")
RETIRED = "dibatalkan"  # the status of a scenario's proposals once it is over


# ---------------------------------------------------------------- scenarios

@dataclass
class Scenario:
    id: str
    register: str
    goal: str
    language: str
    title: str = ""
    setup: list = field(default_factory=list)
    opening: list[str] = field(default_factory=list)
    followups: list[str] | None = None
    answers: dict[str, list[str]] = field(default_factory=dict)
    expect: dict = field(default_factory=dict)
    source: str = ""
    problems: list[str] = field(default_factory=list)  # what is wrong with the scenario itself


def _as_list(value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str | int | float):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return None


def default_language(register: str) -> str:
    prefix = register.split("_")[0]
    return prefix if prefix in texts.LANGUAGES else texts.DEFAULT_LANGUAGE


def load_scenarios(folder: Path = SCENARIOS) -> list[Scenario]:
    """Every scenario of every *.yml file in the folder, in file then written order.

    A file that is not valid YAML raises (naming the file); a scenario with a problem (unknown goal,
    no opening, duplicate id...) is still returned, with its `problems`, and is judged a failure.
    """
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise ValueError(f"{path.name}: not valid YAML: {error}") from error
        if not isinstance(data, dict):
            raise ValueError(f"{path.name}: expected a mapping with `register` and `scenarios`")
        register = str(data.get("register") or path.stem)
        for number, raw in enumerate(data.get("scenarios") or [], start=1):
            scenarios.append(_scenario(raw, register, f"{path.name}#{number}", seen))
    return scenarios


def _scenario(raw: object, register: str, source: str, seen: set[str]) -> Scenario:
    if not isinstance(raw, dict):
        return Scenario(id=source, register=register, goal="?", language=default_language(register), source=source,
                        problems=["not a mapping"])
    problems = []
    sid = str(raw.get("id") or source)
    if sid in seen:
        problems.append(f"duplicate id {sid}")
        sid = f"{sid}@{source}"
    seen.add(sid)
    goal = str(raw.get("goal") or "")
    if goal not in GOALS:
        problems.append(f"unknown goal {goal!r}")
    language = str(raw.get("language") or default_language(register))
    if language not in texts.LANGUAGES:
        problems.append(f"unknown language {language!r}")
    opening = _as_list(raw.get("opening")) or []
    if not opening:
        problems.append("no opening message")
    answers: dict[str, list[str]] = {}
    for key, value in (raw.get("answers") or {}).items():
        items = _as_list(value)
        if key not in ANSWER_KEYS:
            problems.append(f"unknown answer key {key!r}")
        if items:
            answers[str(key)] = items
    setup = raw.get("setup") or []
    setup = setup if isinstance(setup, list) else [setup]
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        problems.append("expect is not a mapping")
        expect = {}
    return Scenario(id=sid, register=register, goal=goal, language=language, title=str(raw.get("title") or ""),
                    setup=setup, opening=opening, followups=_as_list(raw.get("followups")) or None,
                    answers=answers, expect=expect, source=source, problems=problems)


def known_failures(path: Path = KNOWN_FAILURES) -> dict[str, str]:
    """Scenario id → why it is expected to fail today (tests/conversations/known_failures.yml)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v or "known failure") for k, v in data.items()}


# ---------------------------------------------------------------- reply languages

def _pattern(template: str) -> re.Pattern | None:
    """A response template as a regex (`{placeholder}` → anything); None when too little is literal."""
    parts = re.split(r"\{[A-Za-z_][A-Za-z0-9_]*\}", template.strip())
    if sum(len(re.sub(r"\W", "", p)) for p in parts) < 6:
        return None
    return re.compile("(?s)" + "(.*?)".join(re.escape(p) for p in parts))


@dataclass(frozen=True)
class Variant:
    response: str
    language: str
    pattern: re.Pattern


class ResponseIndex:
    """Every text the bot can send, with its language: domain.yml and FAQ responses (condition on
    slot `language` = jv/su, the unconditioned variant = id) and the gateway's own notices."""

    def __init__(self, root: Path = ROOT) -> None:
        self.variants: list[Variant] = []
        for name in ("domain.yml", "nlu/data/faq_responses.yml"):
            path = root / name
            data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
            for response, variants in ((data or {}).get("responses") or {}).items():
                for variant in variants or []:
                    if not isinstance(variant, dict) or not variant.get("text"):
                        continue
                    language = texts.DEFAULT_LANGUAGE
                    for condition in variant.get("condition") or []:
                        if condition.get("name") == "language":
                            language = str(condition.get("value"))
                    self._add(response, language, str(variant["text"]))
        for table_name in ("GATEWAY", "WHATSAPP", "TELEGRAM"):
            for key, by_language in getattr(texts, table_name, {}).items():
                for language, text in by_language.items():
                    self._add(f"{table_name.lower()}:{key}", language, text)
        for language, text in texts.STATUS_NEWS.items():
            self._add("status_news", language, text)

    def _add(self, response: str, language: str, text: str) -> None:
        pattern = _pattern(text)
        if pattern is not None:
            self.variants.append(Variant(response, language, pattern))

    def match(self, text: str) -> list[Variant]:
        text = text.strip()
        return [v for v in self.variants if v.pattern.fullmatch(text)]

    def languages(self, text: str) -> set[str]:
        return {v.language for v in self.match(text)}

    def responses(self, text: str) -> set[str]:
        return {v.response for v in self.match(text)}


@lru_cache(maxsize=1)
def response_index() -> ResponseIndex:
    return ResponseIndex()


# ---------------------------------------------------------------- results

@dataclass
class Reply:
    text: str
    buttons: list[str]
    languages: set[str]  # from the response index; empty when the text matched no known response
    responses: set[str]


@dataclass
class Turn:
    number: int
    key: str  # opening, followups, or the answer key (what, kind, place...)
    text: str
    status: int = 0
    error: str = ""
    replies: list[Reply] = field(default_factory=list)
    active_loop: str | None = None
    requested_slot: str | None = None
    language_slot: str | None = None
    language_ok: bool | None = None  # None: no reply text to judge

    @property
    def empty(self) -> bool:
        return not any(r.text.strip() for r in self.replies)

    def reply_language(self) -> str:
        """How the language was read: "jv" (a known response), "jv?" (the tracker's slot), "?"."""
        found: set[str] = set()
        for reply in self.replies:
            found |= reply.languages
        if found:
            return "/".join(sorted(found))
        return f"{self.language_slot}?" if self.language_slot else "?"


@dataclass
class Result:
    scenario: Scenario
    sender: str
    turns: list[Turn] = field(default_factory=list)
    goal_reached: bool = False
    goal_turn: int | None = None  # the message after which the goal was first reached
    success: bool = False  # goal reached with the expected stored fields
    clean: bool | None = None  # proposal goals: the stored description (see `judge_description`)
    kamus_item: bool | None = None  # proposal goals: a kamus usulan item was stored
    stored: dict = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    stopped: str = ""
    codes: dict[str, str] = field(default_factory=dict)

    @property
    def empty_turns(self) -> int:
        return sum(1 for t in self.turns if t.empty)

    @property
    def server_errors(self) -> int:
        return sum(1 for t in self.turns if t.status >= 500 or t.error)

    @property
    def language_total(self) -> int:
        return sum(1 for t in self.turns if t.language_ok is not None)

    @property
    def language_correct(self) -> int:
        return sum(1 for t in self.turns if t.language_ok)

    @property
    def passed(self) -> bool:
        """The whole scenario: goal and stored fields, a clean description, and every turn answered
        (no empty reply, no 5xx) in the expected language."""
        return (self.success and self.clean is not False and not self.empty_turns and not self.server_errors
                and self.language_correct == self.language_total)

    def transcript(self) -> str:
        s = self.scenario
        lines = [f"{s.id} [{s.register}] goal={s.goal} language={s.language} sender=web:{self.sender}",
                 f"  {s.title}" if s.title else ""]
        for turn in self.turns:
            lines.append(f"{turn.number:>2} ({turn.key}) > {turn.text}")
            if turn.error or turn.status >= 400:
                lines.append(f"      !! HTTP {turn.status} {turn.error}".rstrip())
            for reply in turn.replies:
                text = reply.text.replace("\n", "\n        ")
                lines.append(f"      < {text}")
                if reply.buttons:
                    lines.append(f"        [{' | '.join(reply.buttons)}]")
            if turn.empty:
                lines.append("      < (nothing)")
            form = f"{turn.active_loop}:{turn.requested_slot}" if turn.active_loop else "-"
            mark = {True: "ok", False: "WRONG", None: "n/a"}[turn.language_ok]
            lines.append(f"      (reply language {turn.reply_language()} {mark}; form {form})")
        lines.append(f"stopped: {self.stopped}")
        lines.append(f"stored: {self.stored}")
        return "\n".join(line for line in lines if line)

    def report(self) -> str:
        head = "PASSED" if self.passed else "FAILED"
        reasons = "\n".join(f"  - {r}" for r in self.reasons) or "  (none)"
        return (f"{head} {self.scenario.id}: success={self.success} turns={len(self.turns)} "
                f"empty={self.empty_turns} language={self.language_correct}/{self.language_total} "
                f"clean={self.clean} kamus_item={self.kamus_item}\nreasons:\n{reasons}\n\n{self.transcript()}")

    def as_dict(self) -> dict:
        s = self.scenario
        return {
            "id": s.id, "register": s.register, "goal": s.goal, "language": s.language, "title": s.title,
            "passed": self.passed, "success": self.success, "goal_reached": self.goal_reached,
            "goal_turn": self.goal_turn, "turns": len(self.turns), "empty_turns": self.empty_turns,
            "server_errors": self.server_errors, "language_correct": self.language_correct,
            "language_total": self.language_total, "clean": self.clean, "kamus_item": self.kamus_item,
            "reasons": self.reasons, "stopped": self.stopped, "stored": self.stored,
            "transcript": [{"key": t.key, "text": t.text, "status": t.status, "error": t.error,
                            "replies": [r.text for r in t.replies], "language": t.reply_language(),
                            "language_ok": t.language_ok, "form": t.active_loop, "requested_slot": t.requested_slot}
                           for t in self.turns],
        }


# ---------------------------------------------------------------- matching words

def _norm(text: str) -> str:
    return " ".join(re.findall(r"[\w'’]+", (text or "").lower()))


# Prefixes a stem the writer named may carry in the stored words: "berlubang" keeps "lubang", "ngabanjiran" "banjir".
_PREFIX = r"(?:ber|ter|di|dipun|ke|ka|se|nga|nge)?"


def _has_word(text: str, word: str, whole: bool, prefixed: bool = False) -> bool:
    """`word` (a word or phrase) at a word start in `text` (after a prefix when `prefixed`); `whole` also
    requires a word end."""
    if not _norm(word):  # an emoji or a sign: as written ("😭")
        return word.strip() in (text or "")
    word = _norm(word)
    end = r"(?!\w)" if whole else ""
    start = r"(?<!\w)" + (_PREFIX if prefixed else "")
    return re.search(start + re.escape(word) + end, _norm(text)) is not None


def has_group(text: str, group: object) -> bool:
    """`a|b`: either word (at a word start: "jalan" also finds "jalannya"; after a prefix: "berlubang")."""
    return any(_has_word(text, alt, whole=False, prefixed=True) for alt in str(group).split("|"))


def lead_ins(description: str) -> list[str]:
    """Greetings, vocatives and "I want to propose" lead-ins left in a description."""
    found = [phrase for phrase in SALUTATIONS if _has_word(description, phrase, whole=True)]
    words = _norm(description).split()
    edges = {words[0], words[-1]} if words else set()
    before_comma = {m.lower() for m in re.findall(r"(\w+)\s*,", description or "")}
    found += [v for v in VOCATIVES if v in edges or v in before_comma]
    return sorted({f for f in found if not any(f != g and _has_word(g, f, whole=True) for g in found)})


def judge_description(description: str, expect: dict) -> list[str]:
    """Why a stored description is not clean (empty list: clean)."""
    problems = []
    for group in expect.get("description_has") or []:
        if not has_group(description, group):
            problems.append(f"description lacks {group!r}")
    for group in expect.get("description_not") or []:
        if any(_has_word(description, alt, whole=True) for alt in str(group).split("|")):
            problems.append(f"description contains {group!r}")
    extra = lead_ins(description)
    if extra:
        problems.append(f"description keeps chat words {extra}")
    return problems


# ---------------------------------------------------------------- setup and stored records

def database_url_of(stack: object) -> str:
    """The product database of an ops.stack.Stack (as core.settings reads it from the processes' environment)."""
    return stack.env().get("DATABASE_URL") or f"sqlite+aiosqlite:///{stack.var_dir / 'musrenbang.db'}"


def _village_code(name: str) -> str:
    candidates = regions.gazetteer().resolve(name, REGION)
    if not candidates:
        raise ValueError(f"no desa/kelurahan {name!r} in {REGION}")
    return candidates[0].code


def _village_matches(code: str | None, expected: str) -> bool:
    if not code:
        return False
    if regions.key(regions.gazetteer().name_of(code)) == regions.key(expected):
        return True
    return code in {c.code for c in regions.gazetteer().resolve(expected, REGION) if c.score >= 100}


DEFAULT_OWN = {"village": "Tirtoadi", "sector": "pendidikan", "description": "Rehab ruang kelas PAUD di padukuhan"}
DEFAULT_OTHER = {"village": "Sendangadi", "sector": "kesehatan", "description": "Posyandu lansia butuh timbangan"}


async def _store(db: Database, external_id: str, spec: dict, defaults: dict, language: str) -> str:
    values = {**defaults, **{k: v for k, v in spec.items() if v is not None}}
    draft = proposals.ProposalDraft(description=str(values["description"]), sector=str(values["sector"]),
                                    village_code=_village_code(str(values["village"])), rt="01", rw="02",
                                    language=language)
    view, _ = await proposals.submit_proposal(db, CHANNEL, external_id, uuid.uuid4().hex, draft)
    return view.code


async def apply_setup(db: Database, scenario: Scenario, sender: str, codes: dict[str, str]) -> dict[str, str]:
    """Create what the scenario's `setup` asks for; fills and returns the placeholders ({own_code}...)."""
    for item in scenario.setup:
        entries = item.items() if isinstance(item, dict) else [(item, {})]
        for name, spec in entries:
            spec = spec if isinstance(spec, dict) else {}
            if name == "own_proposal":
                codes["own_code"] = await _store(db, sender, spec, DEFAULT_OWN, scenario.language)
            elif name == "other_proposal":
                codes["other_code"] = await _store(db, f"other-{uuid.uuid4().hex[:12]}", spec, DEFAULT_OTHER, "id")
            elif name == "similar":
                missing = [k for k in ("village", "sector", "description") if not spec.get(k)]
                if missing:
                    raise ValueError(f"setup similar lacks {missing}")
                codes["similar_code"] = await _store(db, f"similar-{uuid.uuid4().hex[:12]}", spec, {}, "id")
            else:
                raise ValueError(f"unknown setup {name!r}")
    return codes


async def stored_records(db: Database, sender: str, before: set[int]) -> dict:
    """What this citizen has in the database: new proposals (not those of the setup), supports, escalations."""
    async with db.session() as session:
        citizen = (await session.execute(
            select(Citizen).where(Citizen.channel == CHANNEL, Citizen.external_id == sender))).scalar_one_or_none()
        if citizen is None:
            return {"proposals": [], "supports": [], "escalations": []}
        proposals = (await session.execute(
            select(Proposal).where(Proposal.citizen_id == citizen.id).order_by(Proposal.id))).scalars().all()
        supported = (await session.execute(
            select(Proposal.code).join(Support, Support.proposal_id == Proposal.id)
            .where(Support.citizen_id == citizen.id))).scalars().all()
        questions = (await session.execute(
            select(Escalation.question).where(Escalation.citizen_id == citizen.id).order_by(Escalation.id)
        )).scalars().all()
        return {
            "proposals": [{"code": p.code, "description": p.description, "sector": p.sector,
                           "item_code": p.item_code, "village_code": p.village_code, "rt": p.rt, "rw": p.rw,
                           "photo": bool(p.photo_ref), "pin": p.latitude is not None, "status": p.status,
                           "language": p.language} for p in proposals if p.id not in before],
            "supports": list(supported),
            "escalations": list(questions),
        }


async def _own_ids(db: Database, sender: str) -> set[int]:
    async with db.session() as session:
        rows = await session.execute(select(Proposal.id).join(Citizen, Proposal.citizen_id == Citizen.id)
                                     .where(Citizen.channel == CHANNEL, Citizen.external_id == sender))
        return set(rows.scalars().all())


# ---------------------------------------------------------------- playing

def _fill(text: str, codes: dict[str, str]) -> str:
    for name, code in codes.items():
        text = text.replace("{" + name + "}", code)
    return text


def next_key(tracker: dict) -> str:
    """Which answer list the citizen takes the next message from, given the bot's state."""
    loop = (tracker.get("active_loop") or {}).get("name")
    slots = tracker.get("slots") or {}
    requested = slots.get("requested_slot")
    if loop == "proposal_form" and requested in FORM_KEYS:
        if requested == "village_code" and slots.get("village_candidates"):
            return "place_choice"
        return FORM_KEYS[requested]
    if loop == "escalation_form" and requested == "question":
        return "question"
    return FOLLOWUPS


def _words_of(value: object) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _all_replies(result: Result) -> str:
    return "\n".join(r.text for t in result.turns for r in t.replies)


def _mentioned_codes(scenario: Scenario, codes: dict[str, str]) -> list[str]:
    wanted = _words_of(scenario.expect.get("mentions"))
    return [codes.get(name, name) for name in wanted]


def _replied_any(result: Result) -> bool:
    words = _words_of(result.scenario.expect.get("reply_has_any"))
    replies = _all_replies(result)
    return any(has_group(replies, word) for word in words)


def _goal_reached(result: Result, stored: dict, loop: str | None, form_seen: bool, openings_done: bool) -> bool:
    """Whether the goal is reached after the latest turn (judged in detail by `judge`)."""
    goal = result.scenario.goal
    if goal == "proposal":
        return bool(stored["proposals"]) and loop is None
    if goal == "support":
        return bool(stored["supports"]) and loop is None
    if goal == "human":
        return bool(stored["escalations"]) and loop is None
    if goal in ("status", "my_proposals"):
        replies = _all_replies(result)
        wanted = _mentioned_codes(result.scenario, result.codes)
        return bool(wanted) and all(code in replies for code in wanted)
    if goal == "faq":
        topic = f"utter_faq/{result.scenario.expect.get('faq_topic')}"
        return any(topic in r.responses for t in result.turns for r in t.replies)
    if goal == "cancel":
        return form_seen and loop is None and not stored["proposals"]
    if goal == "outside_region":
        return "reply_has_any" in result.scenario.expect and _replied_any(result) and not stored["proposals"]
    if goal == "chat":
        if "reply_has_any" in result.scenario.expect:
            return _replied_any(result)
        return openings_done
    return False


async def _say(session: aiohttp.ClientSession, gateway_url: str, sender: str, turn: Turn) -> list[dict]:
    body = {"sender": sender, "message": turn.text, "message_id": uuid.uuid4().hex}
    try:
        async with session.post(f"{gateway_url}/api/chat", json=body) as response:
            turn.status = response.status
            data = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        turn.error = f"{type(error).__name__}: {error}"
        return []
    messages = data.get("messages") if isinstance(data, dict) else None
    return [m for m in messages or [] if isinstance(m, dict)]


async def read_tracker(session: aiohttp.ClientSession, rasa_url: str, sender: str) -> dict:
    conversation = quote(f"{CHANNEL}:{sender}", safe="")
    async with session.get(f"{rasa_url}/conversations/{conversation}/tracker",
                           params={"include_events": "NONE", "token": settings.load().rasa_token}) as response:
        response.raise_for_status()
        return await response.json(content_type=None)


async def play(scenario: Scenario, gateway_url: str, rasa_url: str, database_url: str,
               index: ResponseIndex | None = None, retire: bool = True) -> Result:
    """Play one scenario with a new sender id and judge it; then close the proposals it made (`retire`)."""
    index = index or response_index()
    sender = f"sc{uuid.uuid4().hex[:20]}"
    result = Result(scenario=scenario, sender=sender)
    db = Database(database_url)
    timeout = aiohttp.ClientTimeout(total=120)
    try:
        try:
            await apply_setup(db, scenario, sender, result.codes)
        except ValueError as error:
            result.reasons.append(f"setup failed: {error}")
            result.stopped = "setup failed"
            return result
        before = await _own_ids(db, sender)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await _converse(result, session, gateway_url, rasa_url, db, before, index)
            tracker = await read_tracker(session, rasa_url, sender)
        stored = await stored_records(db, sender, before)
        judge(result, stored, tracker)
    finally:
        try:
            if retire:
                made = await stored_records(db, sender, set())
                await retire_proposals(db, [*result.codes.values(), *(p["code"] for p in made["proposals"])])
        finally:
            await db.dispose()
    return result


async def retire_all_open(database_url: str) -> None:
    """Close every open proposal (left by other tests on a shared stack), so the scenarios meet the same
    empty kabupaten they meet in bench/conversations.py and no stranger's proposal is offered as similar."""
    db = Database(database_url)
    try:
        async with db.session() as session:
            codes = list((await session.execute(
                select(Proposal.code).where(Proposal.status != RETIRED))).scalars().all())
        await retire_proposals(db, codes)
    finally:
        await db.dispose()


async def retire_proposals(db: Database, codes: list[str]) -> None:
    """Close the proposals a scenario made (setup and stored), so that no later scenario on the same
    database is offered them as similar open proposals. No notification is queued."""
    if not codes:
        return
    async with db.session() as session:
        rows = (await session.execute(
            select(Proposal).where(Proposal.code.in_(codes), Proposal.status != RETIRED))).scalars().all()
        for proposal in rows:
            session.add(StatusChange(proposal_id=proposal.id, old_status=proposal.status, new_status=RETIRED,
                                     actor="scenario-driver", note="closed after the scenario"))
            proposal.status = RETIRED
        await session.commit()


# What a citizen with no answer of their own types when offered kinds of project, with no sector in mind: the first.
FIRST_SUGGESTION = {"id_formal": "Yang pertama saja.", "id_informal": "yang pertama aja", "mixed": "yang pertama aja",
                    "jv_ngoko": "sing kapisan wae", "jv_krama": "ingkang sepisan mawon", "su_loma": "nu kahiji we",
                    "su_lemes": "nu kahiji waé"}


def kind_unwritten(scenario: Scenario) -> str:
    """The answer to "which kind?" of a writer who expected no such question (the need seemed plain to them): the
    citizen knows what they want and types its sector's name in their language ("Kesehatan", "Lampu jalan"), as
    the writers who did expect it wrote; with no sector expected, the first suggestion."""
    sector = scenario.expect.get("sector")
    if sector in sectors.SECTORS:
        return texts.sector_label(sector, scenario.language)
    return FIRST_SUGGESTION.get(scenario.register, FIRST_SUGGESTION["id_informal"])


async def _converse(result: Result, session: aiohttp.ClientSession, gateway_url: str, rasa_url: str,
                    db: Database, before: set[int], index: ResponseIndex) -> None:
    scenario = result.scenario
    openings = list(scenario.opening)
    asked: Counter[str] = Counter()
    tracker: dict = {}
    form_seen = False
    said_expected = False  # the citizen has written in the scenario's language (or asked for it)
    while True:
        if openings:
            key, text = OPENING, openings.pop(0)
        else:
            if result.goal_reached:
                result.stopped = "goal reached"
                return
            if len(result.turns) >= MAX_MESSAGES:
                result.stopped = f"gave up after {MAX_MESSAGES} messages"
                return
            key = next_key(tracker)
            items = scenario.followups if key == FOLLOWUPS else scenario.answers.get(key)
            if not items and key == "kind":
                items = [kind_unwritten(scenario)]
            if not items and key == "place_choice" and scenario.answers.get("place"):
                # "Kapanewon Godean", then "Kalurahan Sidoagung": the writer's next place answer is the choice
                key = "place"
                items = scenario.answers["place"]
            if not items:
                result.stopped = f"nothing left to say: the bot's state calls for {key!r}, the scenario has none"
                return
            text = items[min(asked[key], len(items) - 1)]
            asked[key] += 1
        turn = Turn(number=len(result.turns) + 1, key=key, text=_fill(text, result.codes))
        result.turns.append(turn)
        messages = await _say(session, gateway_url, result.sender, turn)
        for message in messages:
            reply_text = str(message.get("text") or "")
            buttons = [str(b.get("title", "")) for b in message.get("buttons") or [] if isinstance(b, dict)]
            result.turns[-1].replies.append(Reply(reply_text, buttons, index.languages(reply_text),
                                                  index.responses(reply_text)))
        try:
            tracker = await read_tracker(session, rasa_url, result.sender)
        except (aiohttp.ClientError, TimeoutError) as error:
            turn.error = turn.error or f"tracker: {type(error).__name__}: {error}"
            tracker = {}
        slots = tracker.get("slots") or {}
        turn.active_loop = (tracker.get("active_loop") or {}).get("name")
        turn.requested_slot = slots.get("requested_slot")
        turn.language_slot = slots.get("language")
        form_seen = form_seen or turn.active_loop == "proposal_form"
        latest = tracker.get("latest_message") or {}
        said_expected = said_expected or not _wrote_another_language(latest, scenario.language)
        _judge_language(turn, scenario.language, also=None if said_expected else latest.get("language"))
        if turn.error or turn.status >= 500:
            result.stopped = f"server error on message {turn.number}"
            return
        stored = await stored_records(db, result.sender, before)
        if not result.goal_reached and _goal_reached(result, stored, turn.active_loop, form_seen, not openings):
            result.goal_reached = True
            result.goal_turn = turn.number
        last = result.turns[-MAX_REPEATS:]
        if (not openings and not result.goal_reached and len(last) == MAX_REPEATS
                and len({(t.text, t.active_loop, t.requested_slot) for t in last}) == 1):
            form = f"{turn.active_loop}/{turn.requested_slot}" if turn.active_loop else "no form"
            result.stopped = (f"stuck: {turn.text!r} ({turn.key}) sent {MAX_REPEATS} times in a row, "
                              f"the bot's state unchanged ({form})")
            return


# Words that name no language: a first "halo" / "ok" / "min" cannot tell the bot whom it talks to. "Mas" and
# "mbak" are Javanese by origin but how chat Indonesian addresses anyone, all over the country.
_NEUTRAL_WORDS = {"halo", "hallo", "hai", "hi", "ok", "oke", "okay", "min", "kak", "pak", "bu", "p", "ping", "tes",
                  "test", "assalamualaikum", "permisi", "selamat", "pagi", "siang", "sore", "malam", "thanks",
                  "mas", "mbak", "mba", "bang", "om", "woi", "woy", "oi", "hey", "hei", "rt", "rw"}


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    g = regions.gazetteer()
    scope = settings.load().region_code
    return frozenset(regions.key(r.name) for r in g.by_code.values() if r.code.startswith(scope) and r.level >= 3)


def _says_nothing_of_language(turn: Turn) -> bool:
    """The citizen's first message with no word of any one language (greetings, place names, "RT 5 RW 14"): any
    reply language is fair there."""
    words = re.findall(r"[^\W\d_]{2,}", (turn.text or "").lower())
    return turn.number == 1 and all(w in _NEUTRAL_WORDS or w in _place_names() for w in words)


def _wrote_another_language(message: dict, expected: str) -> bool:
    """The citizen wrote a real sentence, unmistakably in another of the bot's languages ("Selamat siang, saya mau
    usul perbaikan jembatan" in a scenario that switches to Javanese later): answering in it is right."""
    from core import texts

    words = re.findall(r"[^\W\d_]{2,}", (message.get("text") or ""))
    language, confidence = message.get("language"), float(message.get("language_confidence") or 0.0)
    return (language in texts.LANGUAGES and language != expected and confidence >= 0.9 and len(words) >= 3
            and (message.get("intent") or {}).get("name") != "switch_language")


def _judge_language(turn: Turn, expected: str, also: str | None = None) -> None:
    """Each reply in the expected language: by the known response it matches, else by the tracker's slot. Until
    the citizen writes in the expected language, a reply in the language they did write (`also`) is right too."""
    if _says_nothing_of_language(turn):
        turn.language_ok = None
        return
    fair = {expected, also} - {None}
    verdicts = []
    for reply in turn.replies:
        if not reply.text.strip():
            continue
        if reply.languages:
            verdicts.append(bool(fair & reply.languages))
        else:
            verdicts.append(turn.language_slot in fair)
    turn.language_ok = all(verdicts) if verdicts else None


# ---------------------------------------------------------------- judging

def judge(result: Result, stored: dict, tracker: dict) -> None:
    """Fill success, clean, kamus_item and the reasons for failure from the stored records."""
    scenario, expect, reasons = result.scenario, result.scenario.expect, result.reasons
    result.stored = stored
    reasons.extend(f"scenario: {p}" for p in scenario.problems)
    goal_ok = _judge_goal(result, stored, tracker)
    if expect.get("proposal") == "none" and stored["proposals"] and scenario.goal != "proposal":
        stored_codes = f"a proposal was stored: {[p['code'] for p in stored['proposals']]}"
        if stored_codes not in reasons:
            reasons.append(stored_codes)
        goal_ok = False
    result.success = goal_ok and result.goal_reached and not scenario.problems
    if goal_ok and not result.goal_reached:
        reasons.append("goal not reached during the conversation")
    if not result.success and result.stopped and result.stopped != "goal reached":
        reasons.append(f"stopped: {result.stopped}")
    for turn in result.turns:
        if turn.error or turn.status >= 500:
            reasons.append(f"message {turn.number}: server error (HTTP {turn.status}) {turn.error}".rstrip())
    empty = [t.number for t in result.turns if t.empty and not (t.error or t.status >= 500)]
    if empty:
        reasons.append(f"empty reply to message {_numbers(empty)}")
    wrong = [t for t in result.turns if t.language_ok is False]
    if wrong:
        found = ", ".join(f"{t.number}: {t.reply_language()}" for t in wrong)
        reasons.append(f"reply not in {scenario.language} at message {found}")


def _numbers(numbers: list[int]) -> str:
    """[2, 3, 4, 7] → "2-4, 7"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _judge_goal(result: Result, stored: dict, tracker: dict) -> bool:
    scenario, expect, reasons = result.scenario, result.scenario.expect, result.reasons
    goal = scenario.goal
    loop = (tracker.get("active_loop") or {}).get("name")
    if goal == "proposal":
        return _judge_proposal(result, stored)
    if goal == "support":
        ok = True
        if not stored["supports"]:
            reasons.append("no support stored")
            ok = False
        elif result.codes.get("similar_code") and result.codes["similar_code"] not in stored["supports"]:
            reasons.append(f"supported {stored['supports']}, not the similar {result.codes['similar_code']}")
            ok = False
        if stored["proposals"]:
            reasons.append(f"a proposal was stored as well: {[p['code'] for p in stored['proposals']]}")
            ok = False
        return ok
    if goal in ("status", "my_proposals"):
        replies = _all_replies(result)
        missing = [code for code in _mentioned_codes(scenario, result.codes) if code not in replies]
        if not _mentioned_codes(scenario, result.codes):
            reasons.append("expect.mentions is missing")
            return False
        if missing:
            reasons.append(f"no reply mentions {missing}")
        return not missing
    if goal == "faq":
        topic = expect.get("faq_topic")
        answered = sorted({name for t in result.turns for r in t.replies for name in r.responses
                           if name.startswith("utter_faq/")})
        if f"utter_faq/{topic}" not in answered:
            reasons.append(f"FAQ {topic!r} not answered (answered: {answered or 'none'})")
            return False
        return True
    if goal == "human":
        if not stored["escalations"]:
            reasons.append("no question was passed to an officer")
            return False
        questions = "\n".join(stored["escalations"])
        missing = [w for w in _words_of(expect.get("question_has")) if not has_group(questions, w)]
        if missing:
            reasons.append(f"escalated question lacks {missing}: {questions!r}")
        return not missing
    if goal == "cancel":
        ok = True
        if stored["proposals"]:
            reasons.append(f"a proposal was stored: {[p['code'] for p in stored['proposals']]}")
            ok = False
        if not any(t.active_loop == "proposal_form" for t in result.turns):
            reasons.append("the proposal form never started, so nothing was cancelled")
            ok = False
        if loop is not None:
            reasons.append(f"still inside {loop} at the end")
            ok = False
        return ok
    if goal in ("outside_region", "chat"):
        ok = True
        if goal == "outside_region" and stored["proposals"]:
            reasons.append(f"a proposal was stored: {[p['code'] for p in stored['proposals']]}")
            ok = False
        if "reply_has_any" in expect and not _replied_any(result):
            reasons.append(f"no reply has any of {_words_of(expect.get('reply_has_any'))}")
            ok = False
        return ok
    reasons.append(f"cannot judge goal {goal!r}")
    return False


def _judge_proposal(result: Result, stored: dict) -> bool:
    expect, reasons = result.scenario.expect, result.reasons
    proposals = stored["proposals"]
    if not proposals:
        reasons.append("no proposal stored")
        return False
    ok = True
    if len(proposals) > 1:
        reasons.append(f"{len(proposals)} proposals stored: {[p['code'] for p in proposals]}")
        ok = False
    p = proposals[-1]
    result.kamus_item = bool(p["item_code"])
    if "sector" in expect and p["sector"] != expect["sector"]:
        reasons.append(f"sector {p['sector']!r}, expected {expect['sector']!r}")
        ok = False
    if "village" in expect and not _village_matches(p["village_code"], str(expect["village"])):
        name = regions.gazetteer().name_of(p["village_code"]) if p["village_code"] else None
        reasons.append(f"village {name!r} ({p['village_code']}), expected {expect['village']!r}")
        ok = False
    for part in ("rt", "rw"):
        if part not in expect:
            continue
        wanted, got = expect[part], p[part]
        same = got is None if wanted is None else (got is not None and str(got).lstrip("0") == str(wanted).lstrip("0"))
        if not same:
            reasons.append(f"{part.upper()} {got!r}, expected {wanted!r}")
            ok = False
    for part in ("photo", "pin"):
        if part in expect and bool(expect[part]) != p[part]:
            reasons.append(f"{part} stored={p[part]}, expected {bool(expect[part])}")
            ok = False
    problems = judge_description(p["description"], expect)
    result.clean = not problems
    reasons.extend(f"{problem}: {p['description']!r}" for problem in problems)
    return ok
