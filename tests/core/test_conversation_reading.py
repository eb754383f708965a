"""Reading what real citizens write: descriptions without greetings, "no need" at optional questions,
corrections at any point, and place answers that need a choice (issue: real citizens reach their goal)."""

from __future__ import annotations

import pytest

from core import answers, choice, corrections, description, regions

SLEMAN = "34.04"


@pytest.fixture(scope="module")
def gazetteer() -> regions.Gazetteer:
    return regions.gazetteer()


@pytest.mark.parametrize(
    ("text", "keeps", "drops"),
    [
        ("Selamat siang. Saya ingin mengusulkan pemasangan lampu penerangan jalan di jalan dusun Karang, Desa "
         "Sendangadi. Jalannya gelap gulita kalau malam, sering ada jambret. Terima kasih",
         ["lampu penerangan jalan", "dusun Karang", "gelap gulita", "jambret"],
         ["Selamat", "Saya ingin", "Sendangadi", "Terima kasih"]),
        ("Nyuwun sewu, kula ajeng ngaturaken bilih margi ing padukuhan kula risak sanget, kathah bolonganipun",
         ["margi", "risak sanget", "bolongan"], ["Nyuwun sewu", "kula ajeng"]),
        ("Wilujeng siang, abdi bade ngusulkeun perbaikan solokan di RW 4, sok banjir unggal hujan",
         ["solokan", "banjir unggal hujan"], ["Wilujeng", "abdi bade", "RW 4"]),
        ("Min saya mau usul bikin posyandu baru di desa Tirtoadi min", ["posyandu baru"], ["Min ", "Tirtoadi"]),
        ("Assalamualaikum wr wb pak, jalan depan rumah rusak parah", ["jalan depan rumah rusak parah"],
         ["Assalamualaikum", "pak"]),
        # a plea in mid-message is chat; the need it names stays, as an officer would write it
        ("Wc umum di dekat pasar dusun rusak, mampet n bau, mohon diperbaiki", ["mampet", "perlu diperbaiki"],
         ["mohon"]),
        ("Selokan dekat rumah mampet tiap hujan banjir. Pengen dibikinin saluran yang lebih gede",
         ["banjir", "saluran yang lebih gede"], ["pengen"]),
        ("Gorong2 neng ngarep SD ambrol, tolong segera ditangani soale mbebayani kanggo bocah sekolah",
         ["ambrol", "segera ditangani", "mbebayani"], ["tolong"]),
        ("Lapangan neng kampungku ora kopen, mbok didandani dadi taman go bocah dolanan", ["didandani dadi taman"],
         ["mbok"]),
        ("Mohon maaf, jalan ke makam rusak parah", ["jalan ke makam rusak parah"], ["maaf", "perlu"]),
        # a bare time of day greets when a vocative or a stop follows it, and is kept when it tells the time
        ("Sore kak, mau ngadu sampah numpuk bgt di pinggir kali", ["sampah numpuk"], ["sore", "kak"]),
        ("Sore hari jalan ke sawah gelap sekali", ["sore hari jalan"], []),
    ],
)
def test_the_description_keeps_the_substance_without_greetings_or_place_fields(text, keeps, drops) -> None:
    stored = description.from_opening(text)
    for words in keeps:
        assert words.lower() in stored.lower(), (words, stored)
    for words in drops:
        assert words.lower() not in stored.lower(), (words, stored)


def test_a_long_message_is_not_cut_after_the_first_place_word() -> None:
    text = ("Saya mau usul perbaikan jalan di Desa Caturtunggal. " + "Jalannya berlubang dan becek setiap hujan, "
            "anak sekolah sering jatuh. " * 12 + "Panjangnya kira-kira 300 meter.")
    stored = description.from_opening(text)
    assert "300 meter" in stored and len(stored.split()) > 60


def test_only_a_lead_in_is_no_description() -> None:
    for text in ("mau usul", "saya mau mengusulkan", "kula badhe usul", "abdi bade ngusulkeun", "halo min",
                 "Punten, abdi bade ngusulkeun...", "mau ngusulin.."):
        assert description.from_opening(text) is None, text


@pytest.mark.parametrize("text", ["nggak usah deh", "kagak usah", "teu gaduh potona", "gatau rt nya",
                                  "indak ado foto", "ga usah ya min", "ora ngerti rt-ne", "teu terang RT na",
                                  "no photo", "lewati aja", "mboten wonten",
                                  "keur sadesa, lain RT hiji", "untuk satu dusun, bukan satu RT"])
