"""The Shanghai region file, its loader and the script that extracts it."""

from __future__ import annotations

import importlib.util
import io
import tarfile
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from doudi.synth import load_regions
from doudi.synth.regions import DEFAULT_REGIONS_PATH

EXTRACT_SCRIPT = DEFAULT_REGIONS_PATH.with_name("extract_regions.py")


def load_extract_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_regions", EXTRACT_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regions() -> pl.DataFrame:
    return load_regions()


def test_level_counts(regions: pl.DataFrame) -> None:
    counts = dict(regions.group_by("level").len().iter_rows())
    assert counts["city"] == 1
    assert counts["district"] == 16
    assert counts["street"] == 234
    assert 6_400 <= counts["community"] <= 6_600


def test_city_row(regions: pl.DataFrame) -> None:
    city = regions.filter(pl.col("level") == "city").row(0, named=True)
    assert city == {
        "code": "310000",
        "name": "上海市",
        "level": "city",
        "parent_code": None,
        "urban": None,
    }


def test_code_lengths_by_level(regions: pl.DataFrame) -> None:
    lengths = {"city": 6, "district": 6, "street": 9, "community": 12}
    for level, length in lengths.items():
        codes = regions.filter(pl.col("level") == level)["code"]
        assert (codes.str.len_chars() == length).all(), level


def test_children_extend_parent_codes(regions: pl.DataFrame) -> None:
    below_district = regions.filter(pl.col("level").is_in(["street", "community"]))
    prefix = pl.col("code").str.slice(0, pl.col("parent_code").str.len_chars())
    assert below_district.filter(prefix != pl.col("parent_code")).height == 0


def test_urban_flag_follows_committee_type(regions: pl.DataFrame) -> None:
    communities = regions.filter(pl.col("level") == "community")
    residents = communities.filter(pl.col("name").str.ends_with("居委会"))
    villagers = communities.filter(pl.col("name").str.ends_with("村委会"))
    assert residents["urban"].all()
    assert not villagers["urban"].any()
    assert communities["urban"].null_count() == 0
    assert regions.filter(pl.col("level") != "community")["urban"].null_count() == (
        regions.height - communities.height
    )


def test_loader_rejects_missing_parent(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        "code,name,level,parent_code,urban\n310101,黄浦区,district,319999,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="319999"):
        load_regions(path)


def test_loader_rejects_unknown_level(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        "code,name,level,parent_code,urban\n310000,上海市,province,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="province"):
        load_regions(path)


def write_tarball(path: Path, files: dict[str, str]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"package/dist/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


SAMPLE_FILES = {
    "areas.csv": 'code,name,cityCode,provinceCode\n310101,"黄浦区",3101,31\n'
    '320102,"玄武区",3201,32\n',
    "streets.csv": "code,name,areaCode,provinceCode,cityCode\n"
    '310101002,"南京东路街道",310101,31,3101\n',
    "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    '310101002001,"云南中路居委会",310101002,31,3101,310101\n'
    '310101002201,"某村村委会",310101002,31,3101,310101\n',
}


def test_extract_script_writes_tree(tmp_path: Path) -> None:
    script = load_extract_script()
    tarball = tmp_path / "sample.tgz"
    output = tmp_path / "out.csv"
    write_tarball(tarball, SAMPLE_FILES)

    assert script.extract(tarball, output) == 5
    written = load_regions(output)
    assert written["code"].to_list() == [
        "310000",
        "310101",
        "310101002",
        "310101002001",
        "310101002201",
    ]
    assert written["urban"].to_list() == [None, None, None, True, False]


def test_extract_script_rejects_mismatched_name(tmp_path: Path) -> None:
    script = load_extract_script()
    files = dict(SAMPLE_FILES)
    files["villages.csv"] = (
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        '310101002201,"云南中路居委会",310101002,31,3101,310101\n'
    )
    tarball = tmp_path / "bad.tgz"
    write_tarball(tarball, files)
    with pytest.raises(ValueError, match="rural code"):
        script.extract(tarball, tmp_path / "out.csv")
