"""How likely two proposals describe the same need, so a citizen can support one instead of filing a copy.

Citizens of one desa write the same need in Indonesian, Javanese or Sundanese, formally or not ("mohon
perbaikan saluran yang mampet di RT 03" = "gote mampet neng RT 3, nyuwun didandani"). Raw text would look
like two different sentences, so descriptions are first normalised: lower case, no punctuation, filler and
courtesy words dropped, regional and informal words mapped to one form, "RT 03" written `rt3`.

The score (0..1) starts from rapidfuzz's token-set ratio of the normalised texts (word order and extra words
do not matter), tempered by the whole-text ratio, then moves with what else both proposals tell:
- the kamus item, when both chose one (same item up, different items down);
- the RT (RW, km of a road), when both name one and none is shared: another neighbourhood;
- the place words: the name after "dusun", "gang", "masjid"... and any word that neither the kamus nor
  everyday text knows ("Krapyak", "Mawar", "Al Ikhlas"). Within one desa and sector every road proposal says
  "jalan rusak berlubang"; what tells two of them apart is where. Both naming places and none in common pulls
  the score down, each naming one the other lacks too, the places of one all in the other lifts it a little;
- the map pins, when both have one (haversine distance: within 300 m up, beyond 2 km down).

Pure functions; the only I/O is reading word lists once (the kamus, and everyday text from core.language):
storage/duplicates.py picks the candidates, this module scores them.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import yaml
from rapidfuzz import fuzz, process

from core.kamus import DATA_FILE as KAMUS_FILE
from core.language import resources
from core.language.fold import plain
from core.language.markers import NEGATIONS
from core.language.words import ASCII_LETTERS_RE, WORD_RE

# A pair scoring at least this is a likely duplicate. Tuned on the realistic pairs of
# tests/core/test_similarity.py (each from one desa and sector, as the storage query guarantees), without
# pins or items: different needs score at most 0.62 (near-identical text, another dusun or RT), duplicates
# at least 0.84. The threshold sits low in that gap on purpose: a missed duplicate becomes a second proposal
# that officers merge by hand, a wrong suggestion costs the citizen one tap ("bukan, kirim usulan baru").
THRESHOLD = 0.65

SET_WEIGHT = 0.7  # token-set ratio: one description inside the other is a strong sign ...
SORT_WEIGHT = 0.3  # ... but "jalan rusak" inside every road proposal is not: the whole-text ratio tempers it
SAME_ITEM = 0.10  # both chose the same kamus item
OTHER_ITEM = -0.10  # both chose an item, different ones ("pasang lampu baru" vs "lampu mati")
OTHER_AREA = -0.40  # both name an RT (RW, km) and none in common: "lampu mati RT 5" is not "... RT 9"
SAME_PLACE = 0.05  # both name places, and all places of one are in the other ("Krapyak" / "gang Mawar Krapyak")
SOME_OTHER_PLACE = -0.25  # both name a place the other does not ("gang Seruni Krajan" / "gang Seruni Pokoh")
OTHER_PLACE = -0.30  # both name places and share none: the same need somewhere else
PLACE_MATCH = 84.0  # rapidfuzz ratio from which two place words are one ("Krapyak"/"Krapyyak"/"krapyk")
# An unknown word this close to a known one is a typo of it, not a place name (as in core/kamus.py): one
# letter added or dropped ("bersh", "nuhuun"); from 8 letters also one replaced ("pengaspaln").
TYPO_MIN_LENGTH = 5
TYPO_CUTOFF = 88.0
TYPO_CUTOFF_LONG = 85.0
TYPO_LONG = 8
# Pins: (metres, adjustment) points, linear in between, flat beyond the last. A pin is where the citizen
# stood, not always the spot of the need, so near helps and far hurts, and neither decides alone.
DISTANCE_STEPS: tuple[tuple[float, float], ...] = ((0, 0.15), (300, 0.10), (800, 0.0), (2000, -0.20),
                                                   (3000, -0.35))
EARTH_RADIUS_M = 6_371_000.0

_AREA_KINDS: tuple[str, ...] = ("rt", "rw", "km")  # numbered places: RT 03, RW 5, Jl. Kaliurang km 9
_GLUED_AREA_RE = re.compile(r"^(rt|rw|km)0*(\d{1,3})$")  # "rt03", "rw5", "km9"

# Filler, courtesy, pronouns, prepositions, locatives and generic place kinds, in Indonesian, Javanese
# (ngoko, krama) and Sundanese. Place *names* stay: "depan masjid Al Ikhlas" and "ngajeng masjid Al Ikhlas"
# both keep "masjid al ikhlas"; "dusun Krapyak" and "padukuhan Krapyak" both keep "krapyak".
STOP_WORDS: frozenset[str] = frozenset((
    # Indonesian
    "yang di ke dari dan atau untuk dengan pada ini itu tsb tersebut ada adalah mohon tolong minta harap"
    " diharapkan berharap agar supaya segera cepat sudah telah sdh udah udh belum blm sangat sekali banget bgt"
    " sering masih karena krn kalau kalo jika jadi akan bisa dapat saya aku kami kita warga pak bu bapak ibu"
    " mas mbak kak dong sih ya yg dgn utk dr pd oleh para juga saja aja lagi sama setiap tiap semua"
    " banyak sekitar depan dekat deket samping sebelah belakang menuju arah pinggir tepi sisi seberang dalam"
    " atas antara usul usulan mengusulkan diusulkan kondisi keadaan sekarang saat kini lama sejak"
    " terima kasih makasih tidak tak gak ga nggak enggak tdk bantu bantuan pemerintah perlu butuh"
    " membutuhkan dibutuhkan diperlukan kurang lebih agak cukup sampai hingga"
    # Betawi
    " aye kagak kaga nyang pade bang abang encing"
    " desa kelurahan dusun dsn padukuhan pedukuhan dukuh kampung lembur gang gg lorong wilayah daerah lokasi"
    # Javanese
    " ingkang wonten ana ono onok enek anu niku nika menika punika kula kulo aku awakdewe nyuwun sampun dereng"
    " mboten boten ora ra lan karo kaliyan ing neng ning nang teng saka saking sing kang iki kuwi iku kae niki"
    " nggih inggih to kok wis uwis durung sanget sak nek yen menawi dados supados amargi mergo merga amarga tumuju"
    " ngarep ngajeng mburi wingking sandhing cedhak cedak celak matur nuwun suwun mugi mugo muga monggo"
    " mangga lho ae wae mawon pun dipun ugi uga perlu butuh mbutuhake kudu kangge kagem kabeh sedaya sadaya"
    # Sundanese
    " nu aya ka ti jeung sareng abdi urang simkuring punten nyuhunkeun hoyong pisan teh mah geus parantos tos"
    " acan teu henteu eta ieu ku keur kanggo pikeun sangkan bari oge kedah hareupeun payuneun tukangeun"
    " pengker gigireun caket deukeut palih hatur nuhun mugia loba seueur meunang dugi nepi ngantos"
).split())

# In a description "tak menyala" is Indonesian "not lit" (a Javanese "tak" would not stand before these words).
_NEGATIONS = NEGATIONS | {"tak"}
_LIGHT_ON = frozenset("nyala menyala murub urip hurung hurang".split())

# One form per need word, whatever the language or register.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("got", "selokan", "kalen", "solokan", "parit", "drainase", "susukan"), "saluran"),
    **dict.fromkeys(("dalan", "margi", "ratan", "jln", "jl", "jalanan"), "jalan"),
    **dict.fromkeys(("kreteg", "kretek", "sasak", "wot", "uwot", "titian"), "jembatan"),
    **dict.fromkeys(("pju", "penerangan", "lampu"), "lampu"),
    **dict.fromkeys(("banyu", "cai", "toya"), "air"),
    **dict.fromkeys(("uwuh", "runtah", "rereged"), "sampah"),
    **dict.fromkeys(("risak", "ruksak", "butut", "ajur", "hancur", "ancur", "remuk", "rusak"), "rusak"),
    **dict.fromkeys(("berlubang", "bolong", "growong", "legok", "lobang", "bolongan", "lubangan"), "lubang"),
    **dict.fromkeys(("mampat", "buntu", "tersumbat", "sumbat", "pampet", "macet"), "mampet"),
    **dict.fromkeys(("padam", "pejah", "pareum"), "mati"),
    **dict.fromkeys(("peteng", "poek"), "gelap"),
    **dict.fromkeys(("kebanjiran", "genangan", "tergenang", "blabur", "caah", "ngembeng", "banjire"), "banjir"),
    **dict.fromkeys(("ambrol", "ambles", "amblas", "jebol", "gugur", "rubuh", "roboh", "ambruk"), "longsor"),
    **dict.fromkeys(("normalisasi", "dikeruk", "pengerukan", "dikuras", "kuras", "dinormalisasi"), "keruk"),
    **dict.fromkeys(("perbaikan", "perbaiki", "diperbaiki", "memperbaiki", "dibenahi", "benahi", "dibenerin",
                     "benerin", "didandani", "ndandani", "dandani", "dibenakke", "dibenahke", "diomean",
                     "dilereskeun", "ngalereskeun", "dibenerkeun", "rehab", "rehabilitasi", "direhab",
                     "renovasi", "direnovasi"), "perbaiki"),
    **dict.fromkeys(("pembangunan", "dibangun", "membangun", "bangunkan", "dibangunke", "digawe", "didamel",
                     "ngadamel", "diwangun", "ngawangun", "wangun",
                     # making or providing a thing that is not there: "bikinin TPS" is "pengadaan TPS"
                     "bikin", "bikinin", "dibikin", "dibikinin", "bikinkan", "dibikinkan", "buatkan", "dibuatkan",
                     "buatin", "dibuatin", "pembuatan", "gawekke", "digawekke", "gawekake", "didamelaken",
                     "damelaken", "didamelkeun", "pemasangan", "dipasang", "memasang", "dipasangi", "masang",
                     "pengadaan", "diadakan", "adakan", "diadani", "dipasangkeun", "dipasangke", "pasang"), "bangun"),
    **dict.fromkeys(("anyar", "enggal"), "baru"),
    **dict.fromkeys(("resik", "beresih"), "bersih"),
    **dict.fromkeys(("meluap", "luber", "mluber", "ngeluap"), "banjir"),
    **dict.fromkeys(("kebak", "pinuh", "numpuk", "menumpuk"), "penuh"),
    **dict.fromkeys(("pengaspalan", "diaspal", "aspalan"), "aspal"),
    **dict.fromkeys(("sekolahan", "sakola", "sd", "sdn"), "sekolah"),
    **dict.fromkeys(("mesjid", "mesjit", "musholla", "mushola", "musala", "langgar", "surau"), "masjid"),
    **dict.fromkeys(("kali", "walungan"), "sungai"),
    **dict.fromkeys(("paeh", "pejah", "modar"), "mati"),
    **dict.fromkeys(("hese", "angel", "susah", "kesulitan", "kesusahan", "rekaos", "sesah"), "sulit"),
    **dict.fromkeys(("sok", "kerep", "asring", "mindeng"), "sering"),
    **dict.fromkeys(("kantos", "nate"), "pernah"),
    **dict.fromkeys(("dicandak", "diangkut", "diambil", "dijupuk", "dipundhut", "dibawa", "diangkat"), "angkut"),
    "ii": "2", "iii": "3", "iv": "4",  # in names: "Posyandu Melati II" = "Posyandu Melati 2"
}

# Phrases that name one thing, replaced before single words (longest first).
_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("penerangan", "jalan", "umum"): ("lampu", "jalan"),
    ("lampu", "penerangan", "jalan"): ("lampu", "jalan"),
    ("penerangan", "jalan"): ("lampu", "jalan"),
    ("lampu", "dalan"): ("lampu", "jalan"),
    ("lampu", "margi"): ("lampu", "jalan"),
    ("lampu", "pju"): ("lampu", "jalan"),
    ("pju",): ("lampu", "jalan"),
    ("gorong", "gorong"): ("gorong",),
    ("banyu", "resik"): ("air", "bersih"),
    ("cai", "beresih"): ("air", "bersih"),
    ("bak", "sampah"): ("tempat", "sampah"),
    ("tong", "sampah"): ("tempat", "sampah"),
    ("tong", "uwuh"): ("tempat", "sampah"),
    ("panggonan", "uwuh"): ("tempat", "sampah"),
    ("tempat", "runtah"): ("tempat", "sampah"),
    ("polisi", "tidur"): ("polisitidur",),
    ("sumur", "bor"): ("sumurbor",),
    ("tempat", "pembuangan", "sampah", "sementara"): ("tps",),
    ("tempat", "pembuangan", "sampah"): ("tps",),
    ("cor", "blok"): ("corblok",),
    **{(no, on): ("mati",) for no in _NEGATIONS for on in _LIGHT_ON},  # "tidak menyala", "ora murub"
}
_LONGEST_PHRASE = max(len(p) for p in _PHRASES)
_PHRASE_FIRST = frozenset(p[0] for p in _PHRASES)
_SUFFIXES: tuple[str, ...] = ("nipun", "ipun", "nya", "ne", "na", "e")  # "dalane", "jalannya", "saluranipun"

# Everyday words that are neither filler nor place names (so never "place words").
_COMMON = frozenset(
    "parah bulan tahun minggu hari malam siang pagi sore hujan udan jawah motor mobil anak orang licin bahaya"
    " berbahaya kecelakaan jatuh sulit susah lewat dilewati melintas ngebut air bersih baru kotor bau penuh"
    " meter titik unit buah kali kalinya lama lebar sempit panjang tinggi kecil besar atap bocor warga umum"
    " negeri swasta jalan lampu saluran sampah mati gelap rusak lubang banjir longsor keruk perbaiki bangun"
    " pasang aspal sekolah masjid sungai jembatan mampet tempat polisitidur sumurbor corblok gorong ambles"
    " lumpur tanah batu kayu besi beton semen pasir pipa kabel tiang sumur rumah perumahan perempatan prapatan"
    " pertigaan tikungan bulak sawah ladang kebun makam pasar balai kantor lapangan gedung ruang kelas"
    " timbang kesulitan sulit hese angel ewuh kebak penuh bocah murid siswa petani pedagang lansia balita"
    " pkk karang taruna pemuda musim kemarau kering deras tiap sedikit kurang rawan sepi ramai"
    " deres ngebut cepet banter"
    " utara selatan timur barat lor kidul wetan kulon kaler tengah hilir hulu ujung pojok".split()
)


# Words after which a place is named: "gang Mawar", "dusun Krapyak", "masjid Al Ikhlas", "tikungan Ngaglik".
# The name is a place word even when it is also an everyday word (mawar, kembang, kuning).
PLACE_KINDS: frozenset[str] = frozenset(
    "gang gg dusun dsn padukuhan pedukuhan dukuh kampung lembur perumahan perum komplek kompleks masjid mesjid"
    " musholla mushola musala langgar surau sd sdn smp smpn tk paud posyandu pasar makam kali sungai walungan"
    " bulak lapangan perempatan prapatan pertigaan tikungan".split()
)


def _words_of(text: str) -> list[str]:
    """The words of a text folded for comparing ("Dalanè bolong2" → dalane, bolong, bolong)."""
    return WORD_RE.findall(plain(text))


@lru_cache(maxsize=1)
def _everyday_words() -> frozenset[str]:
    """Words of ordinary Indonesian, Javanese and Sundanese text (NusaX, STIF and the project's seed sentences,
    core/language/resources), written in lower case there: not names of places. Empty if the files are missing."""
    found: set[str] = set()

    def add(text: str) -> None:
        found.update(word for word in ASCII_LETTERS_RE.findall(text) if word.islower())

    try:
        for language in ("id", "jv", "su"):
            for text in resources.nusax_sentences("train", language):
                add(text)
        for language in ("jv", "su"):
            for side in ("id", language):
                for text in resources.nusax_lexicon(language, side):
                    add(text)
        for _, text in resources.seed_sentences():
            add(text)
        for line in resources.stif_lines():
            add(line)
    except OSError:
        return frozenset()
    return frozenset(found)


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Every word of the kamus usulan (3 languages), the synonyms, common and filler words: need words."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries = yaml.load(KAMUS_FILE.read_text(encoding="utf-8"), Loader=loader) or []
    words = {word for entry in entries for phrases in entry["words"].values() for phrase in phrases
             for word in _words_of(phrase)}
    return frozenset(words | _COMMON | set(SYNONYMS) | set(SYNONYMS.values()) | STOP_WORDS)


def _stems(word: str) -> list[str]:
    """The word without a suffix ("dalane", "jalannya"), without di- ("diaspal"), or both ("dibangune")."""
    bases = [word] + ([word[2:]] if word.startswith("di") and len(word) >= 5 else [])
    found = bases[1:]
    for base in bases:
        found.extend(base[: -len(s)] for s in _SUFFIXES if base.endswith(s) and len(base) - len(s) >= 3)
    return found


def _word(word: str) -> str:
    """One word in its shared form: a synonym mapped, an affix cut only when that gives a known word."""
    if word in SYNONYMS:
        return SYNONYMS[word]
    stems = _stems(word)
    for stem in stems:  # "gote", "dalane" are kamus words too, but mean "got", "dalan"
        if stem in SYNONYMS:
            return SYNONYMS[stem]
    vocabulary = _vocabulary()
    if word in vocabulary:
        return word
    stem = next((stem for stem in stems if stem in vocabulary), None)
    if stem is not None:
        return stem
    if word in _everyday_words():
        return word
    known = _typo_of(word)  # "bersh", "nuhuun", "pembngunan": not the name of a place
    return SYNONYMS.get(known, known) if known else word


@lru_cache(maxsize=1)
def _known_by_shape() -> dict[tuple[str, int], tuple[str, ...]]:
    """Need words of 4+ letters by first letter and length, for typos. Not all everyday words: a place name
    is too often one letter away from one of those ("Pakem"/"pake", "Gentan"/"genta")."""
    shapes: dict[tuple[str, int], list[str]] = {}
    for word in sorted(_vocabulary()):
        if len(word) >= TYPO_MIN_LENGTH - 1:
            shapes.setdefault((word[0], len(word)), []).append(word)
    return {shape: tuple(words) for shape, words in shapes.items()}


def _typo_of(word: str) -> str | None:
    """The need word this one is a typo of: a letter added or dropped (from 8 letters, also one replaced)."""
    if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
        return None
    shapes = _known_by_shape()
    cutoff = TYPO_CUTOFF_LONG if len(word) >= TYPO_LONG else TYPO_CUTOFF
    choices = [known for size in range(len(word) - 1, len(word) + 2) for known in shapes.get((word[0], size), ())]
    found = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else None


@lru_cache(maxsize=16_384)
def _shared(word: str) -> str:
    """A single word in its shared form ("rt03" → "rt3", "03" → "3", "dalane" → "jalan"); "" for filler."""
    glued = _GLUED_AREA_RE.match(word)
    if glued:
        return glued[1] + glued[2]
    if word.isdigit():
        return str(int(word))
    shared = _word(word)
    return shared if shared not in STOP_WORDS and (len(shared) > 1 or shared.isdigit()) else ""


def _analyse(text: str) -> tuple[list[str], frozenset[str], frozenset[str]]:
    """The meaningful words in their shared form, each once; which of them name a place; and which of those
    follow a place kind ("dusun Krapyak"), the surest."""
    words = _words_of(text)
    vocabulary, everyday = _vocabulary(), _everyday_words()
    out: list[str] = []
    places: set[str] = set()
    named: set[str] = set()
    after_kind = False  # the last word was "gang", "dusun", "masjid"...: the next name is a place
    i, count = 0, len(words)
    while i < count:
        word = words[i]
        if word in _AREA_KINDS and i + 1 < count and words[i + 1].isdigit():  # "RT 03" → "rt3"
            out.append(word + str(int(words[i + 1])))
            i += 2
            after_kind = False
            continue
        if word in _PHRASE_FIRST:  # the longest phrase starting here, if any
            size = next((n for n in range(min(_LONGEST_PHRASE, count - i), 0, -1)
                         if tuple(words[i : i + n]) in _PHRASES), 0)
            if size:
                out.extend(_PHRASES[tuple(words[i : i + size])])
                i += size
                after_kind = False
                continue
        shared = _shared(word)
        i += 1
        if shared:
            out.append(shared)
        if word in PLACE_KINDS:
            after_kind = True
            continue
        if len(shared) < 3 or shared.isdigit() or _GLUED_AREA_RE.match(shared):
            continue  # "masjid Al Ikhlas": the name is the next word
        if shared not in vocabulary and (after_kind or shared not in everyday):
            places.add(shared)
            if after_kind:
                named.add(shared)
        after_kind = False
    # Each word once: "bolong-bolong" is one hole, not two.
    return list(dict.fromkeys(out)), frozenset(places), frozenset(named)


def tokens(text: str) -> list[str]:
    """The words that carry meaning, each once, in order, in their shared form (see `normalise`)."""
    return _analyse(text)[0]


def normalise(text: str) -> str:
    """A description reduced to its meaningful words in one vocabulary, for comparing across phrasings.

    "Mohon perbaikan got yang mampet di RT 03!" and "gote mampet neng RT 3, nyuwun didandani" both come
    down to the words {perbaiki, saluran, mampet, rt3}.
    """
    return " ".join(tokens(text))


def place_words(text: str) -> frozenset[str]:
    """The words of a description that name a place: a name after "gang", "dusun", "masjid"... or a word that
    neither the kamus nor everyday text knows (in practice the names of dusun, gang and landmarks)."""
    return _analyse(text)[1]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def distance_adjustment(metres: float) -> float:
    """What the distance between two pins adds to (near) or takes from (far) the score."""
    steps = DISTANCE_STEPS
    if metres <= steps[0][0]:
        return steps[0][1]
    for (d1, a1), (d2, a2) in itertools.pairwise(steps):
        if metres <= d2:
            return a1 + (a2 - a1) * (metres - d1) / (d2 - d1)
    return steps[-1][1]


def text_similarity(first: str, second: str) -> float:
    """0..1 for two *normalised* descriptions: mostly token-set ratio, tempered by the whole-text ratio."""
    if not first or not second:
        return 0.0
    return (SET_WEIGHT * fuzz.token_set_ratio(first, second)
            + SORT_WEIGHT * fuzz.token_sort_ratio(first, second)) / 100


def _overlap(first: frozenset[str], second: frozenset[str]) -> frozenset[str]:
    """The places of `first` that `second` names too, allowing a typo."""
    return frozenset(a for a in first if a in second or any(fuzz.ratio(a, b) >= PLACE_MATCH for b in second))


def _place_adjustment(one: Comparable, other: Comparable, other_area: bool) -> float:
    """Same places lift a little, other places lower; typos in names still match ("Krapyak"/"krapyk").

    When both name a place after its kind ("bulak Sorowajan", "bulak Kadisoka"), different names decide: an
    everyday word missing from the dictionaries ("gabah") must not make two places one.
    """
    if one.named and other.named and not _overlap(one.named, other.named):
        return OTHER_PLACE
    first, second = one.places, other.places
    if not first or not second:
        return 0.0
    shared_first = _overlap(first, second)
    if not shared_first:
        return OTHER_PLACE
    if shared_first != first and _overlap(second, first) != second:
        return SOME_OTHER_PLACE
    return 0.0 if other_area else SAME_PLACE  # "Jl. Kaliurang km 9" and "km 12" share a road, not a spot


def _other_area(first: tuple[frozenset[str], ...], second: tuple[frozenset[str], ...]) -> bool:
    """Both name an RT (or RW, or km) and no number of that kind is shared."""
    return any(mine and theirs and mine.isdisjoint(theirs) for mine, theirs in zip(first, second, strict=False))


@dataclass(frozen=True)
class Comparable:
    """A proposal prepared once for many comparisons: normalised text, kamus item, pin, RTs, place words."""

    text: str
    item_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    areas: tuple[frozenset[str], ...] = ()  # per kind of _AREA_KINDS: ({"rt3"}, {"rw5"}, {"km9"})
    places: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()  # the places named after their kind: "dusun Krapyak", "gang Mawar"

    @property
    def has_pin(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@lru_cache(maxsize=20_000)
def _prepared_text(description: str) -> tuple[str, tuple[frozenset[str], ...], frozenset[str], frozenset[str]]:
    # Cached: the same open proposals are compared with every new description of their desa and sector.
    words, places, named = _analyse(description)
    areas = [w for w in words if _GLUED_AREA_RE.match(w)]
    by_kind = tuple(frozenset(a for a in areas if a.startswith(kind)) for kind in _AREA_KINDS)
    return " ".join(words), by_kind, places, named


def prepare(description: str, item_code: str | None = None, latitude: float | None = None,
            longitude: float | None = None) -> Comparable:
    text, areas, places, named = _prepared_text(description or "")
    return Comparable(text, item_code or None, latitude, longitude, areas, places, named)


@dataclass(frozen=True)
class Similarity:
    score: float  # 0..1, what THRESHOLD applies to
    text: float  # the descriptions alone, 0..1
    distance_m: float | None  # between the pins, when both have one
    raw: float  # the score before it is kept within 0..1: ranks pairs that both reach 1


def compare(first: Comparable, second: Comparable) -> Similarity:
    """The combined score: the descriptions, adjusted by kamus item, RT, place words and pins."""
    text = text_similarity(first.text, second.text)
    score = text
    if first.item_code and second.item_code:
        score += SAME_ITEM if first.item_code == second.item_code else OTHER_ITEM
    other_area = _other_area(first.areas, second.areas)
    if other_area:
        score += OTHER_AREA
    score += _place_adjustment(first, second, other_area)
    metres = None
    if first.has_pin and second.has_pin:
        metres = distance_m(first.latitude, first.longitude, second.latitude, second.longitude)
        score += distance_adjustment(metres)
    return Similarity(min(1.0, max(0.0, score)), text, metres, score)


def similarity(first: str, second: str, first_item: str | None = None, second_item: str | None = None,
               first_pin: tuple[float, float] | None = None, second_pin: tuple[float, float] | None = None) -> float:
    """The combined score of two raw descriptions (for one-off comparisons and tests)."""
    a = prepare(first, first_item, *(first_pin or (None, None)))
    b = prepare(second, second_item, *(second_pin or (None, None)))
    return compare(a, b).score


def is_duplicate(score: float) -> bool:
    return score >= THRESHOLD


def clear_cache() -> None:
    """Forget the prepared descriptions (benchmarks measure a process just started with it)."""
    _prepared_text.cache_clear()