def test_every_way_of_saying_none_skips_an_optional_question(text: str) -> None:
    assert answers.is_skip(text)


@pytest.mark.parametrize("text", ["tidak ada lampu di gang kami sejak lama", "ada, sebentar", "RT 3 RW 5",
                                  "Sendangadi", "jalan rusak parah"])
def test_answers_are_not_skips(text: str) -> None:
    assert not answers.is_skip(text)


def test_nudges_and_just_asking() -> None:
    for text in ("kok diam?", "halo?", "masih di sana?", "piye iki kok meneng wae", "kumaha ieu teu dijawab"):
        assert answers.is_nudge(text), text
    for text in ("halo, jalan rusak", "RT 3", "jalan depan rumah rusak"):
        assert not answers.is_nudge(text), text
    assert answers.is_just_asking("saya cuma tanya kok") and answers.is_just_asking("kula namung nyuwun pirsa")


@pytest.mark.parametrize(
    ("text", "asked", "field", "value"),
    [("eh salah, RT nya 5", "photo", "rt_rw", ("05", None)),
     ("RW na 4 lain 3", "confirmed", "rt_rw", (None, "04")),
     ("bukan RT 3 tapi RT 5", "confirmed", "rt_rw", ("05", None)),
     ("RT-ne 5 dudu 3", "confirmed", "rt_rw", ("05", None)),
     ("RT 5 RW 3", "photo", "rt_rw", ("05", "03")),
     ("ganti fotonya", "confirmed", "photo", None),
     ("Robih usulan", "confirmed", "description", None)],
)
def test_a_correction_names_only_what_changes(text, asked, field, value) -> None:
    found = corrections.find(text, asked)
    assert found is not None and found.field == field and found.value == value


@pytest.mark.parametrize("text", ["dudu Sinduadi ning Sendangadi", "lokasinya salah, bukan Sinduadi tp Sendangadi",
                                  "desanya salah, harusnya Sendangadi", "salah, harusnya Sendangadi",
                                  "eh salah, dudu Sinduadi, Sendangadi, isih Mlati"])
def test_a_place_correction_names_the_new_place(text: str, gazetteer) -> None:
    found = corrections.find(text, "confirmed", lambda t: gazetteer.resolve(t, SLEMAN))
    assert found.field == "village_code" and found.value[0].name == "Sendangadi"


def test_a_marker_without_a_place_is_no_place_correction(gazetteer) -> None:
    for text in ("eh salah ketik", "ralat, tolong dikirim saja", "salah, maksud saya lampunya mati semua"):
        found = corrections.find(text, "confirmed", lambda t: gazetteer.resolve(t, SLEMAN))
        assert found is None or found.field != "village_code", text


def test_answers_to_the_question_asked_are_not_corrections() -> None:
    assert corrections.find("RT 5 RW 3", "rt_rw") is None
    assert corrections.find("gak ada fotonya", "photo") is None
    assert corrections.find("jalan rusak", "description") is None


def test_place_answers_a_village_officer_would_ask_about(gazetteer) -> None:
    exact = regions.place_answer(gazetteer, "ds. caturtunggal", SLEMAN)
    assert [c.name for c in exact.villages][:1] == ["Caturtunggal"] and not exact.confirm
    weak = regions.place_answer(gazetteer, "sendang", SLEMAN)
    assert weak.confirm and len(weak.villages) >= 5 and all(c.name.startswith("Sendang") for c in weak.villages)
    short = regions.place_answer(gazetteer, "maguwo", SLEMAN)
    assert short.confirm and [c.name for c in short.villages] == ["Maguwoharjo"]
    kecamatan = regions.place_answer(gazetteer, "kapanewon Godean", SLEMAN)
    assert kecamatan.confirm and all(c.kecamatan == "Godean" for c in kecamatan.villages)
    assert len(kecamatan.villages) >= 5
    narrowed = regions.place_answer(gazetteer, "Sendang, Minggir", SLEMAN)
    assert narrowed.villages and all(c.kecamatan == "Minggir" for c in narrowed.villages)
    outside = regions.place_answer(gazetteer, "Panggungharjo", SLEMAN)
    assert not outside.villages and outside.elsewhere.kabupaten == "Kabupaten Bantul"
    assert regions.place_answer(gazetteer, "depan masjid", SLEMAN) == regions.PlaceAnswer([])


