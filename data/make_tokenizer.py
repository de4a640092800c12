"""Regenerate ``pipeline/recipe/presets/tokenizer/``: a small offline byte-level BPE tokenizer.

``make clean-corpus`` (the ``ptvid`` preset) counts tokens with a Hugging Face
tokenizer, and the Hub cannot be reached from every machine, so the package ships
its own next to the preset that uses it: a
byte-level BPE (GPT-2 style, so every string is encodable and no text is ever
mapped to an unknown token) trained on the visible text of
``data/sample_corpus.jsonl``. It is only meant for length filtering; for real
work point ``token_length``'s ``tokenizer`` at your model's tokenizer.

Usage::

    .venv/bin/python data/make_tokenizer.py            # writes pipeline/recipe/presets/tokenizer/
    .venv/bin/python data/make_tokenizer.py --vocab-size 4000 --out /tmp/tok

Load it offline with ``AutoTokenizer.from_pretrained("pipeline/recipe/presets/tokenizer")``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
END_OF_TEXT = "<|endoftext|>"


def training_texts(corpus: Path) -> list[str]:
    """The visible text of every row: HTML pages are reduced to their text."""
    from bs4 import BeautifulSoup

    texts = []
    with corpus.open(encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            if "<html" in text.lower():
                soup = BeautifulSoup(text, "lxml")
                for tag in soup(["script", "style"]):
                    tag.decompose()
                text = soup.get_text(" ")
            texts.append(text)
    return texts


def train(texts: list[str], vocab_size: int):
    """Train a byte-level BPE and wrap it as a ``PreTrainedTokenizerFast``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=[END_OF_TEXT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    # No post-processor: encoding never adds special tokens, so token counts
    # are counts of the text alone.
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=END_OF_TEXT,
        eos_token=END_OF_TEXT,
        unk_token=END_OF_TEXT,
        pad_token=END_OF_TEXT,
        model_max_length=1_000_000,
    )


def portable_config(out: Path) -> None:
    """Name the class older transformers releases know too.

    transformers 5 writes ``TokenizersBackend``, which transformers 4 cannot
    resolve; ``PreTrainedTokenizerFast`` loads in both.
    """
    config_path = out / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "sample_corpus.jsonl")
    parser.add_argument("--out", type=Path, default=HERE.parent / "pipeline" / "presets" / "tokenizer")
    parser.add_argument("--vocab-size", type=int, default=3000)
    args = parser.parse_args()
    tokenizer = train(training_texts(args.corpus), args.vocab_size)
    tokenizer.save_pretrained(str(args.out))
    portable_config(args.out)
    print(f"wrote {args.out} (vocabulary {len(tokenizer)})")


if __name__ == "__main__":
    main()
