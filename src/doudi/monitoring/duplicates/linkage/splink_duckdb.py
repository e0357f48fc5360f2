"""The `Linker` backed by Splink on an in-memory DuckDB database.

DuckDB runs without a database file and with spilling to disk turned off
(`temp_directory` set to ''), so the plain-text names and IDs a run reads
never reach the disk. A run that needs more than `memory_limit` fails with
an out-of-memory error instead of writing temporary files. Splink writes no
files in its default table materialisation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
from splink import DuckDBAPI, Linker

from doudi.monitoring.duplicates.linkage.interface import PAIR_SCHEMA, REASON
from doudi.monitoring.duplicates.linkage.model import PERSON_MODEL, LinkageModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SplinkDuckDBLinker:
    """Score candidate pairs with Splink 5 on DuckDB, in memory only."""

    model: LinkageModel = PERSON_MODEL
    threads: int = 2
    memory_limit: str = "6GB"

    def predict(self, records: pa.Table | pl.DataFrame) -> pl.DataFrame:
        table = records if isinstance(records, pa.Table) else records.to_arrow()
        connection = self._connect()
        try:
            scored = self._score(connection, table)
        finally:
            connection.close()
        return self._with_reasons(scored)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(":memory:")
        connection.execute("SET temp_directory = ''")
        connection.execute(f"SET threads = {int(self.threads)}")
        connection.execute("SET memory_limit = ?", [self.memory_limit])
        connection.execute("SET preserve_insertion_order = false")
        connection.execute("SET enable_progress_bar = false")
        return connection

    def _score(
        self, connection: duckdb.DuckDBPyConnection, records: pa.Table
    ) -> pl.DataFrame:
        database = DuckDBAPI(connection)
        frame = database.register(records, table_name="records")
        linker = Linker(frame, self.model.settings(), log_level=None)
        if self.model.prior_rules:
            linker.training.estimate_probability_two_random_records_match(
                list(self.model.prior_rules), recall=self.model.prior_recall
            )
        predictions = linker.inference.predict(
            threshold_match_weight=self.model.threshold_weight, warning_mode="never"
        )
        columns = ", ".join(
            ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
            + [f"gamma_{c.name}" for c in self.model.comparisons]
        )
        sql = f"SELECT {columns} FROM {predictions.physical_name}"  # noqa: S608
        table = connection.sql(sql).to_arrow_table()
        return pl.from_arrow(table)  # type: ignore[return-value]

    def _with_reasons(self, scored: pl.DataFrame) -> pl.DataFrame:
        reasons = [
            pl.struct(
                comparison=pl.lit(c.name),
                level=pl.col(f"gamma_{c.name}").replace_strict(
                    c.labels_by_gamma(), return_dtype=pl.Utf8
                ),
                weight=pl.col(f"gamma_{c.name}").replace_strict(
                    c.weights_by_gamma(), return_dtype=pl.Float64
                ),
            )
            for c in self.model.comparisons
        ]
        if scored.is_empty():
            return pl.DataFrame(schema=PAIR_SCHEMA)
        result = scored.select(
            pl.min_horizontal("unique_id_l", "unique_id_r").alias("unique_id_l"),
            pl.max_horizontal("unique_id_l", "unique_id_r").alias("unique_id_r"),
            pl.col("match_weight").cast(pl.Float64),
            pl.col("match_probability").cast(pl.Float64),
            pl.concat_list(reasons).cast(pl.List(REASON)).alias("reasons"),
        )
        logger.info("linkage scored %s candidate pairs", result.height)
        return result.sort("unique_id_l", "unique_id_r")