@pytest.mark.parametrize(
    ("text", "keeps", "drops"),
    [
        ("Perkenankan kami menyampaikan bahwa jembatan bambu di dusun kami sudah lapuk dan berbahaya",
         ["jembatan bambu", "lapuk"], ["Perkenankan", "menyampaikan"]),
        ("Jadi gini min, got di gang kami mampet terus kalau hujan", ["got di gang kami mampet"], ["gini", "min"]),
        ("Ngapunten, kula badhe matur. Talud kali ing padukuhan kula ambrol", ["Talud kali", "ambrol"],
         ["Ngapunten", "matur"]),
        ("Bisa usul lampu jalan buat gang kami gak?", ["lampu jalan buat gang kami"], ["Bisa usul", "gak?"]),
        ("Kami dari kelompok tani Sido Makmur ingin mengusulkan pompa air untuk sawah",
         ["pompa air", "kelompok tani Sido Makmur"], ["ingin mengusulkan"]),
        ("Saya kader posyandu ingin mengusulkan pengadaan timbangan bayi untuk posyandu kami",
         ["timbangan bayi"], ["kader", "ingin mengusulkan"]),
        ("Kula tiyang Klaten ingkang sampun dangu manggen ing Sleman. Kula badhe ngusulaken sumur bor kangge warga, "
         "sumuripun asat", ["sumur bor"], ["Klaten", "badhe ngusulaken"]),
        ("Jalan di dusun kami rusak parah. Kami ingin mengusulkan pengecoran jalan",
         ["Jalan di dusun kami rusak parah", "Pengecoran jalan"], ["ingin mengusulkan"]),
        ("aye mau ngelaporin nih bang, jalanan di gang deket rumah udeh ancur", ["jalanan di gang"],
         ["nih", "bang", "ngelaporin"]),
        # a letter: its opening, the writer's own introduction and its thanks go; the hamlet named stays
        ("Dengan hormat. Saya Bapak Sutrisno, pensiunan guru, warga Padukuhan Karangmojo. Jalan di depan SD "
         "berlubang besar sejak musim hujan. Atas perhatiannya saya ucapkan terima kasih.",
         ["Jalan di depan SD berlubang", "Padukuhan Karangmojo"], ["hormat", "Sutrisno", "perhatian", "ucapkan"]),
        ("Kula warga Dusun Krapyak. Lampu gang pejah sedaya.", ["Lampu gang pejah", "Dusun Krapyak"], ["warga"]),
        ("Saya ketua RT, jalan kami rusak parah.", ["jalan kami rusak"], []),  # the need is in that sentence
        # a grandchild typing for her: who writes goes (with the grandmother's name), "mau bantu ngusulin" too
        ("assalamualaikum, sy cucunya mbah Sumiyati. mau bantu ngusulin buat lansia sebatang kara, butuh kursi roda",
         ["lansia sebatang kara", "kursi roda"], ["Sumiyati", "cucu", "bantu", "ngusulin"]),
        ("hi, sorry mau nanya. di gang kami udah ada 3 kasus DBD bulan ini", ["3 kasus DBD"], ["sorry", "nanya"]),
        # Minang: the vocative and the writer's own business go; the problem before the lead-in stays
        ("assalamualaikum uda/uni. ambo punyo lapau di Sumberagung. aia sumua di siko karuah, indak bisa diminum. "
         "ambo nak mangusulan sarana aia bersih", ["aia sumua", "karuah", "sarana aia bersih"],
         ["uda", "lapau", "mangusulan"]),
        ("Wilujeng siang. Abdi bade ngintunkeun usulan. Jalan di payuneun rorompok abdi ruksak, seueur liangna",
         ["Jalan di payuneun rorompok", "liangna"], ["Wilujeng", "ngintunkeun"]),
        # who lives where as a tenant is who writes; "can this be proposed?" is said to the bot
        ("kang, abdi ngontrak di Samirono. Jalan gang di dieu ruksak pisan, loba liang. Tiasa diusulkeun teu?",
         ["Jalan gang", "loba liang"], ["ngontrak", "Tiasa"]),
        ("Saya mau kirim usulan: jembatan bambu lapuk", ["jembatan bambu lapuk"], ["kirim", "usulan:"]),
        # who writes, then what they propose, in one sentence: the proposal stays
        ("Saya ketua RT ingin mengusulkan bantuan bedah rumah untuk seorang lansia janda. Dindingnya anyaman bambu.",
         ["bedah rumah", "lansia janda", "anyaman bambu"], ["ketua", "ingin mengusulkan"]),
        # the kader's role goes, the posyandu the proposal serves stays
        ("Kami kader Posyandu Balita Melati ingin mengusulkan timbangan bayi digital",
         ["timbangan bayi digital", "Posyandu Balita Melati"], ["kader", "ingin"]),
        # a last sentence said to the bot, not about the need
        ("got e buntu, nek udan banyune mlebu omah-omah. piye iki", ["Got e buntu"], ["piye"]),
        ("Perpus desa, barudak teu boga tempat maca. Kumaha, bisa?", ["tempat maca"], ["Kumaha", "bisa"]),
        # "may I propose X?" then "yes, I want to": X is the description
        ("bisa gak sih ngusulin perpus buat anak2 di kampung? blm ada taman baca. iya mau ngusulin.",
         ["Perpus buat anak2 di kampung.", "taman baca"], ["bisa gak", "iya mau"]),
    ],
)
def test_lead_ins_and_self_introductions_go_but_who_benefits_stays(text, keeps, drops) -> None:
    stored = description.from_opening(text)
    for words in keeps:
        assert words.lower() in stored.lower(), (words, stored)
    for words in drops:
        assert words.lower() not in stored.lower(), (words, stored)


