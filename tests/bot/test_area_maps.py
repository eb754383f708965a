"""The shaded maps per kecamatan and per desa on the dashboard and in the yearly report: server-rendered SVG
(no script, nothing from another site), each area a link with its count in its accessible name, and the same
numbers in a table."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.public import area_map, report
from tests.bot.sites import MAGUWOHARJO, WEDOMARTANI, Site, propose


async def seed(site: Site) -> None:
    for i in range(3):
        await propose(site.db, f"c{i}", f"k{i}", f"Jalan rusak berlubang nomor {i}")
    await propose(site.db, "m", "km", "Lampu jalan mati", "penerangan_jalan", MAGUWOHARJO)
    await propose(site.db, "w", "kw", "Saluran air tersumbat", "drainase", WEDOMARTANI)


def _map(page: str, map_id: str) -> str:
    return re.search(rf'<figure class="area-map" id="{map_id}">.*?</figure>', page, re.S).group(0)


def _table(page: str, map_id: str) -> dict[str, str]:
    block = re.search(rf'<table class="area-counts" id="{map_id}-tabel">.*?</table>', page, re.S).group(0)
    rows = re.findall(r'<tr><th scope="row">(?:<a [^>]*>)?(.*?)(?:</a>)?</th><td class="num">(.*?)</td></tr>', block)
    return dict(rows)


async def test_the_dashboard_shades_kecamatan_and_desa_with_the_same_numbers_in_a_table(site: Site) -> None:
    await seed(site)
    status, page, response = await site.get("/?tahun=" + str(datetime.now(UTC).year))
    assert status == 200
    kecamatan = _map(page, "peta-kecamatan")
    assert kecamatan.count("<g class=\"area kecamatan") == 17
    assert 'aria-label="Kec. Depok: 4 usulan"' in kecamatan and 'aria-label="Kec. Ngemplak: 1 usulan"' in kecamatan
    assert 'aria-label="Kec. Godean: 0 usulan"' in kecamatan
    assert re.search(r'<a href="/\?tahun=\d+&amp;kecamatan=34\.04\.07#daftar" aria-label="Kec. Depok: 4 usulan">'
                     r"<g class=\"area kecamatan s4\"", kecamatan)  # the darkest shade for the most proposals
    assert re.search(r'aria-label="Kec. Godean: 0 usulan"><g class="area kecamatan s0"', kecamatan)
    desa = _map(page, "peta-desa")
    assert desa.count("<g class=\"area desa") == 86
    assert 'aria-label="Desa Caturtunggal, Kec. Depok: 3 usulan"' in desa
    assert 'aria-label="Desa Wedomartani, Kec. Ngemplak: 1 usulan"' in desa
    per_kecamatan, per_desa = _table(page, "peta-kecamatan"), _table(page, "peta-desa")
    assert per_kecamatan.pop("Jumlah") == per_desa.pop("Jumlah") == "5"
    assert per_kecamatan["Kec. Depok"] == "4" and per_kecamatan["Kec. Godean"] == "0" and len(per_kecamatan) == 17
    assert per_desa["Desa Caturtunggal, Kec. Depok"] == "3" and per_desa["Desa Maguwoharjo, Kec. Depok"] == "1"
    assert len(per_desa) == 86
    assert "cahyadsn/wilayah_boundaries" in page and "MIT" in page  # the attribution
    assert '<svg viewBox="0 0 640' in kecamatan and "<script" not in kecamatan
    assert 'href="#peta-kecamatan-tabel"' in page  # a keyboard user can skip the 17 links
    assert response.headers["Content-Security-Policy"]  # unchanged: nothing new from another site


async def test_a_maps_link_filters_the_list_to_that_area(site: Site) -> None:
    await seed(site)
    year = datetime.now(UTC).year
    _, page, _ = await site.get("/", params={"tahun": year, "desa": WEDOMARTANI})
    assert "Saluran air tersumbat" in page and "Lampu jalan mati" not in page


async def test_the_yearly_report_has_the_maps_without_links(site: Site, tmp_path: Path) -> None:
    await seed(site)
    year = datetime.now(UTC).year
    page = report.render(await report.build(site.db, "34.04", year, now=datetime(year, 12, 31, 3, tzinfo=UTC)))
    kecamatan = _map(page, "peta-kecamatan")
    assert 'role="img" aria-label="Kec. Depok: 4 usulan"' in kecamatan and "href=" not in page
    assert _table(page, "peta-desa")["Desa Wedomartani, Kec. Ngemplak"] == "1"
    assert "<details" not in page  # printed: the desa table is open
    assert ".area.s4" in page  # the map's colours come with the inlined stylesheet


def test_the_maps_are_small_enough_for_a_phone() -> None:
    """Both maps of the whole kabupaten, as HTML, compressed: a few tens of KB."""
    desa = area_map.build("m", "t", "34.04", "desa", "34.04", {})
    kecamatan = area_map.build("m", "t", "34.04", "kecamatan", "34.04", {})
    assert desa.paths == kecamatan.paths  # one set of paths, sent once, drawn by both maps
    assert len(gzip.compress("".join(desa.paths.values()).encode())) < 15_000


def test_an_area_without_shipped_boundaries_has_no_map() -> None:
    assert area_map.build("m", "t", "35.07", "desa", "35.07", {}) is None
