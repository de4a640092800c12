"""datatrove's four MinHash stages with their defaults on a folder of JSONL shards (run as a process by
``bench_near_dedup.py``). Its default hash fails with xxhash 4.x, so the hash is sha1.

    python peer_datatrove_minhash.py SHARDS OUT [--workers 2]

Writes ``OUT/kept/*.jsonl`` and ``OUT/removed/*.jsonl`` (each row with its ``minhash_cluster_id``).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    ap = argparse.ArgumentParser()
    ap.add_argument("shards")
    ap.add_argument("out")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    out = Path(args.out)
    tasks = len(list(Path(args.shards).glob("*.jsonl")))
    config = MinhashConfig(hash_config=HashConfig(hash_fc="sha1"))

    def reader():
        return JsonlReader(args.shards, glob_pattern="*.jsonl", compression=None)

    def common(step: int) -> dict:
        return {"logging_dir": str(out / f"logs{step}"), "skip_completed": False}

    LocalPipelineExecutor(pipeline=[reader(), MinhashDedupSignature(str(out / "sigs"), config=config)],
                          tasks=tasks, workers=args.workers, **common(1)).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(str(out / "sigs"), str(out / "buckets"), config=config)],
                          tasks=config.num_buckets, workers=args.workers, **common(2)).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupCluster(str(out / "buckets"), str(out / "remove"), config=config,
                                                        save_cluster_id=True)],
                          tasks=1, workers=1, **common(3)).run()
    LocalPipelineExecutor(pipeline=[
        reader(),
        MinhashDedupFilter(str(out / "remove"), exclusion_writer=JsonlWriter(str(out / "removed"), compression=None),
                           load_cluster_ids=True),
        JsonlWriter(str(out / "kept"), compression=None),
    ], tasks=tasks, workers=args.workers, **common(4)).run()


if __name__ == "__main__":
    main()
