"""The substance of a citizen's message, as the stored description of a proposal.

People open with greetings, a vocative and a lead-in ("Selamat siang min, saya mau mengusulkan ...",
"Nyuwun sewu, kula ajeng ...", "Wilujeng siang, abdi bade ..."), then say what, where in the hamlet,
why and how big. The officer needs the what/where/why/size; the greeting and the place fields the
form already captured (desa, kecamatan, RT/RW) are noise. Everything else is kept, in the citizen's
own words: nothing is cut after the first place word, and the original message is stored beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from core import sectors
from core.language.markers import NEGATIONS, alternation
from core.language.words import has_word, letter_words

MAX_CHARS = 1000  # as long as one chat message may be (MAX_MESSAGE_CHARS)
MIN_WORDS = 2
DETAIL_WORDS = 5  # a message at another question that says this much about the need adds to the description

_VOCATIVE = (r"min|mimin|admin|kak|kakak|pak|bapak|bu|ibu|mas|mbak|mba|gan|bos|lur|dulur|sedulur|kang|akang|mang|bang|"
             r"teh|teteh|euceu|ceu|a|aa|bro|sis|om|tante|pakde|bude|bapak/ibu|bapak ibu|sadaya|sedoyo|sedaya|"
             r"petugas|admin musrenbang|kanca|rencang|bpk|ibu2|bapak2|uda|uni|ajo|da|ni|guys|gaes|gais|gengs|bestie")
_GREETING = re.compile(
    r"^\s*(?:(?:selamat|slmt|met|sugeng|wilujeng)\s+(?:pagi|siang|sore|malam|malem|enjing|injing|siyang|sonten|"
    r"dalu|ndalu|wengi|pegatos|pagi\s+menjelang\s+siang)|dengan\s+hormat|kanthi\s+hormat|kalayan\s+hormat|hormat\s+saya|assalamu'?\s*alaikum(?:\s+(?:wr\.?\s*wb\.?|warahmatullahi"
    r"(?:\s+wabarakatuh)?))?|ass?alamualaikum(?:\s+wr\.?\s*wb\.?)?|asw|askum|salam(?:\s+sejahtera)?|halo+|hallo+|"
    r"helo+|hello+|hai+|hi+|hey|permisi|punten|sampurasun|rampes|kula\s*nuwun|kulo\s*nuwun|nuwun\s+sewu|nyuwun\s+sewu|"
    r"nyuwun\s+pangapunten|mohon\s+maaf|maaf|mohon\s+izin|izin|ijin|om\s+swastiastu|rahayu|sugeng\s+rawuh|"
    r"nuwun|wilujeng|punten\s+pisan|tabik|horas|hatur\s+sembah|pangapunten|hapunten|ngapunten|ngapuntene|"
    r"alhamdulillah|bismillah|nyuwun\s+pirsa|mohon\s+maaf\s+(?:sebelumnya|mengganggu)|maaf\s+mengganggu|"
    r"punten\s+ngaganggu|(?:sorry|sori|sory|maaf|maap)\s+(?:ganggu|ngganggu|mengganggu|ngeganggu)|sorry|sori|sory|"
    r"(?:nyuhunkeun\s+)?widi|ngaganggu|guys|gaes|gais|o+h+(?:\s+(?:kitu|gitu|ngono|begitu|ngoten|nggih|iya|ya))?|aduh|waduh|duh|wah|walah|astaga|astaghfirullah|astagfirullah|ya\s+allah|ya\s+ampun|hadeuh|euy|"
    r"excuse\s+me|(?:jadi|jd|dadi)\s+(?:begini|gini|ngene|kieu|mengkene)|begini|gini|ngene|mengkene|kieu|"
    r"makaten|kados\s+makaten|good\s+(?:morning|afternoon|evening|day)|dear\s+(?:sir|madam|officer)|"
    # "Sore kak, ...", "Pagi min.": a bare time of day is a greeting only when a vocative or a stop follows
    r"(?:pagi|siang|sore|malam|malem|enjing|sonten|dalu|wengi)(?=\s*[,.!]|\s+(?:" + _VOCATIVE + r")\b))"
    r"(?:\s+(?:" + _VOCATIVE + r")(?:\s*/\s*(?:" + _VOCATIVE + r"))*)*\s*[,.!:;\-–—~]*\s*",
    re.IGNORECASE,
)
_VOCATIVE_ONLY = re.compile(r"^\s*(?:" + _VOCATIVE + r")(?:\s*/\s*(?:" + _VOCATIVE + r"))*\s*[,.!:;\-]+\s*|"
                            r"^\s*(?:min|kak|gan|lur)\s+|"
                            r"^\s*(?:" + _VOCATIVE + r")(?:\s*/\s*(?:" + _VOCATIVE + r"))*\s+"
                            r"(?=(?:saya|sy|aku|aq|aye|gue|kula|kulo|abdi|urang|kami|"
                            r"mau|ingin|pengen|pengin|arep|badhe|bade|rek|hoyong|mohon|tolong|minta)\b)", re.IGNORECASE)
_CLOSING = re.compile(
    r"[\s,.;:!-]*(?:(?:(?:atas\s+(?:perhatian|bantuan|kerja\s*sama|kerjasama|tanggapan)\w*(?:\s+(?:bapak/ibu|"
    r"bapak|ibu|pak|bu|sadaya|sedaya))?\s+)?(?:(?:saya|kami|kula|abdi)\s+)?(?:(?:ucapkan|mengucapkan|haturkan|"
    r"menghaturkan|sampaikan)\s+)?(?:terima\s*kasih|terimakasih|makasih|mksh|thx|tks|trims|matur\s+(?:nuwun|suwun)|"
    r"maturnuwun|hatur\s+nuhun|nuhun|suwun|nuwun|tengkyu|thanks|thank\s+you|wassalam\w*|salam|mohon\s+(?:segera\s+)?(?:ditindaklanjuti|dibantu|"
    r"direspon)|mohon\s+bantuannya|(?:please|pls|plis|tolong|tlg|tulung)\s+(?:di)?bantu(?:in)?|help|matur\s+sembah\s+nuwun))(?:\s+(?:banyak|sanget|pisan|ya|yaa|nggih|"
    r"sebelumnya|atas\s+\w+|" + _VOCATIVE + r"))*)[\s.!🙏]*$",
    re.IGNORECASE,
)
_SUBJECT = (r"(?:i|we|saya|sy|aku|aq|ak|kami|kita|gue|gua|gw|aye|abdi|kula|kulo|kawula|urang|simkuring|dewek|inyong|"
            r"ambo|awak)")
_WANT = (r"(?:mau|ingin|ingn|pengen|pgn|pingin|kepingin|hendak|akan|mo|mw|mohon|tolong|tlg|minta|berencana|arep|"
         r"pengin|badhe|bade|ajeng|hoyong|palay|rek|ameh|nak|kepengen|bermaksud|nyuwun|nyuhunkeun|sumeja|nio|ka|"
         r"bermaksud\s+untuk|(?:would|'d)\s+like\s+to|want\s+to)")
_PROPOSE = (r"(?:meng?usul(?:kan|in)?|ngusul(?:in|ke?n|aken|akeun|keun|ake|ke)?|usul(?:an|in|kan)?|mengajukan|"
            r"ngajuin|ajukan|ngajokaken|ngajukeun|ngajukake|mengusulkan|melaporkan|lapor(?:kan)?|nglaporaken|"
            r"ngalaporkeun|ngusulake?n|ngusulkeun|menyampaikan|nyampaikan|ngaturaken|ngaturkeun|matur|"
            r"mengadukan|ngadu|ngadukeun|ngelaporin|ngelapor|laporin|ngelaporkeun|curhat|cerita|crita|nyariosaken|nyarioskeun|menginformasikan|"
            r"memberitahukan|ngabarkeun|ngabari|ngabarani|ngawartosan|ngawartoskeun|ngabéjakeun|ngabejakeun|"
            r"ngabejaan|ngadugikeun|ngunjukkeun|ngaturi|mausulkan|mangusulan|mangusulkan|maajukan|ngintunkeun|ngintunaken|ngintun|ngirimkeun|"
            r"ngirimake|ngirim|mengirim(?:kan)?|ngirimin|kirim|propose|suggest|report|"
            r"(?:maagiah|mambari|ngasih|kasih|memberi(?:kan)?|ngekei|ngekeki|maringi|masihan|mere)\s+usul(?:an)?|takon|tanya|nanya|bertanya|naros|naroskeun|nyuwun\s+pirsa)")
_LEAD_IN = re.compile(
    # "iya mau ngusulin" after "may I?", "Sumuhun, abdi bade ngusulkeun" after the offer
    r"^\s*(?:(?:iya|iyo|ya|yo|nggih|inggih|enya|muhun|sumuhun|leres|oke|ok|iye|baik|baiklah|siap|betul)[\s,]+)?"
    r"(?:(?:ini|iki|punika|menika|ieu)\s+)?(?:" + _SUBJECT + r"\s+)?(?:" + _WANT + r"\s+)*"
    r"(?:(?:bantu|bantuin|membantu|ngebantu|ngewangi|mbiyantu|ngabantu|ngabantos|ikut|melu|tumut|ngiring)\s+)?"
    r"(?:" + _PROPOSE + r"(?:[,.!…]*\s+|[,.!…]*\s*$))"
    r"(?:(?:usulan|usul|aduan|laporan|keluhan|masalah|perkawis|prakawis|bab)\s*[:,\-]?\s+)?"
    r"(?:(?:untuk|utk|buat|supaya|agar|yaitu|yakni|berupa|soal|tentang|ttg|bahwa|kalau|kalo|menawi|menawa|"
    r"yen|nek|bilih|yén|perihal|mengenai|babagan|ngenani|ngeunaan|perkawis|kangge|kanggo|pikeun)\s+)?[:,\-]?\s*",
    re.IGNORECASE,
)
# "Saya kader posyandu dan ingin mengusulkan ...", "Kami dari kelompok tani ingin mengajukan ...": who is
# speaking comes first, then the lead-in; the self-introduction goes with it.
_KIN = (r"(?:(?:mbah|simbah|eyang|nenek|nini|kakek|aki|ibu|bapak|ibuk|emak|ema|bapa|abah|ayah|mamah|bapake|ibuke)"
        r"(?:\s+(?:saya|sy|aku|kula|abdi|urang|kami))?)")
_LATE_LEAD_IN = re.compile(
    r"^\s*(?:" + _SUBJECT + r"|" + _KIN + r")\b(?P<who>[^.!?\n]{0,100}?)\b(?:" + _WANT + r"\s+)+" + _PROPOSE
    + r"(?:\s+(?:usulan|usul))?"
    r"(?:\s+(?:untuk|utk|buat|berupa|yaitu|yakni|tentang|soal|kangge|kanggo|pikeun))?\s*[:,\-]?\s*",
    re.IGNORECASE,
)
# A pasted letter: "Yang bertanda tangan di bawah ini, Ketua RT 05 ..., dengan ini mengajukan usulan X",
# "Ingkang tapak asma ing ngandhap menika, ... ngaturaken usulan X", "Anu tandatangan di handap ieu, ...
# ngadugikeun usulan X": who signs goes with the lead-in; "Hormat kami, Ketua RT 05" closes it.
_LETTER_LEAD_IN = re.compile(
    r"^\s*(?:(?:yang|ingkang|anu|nu)\s+)?(?:bertanda\s*tangan|bertandatangan|tapak\s*asma|tanda\s*tangan|"
    r"tandatangan)\b[^.!?]{0,160}?\b(?:dengan\s+ini\s+|kanthi\s+(?:punika|menika)\s+|ku\s+ieu\s+)?"
    r"(?:" + _PROPOSE + r")\b(?:\s+(?:usulan|usul|permohonan))?\s*[:,\-]?\s*", re.IGNORECASE)
_SIGNATURE = re.compile(r"(?:^|\n|(?<=[.!]))\s*(?:hormat\s+(?:kami|saya|kula|abdi)|wassalam\w*|salam\s+hormat)\b"
                        r"[\s\S]*$", re.IGNORECASE)
_LETTER_CLOSING = re.compile(r"^\s*(?:demikian|mekaten|mekaten\s+atur|sakitu|kitu)\b[^.!?]*(?:[.!?]|$)|"
                             r"^\s*(?:atas|awit|kula\s+aturaken|hatur|matur|terima\s*kasih|nuhun)\b[^.!?]*"
                             r"\b(?:perhatian\w*|kawigatos\w*|panuwun|nuwun|kasih|nuhun)\b[^.!?]*(?:[.!?]|$)",
                             re.IGNORECASE)
# "Kata mbah:", "ngendikane mbah:", "saur Ema:", "kata ibu saya,": whose words follow, not part of them
_REPORTED = re.compile(
    r"^\s*(?:kata|kt|ngendikane|ngendikanipun|ngendika|jare|jarene|cenah|saur|sauran|ceuk|kencen|ujar)\s+"
    r"(?:(?:si|sang)\s+)?(?:mbah|simbah|eyang|nenek|nini|kakek|aki|ibu|bapak|ibuk|emak|mak|ema|bapa|abah|ayah|"
    r"mamah|mama|papa|bapake|ibuke|pak\s+\w+|bu\s+\w+)(?:\s+(?:saya|sy|aku|kula|abdi|urang))?\s*[:,]\s*",
    re.IGNORECASE)
# "Eh pake bahasa indonesia aja.", "nganggo basa jawa mawon nggih": which language to talk in, said to the bot
_LANGUAGE_REQUEST = re.compile(r"^[^.!?]{0,30}\b(?:pake|pakai|nganggo|ngangge|make|maké|gunakan|mawi|ku|in)\s+"
                               r"(?:bahasa|basa)\s+(?:indonesia|indo|jawa|jowo|sunda|inggris|english)\b[^.!?]{0,20}"
                               r"[.!?]*\s*$", re.IGNORECASE)
# "Perkenankan saya menyampaikan bahwa ...", "Izinkan kami mengusulkan ...", "Kepareng kula matur ...".
_MAY_I = re.compile(r"^\s*(?:perkenankan|perkenankanlah|izinkan|ijinkan|izinkanlah|kepareng(?:a)?|keparenga|idinkeun|"
                    r"widi)\s+" + _SUBJECT + r"\s+(?:untuk\s+)?" + _PROPOSE + r"(?:\s+(?:bahwa|yen|bilih|yén|kalau))?"
                    r"\s*[:,\-]?\s*", re.IGNORECASE)
# "Bisa usul X gak?", "iso ngusulke X ora?", "apakah boleh mengusulkan X?": the question around a proposal.
_CAN_I = re.compile(r"^\s*(?:apakah\s+|apa\s+|punapa\s+|naha\s+)?(?:" + _SUBJECT + r"\s+)?"
                    r"(?:bisa|bs|boleh|iso|isa|saged|kenging|pikantuk|angsal|oleh|tiasa|kengeng|meunang)"
                    r"(?:\s+(?:gak|ga|gk|nggak|enggak|tidak|ndak|ora|teu|mboten))?(?:\s+(?:sih|ya|kah|to|mah|kan))?\s+"
                    r"(?:" + _PROPOSE + r")\s+", re.IGNORECASE)
_QUESTION_TAG = re.compile(rf"[\s,]+(?:(?:apa\s+|atau\s+)?{alternation(NEGATIONS)}|ya|nggih|yah)\s*\?+\s*$",
                           re.IGNORECASE)
# "aku arep usul kreteg, iso ra?", "mau usul soal sampah bisa?": the "may I?" after the need, said to the bot
_CAN_TAG = re.compile(r"[\s,]+(?:apa\s+|opo\s+|naha\s+)?(?:bisa|bs|boleh|iso|isa|saged|tiasa|kenging|oleh|bisakah)"
                      r"(?:\s+(?:gak|ga|gk|nggak|enggak|tidak|ndak|ora|ra|teu|mboten|henteu|ya|yo|sih|nggih|min|kak|"
                      r"pak|bu|mas|mbak|kang|teh))*\s*\?+\s*$", re.IGNORECASE)
_GROUP = re.compile(r"^\s*(?:(?:dari|adalah|sebagai|selaku|saking|ti|mewakili|perwakilan)\s+)?"
                    r"(?P<group>(?:kelompok|paguyuban|karang\s+taruna|kader|ketua|pengurus|anggota|warga|ibu-ibu|"
                    r"bapak-bapak|para|komunitas|gapoktan|pkk|posyandu|kwt)\b[^.!?\n]*?)[\s,]*(?:dan|lan|sareng|jeung)?\s*$",
                    re.IGNORECASE)
# The group a self-introduction names, up to where its place begins.
_GROUP_NAMED = re.compile(r"\b((?:kelompok|paguyuban|komunitas|karang\s+taruna|gapoktan|poktan|kwt|pkk|"
                          r"koperasi|perkumpulan|ikatan|himpunan)\b(?:\s+(?!(?:di|ing|neng|ning|ti|ka|wonten|dari|"
                          r"saking|desa|dusun|padukuhan|kalurahan|kelurahan|rt|rw)\b)[\w\-]+){1,4})", re.IGNORECASE)
_ROLES = frozenset({"kader", "ketua", "pengurus", "anggota"})
_SERVED = frozenset({"posyandu", "paud", "tk", "sd", "sdn", "sekolah", "masjid", "mushola", "musholla", "kelompok",
                     "pkk", "kwt", "gapoktan", "paguyuban", "koperasi", "bumdes", "karang", "taman", "perpustakaan"})
# "Saya Bapak Sutrisno, pensiunan guru, warga Padukuhan Karangmojo.": who writes, in a sentence of its own
_SELF_INTRO = re.compile(r"^\s*(?:(?:ini|iki|niki|ieu|punika|menika)\s+)?" + _SUBJECT
                         + r"\s+(?:(?:adalah|ini|iki|teh|niki|punika)\s+)?(?:bapak|ibu|pak|bu|mbah|"
                         r"nama|namaku|warga|pensiunan|pangsiunan|seorang|salah\s+satu|ketua|kader|pengurus|guru|petani|"
                         r"relawan|komite|anggota|dari|perwakilan|wakil|mahasiswa|pelajar|siswa|"
                         r"(?-i:[A-Z][a-z]{2,})(?=,)|"  # "saya Sutrisno, pensiunan guru": a name, then a comma
                         r"(?:sing|yang|yg|nu|ingkang)\s+(?:ngetik\w*|nulis\w*|nyerat\w*|ngetikkeun|nuliskeun)|"
                         r"pedagang|tiyang|tiang|jalma|asli|tinggal|manggen|dumunung|sudah\s+\w+\s+tahun\s+tinggal|"
                         r"ngontrak|ngekos|ngekost|indekos|numpang|nyewa\s+(?:rumah|kamar|omah|imah)|"
                         r"(?:cucu|anak|putu|putra|putri|incu|keponakan|ponakan|menantu|mantu)"
                         r"(?:nya|ne|e|ipun|nipun|na|ku)?\s+(?:dari\s+|saking\s+|ti\s+)?"
                         r"(?:mbah|pak|bu|bapak|ibu|eyang|nini|aki|simbah|mak|emak|ema|abah|uti|kakung|nenek|kakek))\b"
                         r"|^\s*(?:i'?m|i\s+am|we\s+are|my\s+name\s+is)\s+", re.IGNORECASE)
# "mau tanya sekalian ngusulin ya, ...": a second lead-in verb joined to the first
_ALSO_PROPOSE = re.compile(r"^\s*(?:sekalian|sekaligus|sambil|sisan|pisan|oge|ogé|juga)\s+" + _PROPOSE
                           + r"(?:\s+(?:ya|yah|nggih|nya|yo))?\s*[,.:;\-]*\s*", re.IGNORECASE)
_PLEASE_PROPOSE = re.compile(r"^\s*(?:(?:iya|iyo|ya|yo|nggih|inggih|enya|muhun|oke|ok|boleh)[\s,]+)?"
                             r"(?:(?:mbok|monggo|mangga|tolong|tulung|tlg|mohon|coba|cobi|punten)\s+(?:di)?|di)"
                             r"(?:usul|aju)\w*"
                             r"(?:\s+(?:ya|yo|nggih|nya|aja|saja|wae|mawon))*\s*[,.:!]?\s*",
                             re.IGNORECASE)
# "literally", "which is", "btw": English fillers in an Indonesian chat, no part of the need
_ENGLISH_FILLERS = re.compile(r"\b(?:literally|basically|actually|honestly|seriously|btw|tbh|by\s+the\s+way|"
                             r"which\s+is)\b[\s,]*", re.IGNORECASE)
_PARTICLES = re.compile(r"\s*,?\s*\b(?:dong|deh|nih|tuh|sih|min|gan|lho|loh|euy|atuh)\b\s*(?=[,.!?]|\s|$)",
                        re.IGNORECASE)
# "aye mau ngelaporin nih bang, jalanan ...": what is left after the lead-in may start with a particle
_LEADING_PARTICLE = re.compile(r"^\s*(?:nih|dong|deh|tuh|sih|lho|loh|yah|ya|nya|atuh|so|intine|intina|intinya|pokoke|"
                               r"pokokna|pokoknya|intinipun)(?:\s+(?:mah|ya|yo|sih|tuh))?\b(?=[\s,]+\S)[\s,]*",
                               re.IGNORECASE)
_WANT_ONLY = re.compile(r"^\s*(?:" + _SUBJECT + r"\s+)?(?:(?:mau|ingin|pengen|arep|badhe|bade|hoyong)\s+)?"
                        r"(?:minta|nyuwun|nyuhunkeun|mohon|tolong|tulung|tlg|punten)\s+(?:(?:dong|ya|min|pak|bu)\s+)?",
                        re.IGNORECASE)
_CHAT_ONLY = re.compile(r"^\s*(?:(?:piye|kumaha|gimana|gmn|gmana|bagaimana|pripun|kados\s+pundi|bisa|bs|iso|isa|tiasa|"
                        r"saged|kenging|boleh|ya|yo|kan|iki|ieu|niki|nih|dong|urgent|penting|darurat|segera|tolong|"
                        r"tulung|please|pls|ok|oke|min|pak|bu|mas|mbak|kang|teh|lur|bang|gan|to|tah|kah|sih|deh|lho|"
                        r"loh|atuh|euy|mah|ta|ga|gak|nggak|ora|teu|ndak|tidak|apa|opo|naon|ngga|engga)\b[\s,.!?]*)+$",
                        re.IGNORECASE)
# "Tiasa diusulkeun teu?", "bisa diusulin gak min?", "Saged dipunusulaken?": a question to the bot, not the need
_ASKS_IF_PROPOSABLE = re.compile(
    r"^\s*(?:apakah\s+|apa\s+|punapa\s+|menapa\s+|naha\s+)?(?:ini\s+|iki\s+|ieu\s+|niki\s+)?"
    r"(?:bisa|bs|boleh|iso|isa|saged|kenging|tiasa|meunang|bisakah|dapatkah)\s+(?:di|dipun|diajeng)?"
    r"(?:usul|aju|ajok|ajuk|proses)\w*(?:\s+(?:" + alternation(NEGATIONS) + r"|ya|nggih|yah|min|pak|bu|kang|teh|"
    r"mas|mbak|atuh|kah))*\s*[?.!]*\s*$", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?\n])\s+")
# "..., mohon diperbaiki", "Pengen dibikinin saluran", "mbok didandani dadi taman", "tolong segera ditangani":
# a plea in the middle of the message is how people talk in a chat, not what is proposed. The need it names
# stays, as an officer would write it ("perlu diperbaiki"); "mohon maaf" and the like are not followed by a
# passive verb and are left alone.
_PLEA = re.compile(
    r"(?P<lead>^|[.!?,;]\s*|\s(?:dan|lan|terus|trus|trs|dadi|jadi|jd|sehingga|makane|mangka)\s+)"
    r"(?:(?:saya|sy|aku|kami|kula|abdi|urang|warga|mbah|simbah|eyang|nenek|kakek|ibu|bapak|ema|bapa)\s+)?"
    r"(?:(?:pengen|pengin|pgn|pingin|kepingin|kepengen|ingin|mohon|tolong|tlg|tulung|mbok|minta|nyuwun|nyuhunkeun|"
    r"please|pls|harap|harapannya|semoga|mugi|mugia|mugi-mugi|muga-muga|hoyong|pengine|karepe)\s+)+"
    r"(?=(?:(?:segera|cepet|cepat|enggal|gancang|secepatnya)\s+)?(?:di\w{3,}|dipun\w+|ada\b|wonten\b|aya\b))",
    re.IGNORECASE)
_PREP = r"(?:di|ing|wonten(?:\s+ing)?|neng|ning|nang|ring|teng|dhateng|ka|ke|dari|daerah|wilayah|kawasan|lingkungan)"
_ADMIN = (r"(?:desa|ds\.?|kelurahan|kel\.?|kalurahan|kal\.?|kecamatan|kec\.?|kapanewon|kap\.?|kabupaten|kab\.?|"
          r"kota|kemantren|kacamatan|kapanéwon)")
_RT_RW = re.compile(
    r"(?:\b" + _PREP + r"\s+)?\b(?:rt|rw)\.?\s*[:\-]?\s*0*\d{1,3}"
    r"(?:\s*[/\-,]?\s*(?:rw|rt)?\.?\s*[:\-]?\s*0*\d{1,3})?\b",
    re.IGNORECASE)
_ADMIN_NAME = re.compile(r"(?:\b" + _PREP + r"\s+)?\b" + _ADMIN + r"(?:\s+|(?<=\.))((?:[\w'\-]+\s*){1,3})",
                         re.IGNORECASE)


def _strip_start(sentence: str) -> str:
    """Greetings, vocatives and the lead-in at the start of one sentence, however they are stacked."""
    previous = None
    while previous != sentence:
        sentence = sentence.strip().strip("'\"“”‘’")  # a grandparent's words, typed in quotes
        previous = sentence
        sentence = _GREETING.sub("", sentence, count=1)
        sentence = _VOCATIVE_ONLY.sub("", sentence, count=1)
        sentence = _REPORTED.sub("", sentence, count=1)
        sentence = _LETTER_LEAD_IN.sub("", sentence, count=1)
        sentence = _LEAD_IN.sub("", sentence, count=1)
        sentence = _WANT_ONLY.sub("", sentence, count=1)
        sentence = _PLEASE_PROPOSE.sub("", sentence, count=1)
        sentence = _ALSO_PROPOSE.sub("", sentence, count=1)
        sentence = _MAY_I.sub("", sentence, count=1)
        sentence = _LEADING_PARTICLE.sub("", sentence, count=1)
        can_i = _CAN_I.match(sentence)
        if can_i:
            sentence = re.sub(r"\s*\?+$", ".", _QUESTION_TAG.sub("", sentence[can_i.end():]))
    late = _LATE_LEAD_IN.match(sentence)
    if late and len(sentence) - late.end() > 10:
        who = _GROUP.match(late.group("who"))
        sentence = sentence[late.end():]
        # "Kami dari kelompok pengrajin bambu ingin ...": a group that benefits is kept; the speaker's own role
        # ("Saya kader posyandu", "selaku ketua RT") is not part of what is proposed.
        words = who.group("group").strip(" ,").split() if who else []
        if words and words[0].lower() in _ROLES and len(words) > 2 and words[1].lower() in _SERVED:
            words = words[1:]  # "kader Posyandu Balita Melati": the speaker's role goes, the posyandu stays
        if len(words) >= 2 and words[0].lower() not in _ROLES and " ".join(words).lower() not in sentence.lower():
            sentence = sentence.rstrip(" .!") + f" ({' '.join(words)})"
    return sentence


# What goes wrong, as core.similarity writes it whatever the language ("bolong" → lubang, "pejah" → mati).
_PROBLEMS = frozenset("rusak lubang mampet mati gelap banjir longsor bocor penuh kotor bau rawan bahaya retak patah "
                      "keropos ambles kering macet sempit licin becek".split())


_HAMLET = re.compile(r"\b(?i:dusun|padukuhan|pedukuhan|dukuh|kampung|lembur|perumahan|perum)\s+[A-Z][\w\-]+")


_ABOUT_THE_WRITER = re.compile(r"^\s*" + _SUBJECT + r"\b", re.IGNORECASE)


# "Aku wong tuwa, wis 70 taun.", "Abdi pangsiunan PNS.", "Nama saya Budi.", "Perkenalkan, saya Siti, ibu rumah
# tangga.": a sentence about its writer; it goes when it names no need, no problem and asks for nothing.
_ABOUT_ME = re.compile(r"^\s*(?:(?:perkenalkan|kenalkan|kenalin|perkenankan|nepangkeun|tepangaken|ngenalke|kenalke|"
                       r"ini|iki|niki|ieu|punika|menika)\b[\s,]*)?(?:(?:nama|nami)\s+"
                       r"(?:saya|sy|aku|kula|kulo|abdi|kawula)|namaku|namiku|" + _SUBJECT + r")\b", re.IGNORECASE)
_ASKS_FOR = re.compile(r"\b(?:butuh\w*|membutuhkan|perlu|diperlukan|mohon|minta|tolong|tulung|ingin|mau|pengen|pengin|"
                       r"harap\w*|\w*usul\w*|\w*ajukan|\w*ajuk\w*|nak|bangun\w*|perbaik\w*|pasang\w*|bikin\w*|nyuwun|"
                       r"mbutuhake|betah\w*|peryogi\w*|hoyong|hayang|badhe|bade|arep|ajeng|rek|njaluk|nedha|"
                       r"punten|keluh\w*|lapor\w*|ngadu|adu\w*)\b", re.IGNORECASE)


def _only_about_the_writer(sentence: str) -> bool:
    return bool(_ABOUT_ME.match(sentence)) and not _ASKS_FOR.search(sentence) and not _names_a_problem(sentence) \
        and not sectors.rank(sentence)


def _kamus_names(text: str) -> bool:
    from core import kamus

    return bool(kamus.match(text, limit=1))


def _opening_words(sentence: str) -> str:
    """The sentence without the greeting or vocative it starts with."""
    return _VOCATIVE_ONLY.sub("", _GREETING.sub("", sentence, count=1), count=1)


def _names_a_problem(sentence: str) -> bool:
    from core import similarity

    return bool(_PROBLEMS & set(similarity.tokens(sentence)))


def asks_may_i(text: str) -> bool:
    """ "bisa gak sih ngusulin perpus buat anak2?": whether one may propose X, which also tells X."""
    return bool(_CAN_I.match(_GREETING.sub("", text or "")))


# "rek ngusulkeun gapura padukuhan", "saya mau propose sesuatu buat desa", "aye mau usul": the citizen says they
# want to propose (asking, reporting or telling are not enough), not "if I want to propose, ...?"
_WANTS_TO_PROPOSE = re.compile(
    r"\b(?:" + _WANT + r")\s+(?:(?:langsung|sekalian|bikin|buat|membuat|nggawe|damel)\s+)?"
    r"(?:meng?usul\w*|ngusul\w*|usul(?:an|in|kan|keun|aken|ake)?|mengajukan|ngajuin|ajukan|ngajokaken|ngajukeun|"
    r"ngajukake|propose|mangusulan|mausulkan|maajukan|(?:bikin|damel|ngintunkeun|ngintunaken|ngirim|kirim|"
    r"mengirim(?:kan)?|nyampaikan|menyampaikan)\s+usul(?:an)?)\b", re.IGNORECASE)
_IF = re.compile(r"\b(?:kalau|kalo|klo|jika|apabila|bila|seandainya|misal(?:nya)?|nek|yen|menawi|manawi|upami|lamun|"
                 r"mun|if|cara(?:nya|ne|na)?|carane|kumaha|gimana|bagaimana|piye|pripun|syarat\w*)\b", re.IGNORECASE)


# "eh kagak jadi dah taman. yang lebih penting tuh bak sampah ...", "teu jadi taman. nu leuwih perlu mah pelatihan
# usaha ...", "saya ralat ... yang lebih mendesak adalah alat timbang bayi ...": the need put in place of the first
_CALLED_OFF = re.compile(r"\b(?:tidak|tdk|nggak|ngga|gak|ga|kagak|ora|teu|mboten|boten|ndak|gajadi)\s*(?:jadi|jd|sida|"
                         r"sido|cios|sios|janten)\b|\b(?:ralat|batal|bolay)\b", re.IGNORECASE)
_INSTEAD = re.compile(r"\b(?:yang|yg|sing|nu|ingkang|anu)\s+(?:lebih|luwih|leuwih|langkung|paling)\s+(?:penting|perlu|"
                      r"mendesak|butuh|dibutuhkan|diperlukan|urgent|utama|peryogi|dibetahaken|dibutuhke|penting)\b"
                      r"(?:\s+(?:tuh|mah|iku|niku|adalah|yaiku|yaitu|nyaeta|inggih\s+punika|menika|punika|ya|yo))?"
                      r"[\s,:]*", re.IGNORECASE)


def replaced_need(text: str | None, is_place: Callable[[str], bool] | None = None) -> str | None:
    """The new need when a message calls the first one off and names another in its place, else None."""
    text = text or ""
    instead = _INSTEAD.search(text)
    if not instead or not _CALLED_OFF.search(text):
        return None
    # "... Usulan perpustakaan tidak jadi.": the sentence calling the first one off is no part of the new one
    rest = " ".join(part for part in _SENTENCE.split(text[instead.end():]) if not _CALLED_OFF.search(part))
    body = substance(rest, is_place)
    return body if len(letter_words(body, 2)) >= MIN_WORDS else None


def wants_to_propose(text: str | None) -> bool:
    """Whether the message says its writer wants to propose something now ("aku arep usul kreteg, iso ra?")."""
    from core.language.fold import fold_accents

    text = fold_accents(text or "")
    match = _WANTS_TO_PROPOSE.search(text)
    return bool(match) and not _IF.search(text[: match.start()])


def _leads_in(sentence: str) -> bool:
    return bool(_LEAD_IN.match(_GREETING.sub("", sentence)) or _LATE_LEAD_IN.match(sentence)
                or _MAY_I.match(sentence) or asks_may_i(sentence))


def _drop_places(text: str, is_place: Callable[[str], bool] | None) -> str:
    """Remove "di Desa X", "Kec. Y", "RT 3 RW 5": those are stored as fields of their own."""
    def admin(match: re.Match) -> str:
        words = match.group(1).split()
        for size in range(len(words), 0, -1):
            name = " ".join(words[:size])
            if is_place is None or is_place(name):
                rest = " ".join(words[size:])
                return f" {rest} " if rest else " "
        return match.group(0)

    text = _ADMIN_NAME.sub(admin, text)
    return _RT_RW.sub(" ", text)


def strip_rt_rw(text: str) -> str:
    """The text without its "RT 3 RW 5" part ("Donokerto Turi rt 3 rw 5" → "Donokerto Turi")."""
    return _tidy(_RT_RW.sub(" ", text or ""))


_EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D\u2B00-\u2BFF]+")


def _tidy(text: str) -> str:
    text = _EMOJI.sub(" ", text)  # "hampir keserempet motor 😭": the officer reads the words
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[,;:]\s*([.!?])", r"\1", text)
    text = re.sub(r"[\s,]+(?:min|mimin|kak|gan|lur|pak|bu|kang|teh|dong|ya|yah|nggih|ya\s+min|ya\s+pak|ya\s+bu|"
                  r"deh|sih|lho|loh|atuh|euy|mas|mbak|bang|kang|teh|lur)\s*([.!?]*)$", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:di|ing|neng|ning|nang|wonten|teng|ka|ke|dan|lan|sareng|kaliyan|yang|sing|nu|ingkang)"
                  r"\s*([,.;:!?]|$)", r"\1", text, flags=re.IGNORECASE)
    return text.strip(" ,;:-–—")


def substance(text: str, is_place: Callable[[str], bool] | None = None) -> str:
    """What the message asks for, without salutations, lead-ins, closings and the captured place fields.

    `is_place(name)` tells whether a name after "desa"/"kec." is a place (the gazetteer knows); without
    it, one word after the keyword is taken as the name.
    """
    sentences = []
    parts = _SENTENCE.split(_SIGNATURE.sub("", (text or "").strip()).strip())
    parts = [part for part in parts if not _LANGUAGE_REQUEST.match(part) and not _LETTER_CLOSING.match(part)]
    lead = next((i for i, part in enumerate(parts) if _leads_in(part)), 0)
    # Before the sentence that says "I want to propose", a sentence about its writer that names no need is a
    # self-introduction ("Ambo urang Padang nan alah lamo tingga di Sleman."); one that names the problem, or
    # is not about the writer ("Aia sumua di siko karuah"), stays.
    intro = [i < lead and not sectors.rank(part) and bool(_ABOUT_THE_WRITER.match(_opening_words(part)))
             for i, part in enumerate(parts)]
    groups = [m.group(1).strip(" ,.") for i, part in enumerate(parts) if intro[i]
              for m in [_GROUP_NAMED.search(part)] if m]
    parts = [part for i, part in enumerate(parts) if not intro[i]]
    if len(parts) > 1:  # a sentence saying only who writes, wherever it stands; the hamlet it names stays
        intros = [part for part, words in ((part, _INTRODUCING.sub("", _opening_words(part))) for part in parts)
                  if (_SELF_INTRO.match(words) and not _LATE_LEAD_IN.match(words)  # "Saya ketua RT ingin usul X"
                      and not _names_a_problem(part)) or _only_about_the_writer(words)]
        if len(intros) == len(parts):
            intros = []  # nothing but the writer: better their words than nothing
        groups += [m.group(0) for part in intros for m in [_HAMLET.search(part)] if m]
        parts = [part for part in parts if part not in intros]
    for sentence in parts:
        if _CHAT_ONLY.match(sentence) or _ASKS_IF_PROPOSABLE.match(sentence):
            continue  # "piye iki", "Kumaha, bisa?", "Urgent iki": said to the bot, not about the need
        if sentence.rstrip().endswith("?") and not sectors.rank(sentence) and not _names_a_problem(sentence) \
                and not _leads_in(sentence) and not _kamus_names(sentence):
            # ("bisa gak sih ngusulin perpus buat anak2?", "Can we request fogging?" name what they ask for)
            continue  # "kudu detail kitu?", "Apakah saya bisa langsung menyampaikan usulannya di sini?"
        sentence = _strip_start(sentence)
        sentence = _CLOSING.sub("", _CAN_TAG.sub("", sentence))
        sentence = _PLEA.sub(lambda m: m.group("lead") + "perlu ", sentence)
        sentence = _PARTICLES.sub(" ", _ENGLISH_FILLERS.sub("", sentence))
        sentence = _tidy(_drop_places(sentence, is_place or (lambda name: " " not in name)))
        if has_word(sentence):
            sentences.append(sentence[:1].upper() + sentence[1:])
    # what is left of a sentence after its lead-in may be about the writer only ("mbah ngendika ajeng ngusulke,
    # kula sing ngetikke nggih" leaves "kula sing ngetikke"): it goes when something else is said
    kept = [sentence for sentence in sentences if not is_about_the_writer(sentence)]
    sentences = kept or sentences
    body = " ".join(sentences)
    body = _tidy(body).strip()
    for group in groups:  # "Abdi pupuhu kelompok pengrajin awi di ...": the group the proposal is for
        if body and group.lower() not in body.lower():
            body = f"{body.rstrip(' .')} ({group})"
    if len(body) > MAX_CHARS:
        body = body[:MAX_CHARS].rsplit(" ", 1)[0]
    return body[:1].upper() + body[1:]


def from_opening(text: str, is_place: Callable[[str], bool] | None = None) -> str | None:
    """The description in a message that opened the proposal, or None when it says only "I want to propose"
    (or only who writes: "nuwun sewu, aku ketua KWT neng wonokerto turi")."""
    body = substance(text, is_place)
    if len(letter_words(body, 2)) < MIN_WORDS or sectors.is_label(body) or _is_kind(body) or _only_a_topic(body) \
            or is_about_the_writer(body):
        return None  # "usul air bersih" names a topic: the officer needs what is wrong and what is needed
    return body


_INTRODUCING = re.compile(r"^\s*(?:perkenalkan|kenalkan|kenalin|nepangkeun|tepangaken|ngenalke|kenalke)\b[\s,]*",
                          re.IGNORECASE)


def is_about_the_writer(sentence: str) -> bool:
    """ "Aku ketua KWT neng wonokerto turi", "Perkenalkan, saya Sutrisno, pensiunan guru SD": who writes, no need."""
    words = _INTRODUCING.sub("", _opening_words(sentence))
    return bool((_SELF_INTRO.match(words) and not _LATE_LEAD_IN.match(words) and not _names_a_problem(sentence)
                 and not _ASKS_FOR.search(sentence)) or _only_about_the_writer(sentence))


# Words that say nothing of the need: who speaks and for whom, "here", "now", the act of proposing, "OK". What is
# left when they go is what the message is about ("Saya ingin mengajukan usulan pembangunan untuk lingkungan kami"
# leaves "lingkungan": a topic; "Oke, mau bikin usulan" leaves nothing).
_NO_NEED = frozenset("""
    saya sy aku aq kami kita gue gw aye kula kulo kawula abdi urang simkuring dewek awakdewe ambo
    warga masyarakat penduduk tetangga kampung kampungku dusun padukuhan pedukuhan dukuh desa kelurahan kalurahan
    lembur lemburna lingkungan lingkunganku wilayah daerah tempat sekitar sini situ kene kono mriki ngriki dieu
    untuk utk buat bagi kangge kanggo kagem pikeun keur kanggé di ing wonten neng ning ka ke ti dari saking
    ini itu iki kuwi niki menika punika ieu eta éta tersebut yang yg sing ingkang nu anu dan lan sareng jeung
    kaliyan atau utawi atanapi soal tentang mengenai perihal babagan bab perkawis prakawis ngeunaan masalah hal
    usulan usul usulanku usulane usulanna sesuatu apa sekarang saiki sakmenika ayeuna langsung dulu rumiyin
    baik oke ok okay iya ya nggih inggih enya muhun sip siap nah jadi jd dadi janten
    bikin bikinin membuat buat damel ngadamel nggawe gawe program kegiatan pembangunan membangun bangun
    pangwangunan ngawangun mbangun pembangunane perbaikan pengadaan pemasangan pembuatan rehabilitasi renovasi
    peningkatan ndandosi ndandani dandan ngalereskeun masang pasang