@pytest.mark.parametrize("text", ["Mohon maaf, saya kurang tahu RT-nya", "RT RW nya saya lupa pak",
                                  "I don't know the RT, sorry", "waduh nomer RT ne aku ra ngerti"])
def test_dont_know_anywhere_in_a_short_answer_skips_an_optional_question(text: str) -> None:
    assert answers.is_skip(text)


@pytest.mark.parametrize("text", [
    "RT 4, RW nya lupa",
    "saya tidak tahu kenapa jalan di depan rumah rusak terus padahal baru diperbaiki tahun lalu"])
def test_a_number_or_a_long_story_is_not_dont_know(text: str) -> None:
    assert not answers.is_skip(text)


def test_the_new_number_before_the_negation_wins() -> None:
    assert corrections.find("eh RT-ne salah, 4 dudu 2", "confirmed") == corrections.Correction("rt_rw", ("04", None))


def test_a_place_answer_with_its_rt_rw_is_no_correction() -> None:
    assert corrections.find("tridadi sleman rt 2 rw 9", "village_code") is None
    assert corrections.find("rt 2 rw 9", "village_code") == corrections.Correction("rt_rw", ("02", "09"))
    assert description.strip_rt_rw("tridadi sleman rt 2 rw 9") == "tridadi sleman"


@pytest.mark.parametrize("text", ["Usulan-usulan nu tos ku abdi dikintunkeun", "usulan yang pernah saya kirim mana aja",
                                  "Usulan apa saja yang pernah saya ajukan?",
                                  "usulan2 urang aya dimana", "show me my proposals"])
def test_asking_for_ones_own_proposals(text: str) -> None:
    assert answers.asks_own_proposals(text)


@pytest.mark.parametrize("text", ["Nek usulanku ditolak, aku kudu piye?", "Upami usulan abdi ditolak, teras kumaha?",
                                  "waduh kode usulanku ilang, chat-e kehapus", "kalau usulan saya tidak lolos gimana"])
def test_a_question_about_what_would_happen_is_not_a_list_request(text: str) -> None:
    assert not answers.asks_own_proposals(text)


@pytest.mark.parametrize("text", ["Sumuhun, abdi bade ngusulkeun posyandu lansia", "sumuhun", "diusulkan saja min"])
def test_a_yes_in_sundanese_or_as_a_verb(text: str) -> None:
    assert answers.accepts(text)


def test_a_lost_code_lists_only_when_asked_to_show() -> None:
    assert answers.asks_own_proposals("urang kungsi ngusulkeun tapi poho kodena. bisa dipintonkeun usulan2 urang?")
    assert not answers.asks_own_proposals("waduh kode usulanku ilang, chat-e kehapus. piye iki?")


def test_a_long_cancel_outside_the_description_still_cancels() -> None:
    text = "Mohon maaf, tolong dibatalkan saja. Saya akan bermusyawarah dengan warga terlebih dahulu."
    assert answers.is_cancel(text, long_ok=True) and not answers.is_cancel(text)
    assert answers.is_cancel("Nyuwun sewu, mboten sida rumiyin. Kula badhe rembagan kaliyan Pak Dukuh rumiyin.",
                             long_ok=True)


