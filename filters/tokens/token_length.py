"""Token-length check with any Hugging Face tokenizer (batched, loaded once)."""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import Any

import polars as pl

from corpus_sieve.filters.tokens.counter import count, load_backend, prove_bounds
from corpus_sieve.filters.tokens.counter import start as start_counter
from corpus_sieve.filters.base import REASON_COLUMN, TEXT_COLUMN, Check, as_series, scatter
from corpus_sieve.filters.registry import register

_TOKENIZERS: dict[str, Any] = {}
_LOCK = threading.Lock()


def load_tokenizer(name_or_path: str) -> Any:
    """``AutoTokenizer.from_pretrained(name_or_path)``, loaded once per process.

    Raises ``ValueError`` naming ``name_or_path`` when it cannot be loaded.
    """
    with _LOCK:
        if name_or_path not in _TOKENIZERS:
            looks_like_path = name_or_path.startswith((".", "/", "~")) or name_or_path.count("/") > 1
            if looks_like_path and not Path(name_or_path).expanduser().is_dir():
                raise ValueError(
                    f"token_length: cannot load tokenizer {name_or_path!r}: no such directory "
                    "(a local tokenizer is a directory holding tokenizer.json / tokenizer_config.json)"
                )
            try:
                # transformers announces on import that torch is absent; we never need torch
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                from transformers import AutoTokenizer

                source = str(Path(name_or_path).expanduser()) if looks_like_path else name_or_path
                _TOKENIZERS[name_or_path] = AutoTokenizer.from_pretrained(source)
            except Exception as err:  # transformers raises OSError, ValueError, HTTP errors...
                raise ValueError(
                    f"token_length: cannot load tokenizer {name_or_path!r} with "
                    f"transformers.AutoTokenizer.from_pretrained ({type(err).__name__}: {err}). "
                    "Pass a local directory holding tokenizer.json / tokenizer_config.json, "
                    "or a Hugging Face Hub name: Hub downloads need network access "
                    "(or a filled HF cache)."
                ) from err
        return _TOKENIZERS[name_or_path]


