"""Dev mode's reads: a spread sample of the input, drawn in a time that does not grow with the corpus.

``sieve clean --dev`` must run the full code path in seconds on any corpus. It
reads at most ``windows`` x ``window_bytes`` of input (16 MiB by default), spread
over the whole input, and the run then streams only those bytes (the
stratified, seeded per-domain x label sample of :mod:`corpus_sieve.pipeline.run.devmode` is
drawn from them):

* JSON lines, CSV, TSV: ``windows`` byte windows at evenly spread, seeded
  offsets; each seeks to its offset, skips to the next line start and keeps
  whole lines (a CSV window also skips a line that starts inside a quoted
  field, and gets the file's header);
* Parquet: the first rows of evenly spread row groups, as many as
  ``window_bytes`` holds;
* gzip files (which cannot seek) and directories of many shards: the first
  ``window_bytes`` of each of up to ``windows`` files, spread over the list;
* an input no larger than the budget is read whole, as is a Hugging Face
  dataset (a Hub name or a ``save_to_disk`` directory).

The windows are written as small files of the input's format into the run
directory (``dev-sample/``), named ``<file>@<byte offset>`` (``@rg<row group>`` for
Parquet): a sampled row's id says where it came from (``corpus@000052428800:3``
is the third line after byte 52,428,800), and a message about a row names a
file the user can open.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

__all__ = ["DEV_WINDOWS", "DEV_WINDOW_BYTES", "SampleDraw", "draw_sample", "draw_into_run"]

#: byte windows (or shards, or row groups) a dev run reads at most
DEV_WINDOWS = 64
#: bytes per window: 64 x 256 KiB = 16 MiB of input at most
DEV_WINDOW_BYTES = 256 << 10
#: a window looks this far for its first line start, and reads on this far to finish its last
#: line (a longer line is left out): what one window reads stays bounded whatever the rows
MAX_LINE_BYTES = 4 << 20


@dataclass
class SampleDraw:
    """What a dev run reads (``paths``) and how it was drawn (``description``, for ``dev.json`` and the summary)."""

    paths: list[Path]
    description: dict[str, Any] = field(default_factory=dict)


def draw_sample(paths: Sequence[Path], dest: Path, reader: Mapping[str, Any], seed: int,
                windows: int | None = None, window_bytes: int | None = None) -> SampleDraw:
    """Draw the spread sample of ``paths`` into ``dest`` (when the input is larger than the budget).

    ``windows`` and ``window_bytes`` default to :data:`DEV_WINDOWS` and :data:`DEV_WINDOW_BYTES`.
    """
    from corpus_sieve.pipeline.io.readers import file_format, input_files, is_saved_dataset

    windows = windows or DEV_WINDOWS
    window_bytes = window_bytes or DEV_WINDOW_BYTES
    forced = reader.get("format")
    files: list[Path] = []
    for p in paths:
        found = input_files(p)
        if is_saved_dataset(p) or not found:  # a Hugging Face dataset: streamed whole
            return SampleDraw(list(paths), {"method": "whole input (a dataset, not files)"})
        files += [f for f in found if file_format(f, forced) is not None]
    total = sum(f.stat().st_size for f in files)
    budget = windows * window_bytes
    if total <= budget:
        return SampleDraw(list(paths), {"method": "whole input", "input_bytes": total, "bytes_read": total,
                                        "files": len(files)})
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    read = 0
    for path, count in _allocate(files, windows, rng):
        fmt = file_format(path, forced)
        if fmt == "parquet":
            parts = _parquet_windows(path, dest, count, window_bytes, rng)
            nbytes = sum(p.stat().st_size for p in parts)
        elif path.name.lower().endswith(".gz"):
            parts, nbytes = _line_windows(path, dest, fmt, reader, [0], count * window_bytes, compressed=True)
        else:
            size = path.stat().st_size
            slot = size / count
            offsets = [int(i * slot + rng.random() * max(0.0, slot - window_bytes)) for i in range(count)]
            parts, nbytes = _line_windows(path, dest, fmt, reader, offsets, window_bytes)
        written += parts
        read += nbytes
    description = {
        "method": "spread windows", "windows": len(written), "window_bytes": window_bytes,
        "bytes_read": read, "input_bytes": total,
        "files": len(files), "files_sampled": len({p.name.rsplit("@", 1)[0] for p in written}), "seed": seed,
        "sample_dir": str(dest),
    }
    return SampleDraw([dest], description)


def draw_into_run(run: Any, paths: list[Path], reader: Mapping[str, Any], invocation: dict[str, Any]) -> list[Path]:
    """Draw ``--dev``'s spread sample into the run directory ``run`` (a ``RunDir``); the paths to read.

    ``inputs.json`` holds the sample's fingerprints (what ``--resume`` checks)
    and each input's size and time; ``invocation`` records the read paths and
    how the sample was drawn.
    """
    from corpus_sieve.pipeline.io.readers import fingerprint, input_files

    drawn = draw_sample(paths, run.path / "dev-sample", reader, int(invocation["seed"]))
    sampled_from = [{"path": str(f), "size": f.stat().st_size, "mtime": f.stat().st_mtime}
                    for p in paths for f in input_files(p)]
    run.write_json("inputs.json", {"inputs": [fingerprint(p) for p in drawn.paths], "sampled_from": sampled_from})
    invocation["inputs"] = [str(p) for p in drawn.paths]
    invocation["dev_sample"] = drawn.description
    return drawn.paths


def _allocate(files: list[Path], windows: int, rng: random.Random) -> list[tuple[Path, int]]:
    """``(file, windows)``: one window each for up to ``windows`` files spread over the list, or the
    windows shared by size (at least one each) when there are fewer files than windows."""
    if len(files) >= windows:
        step = len(files) / windows
        return [(files[min(len(files) - 1, int((i + rng.random()) * step))], 1) for i in range(windows)]
    sizes = [f.stat().st_size for f in files]
    total = sum(sizes) or 1
    spare = windows - len(files)
    shares = [s * spare / total for s in sizes]
    counts = [1 + int(x) for x in shares]
    for i in sorted(range(len(files)), key=lambda i: int(shares[i]) - shares[i])[: windows - sum(counts)]:
        counts[i] += 1  # largest remainders
    return list(zip(files, counts))


def _name(dest: Path, path: Path, tag: str, suffix: str) -> Path:
    stem = path.name
    for ending in (".gz", suffix):
        if stem.lower().endswith(ending):
            stem = stem[: -len(ending)]
    out = dest / f"{stem}@{tag}{suffix}"
    n = 2
    while out.exists():  # two inputs with the same file name
        out = dest / f"{stem}-{n}@{tag}{suffix}"
        n += 1
    return out


def _line_windows(path: Path, dest: Path, fmt: str, reader: Mapping[str, Any], offsets: list[int],
                  window_bytes: int, compressed: bool = False) -> tuple[list[Path], int]:
    """One file of whole lines per offset (CSV/TSV: after the file's header line), and the bytes read."""
    suffix = {"jsonl": ".jsonl", "csv": ".csv", "tsv": ".tsv"}[fmt]
    delimited = fmt != "jsonl"
    quote = reader.get("quote_char", '"' if fmt == "csv" else None) if delimited else None
    header = b""
    out: list[Path] = []
    read = 0
    opener = gzip.open if compressed else open
    with opener(path, "rb") as fh:
        if delimited and reader.get("has_header", True):
            header = fh.readline()
        for offset in offsets:
            start = max(offset, len(header))
            fh.seek(start)
            data = fh.read(window_bytes)
            step = min(window_bytes, 64 << 10)  # lines are finished in small reads
            if start > len(header) and not compressed:
                skipped, data = _from_line_start(fh, data, step)
                start += skipped
            data = _to_line_end(fh, data, step)
            read += fh.tell() - max(offset, len(header))
            if quote:
                data = _outside_quotes(data, quote.encode())
            if not data.strip():
                continue
            target = _name(dest, path, f"{start:012d}", suffix)
            target.write_bytes(header + data)
            out.append(target)
    return out, read + len(header)


def _from_line_start(fh: Any, data: bytes, step: int) -> tuple[int, bytes]:
    """``data`` from its first line start (the bytes before it end a line that began earlier),
    and how many bytes were skipped to get there."""
    skipped = 0
    while True:
        cut = data.find(b"\n")
        if cut >= 0:
            return skipped + cut + 1, data[cut + 1:]
        skipped += len(data)
        more = fh.read(step) if skipped < MAX_LINE_BYTES else b""
        if not more:
            return skipped, b""  # no line starts here (close enough): the window is empty
        data = more  # still inside the line: what was read so far belongs to it


def _to_line_end(fh: Any, data: bytes, step: int) -> bytes:
    """``data`` up to the end of the line it stops in (read on, up to ``MAX_LINE_BYTES``)."""
    if not data or data.endswith(b"\n"):
        return data
    parts = [data]
    size = len(data)
    while size < MAX_LINE_BYTES:
        more = fh.read(step)
        if not more:
            return b"".join(parts)  # the file's last line
        cut = more.find(b"\n")
        if cut >= 0:
            parts.append(more[: cut + 1])
            return b"".join(parts)
        parts.append(more)
        size += len(more)
    last = data.rfind(b"\n")  # a line too long to finish: the window keeps the lines before it
    return data[: last + 1] if last >= 0 else b""


def _outside_quotes(data: bytes, quote: bytes) -> bytes:
    """Drop leading lines until the quotes of the rest balance line by line from a line start.

    A window that starts inside a quoted field spanning lines would split its
    records wrongly; skipping to the first line with an even number of quotes
    after an odd run resynchronises on a record start in practice.
    """
    lines = data.split(b"\n")
    for i, line in enumerate(lines[:-1]):
        if line.count(quote) % 2 == 0:
            return b"\n".join(lines[i:])
    return b""


def _parquet_windows(path: Path, dest: Path, count: int, window_bytes: int, rng: random.Random) -> list[Path]:
    """The first rows of ``count`` evenly spread row groups, about ``window_bytes`` each."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    meta = pf.metadata
    groups = meta.num_row_groups
    if groups == 0:
        return []
    step = groups / min(count, groups)
    chosen = sorted({min(groups - 1, int((i + rng.random()) * step)) for i in range(min(count, groups))})
    per_group = count / len(chosen)
    out = []
    for g in chosen:
        group = meta.row_group(g)
        rows = max(1, int(per_group * window_bytes * group.num_rows / max(group.total_byte_size, 1)))
        batch = next(pf.iter_batches(batch_size=min(rows, group.num_rows), row_groups=[g]), None)
        if batch is None or batch.num_rows == 0:
            continue
        target = _name(dest, path, f"rg{g:06d}", ".parquet")
        pq.write_table(_table(batch), target)
        out.append(target)
    return out


def _table(batch: Any) -> Any:
    import pyarrow as pa

    return pa.Table.from_batches([batch])
