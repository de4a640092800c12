"""The same chain with datatrove: ``LocalPipelineExecutor``, 2 tasks on 2 workers.

Usage: ``python peer_datatrove.py SHARD_DIR OUT_DIR [--workers 2]``.
``SHARD_DIR`` holds the corpus split into contiguous JSONL shards
(``00000.jsonl``, ``00001.jsonl``; datatrove parallelises over files, a single
file would use one worker). Writes ``OUT_DIR/kept/*.jsonl``.

Step 1 (2 tasks): ``JsonlReader`` -> HTML (a custom block: datatrove has no
jusText extractor) -> one ``BaseFormatter`` per transform -> ``LambdaFilter``
per check -> datatrove's ``TokensCounter`` (cl100k ``tokenizer.json``, batched
``encode_batch``) + ``LambdaFilter`` on its ``token_count`` -> ``JsonlWriter``.
Step 2 (1 task): exact dedup over step 1's output in input order (datatrove's
own exact dedup is a three-stage signature/index pipeline built for clusters;
an in-memory set is faster on one machine, so the peer gets the faster one).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]
TOKENIZER_JSON = str(HERE.parents[2] / "shared" / "data" / "tokenizers" / "cl100k" / "tokenizer.json")

from datatrove.pipeline.base import PipelineStep  # noqa: E402
from datatrove.pipeline.filters.base_filter import BaseFilter  # noqa: E402
from datatrove.pipeline.formatters.base import BaseFormatter  # noqa: E402


class HtmlStep(PipelineStep):
    """jusText (Portuguese stoplist) on web pages, HTML -> text on the other rows."""

    name = "html"

    def run(self, data, rank: int = 0, world_size: int = 1):
        import peer_rules

        for doc in data:
            with self.track_time():
                if doc.metadata.get("domain") == "web":
                    doc.text = peer_rules.justext_text(doc.text)
                else:
                    doc.text = peer_rules.html_text(doc.text)
            yield doc


class RuleFormatter(BaseFormatter):
    """One text transform of ``peer_rules`` as a datatrove formatter."""

    def __init__(self, rule: str) -> None:
        super().__init__()
        self.rule = rule
        self.name = rule

    def format(self, text: str) -> str:
        import peer_rules

        return getattr(peer_rules, self.rule)(text)


class RuleFilter(BaseFilter):
    """One check of ``peer_rules`` (keep = True) as a datatrove filter."""

    def __init__(self, rule: str) -> None:
        super().__init__()
        self.rule = rule
        self.name = rule

    def filter(self, doc) -> bool:
        import peer_rules

        return getattr(peer_rules, self.rule)(doc.text)


class TokenBounds(BaseFilter):
    name = "token_bounds"

    def filter(self, doc) -> bool:
        import peer_rules

        return peer_rules.MIN_TOKENS <= doc.metadata["token_count"] <= peer_rules.MAX_TOKENS


class ExactDedup(BaseFilter):
    name = "exact_dedup"

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, doc) -> bool:
        import peer_rules

        key = peer_rules.dedup_key(doc.text)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def main() -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.tokens import TokensCounter
    from datatrove.pipeline.writers import JsonlWriter

    import peer_rules

    ap = argparse.ArgumentParser()
    ap.add_argument("shards")
    ap.add_argument("out")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    out = Path(args.out)
    n_shards = len(list(Path(args.shards).glob("*.jsonl")))
    step1 = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(args.shards, glob_pattern="*.jsonl", compression=None),
            HtmlStep(),
            *[RuleFormatter(fn.__name__) for fn in peer_rules.TRANSFORMS],
            *[RuleFilter(fn.__name__) for fn in peer_rules.CHECKS],
            TokensCounter(TOKENIZER_JSON),
            TokenBounds(),
            JsonlWriter(str(out / "step1"), compression=None),
        ],
        tasks=n_shards, workers=args.workers, logging_dir=str(out / "logs1"), skip_completed=False,
    )
    step1.run()
    if not list((out / "step1").glob("*.jsonl")):  # every row rejected (language_id on English pages)
        (out / "kept").mkdir(parents=True, exist_ok=True)
        return
    step2 = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(out / "step1"), glob_pattern="*.jsonl", compression=None),
            ExactDedup(),
            JsonlWriter(str(out / "kept"), compression=None),
        ],
        tasks=1, workers=1, logging_dir=str(out / "logs2"), skip_completed=False,
    )
    step2.run()


if __name__ == "__main__":
    main()
