"""Run directories: every ``sieve clean`` run gets its own folder.

``runs/<YYYYmmdd-HHMMSS>-<hash>/`` holds ``recipe.json`` (the resolved
recipe), ``inputs.json`` (paths, sizes, content hashes), ``manifest.json``
(versions, command line, start time), the outputs (``kept.parquet``,
``rejected.parquet``) and ``stats.json``. ``runs/latest`` points at the
newest run (a symlink, or a text file holding its name where symlinks fail).

>>> import tempfile, pathlib
>>> base = pathlib.Path(tempfile.mkdtemp())
>>> run = RunDir.create(base, {"steps": []}, [])
>>> RunDir.open(base / "latest").path == run.path
True
>>> sorted(p.name for p in run.path.iterdir())
['inputs.json', 'manifest.json', 'recipe.json']
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable


LATEST = "latest"


def package_version() -> str:
    """The installed corpus-sieve version, or ``"unknown"``."""
    try:
        from importlib.metadata import version

        return version("corpus-sieve")
    except Exception:
        return "unknown"


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)


def _versions() -> dict[str, str]:
    out = {"corpus-sieve": package_version(), "python": platform.python_version()}
    for mod in ("polars", "pyarrow"):
        try:  # the installed distribution's version: importing pyarrow only for this costs ~0.15 s
            loaded = sys.modules.get(mod)
            if loaded is not None:
                out[mod] = loaded.__version__
            else:
                from importlib.metadata import version

                out[mod] = version(mod)
        except Exception:
            out[mod] = "unknown"
    return out


# -- input fingerprints, hashed ahead of time ----------------------------------------------
# Hashing a large input (xxh3, ~0.2 s for 2 GB; blake2b took ~2 s) is the longest thing a run does
# before it can name its directory. ``sieve clean`` starts it in a thread before
# importing polars and loading the recipe (hashlib releases the GIL), and
# :meth:`RunDir.create` takes the result when the file is unchanged since.

_PREFETCHED: dict[str, tuple[threading.Thread, dict[str, Any]]] = {}


def _hash_file(path: Path, out: dict[str, Any]) -> None:
    try:
        from corpus_sieve.pipeline.io.fingerprint import FINGERPRINT_HASH, hash_file

        before = path.stat()
        digest = hash_file(path)
        after = path.stat()
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            out.update(stat=(after.st_size, after.st_mtime_ns), entry={
                "path": str(path), "size": after.st_size, "mtime": after.st_mtime, FINGERPRINT_HASH: digest})
    except OSError:
        pass  # RunDir.create fingerprints the file itself (and reports the error)


def prefetch_fingerprints(paths: Iterable[str | Path]) -> None:
    """Start hashing the plain files among ``paths`` in a background thread."""
    for p in paths:
        path = Path(p)
        if str(path) in _PREFETCHED or not path.is_file():
            continue
        out: dict[str, Any] = {}
        thread = threading.Thread(target=_hash_file, args=(path, out), name="sieve-fingerprint", daemon=True)
        thread.start()
        _PREFETCHED[str(path)] = (thread, out)


def input_fingerprint(path: str | Path) -> dict[str, Any]:
    """``corpus_sieve.pipeline.io.readers.fingerprint(path)``, from the prefetched hash when the file did not change."""
    job = _PREFETCHED.pop(str(Path(path)), None)
    if job is not None:
        thread, out = job
        thread.join()
        try:
            st = Path(path).stat()
            if out.get("stat") == (st.st_size, st.st_mtime_ns):
                return out["entry"]
        except OSError:
            pass
    from corpus_sieve.pipeline.io.readers import fingerprint  # lazily: keeps `sieve --help` free of polars

    return fingerprint(path)


class RunDir:
    """One run's directory. Make one with :meth:`create`, reopen with :meth:`open`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # -- making and finding ---------------------------------------------------
    @classmethod
    def create(cls, base: str | Path, recipe: dict, inputs: Iterable[str | Path]) -> RunDir:
        """A new run directory under ``base``; writes recipe/inputs/manifest, updates ``latest``."""
        base = Path(base)
        base.mkdir(parents=True, exist_ok=True)
        started = datetime.now(timezone.utc).astimezone()
        fingerprints = [input_fingerprint(p) for p in inputs]
        digest = hashlib.blake2b(
            _canonical({"recipe": recipe, "inputs": fingerprints}).encode(), digest_size=4
        ).hexdigest()
        stem = f"{started:%Y%m%d-%H%M%S}-{digest}"
        path = base / stem
        n = 1
        while True:  # mkdir is atomic: two runs in the same second get -2, -3 ...
            try:
                path.mkdir()
                break
            except FileExistsError:
                n += 1
                path = base / f"{stem}-{n}"
        run = cls(path)
        run.write_json("recipe.json", recipe)
        run.write_json("inputs.json", {"inputs": fingerprints})
        run.write_json(
            "manifest.json",
            {
                "run_id": run.id,
                "version": package_version(),
                "versions": _versions(),
                "command": [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else [],
                "cwd": os.getcwd(),
                "started_at": started.isoformat(timespec="seconds"),
                "started_unix": time.time(),
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
            },
        )
        update_latest(base, path.name)
        return run

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        """An existing run: its directory, ``runs/latest`` (link or text file), or a run id under ``runs``."""
        p = Path(path)
        if p.is_symlink() or p.is_dir():
            resolved = p.resolve()
            if resolved.is_dir():
                return cls(resolved)
        if p.is_file() and p.name == LATEST:
            name = p.read_text(encoding="utf-8").strip()
            target = p.parent / name
            if target.is_dir():
                return cls(target)
            raise FileNotFoundError(f"{p} names run {name!r}, which does not exist")
        raise FileNotFoundError(f"no run directory at {p}")

    # -- paths ------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.path.name

    @property
    def kept_path(self) -> Path:
        return self.path / "kept.parquet"

    @property
    def rejected_path(self) -> Path:
        return self.path / "rejected.parquet"

    @property
    def stats_path(self) -> Path:
        return self.path / "stats.json"

    # -- JSON files -------------------------------------------------------------
    def write_json(self, name: str, obj: Any) -> Path:
        """Write ``obj`` to ``<run>/<name>`` atomically (temp file + rename)."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(target, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")
        return target

    def read_json(self, name: str) -> Any:
        with open(self.path / name, encoding="utf-8") as fh:
            return json.load(fh)

    def has(self, name: str) -> bool:
        return (self.path / name).exists()

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunDir) and self.path.resolve() == other.path.resolve()

    def __hash__(self) -> int:
        return hash(self.path.resolve())


def update_latest(base: Path, name: str) -> None:
    """Point ``base/latest`` at ``name`` atomically (symlink, else a text file)."""
    link = base / LATEST
    tmp = base / f".{LATEST}.{os.getpid()}.tmp"
    try:
        tmp.unlink(missing_ok=True)
        os.symlink(name, tmp, target_is_directory=True)
        if link.is_dir() and not link.is_symlink():
            raise OSError(f"{link} is a real directory; not replacing it")
        os.replace(tmp, link)
    except OSError:
        tmp.unlink(missing_ok=True)
        if link.is_symlink():
            link.unlink()
        if link.is_dir():
            return
        _atomic_write_text(link, name + "\n")


def list_runs(base: str | Path) -> list[RunDir]:
    """Run directories under ``base``, oldest first (by start time, then name)."""
    base = Path(base)
    if not base.is_dir():
        return []
    runs = [
        RunDir(p)
        for p in base.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".") and (p / "manifest.json").is_file()
    ]

    def started(run: RunDir) -> tuple[float, str]:
        try:
            return float(run.read_json("manifest.json").get("started_unix", 0.0)), run.id
        except (OSError, ValueError):
            return 0.0, run.id

    return sorted(runs, key=started)


def resolve_run(ref: str | Path, base: str | Path = "runs") -> RunDir:
    """A run from a path, ``latest``, or a run id (or unique id prefix) under ``base``."""
    p = Path(ref)
    if p.exists() or p.is_symlink():
        return RunDir.open(p)
    b = Path(base)
    if (b / str(ref)).exists() or (b / str(ref)).is_symlink():
        return RunDir.open(b / str(ref))
    matches = [r for r in list_runs(b) if r.id.startswith(str(ref))]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise FileNotFoundError(f"run id {ref!r} is ambiguous in {b}: {', '.join(r.id for r in matches)}")
    raise FileNotFoundError(f"no run {ref!r} (not a path, and not a run id under {b})")