def test_a_minang_yes_confirms() -> None:
    from core import choice

    assert choice.is_affirmation("yo, alah bana") and not choice.is_affirmation("alah males")


@pytest.mark.parametrize(("text", "topic"), [("usul air bersih", "Air bersih"), ("usul banyu resik", "Banyu resik"),
                                             ("abdi bade ngusulkeun cai beresih", "Cai beresih")])
def test_a_sector_name_alone_is_a_topic_to_ask_about_not_a_description(text: str, topic: str) -> None:
    assert description.from_opening(text) is None and description.topic(text) == topic


def test_a_kind_of_project_alone_is_a_topic_too() -> None:
    """The kamus title says which kind of project, not what is wrong where: the officer would ask."""
    text = "Selamat malam, Bapak/Ibu. Saya ingin mengusulkan pemasangan lampu penerangan jalan umum."
    assert description.from_opening(text) is None
    assert description.topic(text) == "Pemasangan lampu penerangan jalan umum."
    assert description.from_opening("usul pemasangan lampu penerangan jalan umum, jalan antar dusun gelap total")


def test_a_need_with_its_problem_is_a_description_not_a_topic() -> None:
    for text in ("usul lampu jalan mati", "jalan rusak parah", "usul pembangunan drainase, tiap hujan banjir"):
        assert description.from_opening(text) and description.topic(text) is None, text


@pytest.mark.parametrize(("text", "topic"), [
    ("usul pembangunan drainase", "Pembangunan drainase"),
    ("Nuwun sewu, kula badhe matur babagan toya resik ing padukuhan kula", "Toya resik ing padukuhan kula"),
    ("aku arep usul kreteg, iso ra?", "Kreteg"),
    ("euy rek usul solokan", "Solokan"),
    ("Punten, abdi hoyong ngusulkeun perbaikan jalan tani", "Perbaikan jalan tani"),
    ("mau ngusulin soal sampah bisa?", "Sampah"),
])
def test_the_kind_of_project_in_any_words_is_a_topic(text: str, topic: str) -> None:
    """Nothing but the kind of project, in the words of one sector's names, whatever is around it ("kula",
    "ing padukuhan", "iso ra?"): the officer still needs what is wrong, where and why."""
    assert description.from_opening(text) is None and description.topic(text) == topic


@pytest.mark.parametrize("text", [
    "Saya ingin mengajukan usulan pembangunan untuk lingkungan kami.",
    "Baik, saya ingin langsung mengajukan usulan sekarang.",
    "oke, mau bikin usulan",
    "Abdi badé ngintunkeun usulan.",
])
def test_saying_only_that_one_wants_to_propose_is_neither_description_nor_topic(text: str) -> None:
    """These were stored as the proposal itself ("Usulan: Oke, mau bikin usulan"): the form must ask what."""
    assert description.from_opening(text) is None and description.topic(text) is None


@pytest.mark.parametrize(("text", "kept", "dropped"), [
    ("Aduh kang, unggal hujan gede cai tina solokan ngabanjiran imah.", "Unggal hujan", "kang"),
    ("Halo kak, sorry ganggu. Tetangga sy tuna rungu, butuh alat bantu dengar. Iso diusulke ra? Please bantu ya",
     "alat bantu dengar", "please"),
    ("Nyuhunkeun widi, abdi bade ngawartosan yen lampu jalan di lembur abdi pareum", "Lampu jalan", "widi"),
])
def test_interjections_apologies_and_pleas_around_the_need_go(text: str, kept: str, dropped: str) -> None:
    stored = description.substance(text)
    assert kept.lower() in stored.lower() and dropped not in stored.lower() and "ganggu" not in stored.lower()


@pytest.mark.parametrize(("text", "expected"), [("rt 2 rw 11 eh salah rw 12", ("02", "12")),
                                                ("RT 4, maksudnya RT 5 RW 2", ("05", "02")),
                                                ("RT 5 bukan RT 3", ("05", None))])
def test_a_self_correction_inside_one_answer_keeps_the_corrected_number(text, expected) -> None:
    assert answers.parse_rt_rw(text) == expected


def test_more_ways_of_stopping_and_of_saying_no_photo() -> None:
    assert answers.is_cancel("eh ntar dulu deh, mau nanya pak RT dulu. gajadi skrg ya", long_ok=True)
    assert answers.is_skip("rausah")
    assert answers.declines("Baik, kalau begitu tanpa foto saja.")


