"""Point-in-polygon on the shipped Sleman boundaries, and the converter on any province's files."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from core import areas
from integrations import wilayah_boundaries

ROOT = Path(__file__).resolve().parents[2]

# ../shared beside the repository (a git worktree sits one folder deeper)
SHARED = next((p / "shared/data/wilayah_boundaries" for p in (ROOT.parent, ROOT.parent.parent)
               if (p / "shared/data/wilayah_boundaries").is_dir()), ROOT / "missing")


@pytest.fixture(scope="module")
def sleman() -> areas.Areas:
    loaded = areas.load("34.04")
    assert loaded is not None
    return loaded


@pytest.mark.parametrize(("lat", "lng", "desa", "kecamatan"), [
    (-7.7366, 110.4353, "Wedomartani", "Ngemplak"),
    (-7.7713, 110.3776, "Caturtunggal", "Depok"),      # UGM, Bulaksumur
    (-7.7163, 110.3553, "Tridadi", "Sleman"),          # the Bupati's office
    (-7.7520, 110.4915, "Bokoharjo", "Prambanan"),     # Prambanan temple
    (-7.5967, 110.4267, "Hargobinangun", "Pakem"),     # Kaliurang, on Merapi's slope
    (-7.7882, 110.4318, "Maguwoharjo", "Depok"),       # Adisutjipto airport
])
def test_a_pin_names_its_desa_and_kecamatan(sleman, lat, lng, desa, kecamatan):
    where = sleman.locate(lat, lng)
    assert where.inside and where.desa.name == desa and where.kecamatan.name == kecamatan
    assert where.kabupaten.name == "Kabupaten Sleman"


@pytest.mark.parametrize(("lat", "lng", "kabupaten"), [
    (-7.7926, 110.3658, "Kota Yogyakarta"),        # Malioboro
    (-7.8573, 110.1593, "Kabupaten Kulon Progo"),  # Wates
    (-7.9653, 110.6005, "Kabupaten Gunungkidul"),  # Wonosari
    (-8.0, 110.33, "Kabupaten Bantul"),
])
def test_a_pin_outside_the_kabupaten_says_where_it_is(sleman, lat, lng, kabupaten):
    where = sleman.locate(lat, lng)
    assert not where.inside and where.desa is None and where.kabupaten.name == kabupaten


@pytest.mark.parametrize(("lat", "lng"), [(-6.2, 106.8), (-7.5407, 110.4457), (-7.5, 110.2)])
def test_a_pin_outside_the_province_is_outside_and_unnamed(sleman, lat, lng):
    """Jakarta; Merapi's summit and Magelang, in Central Java (no outlines shipped for it)."""
    where = sleman.locate(lat, lng)
    assert not where.inside and where.kabupaten is None


def test_a_pin_on_a_shared_border_or_in_a_sliver_gets_one_neighbour(sleman):
    """A vertex two desa share, and points a few metres either side of it, each land in one of the two."""
    a = sleman.by_code["34.04.07.2001"]  # Caturtunggal
    ring = a.polygons[0][0]
    for lng, lat in ring[::25]:
        for dlng, dlat in ((0, 0), (0.00003, 0), (-0.00003, 0), (0, 0.00003)):
            where = sleman.locate(lat + dlat, lng + dlng)
            if where.inside:
                assert where.desa is not None and where.kecamatan is not None
                assert where.desa.code.startswith("34.04.")


def test_every_desa_of_the_gazetteer_has_an_area(sleman):
    from core import regions
    desa = {c for c, r in regions.gazetteer().by_code.items() if r.level == 4 and c.startswith("34.04.")}
    assert desa == {a.code for a in sleman.desa}
    assert len(sleman.kecamatan) == 17 and {a.code for a in sleman.kabupaten} >= {"34.04", "34.71"}
    assert "cahyadsn/wilayah_boundaries" in sleman.attribution and "MIT" in sleman.attribution


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/wilayah_boundaries is not beside the repository")
def test_the_simplified_desa_agree_with_the_source_away_from_the_borders(sleman):
    """Points well inside each source polygon (≥ 30 m from its border) are placed in that desa."""
    source = wilayah_boundaries.read_sql(SHARED / "kel" / "wilayah_boundaries_kel_34.04.sql")
    checked = 0
    for desa in source:
        area = areas._area(wilayah_boundaries._feature(desa, "desa", 0.0))
        x0, y0, x1, y1 = area.bbox
        for i in range(1, 8):
            for j in range(1, 8):
                lng, lat = x0 + (x1 - x0) * i / 8, y0 + (y1 - y0) * j / 8
                if area.contains(lng, lat) and area.distance(lng, lat) == 0 and \
                        min(areas._ring_distance(lng, lat, r) for p in area.polygons for r in p) > 0.0003:
                    assert sleman.locate(lat, lng).desa.code == desa.code, (desa.name, lat, lng)
                    checked += 1
    assert checked > 500


