"""The one translation table for user-facing text that is not a Rasa response.

Rasa responses (domain.yml) hold the dialogue's text; this table holds labels and the
gateway's own notices, which must work even when Rasa is down. Indonesian is the fallback.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("id", "jv", "su")
DEFAULT_LANGUAGE = "id"

STATUS_LABELS: dict[str, dict[str, str]] = {
    "diajukan": {"id": "Diajukan", "jv": "Sampun dipunajukaken", "su": "Parantos diajukeun"},
    "diverifikasi_desa": {"id": "Diverifikasi desa/kelurahan", "jv": "Diverifikasi desa/kalurahan",
                          "su": "Diverifikasi désa/kelurahan"},
    "dibahas_kecamatan": {"id": "Dibahas di Musrenbang kecamatan", "jv": "Dirembug ing Musrenbang kapanéwon",
                          "su": "Dibahas di Musrenbang kacamatan"},
    "diverifikasi_opd": {"id": "Diverifikasi perangkat daerah (OPD)", "jv": "Diverifikasi OPD",
                         "su": "Diverifikasi OPD"},
    "masuk_rkpd": {"id": "Masuk RKPD", "jv": "Mlebu RKPD", "su": "Asup RKPD"},
    "direalisasikan": {"id": "Direalisasikan", "jv": "Sampun dipunwujudaken", "su": "Parantos diwujudkeun"},
    "perlu_perbaikan": {"id": "Perlu perbaikan", "jv": "Perlu didandani", "su": "Perlu dilereskeun"},
    "ditolak": {"id": "Ditolak", "jv": "Ditolak", "su": "Ditolak"},
    "digabung": {"id": "Digabung dengan usulan lain", "jv": "Digabung kaliyan usulan sanès",
                 "su": "Dihijikeun sareng usulan séjén"},
    "dibatalkan": {"id": "Dibatalkan", "jv": "Dibatalaken", "su": "Dibolaykeun"},
}

SECTOR_LABELS: dict[str, dict[str, str]] = {
    "jalan": {"id": "Jalan", "jv": "Dalan", "su": "Jalan"},
    "jembatan": {"id": "Jembatan", "jv": "Kreteg", "su": "Sasak"},
    "drainase": {"id": "Drainase/saluran air", "jv": "Kalèn/saluran", "su": "Solokan/saluran"},
    "penerangan_jalan": {"id": "Lampu jalan", "jv": "Lampu dalan", "su": "Lampu jalan"},
    "air_bersih": {"id": "Air bersih", "jv": "Banyu resik", "su": "Cai beresih"},
    "sanitasi_sampah": {"id": "Sanitasi & sampah", "jv": "Sanitasi & uwuh", "su": "Sanitasi & runtah"},
    "kesehatan": {"id": "Kesehatan", "jv": "Kesehatan", "su": "Kaséhatan"},
    "pendidikan": {"id": "Pendidikan", "jv": "Pendidikan", "su": "Atikan"},
    "ekonomi_umkm": {"id": "Ekonomi & UMKM", "jv": "Ekonomi & UMKM", "su": "Ékonomi & UMKM"},
    "sosial": {"id": "Sosial", "jv": "Sosial", "su": "Sosial"},
    "lingkungan_taman": {"id": "Lingkungan & taman", "jv": "Lingkungan & taman", "su": "Lingkungan & taman"},
    "lainnya": {"id": "Lainnya", "jv": "Liyanipun", "su": "Lianna"},
}

# Titles of buttons that actions build (the buttons of fixed responses live in domain.yml).
BUTTONS: dict[str, dict[str, str]] = {
    "other_sector": {"id": "Jenis lain / pilih bidang", "jv": "Jinis sanès / pilih bidang",
                     "su": "Jenis séjén / pilih widang"},
    "status_of": {"id": "Status {code}", "jv": "Status {code}", "su": "Status {code}"},
    "fix": {"id": "Perbaiki usulan", "jv": "Dandosi usulan", "su": "Lereskeun usulan"},
    "support_it": {"id": "Dukung {code}", "jv": "Dukung {code}", "su": "Dukung {code}"},
    "new_anyway": {"id": "Tetap kirim yang baru", "jv": "Tetep kintun ingkang énggal", "su": "Tetep kintun nu anyar"},
    "pin_right": {"id": "Ya, benar", "jv": "Nggih, leres", "su": "Muhun, leres"},
    "pin_wrong": {"id": "Bukan, desa lain", "jv": "Sanès, desa sanès", "su": "Sanés, désa séjén"},
}

# Names of the draft's fields, in "Sudah saya ubah: RT/RW → RT 05 / RW 03".
FIELD_LABELS: dict[str, dict[str, str]] = {
    "description": {"id": "Usulan", "jv": "Usulan", "su": "Usulan"},
    "sector": {"id": "Bidang", "jv": "Bidang", "su": "Widang"},
    "village_code": {"id": "Lokasi", "jv": "Lokasi", "su": "Lokasi"},
    "rt_rw": {"id": "RT/RW", "jv": "RT/RW", "su": "RT/RW"},
    "photo": {"id": "Foto", "jv": "Foto", "su": "Poto"},
    "map_pin": {"id": "Titik peta", "jv": "Titik peta", "su": "Titik peta"},
}

# The proposal action refuses answers that fail core/proposal_rules.py at submission (a forged call,
# an edited tracker): nothing is stored, the draft is cleared, and the citizen is told which answers.
SUBMISSION_REFUSED: dict[str, str] = {
    "id": "Maaf, usulan ini tidak dapat disimpan karena ada isian yang tidak sesuai ({fields}). Tidak ada "
          "yang tersimpan. Silakan mulai lagi dengan mengetik \"mau usul\".",
    "jv": "Nyuwun pangapunten, usulan menika boten saged dipunsimpen amargi wonten isian ingkang boten leres "
          "({fields}). Boten wonten ingkang kasimpen. Mangga wiwiti malih kanthi nyerat \"ajeng usul\".",
    "su": "Hapunten, usulan ieu teu tiasa disimpen kusabab aya eusian anu teu merenah ({fields}). Teu aya anu "
          "disimpen. Mangga mimitian deui ku ngetik \"bade usul\".",
}

# Told to the submitter and the supporters when a proposal's status changes (storage queues it).
STATUS_NEWS: dict[str, str] = {
    "id": "Kabar usulan {code} ({description}): statusnya sekarang \"{label}\".",
    "jv": "Pawartos usulan {code} ({description}): statusipun sapunika \"{label}\".",
    "su": "Wartos usulan {code} ({description}): statusna ayeuna \"{label}\".",
}
REASON: dict[str, str] = {"id": "Alasan/catatan: {reason}", "jv": "Alesan/cathetan: {reason}",
                          "su": "Alesan/catetan: {reason}"}

# Notices the gateway sends on its own (Rasa may be unreachable when they are needed).
GATEWAY: dict[str, dict[str, str]] = {
    "empty": {
        "id": "Pesannya kosong. Silakan ketik pesan Anda, misalnya \"mau usul\" atau \"status usulan\".",
        "jv": "Pesenipun kosong. Mangga serat pesen panjenengan, upaminipun \"badhe usul\".",
        "su": "Pesenna kosong. Mangga serat pesen anjeun, contona \"bade ngusulkeun\".",
    },
    "too_long": {
        "id": "Pesan terlalu panjang (paling banyak {limit} karakter). Mohon ringkas atau kirim dalam beberapa pesan.",
        "jv": "Pesenipun kedawan (paling kathah {limit} aksara). Mangga dipuncekak.",
        "su": "Pesenna panjang teuing (paling seueur {limit} karakter). Mangga disingkat.",
    },
    "busy": {
        "id": "Maaf, layanan sedang sibuk. Silakan coba lagi sebentar lagi.",
        "jv": "Nyuwun pangapunten, layanan saweg sibuk. Mangga dicoba malih sakedhap malih.",
        "su": "Hapunten, layanan nuju sibuk. Mangga cobian deui sakedap deui.",
    },
    "no_answer": {
        "id": "Maaf, pesan Anda belum dapat saya proses. Mohon kirim sekali lagi.",
        "jv": "Nyuwun pangapunten, pesen panjenengan dereng saged kula proses. Mangga dipunkintun malih.",
        "su": "Hapunten, pesen anjeun teu acan tiasa diproses. Mangga kintunkeun sakali deui.",
    },
    "busy_saved": {
        "id": "Maaf, layanan sedang sibuk. Pesan Anda sudah tersimpan dan akan dijawab begitu layanan pulih.",
        "jv": "Nyuwun pangapunten, layanan saweg sibuk. Pesen panjenengan sampun kasimpen lan badhe dipunwangsuli "
              "menawi layanan sampun pulih.",
        "su": "Hapunten, layanan nuju sibuk. Pesen anjeun parantos disimpen sareng badé diwaler upami layanan "
              "parantos pulih.",
    },
    "bad_request": {
        "id": "Maaf, permintaan tidak dapat dibaca.",
        "jv": "Nyuwun pangapunten, panyuwunan boten saged dipunwaos.",
        "su": "Hapunten, pamundut teu tiasa dibaca.",
    },
    "bad_photo": {
        "id": "Foto tidak dapat diterima. Kirim gambar JPG, PNG atau WEBP paling besar {limit_mb} MB.",
        "jv": "Foto boten saged dipuntampi. Kirim gambar JPG, PNG utawi WEBP paling ageng {limit_mb} MB.",
        "su": "Poto teu tiasa ditampi. Kirim gambar JPG, PNG atanapi WEBP paling ageung {limit_mb} MB.",
    },
    "photo_not_expected": {
        "id": "Foto hanya bisa dikirim saat pengisian usulan menanyakan foto. Ketik \"mau usul\" untuk mulai.",
        "jv": "Foto namung saged dipunkintun nalika pangisian usulan nyuwun foto. Serat \"ajeng usul\" kangge "
              "miwiti.",
        "su": "Poto ngan ukur tiasa dikintun nalika ngeusian usulan naroskeun poto. Ketik \"bade usul\" kanggo "
              "ngamimitian.",
    },
    "photo_failed": {
        "id": "Maaf, foto Anda belum berhasil kami terima. Silakan kirim ulang fotonya.",
        "jv": "Nyuwun pangapunten, foto panjenengan dèrèng kasil dipuntampi. Mangga kintun malih fotonipun.",
        "su": "Hapunten, poto anjeun teu acan kénging ditampi. Mangga kintun deui potona.",
    },
    "unsupported": {
        "id": "Maaf, jenis pesan ini belum bisa kami proses. Silakan kirim pesan teks, foto, atau lokasi.",
        "jv": "Nyuwun pangapunten, jinis pesen menika dèrèng saged dipunolah. Mangga kintun pesen serat, foto, "
              "utawi lokasi.",
        "su": "Hapunten, jinis pesen ieu teu acan tiasa diolah. Mangga kintun pesen téks, poto, atanapi lokasi.",
    },
    "rate_limited": {
        "id": "Pesan Anda terlalu banyak dalam waktu singkat. Mohon tunggu sekitar satu menit, lalu kirim lagi.",
        "jv": "Pesen panjenengan kathah sanget ing wekdal cekak. Mangga ngentosi kinten-kinten setunggal menit, "
              "lajeng kintun malih.",
        "su": "Pesen anjeun seueur teuing dina waktos sakedap. Mangga antosan kirang langkung samenit, teras kintun "
              "deui.",
    },
}

# WhatsApp's interactive messages: the list's button and section (at most 20 and 24 characters),
# the hint for choices beyond the ten a list can hold, and the body when a reply has only buttons.
WHATSAPP: dict[str, dict[str, str]] = {
    "list_button": {"id": "Lihat pilihan", "jv": "Pirsani pilihan", "su": "Tingali pilihan"},
    "list_section": {"id": "Pilihan", "jv": "Pilihan", "su": "Pilihan"},
    "more_choices": {"id": "Pilihan lain (ketik salah satu): {choices}",
                     "jv": "Pilihan sanès (serat salah setunggal): {choices}",
                     "su": "Pilihan séjén (serat salah sahiji): {choices}"},
    "choose": {"id": "Silakan pilih:", "jv": "Mangga pilih:", "su": "Mangga pilih:"},
}


# Telegram: a pressed button whose message is gone, edits, unknown commands, and the text
# of a reply that has only buttons (Telegram needs some text above an inline keyboard).
TELEGRAM: dict[str, dict[str, str]] = {
    "button_expired": {
        "id": "Maaf, tombol ini sudah tidak berlaku. Silakan ketik jawaban Anda.",
        "jv": "Nyuwun pangapunten, tombol menika sampun boten lumampah. Mangga serat wangsulan panjenengan.",
        "su": "Hapunten, tombol ieu parantos teu lumaku. Mangga serat waleran anjeun.",
    },
    "edited": {
        "id": "Pesan yang diubah tidak kami proses. Silakan kirim sebagai pesan baru.",
        "jv": "Pesen ingkang dipungantos boten dipunolah. Mangga kintun minangka pesen énggal.",
        "su": "Pesen anu dirobih henteu diolah. Mangga kintun salaku pesen énggal.",
    },
    "unknown_command": {
        "id": "Perintah tidak dikenal. Perintah yang tersedia: /start, /status, /help, /batal.",
        "jv": "Printah boten dipuntepangi. Printah ingkang wonten: /start, /status, /help, /batal.",
        "su": "Paréntah teu dikenal. Paréntah anu aya: /start, /status, /help, /batal.",
    },
    "choose": {"id": "Silakan pilih:", "jv": "Mangga pilih:", "su": "Mangga pilih:"},
}

# The officers' Telegram chat (TELEGRAM_OFFICERS_CHAT_ID): read by officers, so Indonesian only.
# "phone"/"name" replace the citizen's phone numbers and name in what is posted there.
TELEGRAM_OFFICERS: dict[str, str] = {
    "post": "Pertanyaan warga — tiket {ticket} (lewat {channel})\n\n{question}\n\n"
            "Cuplikan percakapan:\n{excerpt}\n\nBalas (reply) pesan ini untuk menjawab.",
    "no_excerpt": "(tidak ada)",
    "phone": "[nomor HP]",
    "name": "[nama]",
    "sent": "Jawaban terkirim ke warga (tiket {ticket}).",
    "answered": "Tiket {ticket} sudah dijawab oleh {who}.",
    "claimed": "Tiket {ticket} sedang ditangani oleh {who} di konsol petugas.",
    "missing": "Tiket {ticket} tidak ditemukan.",
    "someone": "petugas lain",
    "text_only": "Jawaban untuk tiket {ticket} harus berupa pesan teks.",
    "too_long": "Jawaban untuk tiket {ticket} terlalu panjang (paling banyak {limit} karakter).",
    "not_officer": "Maaf, hanya petugas yang terdaftar yang dapat menjawab tiket {ticket}.",
}

# An officer's answer to an escalated question, as the citizen receives it on their channel.
OFFICER_ANSWER: dict[str, str] = {
    "id": "Jawaban petugas atas pertanyaan Anda (\"{question}\"):\n{answer}",
    "jv": "Wangsulan petugas tumrap pitakèn panjenengan (\"{question}\"):\n{answer}",
    "su": "Waleran patugas kana patarosan anjeun (\"{question}\"):\n{answer}",
}


# What the form says about a shared map pin (actions/pin.py); {place} is "Desa Wedomartani, Kec. Ngemplak".
AREAS: dict[str, dict[str, str]] = {
    "desa": {"id": "Desa {name}", "jv": "Desa {name}", "su": "Désa {name}"},
    "kelurahan": {"id": "Kelurahan {name}", "jv": "Kelurahan {name}", "su": "Kelurahan {name}"},
    "pin_place": {"id": "Lokasi Anda di {place} — benar?",
                  "jv": "Lokasi panjenengan wonten ing {place} — leres?",
                  "su": "Lokasi anjeun aya di {place} — leres?"},
    "pin_outside": {"id": "Titik lokasi itu ada di {kabupaten}, di luar {region}. Usulan di sini hanya untuk "
                          "wilayah {region}; usulan untuk {kabupaten} disampaikan lewat pemerintah daerahnya. "
                          "Kirim titik lokasi di {region}, atau ketik \"lewati\".",
                    "jv": "Titik lokasi menika wonten ing {kabupaten}, ing njawi {region}. Usulan ing ngriki namung "
                          "kangge wilayah {region}; usulan kangge {kabupaten} dipunaturaken lumantar pamaréntah "
                          "daerahipun. Mangga kintun titik lokasi ing {region}, utawi ketik \"lewati\".",
                    "su": "Titik lokasi éta aya di {kabupaten}, di luar {region}. Usulan di dieu ngan kanggo "
                          "wilayah {region}; usulan kanggo {kabupaten} disampaikeun ngaliwatan pamaréntah "
                          "daérahna. Kintunkeun titik lokasi di {region}, atanapi ketik \"lewati\"."},
    "pin_outside_unknown": {"id": "Titik lokasi itu berada di luar {region}. Usulan di sini hanya untuk wilayah "
                                  "{region}. Kirim titik lokasi di {region}, atau ketik \"lewati\".",
                            "jv": "Titik lokasi menika wonten ing njawi {region}. Usulan ing ngriki namung kangge "
                                  "wilayah {region}. Mangga kintun titik lokasi ing {region}, utawi ketik \"lewati\".",
                            "su": "Titik lokasi éta aya di luar {region}. Usulan di dieu ngan kanggo wilayah "
                                  "{region}. Kintunkeun titik lokasi di {region}, atanapi ketik \"lewati\"."},
    "pin_disagrees": {"id": "Titik peta Anda ada di {pin_place}, sedangkan lokasi yang Anda tulis {typed_place}. "
                            "Yang benar yang mana?",
                      "jv": "Titik peta panjenengan wonten ing {pin_place}, nanging lokasi ingkang panjenengan "
                            "serat {typed_place}. Ingkang leres ingkang pundi?",
                      "su": "Titik peta anjeun aya di {pin_place}, ari lokasi anu anjeun serat {typed_place}. "
                            "Nu mana anu leres?"},
}


MONTHS: dict[str, tuple[str, ...]] = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "jv": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "su": ("Januari", "Pébruari", "Maret", "April", "Méi", "Juni", "Juli", "Agustus", "Séptémber", "Oktober",
           "Nopémber", "Désémber"),
}
STAGE: dict[str, str] = {"id": " (tahap {n} dari {total})", "jv": " (tataran {n} saking {total})",
                         "su": " (tahap {n} ti {total})"}


def _pick(table: dict[str, str], language: str | None) -> str:
    return table.get(language or DEFAULT_LANGUAGE) or table[DEFAULT_LANGUAGE]


def status_label(status: str, language: str | None = None) -> str:
    return _pick(STATUS_LABELS[status], language) if status in STATUS_LABELS else status


def sector_label(sector: str, language: str | None = None) -> str:
    return _pick(SECTOR_LABELS[sector], language) if sector in SECTOR_LABELS else sector


def field_label(field: str, language: str | None = None) -> str:
    return _pick(FIELD_LABELS.get(field, {"id": field}), language)


def submission_refused(fields: list[str], language: str | None = None) -> str:
    """Why a proposal was not stored, naming the answers at fault by their labels in the summary."""
    labels = dict.fromkeys(field_label("sector" if f == "kamus_item" else f, language) for f in fields)
    return _pick(SUBMISSION_REFUSED, language).format(fields=", ".join(labels))


def button(key: str, language: str | None = None, **values: object) -> str:
    return _pick(BUTTONS[key], language).format(**values)


def area(key: str, language: str | None = None, **values: object) -> str:
    return _pick(AREAS[key], language).format(**values)


def gateway(key: str, language: str | None = None, **values: object) -> str:
    return _pick(GATEWAY[key], language).format(**values)


def whatsapp(key: str, language: str | None = None, **values: object) -> str:
    return _pick(WHATSAPP[key], language).format(**values)


def telegram(key: str, language: str | None = None, **values: object) -> str:
    return _pick(TELEGRAM[key], language).format(**values)


def telegram_officers(key: str, **values: object) -> str:
    return TELEGRAM_OFFICERS[key].format(**values)


def stage(number: int | None, total: int, language: str | None = None) -> str:
    if not number:
        return ""
    return STAGE.get(language or DEFAULT_LANGUAGE, STAGE[DEFAULT_LANGUAGE]).format(n=number, total=total)


def status_news(code: str, description: str, status: str, reason: str | None, language: str | None = None) -> str:
    short = description if len(description) <= 60 else description[:57] + "..."
    text = _pick(STATUS_NEWS, language).format(code=code, description=short, label=status_label(status, language))
    return f"{text}\n{_pick(REASON, language).format(reason=reason)}" if reason else text


def officer_answer(question: str, answer: str, language: str | None = None) -> str:
    """The answer with the question it answers, cut to 80 characters so the citizen recognises it."""
    question = question if len(question) <= 80 else question[:77] + "..."
    return _pick(OFFICER_ANSWER, language).format(question=question, answer=answer)


# Citizen satisfaction (bot/satisfaction.py): one short question after an event, easy to ignore.
SATISFACTION: dict[str, dict[str, str]] = {
    "ask_submitted": {
        "id": "Satu pertanyaan singkat (boleh dilewati): seberapa mudah mengajukan usulan tadi? "
              "Pilih 1 (sulit) sampai 5 (sangat mudah).",
        "jv": "Setunggal pitakènan cekak (kénging dilangkungi): sepinten gampilipun ngajokaken usulan wau? "
              "Pilih 1 (angèl) ngantos 5 (gampil sanget).",
        "su": "Hiji patarosan pondok (tiasa dilangkungan): sabaraha gampilna ngajukeun usulan tadi? "
              "Pilih 1 (hésé) dugi ka 5 (gampil pisan).",
    },
    "ask_final": {
        "id": "Satu pertanyaan singkat (boleh dilewati): seberapa puas Anda dengan penanganan usulan {code}? "
              "Pilih 1 (tidak puas) sampai 5 (sangat puas).",
        "jv": "Setunggal pitakènan cekak (kénging dilangkungi): sepinten marem panjenengan kaliyan "
              "penanganan usulan {code}? Pilih 1 (boten marem) ngantos 5 (marem sanget).",
        "su": "Hiji patarosan pondok (tiasa dilangkungan): sabaraha sugema anjeun kana penanganan usulan "
              "{code}? Pilih 1 (teu sugema) dugi ka 5 (sugema pisan).",
    },
    "ask_answer": {
        "id": "Satu pertanyaan singkat (boleh dilewati): seberapa membantu jawaban petugas tadi? "
              "Pilih 1 (tidak membantu) sampai 5 (sangat membantu).",
        "jv": "Setunggal pitakènan cekak (kénging dilangkungi): sepinten mbiyantu wangsulan petugas wau? "
              "Pilih 1 (boten mbiyantu) ngantos 5 (mbiyantu sanget).",
        "su": "Hiji patarosan pondok (tiasa dilangkungan): sabaraha ngabantosna waleran patugas tadi? "
              "Pilih 1 (teu ngabantos) dugi ka 5 (ngabantos pisan).",
    },
    "thanks": {
        "id": "Terima kasih atas nilai {rating} dari 5! Kalau mau, tulis komentar singkat di pesan berikutnya; "
              "kalau tidak, lanjutkan saja seperti biasa.",
        "jv": "Matur nuwun kagem biji {rating} saking 5! Menawi kersa, serat komentar cekak ing pesen salajengipun; "
              "menawi boten, lajengaken kados limrahipun.",
        "su": "Hatur nuhun kana peunteun {rating} ti 5! Upami hoyong, serat koméntar pondok dina pesen salajengna; "
              "upami henteu, teraskeun waé sapertos biasa.",
    },
    "comment_thanks": {
        "id": "Terima kasih, komentar Anda sudah kami catat.",
        "jv": "Matur nuwun, komentar panjenengan sampun kaserat.",
        "su": "Hatur nuhun, koméntar anjeun parantos dicatet.",
    },
    "skip": {"id": "Lewati", "jv": "Langkungi", "su": "Langkungan"},
    "skipped": {"id": "Baik, tidak apa-apa.", "jv": "Inggih, boten punapa.", "su": "Mangga, teu nanaon."},
    "closed": {
        "id": "Pertanyaan penilaian itu sudah ditutup. Terima kasih!",
        "jv": "Pitakènan biji menika sampun katutup. Matur nuwun!",
        "su": "Patarosan peunteun éta parantos ditutup. Hatur nuhun!",
    },
}

# The web chat page (bot/static/chat.html) when the phone has no connection.
WEB_CHAT: dict[str, dict[str, str]] = {
    "offline": {
        "id": "Anda sedang offline. Pesan disimpan dan dikirim otomatis saat tersambung lagi.",
        "jv": "Panjenengan saweg offline. Pesen dipunsimpen lan dipunkintun piyambak menawi sampun nyambung malih.",
        "su": "Anjeun nuju offline. Pesen disimpen sareng dikintun otomatis nalika nyambung deui.",
    },
    "queued": {"id": "menunggu sambungan", "jv": "ngentosi sambungan", "su": "ngantosan sambungan"},
    "online": {"id": "Tersambung lagi.", "jv": "Sampun nyambung malih.", "su": "Parantos nyambung deui."},
}


def satisfaction(key: str, language: str | None = None, **values: object) -> str:
    return _pick(SATISFACTION[key], language).format(**values)


def web_chat(key: str, language: str | None = None) -> str:
    return _pick(WEB_CHAT[key], language)