def _counting_backend(tokenizer: Any) -> Any | None:
    """A copy of the fast backend with truncation and padding off, or None (slow tokenizer)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return None
    from tokenizers import Tokenizer

    # A copy: tokenizer.json may enable truncation/padding (lengths would be
    # capped or padded), and the cached tokenizer is shared with other users.
    counting = Tokenizer.from_str(backend.to_str())
    counting.no_truncation()
    counting.no_padding()
    return counting


_BACKENDS: dict[str, Any] = {}


def _load_counting_backend(name_or_path: str) -> Any | None:
    """The Rust tokenizer used for counting, loaded once per name.

    A local directory holding ``tokenizer.json`` is read with
    ``tokenizers.Tokenizer.from_file``: that is the very tokenizer
    ``AutoTokenizer.from_pretrained`` would wrap (the counts are tested to be
    identical), without importing transformers (~2 s per run). Anything else
    (Hub names, directories without ``tokenizer.json``) goes through
    :func:`load_tokenizer`.
    """
    with _LOCK:
        if name_or_path in _BACKENDS:
            return _BACKENDS[name_or_path]
    tokenizer_json = Path(name_or_path).expanduser() / "tokenizer.json"
    if tokenizer_json.is_file():
        try:
            backend = load_backend(str(tokenizer_json))
        except Exception as err:
            raise ValueError(f"token_length: cannot load tokenizer {name_or_path!r}: {tokenizer_json} is not a valid tokenizer.json ({err})") from err
    else:
        backend = _counting_backend(load_tokenizer(name_or_path))
    with _LOCK:
        return _BACKENDS.setdefault(name_or_path, backend)


_PROVEN: dict[int, bool] = {}


def proven_bounds(backend: Any) -> bool:
    """Whether ``words <= tokens <= UTF-8 bytes`` is proven for ``backend`` (a ``tokenizers.Tokenizer``).

    See :func:`corpus_sieve.filters.tokens.counter.prove_bounds`: true for cl100k_base,
    false for any tokenizer the proof does not cover.
    """
    key = id(backend)
    if key not in _PROVEN:
        _PROVEN[key] = prove_bounds(backend)
    return _PROVEN[key]


# -- loading in another process --------------------------------------------------------------
# ``sieve clean`` calls load_in_background(True) before it loads the recipe: a
# local tokenizer.json is then loaded by a counting process (filters/tokens/counter.py)
# while the run goes on, and counted there. Any trouble with that process falls
# back to loading in this one, so results never depend on it.

_BACKGROUND = False
_REMOTES: dict[str, _RemoteCounter] = {}


def load_in_background(enabled: bool = True) -> None:
    """Load local tokenizers in a separate counting process from now on (``sieve clean`` does)."""
    global _BACKGROUND
    _BACKGROUND = enabled


class _RemoteCounter:
    """A counting process for one ``tokenizer.json``; ``None`` results mean "count here instead"."""

    def __init__(self, tokenizer_json: Path, proc: Any = None) -> None:
        self.path = tokenizer_json
        self._lock = threading.Lock()
        self._hello: tuple[str, Any] | None = None
        # a counting process started earlier (pipeline/run/early_start.py), or a new one
        self.proc: Any = proc if proc is not None else start_counter(tokenizer_json)

    def _exchange(self, request: Any = None) -> tuple[str, Any] | None:
        import pickle

        if self.proc is None:
            return None
        try:
            if request is not None:
                pickle.dump(request, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self.proc.stdin.flush()
            return pickle.load(self.proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            self.close()
            return None

    def proven(self, name: str) -> bool | None:
        """Whether the bounds are proven; raises ``ValueError`` when the file cannot be loaded."""
        with self._lock:
            if self._hello is None:
                self._hello = self._exchange() or ("gone", None)
        status, value = self._hello
        if status == "error":
            raise ValueError(f"token_length: cannot load tokenizer {name!r}: {self.path} is not a valid tokenizer.json ({value})")
        return value if status == "ok" else None

    def counts(self, name: str, texts: list[str], batch_size: int) -> list[int] | None:
        if self.proven(name) is None:
            return None
        with self._lock:
            reply = self._exchange((texts, batch_size))
        if reply is None or reply[0] != "ok" or len(reply[1]) != len(texts):
            return None
        return reply[1]

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if self._hello is None:  # still loading (a run that failed early): no need to wait for it
                proc.kill()
            proc.stdin.close()
            proc.wait(timeout=5)
        except Exception:
            proc.kill()


def adopt_counters(started: dict[str, Any]) -> None:
    """Use counting processes started before this module was imported (``pipeline/run/early_start.py``).

    ``started`` maps a ``tokenizer`` value, as the recipe loader resolves it,
    to the process counting with its ``tokenizer.json``; a ``token_length``
    filter built later with that value talks to it instead of starting one.
    """
    with _LOCK:
        for name_or_path, proc in started.items():
            if name_or_path in _REMOTES:
                continue
            _REMOTES[name_or_path] = _RemoteCounter(Path(name_or_path).expanduser() / "tokenizer.json", proc)


def _remote_for(name_or_path: str) -> _RemoteCounter | None:
    tokenizer_json = Path(name_or_path).expanduser() / "tokenizer.json"
    if not _BACKGROUND or name_or_path in _BACKENDS or not tokenizer_json.is_file():
        return None
    with _LOCK:
        if name_or_path not in _REMOTES:
            _REMOTES[name_or_path] = _RemoteCounter(tokenizer_json)
        return _REMOTES[name_or_path]


def _close_remotes() -> None:
    for remote in list(_REMOTES.values()):
        remote.close()
    _REMOTES.clear()


atexit.register(_close_remotes)


@register
class TokenLength(Check):
    """Reject texts with fewer than ``min_tokens`` or more than ``max_tokens`` tokens.

    Tokens are counted with a Hugging Face tokenizer, without special tokens
    (no BOS/EOS), with truncation and padding off. Counting is batched
    through the fast (Rust) tokenizer's ``encode_batch`` and parallel; slow
    (Python) tokenizers are called once per batch.

    Texts whose outcome is certain are not tokenized, where that is proven
    for the tokenizer in use (:func:`proven_bounds`; cl100k_base is): with
    ``words <= tokens <= bytes`` (``words`` = runs of non-whitespace), a text
    of fewer than ``min_tokens`` UTF-8 bytes is too short, one of more than
    ``max_tokens`` words too long, and one of at least ``min_tokens`` words
    and at most ``max_tokens`` bytes is kept. The outcome equals tokenizing
    every text. For any other tokenizer every non-null text is tokenized (a
    normaliser can expand one character into many, byte fallback gives up to
    4 tokens per character, ...).
    Place this stage *after* HTML cleaning in a recipe: raw HTML costs tens
    of times more to tokenize than its text.

    Parameters
    ----------
    tokenizer : str
        A name or path for ``transformers.AutoTokenizer.from_pretrained``: a
        local directory (offline) or a Hub name (needs network or a filled
        cache). Loaded once per process and name; construction fails with a
        clear ``ValueError`` when it cannot be loaded. A local directory with
        a ``tokenizer.json`` is read by the ``tokenizers`` library directly
        (same tokenizer, same counts, no transformers import).
    min_tokens : int or None, default None
        Reject with ``too_few_tokens`` below this count.
    max_tokens : int or None, default None
        Reject with ``too_many_tokens`` above this count.
    batch_size : int, default 4096
        Texts per call to the tokenizer (bounds memory on huge batches).

    Examples
    --------
    >>> import pathlib, pytest
    >>> path = pathlib.Path("../shared/data/tokenizers/cl100k")
    >>> if not path.is_dir():
    ...     pytest.skip("../shared/data is absent")
    >>> check = TokenLength(tokenizer=str(path), min_tokens=3, max_tokens=50)
    >>> check.count_tokens(["Olá mundo", ""])
    [3, 0]
    >>> check.reason("Olá")
    'too_few_tokens'
    >>> check("O Governo aprovou hoje o orçamento.")
    True
    """

    name = "token_length"
    reasons = ("too_few_tokens", "too_many_tokens")

    def __init__(
        self,
        tokenizer: str,
        min_tokens: int | None = None,
        max_tokens: int | None = None,
        batch_size: int = 4096,
    ) -> None:
        if min_tokens is not None and max_tokens is not None and min_tokens > max_tokens:
            raise ValueError(f"min_tokens ({min_tokens}) is greater than max_tokens ({max_tokens})")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.tokenizer = str(tokenizer)
        self.min_tokens = min_tokens
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        # loaded now, so that a bad name or path fails at recipe validation (under
        # load_in_background a local tokenizer.json loads in a counting process
        # meanwhile; a missing directory still fails here)
        self._remote = _remote_for(self.tokenizer)
        self._backend: Any = None
        self._tokenizer: Any = None
        if self._remote is None:
            self._load_here()

    def _load_here(self) -> None:
        if self._backend is None and self._tokenizer is None:
            self._remote = None
            self._backend = _load_counting_backend(self.tokenizer)
            self._tokenizer = load_tokenizer(self.tokenizer) if self._backend is None else None

    def __getstate__(self) -> dict[str, Any]:
        # a copy sent elsewhere (Ray) counts in its own process; the tokenizer
        # travels as its JSON, as before, when it was loaded here
        return {**self.__dict__, "_remote": None}

    def _proven(self) -> bool:
        if self._remote is not None:
            proven = self._remote.proven(self.tokenizer)
            if proven is not None:
                return proven
        self._load_here()  # no counting process, or it is gone: count here
        return self._backend is not None and proven_bounds(self._backend)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of tokens of each text (no special tokens)."""
        if self._remote is not None:
            counts = self._remote.counts(self.tokenizer, texts, self.batch_size)
            if counts is not None:
                return counts
        self._load_here()
        if self._backend is not None:
            return count(self._backend, texts, self.batch_size)
        counts = []
        for start in range(0, len(texts), self.batch_size):
            ids = self._tokenizer(texts[start : start + self.batch_size], add_special_tokens=False)["input_ids"]
            counts.extend(len(x) for x in ids)
        return counts

    def reasons_batch(self, texts: list[str]) -> list[str | None]:
        return self.reasons_series(pl.Series(TEXT_COLUMN, texts, dtype=pl.String)).to_list()

    def reasons_series(self, texts: pl.Series | Any) -> pl.Series:
        """One reason per text (null = keep); only texts with an uncertain outcome are tokenized."""
        s = as_series(texts)
        none = pl.Series(REASON_COLUMN, [None] * len(s), dtype=pl.String)
        if self.min_tokens is None and self.max_tokens is None:
            return none
        if self._proven():
            decided = s.to_frame(TEXT_COLUMN).select(self._certain(pl.col(TEXT_COLUMN)))
            reasons, todo_mask = decided["reason"], decided["todo"]
        else:
            reasons, todo_mask = none, s.is_not_null()
        todo = s.filter(todo_mask).to_list()
        if not todo:
            return reasons
        return scatter(reasons, todo_mask, self._reasons_exact(todo), pl.String)

    def _certain(self, col: pl.Expr) -> list[pl.Expr]:
        """``reason`` where the bounds decide it, and ``todo`` (rows to tokenize)."""
        lo, hi = self.min_tokens, self.max_tokens
        words, nbytes = col.str.count_matches(r"\S+"), col.str.len_bytes()
        too_few = nbytes < lo if lo is not None else pl.lit(False)
        too_many = words > hi if hi is not None else pl.lit(False)
        fits = (words >= lo if lo is not None else pl.lit(True)) & (nbytes <= hi if hi is not None else pl.lit(True))
        reason = pl.when(too_few).then(pl.lit("too_few_tokens")).when(too_many).then(pl.lit("too_many_tokens"))
        return [
            reason.otherwise(pl.lit(None, pl.String)).alias("reason"),
            (col.is_not_null() & ~too_few & ~too_many & ~fits).fill_null(False).alias("todo"),
        ]

    def _reasons_exact(self, texts: list[str]) -> list[str | None]:
        out: list[str | None] = []
        for n in self.count_tokens(texts):
            if self.min_tokens is not None and n < self.min_tokens:
                out.append("too_few_tokens")
            elif self.max_tokens is not None and n > self.max_tokens:
                out.append("too_many_tokens")
            else:
                out.append(None)
        return out
