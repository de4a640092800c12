"""Token counting for ``token_length``: the proof of its length bounds, and a counting process.

Kept free of polars and of the ``filters`` package (standard library and
``tokenizers`` only), so that it also runs as a script: ``sieve clean`` starts
``python counter.py TOKENIZER_JSON`` while it loads the recipe, and the
~0.4 s that ``Tokenizer.from_file`` spends building cl100k's 100k merges
(holding the GIL all along, so a thread would not help) overlap the rest of
the run instead of preceding it. Requests and replies are pickled over the
child's stdin/stdout; the child exits when its stdin closes.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from typing import Any

#: Split patterns whose pieces are proven never to hold whitespace between two
#: non-whitespace characters (see :func:`prove_bounds`): cl100k_base's.
WORD_SAFE_SPLITS = frozenset({
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
})
#: Unicode White_Space: what ``\s`` matches in polars (Rust regex) and, checked at
#: load time, in the tokenizer's own regex engine
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
#: characters that look like whitespace but are not White_Space (must not split pieces)
NOT_WHITE_SPACE = "\x1c\x1d\x1e\x1f\u180e\u200b\u200c\u200d\u2060\ufeff"


def prove_bounds(backend: Any) -> bool:
    """Whether ``words <= tokens <= UTF-8 bytes`` holds for every text with ``backend``.

    ``backend`` is a ``tokenizers.Tokenizer`` with truncation and padding off;
    ``words`` are the maximal runs of non-whitespace characters (``\\S+``).
    True only for a configuration proven here:

    * no normalizer, byte-level BPE (a ``ByteLevel`` pre-tokenizer without an
      added prefix space, every one of the 256 byte symbols in the vocabulary,
      no byte fallback, no dropout): every token stands for at least one byte
      of the text and every piece of the pre-tokenizer gives at least one
      token, so ``tokens <= bytes`` and ``tokens >= pieces``;
    * a ``Split`` pre-tokenizer with a pattern of :data:`WORD_SAFE_SPLITS`:
      each alternative of cl100k_base's pattern matches whitespace only at its
      start (``[^\\r\\n\\p{L}\\p{N}]?\\p{L}+``, `` ?[^\\s\\p{L}\\p{N}]+``), at its
      end (``[\\r\\n]*``) or nothing but whitespace, so no piece holds the end
      of one word and the start of another: ``pieces >= words``;
    * added tokens without whitespace (they are cut out of the text before
      pre-tokenizing, each one token for at least one byte);
    * the tokenizer's regex engine agrees with polars on what ``\\s`` is
      (probed here on the White_Space characters and on look-alikes;
      ``tests/filters/test_token_length.py`` probes every code point).

    Anything else (or any error while checking) gives ``False``.
    """
    try:
        return _prove(backend)
    except Exception:  # an unfamiliar tokenizer: no shortcut
        return False


def _prove(backend: Any) -> bool:
    from tokenizers import pre_tokenizers

    if backend.normalizer is not None or backend.truncation is not None or backend.padding is not None:
        return False
    pre = json.loads(backend.pre_tokenizer.__getstate__())
    if pre.get("type") != "Sequence" or len(pre.get("pretokenizers", [])) != 2:
        return False
    split, byte_level = pre["pretokenizers"]
    if not (split.get("type") == "Split" and split.get("behavior") == "Isolated" and not split.get("invert")
            and split.get("pattern", {}).get("Regex") in WORD_SAFE_SPLITS):
        return False
    if not (byte_level.get("type") == "ByteLevel" and not byte_level.get("add_prefix_space")
            and not byte_level.get("use_regex")):
        return False
    if backend.post_processor is not None and json.loads(backend.post_processor.__getstate__()).get("type") != "ByteLevel":
        return False
    model = backend.model
    if type(model).__name__ != "BPE" or model.byte_fallback or model.dropout or model.continuing_subword_prefix \
            or model.end_of_word_suffix:
        return False
    if any(backend.token_to_id(c) is None for c in pre_tokenizers.ByteLevel.alphabet()):
        return False
    for token in backend.get_added_tokens_decoder().values():
        if not token.content or any(c.isspace() or c in WHITE_SPACE for c in token.content):
            return False
    return _same_white_space(backend.pre_tokenizer)


def _same_white_space(pre_tokenizer: Any) -> bool:
    """The pre-tokenizer isolates exactly the White_Space characters between two ``!``."""
    for c in WHITE_SPACE + NOT_WHITE_SPACE:
        pieces = [offsets for _, offsets in pre_tokenizer.pre_tokenize_str("!" + c + "!")]
        if c in "\r\n":
            expected = [(0, 2), (2, 3)]  # "!\n" then "!"
        elif c == " ":
            expected = [(0, 1), (1, 3)]  # "!" then " !"
        elif c in WHITE_SPACE:
            expected = [(0, 1), (1, 2), (2, 3)]
        else:
            expected = [(0, 3)]
        if pieces != expected:
            return False
    return True


def load_backend(tokenizer_json: str) -> Any:
    """``tokenizers.Tokenizer.from_file`` with truncation and padding off."""
    from tokenizers import Tokenizer

    backend = Tokenizer.from_file(tokenizer_json)
    backend.no_truncation()
    backend.no_padding()
    return backend


def count(backend: Any, texts: list[str], batch_size: int) -> list[int]:
    """Tokens per text, without special tokens, ``batch_size`` texts per ``encode_batch_fast``."""
    counts: list[int] = []
    for start in range(0, len(texts), batch_size):
        encodings = backend.encode_batch_fast(texts[start : start + batch_size], add_special_tokens=False)
        counts.extend(len(e.ids) for e in encodings)
    return counts


def _exit_now(out: Any) -> None:
    """End the process at once: every reply is flushed, and tearing down the interpreter (freeing
    the tokenizer and every object) would only keep the caller waiting for this process to exit."""
    out.flush()
    sys.stderr.flush()
    os._exit(0)


def start(tokenizer_json: str | os.PathLike) -> Any:
    """This script, started as a counting process for ``tokenizer_json`` (``None`` when it cannot start).

    Requests are pickled to its stdin and replies read from its stdout (:func:`serve`).
    """
    import subprocess

    try:
        return subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), os.fspath(tokenizer_json)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def serve(tokenizer_json: str) -> None:
    """The counting process: ``("ok", proven)`` once loaded, then one reply per request."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # nothing printed may corrupt the reply stream
    sys.stdout = sys.stderr
    inp = sys.stdin.buffer

    def reply(message: tuple[str, Any]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        backend = load_backend(tokenizer_json)
    except Exception as exc:
        reply(("error", f"{type(exc).__name__}: {exc}"))
        return
    reply(("ok", prove_bounds(backend)))
    while True:
        try:
            texts, batch_size = pickle.load(inp)
        except EOFError:
            _exit_now(out)
        try:
            reply(("ok", count(backend, texts, batch_size)))
        except Exception as exc:
            reply(("error", f"{type(exc).__name__}: {exc}"))


if __name__ == "__main__":
    serve(sys.argv[1])