""".split())
_LEAD_WORD = re.compile(rf"(?:{_SUBJECT}|{_WANT}|{_PROPOSE}|{_VOCATIVE})", re.IGNORECASE)


def _needs_words(body: str) -> list[str]:
    from core.language.fold import fold

    return [word for word in letter_words(fold(body), 2)
            if word not in _NO_NEED and not _LEAD_WORD.fullmatch(word)]


@lru_cache(maxsize=1)
def _topic_vocabulary() -> dict[str, frozenset[str]]:
    """Per sector, the words of its names and of its kamus kinds' titles, in the three languages."""
    from core import kamus, texts
    from core.language.fold import fold

    found: dict[str, set[str]] = {code: set() for code in sectors.SECTORS}
    for code in sectors.SECTORS:
        for lang in texts.LANGUAGES:
            found[code].update(letter_words(fold(texts.sector_label(code, lang)), 2))
    for item in kamus.items():
        for title in (item.name, *(t for _, t in item.names)):
            found[item.sector].update(letter_words(fold(title), 2))
    return {code: frozenset(words) for code, words in found.items()}


def _only_a_topic(body: str) -> bool:
    """ "Toya resik ing padukuhan kula", "Pembangunan untuk lingkungan kami", "Perbaikan jalan tani": nothing but
    the kind of project, in the words of one sector's names; nothing of what is wrong, where or why."""
    words = _needs_words(body)
    if not words:
        return True
    if _names_a_problem(body):
        return False
    return any(set(words) <= vocabulary for vocabulary in _topic_vocabulary().values())


