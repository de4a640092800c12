"""Load a large corpus for the audit without holding its texts in memory.

:func:`open_corpus` is what ``sieve audit`` calls: below ``stream_above``
rows it loads the corpus in memory (:func:`corpus_sieve.audits.loader.load_corpus`),
above it (or with ``engine="streaming"``) :func:`load_streamed` reads the
input batch by batch through the pipeline's reader, applies the same rules as
:func:`~corpus_sieve.audits.loader.canonicalise` (same columns, same errors,
same exclusions) and writes the canonical columns to a Parquet file in a work
directory. Only the per-row metadata stays in memory.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from corpus_sieve.audits.base import DOMAIN, ID, LABEL, SOURCE, SPLIT, TEXT
from corpus_sieve.audits.loader import (
    AuditInputError,
    LoadedCorpus,
    canonical_columns,
    load_corpus,
    locate,
    read_errors,
    resolve_columns,
)
from corpus_sieve.audits.scale.corpus import BATCH_ROWS, StreamedCorpus

Engine = Literal["auto", "memory", "streaming"]
#: ``engine="auto"`` streams inputs with more rows than this (Parquet, run directories)
STREAM_ABOVE_ROWS = 300_000
#: ... or, for text formats whose rows are not known before reading, more bytes than this
STREAM_ABOVE_BYTES = 64 * 2**20
#: the metadata columns a streamed corpus keeps in memory
META_COLUMNS = (ID, LABEL, DOMAIN, SPLIT, SOURCE)


def open_corpus(
    source: str | Path,
    engine: Engine = "auto",
    *,
    text_col: str = "text",
    label_col: str = "label",
    domain_col: str = "domain",
    split_col: str = "split",
    source_col: str = "source",
    id_col: str = "id",
    work_dir: str | Path | None = None,
    stream_above: int = STREAM_ABOVE_ROWS,
) -> LoadedCorpus:
    """The corpus at ``source``, in memory or streamed (see the module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = path.write_text('{"text": "Bom dia", "label": "pt-PT"}\\n{"text": "Oi", "label": "pt-BR"}\\n')
    >>> corpus = open_corpus(path, engine="streaming")
    >>> corpus.streamed, corpus.height, corpus.frame.columns
    (True, 2, ['id', 'label', 'domain', 'split', 'source'])
    >>> corpus.close()
    """
    if engine not in ("auto", "memory", "streaming"):
        raise AuditInputError(f"unknown audit engine {engine!r}; use auto, memory or streaming")
    names = dict(text_col=text_col, label_col=label_col, domain_col=domain_col, split_col=split_col,
                 source_col=source_col, id_col=id_col)
    if engine == "memory" or (engine == "auto" and not _is_large(source, stream_above, **names)):
        return load_corpus(source, **names)
    return load_streamed(source, work_dir=work_dir, **names)


def _is_large(source: str | Path, stream_above: int, **names: str) -> bool:
    path, run_dir, _ = locate(source, **names)
    parquet = run_dir / "kept.parquet" if run_dir is not None else path
    if parquet.is_file() and parquet.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_metadata(parquet).num_rows > stream_above
        except (OSError, ValueError):
            return False
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    return sum(p.stat().st_size for p in files) > STREAM_ABOVE_BYTES


def load_streamed(
    source: str | Path,
    *,
    text_col: str = "text",
    label_col: str = "label",
    domain_col: str = "domain",
    split_col: str = "split",
    source_col: str = "source",
    id_col: str = "id",
    work_dir: str | Path | None = None,
    batch_rows: int = BATCH_ROWS,
) -> StreamedCorpus:
    """Read ``source`` batch by batch into a :class:`~corpus_sieve.audits.scale.corpus.StreamedCorpus`.

    A new directory under ``work_dir`` (default: the system temp directory)
    receives ``canonical.parquet`` and the checks' spills; the corpus's
    ``close`` removes it.
    """
    path, run_dir, wanted = locate(source, text_col, label_col, domain_col, split_col, source_col, id_col)
    where = str(path)
    if work_dir is not None:
        Path(work_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sieve-audit-", dir=work_dir))
    canonical = work / "canonical.parquet"
    try:
        with read_errors(path):
            state = _convert(_input_batches(path, run_dir, wanted, batch_rows), canonical, where, wanted, batch_rows)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    meta, optional, excluded = state
    return StreamedCorpus(
        frame=meta,
        has_domain=optional[DOMAIN] is not None,
        has_split=optional[SPLIT] is not None and meta[SPLIT].null_count() < meta.height,
        has_source=optional[SOURCE] is not None and meta[SOURCE].null_count() < meta.height,
        run_dir=run_dir,
        path=path,
        columns={TEXT: wanted[TEXT], LABEL: wanted[LABEL], **optional},
        excluded=excluded,
        canonical=canonical,
        work_dir=work,
        batch_rows=batch_rows,
    )


def _input_batches(path: Path, run_dir: Path | None, wanted: dict[str, str], batch_rows: int):
    if run_dir is not None:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(run_dir / "kept.parquet", pre_buffer=False).iter_batches(batch_size=batch_rows):
            yield pl.from_arrow(batch)
        return
    from corpus_sieve.pipeline.io.readers import iter_batches
    from corpus_sieve.pipeline.recipe.columns import ColumnMap

    columns = ColumnMap(text=wanted[TEXT], label=wanted[LABEL], domain=wanted[DOMAIN], id=wanted[ID],
                        split=wanted[SPLIT], source=wanted[SOURCE])
    yield from iter_batches(path, columns, batch_size=batch_rows)


def _convert(batches, canonical: Path, where: str, wanted: dict[str, str], batch_rows: int):
    """Write the canonical columns of ``batches`` to ``canonical``; return (meta, optional, excluded)."""
    import pyarrow.parquet as pq

    optional: dict[str, str | None] | None = None
    excluded: dict[str, int] = {}
    meta_parts: list[pl.DataFrame] = []
    id_hashes: list[np.ndarray] = []
    missing_label, missing_first = 0, []
    null_ids = 0
    offset = 0
    writer = None
    try:
        for frame in batches:
            if optional is None:
                optional = resolve_columns(frame.columns, where, wanted[TEXT], wanted[LABEL], wanted[DOMAIN],
                                           wanted[SPLIT], wanted[SOURCE], wanted[ID])
            if "_reason" in frame.columns:
                bad_row = pl.col("_reason").is_not_null() & (pl.col("_reason") != "null_label")
                for reason, n in frame.filter(bad_row).group_by("_reason").len().iter_rows():
                    excluded[f"unreadable: {reason}"] = excluded.get(f"unreadable: {reason}", 0) + n
                frame = frame.filter(~bad_row)
            canon = canonical_columns(frame, wanted[TEXT], wanted[LABEL], optional, row_offset=offset)
            offset += canon.height
            no_text = canon[TEXT].null_count()
            if no_text:
                excluded["no text"] = excluded.get("no text", 0) + no_text
                canon = canon.filter(pl.col(TEXT).is_not_null())
            null_ids += canon[ID].null_count()
            bad_label = canon.filter(pl.col(LABEL).is_null() | (pl.col(LABEL).str.strip_chars() == ""))
            missing_label += bad_label.height
            missing_first += bad_label[ID].head(5 - len(missing_first)).to_list() if len(missing_first) < 5 else []
            if canon.height == 0:
                continue
            table = canon.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(canonical, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=batch_rows)
            # Categorical while reading (4 bytes a row), Enum once every value is known
            meta_parts.append(canon.select(ID, *[pl.col(c).cast(pl.Categorical) for c in META_COLUMNS[1:]]))
            id_hashes.append(canon[ID].hash(seed=0).to_numpy())
    finally:
        if writer is not None:
            writer.close()
    if optional is None:
        raise AuditInputError(f"{where}: no rows to audit (the input is empty)")
    if null_ids:
        raise AuditInputError(f"{where}: column {optional[ID]!r} (id) has {null_ids} null value(s); ids must be set")
    if optional[ID] and id_hashes:
        all_hashes = np.concatenate(id_hashes)
        id_hashes.clear()
        _check_unique_ids(all_hashes, canonical, where, optional[ID])
    if missing_label:
        raise AuditInputError(
            f"{where}: column {wanted[LABEL]!r} (label) is null or empty in {missing_label} row(s), "
            f"first ids: {missing_first}; label every row or drop the unlabelled rows before auditing"
        )
    if not meta_parts:
        detail = ", ".join(f"{n} {reason}" for reason, n in excluded.items())
        raise AuditInputError(f"{where}: no rows to audit{f' ({detail} excluded)' if detail else ''}")
    return _compact_meta(meta_parts), optional, excluded


def _check_unique_ids(hashes: np.ndarray, canonical: Path, where: str, id_col: str) -> None:
    """Raise when an id repeats (64-bit hashes first; the ids of colliding hashes are compared exactly)."""
    hashes.sort()
    repeated = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
    if repeated.size == 0:
        return
    dupes = (
        pl.scan_parquet(canonical)
        .select(ID)
        .filter(pl.col(ID).hash(seed=0).is_in(pl.Series(repeated).implode()))
        .group_by(ID)
        .len()
        .filter(pl.col("len") > 1)
        .collect(engine="streaming")
    )
    if dupes.height:
        first = dupes.sort(ID).head(5)[ID].to_list()
        raise AuditInputError(f"{where}: column {id_col!r} (id) is not unique: {dupes.height} id(s) repeat, e.g. {first}")


def _compact_meta(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The metadata of every batch as one frame, label/domain/split/source as Enums (1-2 bytes a row)."""
    categories = {
        col: sorted({str(v) for part in parts for v in part[col].unique().drop_nulls().to_list()})
        for col in (LABEL, DOMAIN, SPLIT, SOURCE)
    }
    casts = [pl.col(col).cast(pl.String).cast(pl.Enum(values)) for col, values in categories.items()]
    out = []
    while parts:  # converted part by part: the Categorical parts are freed as the Enum ones grow
        out.append(parts.pop(0).with_columns(casts))
    return pl.concat(out, rechunk=True)