def test_lookup_is_fast(sleman):
    points = [(-7.55 - 0.3 * (i % 37) / 37, 110.2 + 0.35 * (i % 41) / 41) for i in range(500)]
    times = []
    for lat, lng in points:
        start = time.perf_counter()
        sleman.locate(lat, lng)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.005


def test_the_converter_reads_any_province_in_the_upstream_layout(tmp_path):
    """A made-up province 99 in the upstream layout (kab/, kec/, kel/99/): a polygon and a multipolygon."""
    square = "[[[-1.0,100.0],[-1.0,100.1],[-1.1,100.1],[-1.1,100.0],[-1.0,100.0]]]"
    two = ("[[[[-1.0,100.0],[-1.0,100.05],[-1.05,100.05],[-1.0,100.0]]],"
           "[[[-1.06,100.06],[-1.06,100.1],[-1.1,100.1],[-1.06,100.06]]]]")
    city = "[[[-2,101],[-2,101.1],[-2.1,101.1],[-2,101]]]"
    for folder, name, rows in (
            ("kab", "wilayah_boundaries_kab_99.sql", [("99.01", "Kabupaten Contoh", square),
                                                       ("99.71", "Kota D'Contoh", city)]),
            ("kec", "wilayah_boundaries_kec_99.sql", [("99.01.01", "Satu", square)]),
            ("kel/99", "wilayah_boundaries_kel_99.01.sql", [("99.01.01.2001", "Desa A", two)])):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        values = ",\n".join(f"\t('{c}','{n.replace(chr(39), chr(39) * 2)}',-1.05,100.05,'{p}')" for c, n, p in rows)
        (tmp_path / folder / name).write_text(f"/* header */\nINSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) "
                                              f"VALUES\n{values};\n", encoding="utf-8")
    out = tmp_path / "out.geojson"
    wilayah_boundaries.write(wilayah_boundaries.convert(tmp_path, "99.01"), out)
    built = areas.Areas(json.loads(out.read_text(encoding="utf-8")))
    assert [a.name for a in built.kabupaten] == ["Kabupaten Contoh", "Kota D'Contoh"]
    assert built.locate(-1.01, 100.01).desa.name == "Desa A"
    assert built.locate(-1.09, 100.09).desa.name == "Desa A"       # the second polygon
    assert built.locate(-2.01, 101.01).kabupaten.name == "Kota D'Contoh"
    with pytest.raises((ValueError, OSError)):
        wilayah_boundaries.convert(tmp_path, "99.02")  # no desa file for it
    with pytest.raises(ValueError):
        wilayah_boundaries.convert(tmp_path, "99")


def test_douglas_peucker_keeps_corners_and_drops_what_is_within_tolerance():
    line = [(0.0, 0.0), (1.0, 0.00001), (2.0, 0.0), (2.0, 2.0)]
    assert areas.douglas_peucker(line, 0.001) == [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0)]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/wilayah_boundaries is not beside the repository")
def test_the_cli_rebuilds_the_shipped_file_byte_for_byte(tmp_path, capsys):
    """`./musrenbang areas build` is what made core/data/areas/34.04.geojson; a missing source is a clear error."""
    from ops import cli

    out = tmp_path / "34.04.geojson"
    assert cli.main(["areas", "build", "--source", str(SHARED), "--region", "34.04", "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["areas"] == {"kabupaten": 5, "kecamatan": 17, "desa": 86}
    assert out.read_bytes() == areas.file_for("34.04").read_bytes()
    assert cli.main(["areas", "build", "--source", str(tmp_path / "nothing"), "--out", str(out)]) == 1
    assert "cannot build the areas of" in capsys.readouterr().err
