"""Token-length check with any Hugging Face tokenizer (batched, loaded once)."""

from __future__ import annotations

import os

import threading
from pathlib import Path
from typing import Any

from filters.base import Check
from filters.registry import register

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
        from tokenizers import Tokenizer

        try:
            backend = Tokenizer.from_file(str(tokenizer_json))
        except Exception as err:
            raise ValueError(f"token_length: cannot load tokenizer {name_or_path!r}: {tokenizer_json} is not a valid tokenizer.json ({err})") from err
        backend.no_truncation()
        backend.no_padding()
    else:
        backend = _counting_backend(load_tokenizer(name_or_path))
    with _LOCK:
        return _BACKENDS.setdefault(name_or_path, backend)


@register
class TokenLength(Check):
    """Reject texts with fewer than ``min_tokens`` or more than ``max_tokens`` tokens.

    Tokens are counted with a Hugging Face tokenizer, without special tokens
    (no BOS/EOS), with truncation and padding off. Counting is batched
    through the fast (Rust) tokenizer's ``encode_batch`` and parallel; slow
    (Python) tokenizers are called once per batch.

    Every non-null text is tokenized: no character-count shortcut is
    provably right for every tokenizer (a normaliser can expand one
    character into many, byte fallback gives up to 4 tokens per character,
    and a long text can be one token per many characters), so none is taken.
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
        # loaded now, so that a bad name or path fails at recipe validation
        self._backend = _load_counting_backend(self.tokenizer)
        self._tokenizer = load_tokenizer(self.tokenizer) if self._backend is None else None

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of tokens of each text (no special tokens)."""
        counts: list[int] = []
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start : start + self.batch_size]
            if self._backend is not None:
                encodings = self._backend.encode_batch_fast(chunk, add_special_tokens=False)
                counts.extend(len(e.ids) for e in encodings)
            else:
                ids = self._tokenizer(chunk, add_special_tokens=False)["input_ids"]
                counts.extend(len(x) for x in ids)
        return counts

    def reasons_batch(self, texts: list[str]) -> list[str | None]:
        if self.min_tokens is None and self.max_tokens is None:
            return [None] * len(texts)
        out: list[str | None] = []
        for n in self.count_tokens(texts):
            if self.min_tokens is not None and n < self.min_tokens:
                out.append("too_few_tokens")
            elif self.max_tokens is not None and n > self.max_tokens:
                out.append("too_many_tokens")
            else:
                out.append(None)
        return out
