"""Time duplicate detection over N synthetic persons, with planted duplicates.

Usage: python benchmarks/dedup.py --persons 2500000 [--seed 7]

The parent process generates a synthetic city of about N persons and plants
duplicates (2 %) and twins (1 %) with `doudi.synth.duplicates`. It encrypts
names, IDs and addresses as the registry stores them (AES-GCM under a
throwaway key) and writes the tokens to a temporary Parquet file. A child
process then times what a run does after reading the database: decrypting
the tokens, preparing the records and scoring the pairs with the Splink
DuckDB linker. Its peak RSS is the child's alone. Reading the rows from the
database is not included. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from common import peak_rss_mb, run_child

# Persons per household in the synthetic city, measured at 2,000 households.
PERSONS_PER_HOUSEHOLD = 2.3
KEY_ID = "bench"
CONTEXTS = {
    "name": "registry.person.name",
    "resident_id": "registry.person.resident_id",
    "address": "registry.household.address",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--persons", type=int, default=100_000, help="persons before planting"
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="seed of the synthetic city"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(_child(Path(options.input))))
        return
    if options.persons < 100:
        parser.error(f"--persons must be at least 100, not {options.persons}")
    print(json.dumps(_parent(options.persons, options.seed)))


def _parent(persons: int, seed: int) -> dict[str, Any]:
    from doudi.monitoring.duplicates import evaluation
    from doudi.privacy.crypto import generate_key_spec

    spec = generate_key_spec(KEY_ID)
    households = math.ceil(persons / PERSONS_PER_HOUSEHOLD)
    started = time.perf_counter()
    planted = evaluation.planted_records(households, seed, persons=persons)
    generated_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as folder:
        path = Path(folder) / "records.parquet"
        _encrypt(planted.records, spec).write_parquet(path)
        env = {**os.environ, "DEDUP_BENCH_KEYS": spec}
        figures = run_child(__file__, "dedup", ["--input", str(path)], env)
        pairs = pl.read_parquet(Path(folder) / "pairs.parquet")
    scores = evaluation.score(pairs, planted.truth)
    return {
        "persons": persons,
        "records": planted.records.height,
        "planted_pairs": planted.truth.height,
        "generate_s": round(generated_s, 1),
        **figures,
        **{key: round(value, 5) for key, value in scores.items()},
    }


def _encrypt(records: pl.DataFrame, spec: str) -> pl.DataFrame:
    """Encrypt names and IDs per record, and each distinct address once.

    The registry stores one address per household, so members share its token.
    """
    ring = _keyring(spec)
    encrypted = records.with_columns(
        pl.Series(
            column,
            [
                None if value is None else ring.encrypt(value, context=context)
                for value in records[column].to_list()
            ],
            pl.Utf8(),
        )
        for column, context in CONTEXTS.items()
        if column != "address"
    )
    addresses = records["address"].drop_nulls().unique().to_list()
    context = CONTEXTS["address"]
    tokens = {value: ring.encrypt(value, context=context) for value in addresses}
    return encrypted.with_columns(
        pl.col("address").replace_strict(tokens, default=None, return_dtype=pl.Utf8)
    )


def _keyring(spec: str) -> Any:
    from doudi.privacy.crypto import FieldKeyring, parse_key_spec

    return FieldKeyring(
        keys=parse_key_spec(spec), current_key_id=KEY_ID, blind_index_key=b"\0" * 32
    )


def _child(path: Path) -> dict[str, Any]:
    from doudi.monitoring.duplicates.linkage.records import prepare
    from doudi.monitoring.duplicates.linkage.splink_duckdb import SplinkDuckDBLinker
    from doudi.monitoring.duplicates.plaintext import decrypt_column

    tokens = pl.read_parquet(path)
    ring = _keyring(os.environ["DEDUP_BENCH_KEYS"])
    started = time.perf_counter()
    plain = tokens.with_columns(
        decrypt_column(tokens[column], context, ring)
        for column, context in CONTEXTS.items()
    )
    decrypted = time.perf_counter()
    prepared = prepare(plain)
    del plain
    ready = time.perf_counter()
    pairs = SplinkDuckDBLinker().predict(prepared)
    done = time.perf_counter()
    pairs.select("unique_id_l", "unique_id_r").write_parquet(
        path.parent / "pairs.parquet"
    )
    return {
        "decrypt_s": round(decrypted - started, 1),
        "prepare_s": round(ready - decrypted, 1),
        "predict_s": round(done - ready, 1),
        "dedup_s": round(done - started, 1),
        "dedup_peak_rss_mb": peak_rss_mb(),
        "candidate_pairs": pairs.height,
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