def _compact(text: str) -> str:
    return "".join(letter_words(re.sub(r"\([^)]*\)", " ", text), 1)).lower()


@lru_cache(maxsize=1)
def _kind_titles() -> frozenset[str]:
    from core import kamus

    return frozenset(_compact(title) for item in kamus.items() for title in (item.name, *(t for _, t in item.names)))


def _is_kind(text: str) -> bool:
    """ "Pemasangan lampu penerangan jalan umum": a kind of project from the kamus names the topic only, not
    what is wrong there; the officer still needs the why and the where."""
    return _compact(text) in _kind_titles()


def topic(text: str, is_place: Callable[[str], bool] | None = None) -> str | None:
    """The topic of an opening too short to be a description ("usul air bersih" → "Air bersih")."""
    body = substance(text, is_place)
    return body if body and _needs_words(body) and from_opening(text, is_place) is None \
        and not is_about_the_writer(body) else None


def with_topic(topic_: str | None, answer: str) -> str:
    """The answer to "what is needed?", led by the topic the opening named when the answer does not repeat it."""
    if not topic_ or _covered(topic_, answer):
        return answer
    return f"{topic_.rstrip(' .')}: {answer[:1].lower() + answer[1:]}"


def _content(text: str) -> set[str]:
    return {w.lower() for w in letter_words(text, 3)}


def _covered(new: str, existing: str) -> bool:
    words = _content(new)
    return not words or len(words & _content(existing)) >= 0.6 * len(words)


def added_detail(existing: str, text: str, is_place: Callable[[str], bool] | None = None) -> str | None:
    """The description with the detail a message gives at another question ("bnyk yg nganggur abis lulus sma,
    pengen ada pelatihan sablon" at the question of the kind), or None when the message adds no detail."""
    body = substance(text, is_place)
    if len(letter_words(body, 2)) < DETAIL_WORDS or not sectors.rank(body) or _covered(body, existing):
        return None
    merged = f"{existing.rstrip(' .')}. {body}" if existing else body
    return merged if len(merged) <= MAX_CHARS else None