def test_a_group_named_in_the_self_introduction_is_kept_and_a_second_lead_in_verb_is_not() -> None:
    stored = description.from_opening("Abdi pupuhu kelompok pengrajin awi di Sumber sari, Moyudan. Abdi hoyong "
                                      "ngusulkeun bantosan alat produksi sareng pelatihan pemasaran online.")
    assert "kelompok pengrajin awi" in stored and "pupuhu" not in stored and "Moyudan" not in stored
    stored = description.from_opening("Mas/mbak mau tanya sekalian ngusulin ya, ini jalan cor di dusun udah retak")
    assert stored.startswith("Ini jalan cor") and "ngusulin" not in stored


def test_an_english_greeting_and_lead_in_are_dropped_like_any_other() -> None:
    assert description.from_opening("Good morning. The small bamboo bridge over the canal has collapsed.") \
        == "The small bamboo bridge over the canal has collapsed."
    assert description.from_opening("Hi, I'd like to report a broken road near the school") \
        == "A broken road near the school"


def test_more_everyday_ways_of_yes_no_and_stop() -> None:
    for text in ("moal", "kosongkan saja", "tiada", "nope", "next", "cukup", "duka"):
        assert answers.declines(text), text
    for text in ("leres pisan", "iya benar sekali", "gas", "benar semua"):
        assert choice.is_affirmation(text), text
    for text in ("udahan aja", "stop", "berhenti dulu deh", "moal jadi", "lain kali aja"):
        assert answers.is_cancel(text), text
    for text in ("jalan rusak tidak bisa berhenti", "lampu merah berhenti nyala"):
        assert not answers.is_cancel(text), text  # a story that says "berhenti" is not a stop


def test_a_yes_with_please_propose_it_is_no_description() -> None:
    assert description.from_opening("iyo tulung diusulke") is None
    assert description.from_opening("tolong diusulkan ya, jalan depan balai dusun rusak") \
        == "Jalan depan balai dusun rusak"
    assert description.from_opening("dalan cor blok neng padukuhanku amblek, motor kerep tiba nek bengi. "
                                    "iyo tulung diusulke") \
        == "Dalan cor blok neng padukuhanku amblek, motor kerep tiba nek bengi."


@pytest.mark.parametrize(("text", "expected"), [
    ("Taman di perumahan aku literally nggak kerawat, ayunannya patah, which is bahaya buat anak-anak",
     "Taman di perumahan aku nggak kerawat, ayunannya patah, bahaya buat anak-anak"),
    ("Ambo nak maagiah usulan. Di kampuang ambo indak ado tampek sampah.", "Di kampuang ambo indak ado tampek sampah."),
    ("saya mau kasih usulan: jalan rusak di depan SD", "Jalan rusak di depan SD"),
])
def test_english_fillers_and_giving_a_proposal_in_other_words_go(text: str, expected: str) -> None:
    assert description.substance(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Saya mahasiswa UGM yang ngekos di Sinduadi. Lampu jalan di gang kos mati semua, gelap banget",
     "Lampu jalan di gang kos mati semua, gelap banget"),
    ("Aku wong tuwa, wis 70 taun. Dalan neng ngarep omah bolong-bolong", "Dalan neng ngarep omah bolong-bolong"),
    ("Abdi pangsiunan PNS. Jalan ka sawah ruksak parah", "Jalan ka sawah ruksak parah"),
    ("Nama saya Budi dari RT 3. Saluran air mampet tiap hujan", "Saluran air mampet tiap hujan"),
    ("Perkenalkan, saya Siti, ibu rumah tangga. Di dusun kami belum ada posyandu lansia",
     "Di dusun kami belum ada posyandu lansia"),
    # what the writer needs, or did about it, stays
    ("Kami warga dusun Ngentak. Kami butuh tempat bermain anak.", "Kami butuh tempat bermain anak (dusun Ngentak)"),
    ("Jalan rusak. Saya sudah lapor ke pak dukuh tapi belum ada tindakan.",
     "Jalan rusak. Saya sudah lapor ke pak dukuh tapi belum ada tindakan."),
])
def test_a_sentence_only_about_its_writer_goes_wherever_it_stands(text: str, expected: str) -> None:
    """Who writes (a student, a pensioner, a name) is not the need, and a name in a description is personal data
    on the public pages."""
    assert description.substance(text) == expected


