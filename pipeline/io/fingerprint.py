"""The content hash of input fingerprints (``inputs.json``, ``--resume``'s "did the input change?").

No heavy imports: ``sieve clean`` hashes its inputs in a thread while polars is still being imported.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

#: the hash of input fingerprints: xxh3 reads ~10 GB/s (blake2b ~1 GB/s was a visible part of a
#: run's start on a 200 MB input); it detects a changed input, it is not a security check
FINGERPRINT_HASH = "xxh3_128"


def hash_file(path: str | Path, algorithm: str = FINGERPRINT_HASH) -> str:
    """Hex digest of a file's contents, streamed in 1 MiB chunks (``xxh3_128`` or any ``hashlib`` name)."""
    if algorithm == "xxh3_128":
        import xxhash

        h: Any = xxhash.xxh3_128()
    elif algorithm == "blake2b":  # fingerprints written before xxh3 (runs resumed across versions)
        h = hashlib.blake2b(digest_size=16)
    else:
        h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