def test_a_contrast_the_draft_already_says_is_no_correction() -> None:
    """ "Ya, sudah benar. Usulannya posyandu, bukan perpustakaan." at a summary that already says posyandu was read
    as "change the proposal" three times over: the citizen never got it stored."""
    now = "Pengadaan alat timbang bayi dan alat ukur tinggi badan untuk posyandu balita"
    said = "Ya, sudah benar. Usulannya posyandu, bukan perpustakaan."
    assert corrections.already_says(said, now)
    assert not corrections.already_says(said, "Pengadaan buku untuk perpustakaan kalurahan")
    assert corrections.already_says("usulannya bukan perpustakaan tapi posyandu", now)
    assert not corrections.already_says("usulannya salah", now)


@pytest.mark.parametrize(("text", "expected"), [
    ("Yang bertanda tangan di bawah ini, Ketua RT 05 RW 02, Kapanewon Godean, dengan ini mengajukan usulan perbaikan "
     "jalan lingkungan sepanjang 300 meter yang rusak berat. Demikian usulan ini kami sampaikan. Hormat kami, Ketua RT",
     "Perbaikan jalan lingkungan sepanjang 300 meter yang rusak berat."),
    ("Kalayan hormat, Anu tandatangan di handap ieu, Ketua RT 02, Kapanewon Kalasan, ngadugikeun usulan ngalereskeun "
     "jalan lingkungan nu parantos ruksak.", "Ngalereskeun jalan lingkungan nu parantos ruksak."),
    ("Kanthi hormat,\nIngkang tapak asma ing ngandhap menika, Ketua RT 07, ngaturaken usulan pambangunan kreteg alit "
     "ingkang sampun risak.\nMekaten atur usulan kula. Awit sadaya kawigatosanipun, kula aturaken agunging panuwun.\n\n"
     "Hormat kula,\nKetua RT 07", "Pambangunan kreteg alit ingkang sampun risak."),
])
def test_a_pasted_letter_keeps_its_request_without_the_letter_around_it(text: str, expected: str) -> None:
    assert description.substance(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Kata mbah: sumur di kampung kalo kemarau asat. Mbah minta dibikinin sumur bor",
     "Sumur di kampung kalo kemarau asat. Perlu dibikinin sumur bor"),
    ("Bapa abdi patani bade ngusulkeun lampu jalan ka sawah sabab wengi poek pisan",
     "Lampu jalan ka sawah sabab wengi poek pisan"),
    ("Guys so aku mau propose taman baca buat anak-anak di kampung", "Taman baca buat anak-anak di kampung"),
    ("Eh pake bahasa indonesia aja. Pedagang di sini jualannya di pinggir jalan pakai terpal.",
     "Pedagang di sini jualannya di pinggir jalan pakai terpal."),
])
def test_someone_typing_for_a_grandparent_and_words_to_the_bot_go(text: str, expected: str) -> None:
    assert description.substance(text) == expected


@pytest.mark.parametrize(("text", "topic"), [
    ("Mohon penjelasan, apa yang dimaksud dengan RKPD dan apa kaitannya dengan usulan masyarakat?", "faq/apa_rkpd"),
    ("this e-Musrenbang thing tuh sebenernya apa sih? is it like aplikasi pengaduan gitu?", "faq/apa_emusrenbang"),
    ("naon hartosna Musrenbang?", "faq/apa_musrenbang"),
    ("usulan saya sudah masuk RKPD apa belum?", None),
    ("kapan musrenbang desa?", None),
])
def test_a_planning_term_asked_to_be_explained(text: str, topic: str | None) -> None:
    assert answers.term_asked(text) == topic


def test_the_proposals_sent_from_this_number_are_the_citizens_own() -> None:
    assert answers.asks_own_proposals("Mbah nyuwun dipun priksakaken, usulan-usulan ingkang sampun dipun kintun saking "
                                      "nomer punika punapa kemawon?")
    assert not answers.asks_own_proposals("bagaimana cara mengirim usulan dari hp")


@pytest.mark.parametrize(("text", "expected"), [
    ("Saya dari komite sekolah SD Negeri Jetis. Pagar sekolah roboh kena angin.", "Pagar sekolah roboh kena angin."),
    ("Aku relawan posbindu lansia di sidoarum. Tensimeter kita udah ga akurat.", "Tensimeter kita udah ga akurat."),
    ("Niki kula putune mbah Painem. Kula sing ngetikke. 'Nyuwun sewu, posyandu lansia dereng gadhah pirantos'",
     "Posyandu lansia dereng gadhah pirantos"),
    ("Nepangkeun, abdi Pak Dadang, pangsiunan PNS. Ngaganggu, abdi bade ngawartosan yen jalan ka masjid ruksak.",
     "Jalan ka masjid ruksak."),
    ("Ieu abdi incuna Ema. Abdi nu ngetikkeun nya. Intina mah Ema hoyong aya bantuan bedah rumah keur para lansia",
     "Perlu aya bantuan bedah rumah keur para lansia"),
    ("Dalan tani becek banget montor ora iso lewat mbok digawe cor blok suwun",
     "Dalan tani becek banget montor ora iso lewat mbok digawe cor blok"),
])
def test_who_types_for_whom_and_their_role_go_the_need_stays(text: str, expected: str) -> None:
    assert description.substance(text) == expected


def test_a_letter_naming_my_proposal_is_the_proposal_and_a_long_story_is_no_decline() -> None:
    """A Ketua RT's krama letter ("Mekaten atur usulan kula") was answered "you have no proposals yet"; a story
    told at the RT question ("... teu acan tiasa jualan online. Abdi nyuhunkeun pelatihan ...") skipped the RT."""
    letter = ("Ingkang tapak asma ing ngandhap menika, Ketua RT 07, ngaturaken usulan pambangunan kreteg alit ingkang "
              "sampun risak. Mekaten atur usulan kula.")
    assert not answers.asks_own_proposals(letter)
    assert answers.asks_own_proposals("usulan kula pripun?")
    story = ("Seueur ibu-ibu UMKM di dieu anu teu acan tiasa jualan online. Abdi nyuhunkeun pelatihan pemasaran "
             "digital kanggo UMKM di kalurahan.")
    assert not answers.declines(story)
    assert answers.declines("Fotonya belum ada, nanti saya kirim")


def test_not_this_number_comma_that_one_corrects_to_the_second() -> None:
    """ "eh lain RT 4, RT 6" at the summary asked for the RT again instead of storing 6."""
    assert corrections.find("eh lain RT 4, RT 6", "confirmed") == corrections.Correction("rt_rw", ("06", None))


@pytest.mark.parametrize("text", ["halo, niki kula putune mbah Painem. mbah ngendika ajeng ngusulke, kula sing "
                                  "ngetikke nggih", "nuwun sewu, aku ketua KWT neng wonokerto turi"])
def test_an_opening_that_says_only_who_writes_asks_what_is_needed(text: str) -> None:
    """ "Kula sing ngetikke" (I am the one typing) was stored as the proposal; the form asked the sector next."""
    assert description.from_opening(text) is None and description.topic(text) is None


def test_an_introduction_by_name_goes_and_the_hamlet_it_names_stays() -> None:
    text = ("Perkenalkan, saya Sutrisno, pensiunan guru SD, tinggal di Padukuhan Gadingan. Dengan hormat saya ingin "
            "menyampaikan usulan mengenai jembatan bambu yang lapuk.")
    assert description.substance(text) == "Jembatan bambu yang lapuk (Padukuhan Gadingan)"


def test_a_yes_i_see_before_the_lead_in_and_quoted_words_after_reported_speech() -> None:
    assert description.topic("oh kitu, nya atuh urang rek ngusulkeun solokan di kampung urang") == \
        "Solokan di kampung urang"
    assert description.substance("ngendikane mbah: 'Nyuwun sewu, posyandu lansia dereng gadhah pirantos'") == \
        "Posyandu lansia dereng gadhah pirantos"


def test_emoji_leave_the_description() -> None:
    assert description.substance("anak tetangga hampir keserempet motor 😭 jalan rusak 🙏") == \
        "Anak tetangga hampir keserempet motor jalan rusak"


@pytest.mark.parametrize(("text", "expected"), [
    ("Apakah saya bisa langsung menyampaikan usulannya di sini? Baik, saya ingin mengusulkan perbaikan saluran "
     "drainase yang meluap.", "Perbaikan saluran drainase yang meluap."),
    ("kudu detail kitu? Solokan di sisi jalan mampet", "Solokan di sisi jalan mampet"),
    ("Sumuhun, abdi bade ngusulkeun posyandu lansia, nu sepuh tebih ka puskesmas",
     "Posyandu lansia, nu sepuh tebih ka puskesmas"),
    ("Kapan jalan ini diperbaiki? Sudah rusak parah.", "Kapan jalan ini diperbaiki? Sudah rusak parah."),
])
def test_a_question_to_the_bot_goes_a_question_about_the_need_stays(text: str, expected: str) -> None:
    assert description.substance(text) == expected
