"""Labelled real corpora built from ``../shared/data``, for tests and benchmarks.

Nothing here copies the shared data into the repository: the loaders read it in
place and :func:`build_mixed_corpus` writes a JSONL wherever it is told to (a
pytest ``tmp_path``, a benchmark scratch directory).

Sources (see ``../shared/data/README.md``):

============  ==============  ======================  ============================
source        domain          label                   notes
============  ==============  ======================  ============================
DSLCC v2      ``news``        pt-PT / pt-BR (gold)    2,000 sentences
FRMT          ``wiki``        from the file name      exemplars/dev/test -> split
                                                      train/dev/test
Tatoeba       ``conversational``  EP -> pt-PT,        BP labels came from a
                              BP -> pt-BR             classifier (some noise)
ToLD-Br       ``social_media`` pt-BR                  real ``rt @user``, t.co links
WCXB          ``web``         ``unknown``             raw HTML (mostly English)
============  ==============  ======================  ============================

WCXB pages carry no variety label: they are English-language web pages from a
content-extraction benchmark. Inventing ``pt-PT``/``pt-BR`` for them would plant
a fake signal, so they get the explicit label ``"unknown"``; audits can drop or
ignore that label. Their ``language`` column comes from ``<html lang="...">``
(default ``en``), which exercises the per-row jusText stoplist.

Rows are read verbatim: one Tatoeba line carries a stray CSV quote and a third
tab-separated field; its Portuguese field is kept as it is (real noise that
``reject_unbalanced`` should catch).

Usage::

    from realdata import load_pt_varieties, build_mixed_corpus
    df = load_pt_varieties(shared_data)
    path = build_mixed_corpus(shared_data, tmp_path / "mixed.jsonl", n_docs=60_000)
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import polars as pl

CORPUS_COLUMNS = ["id", "text", "label", "domain", "language"]
VARIETY_COLUMNS = ["id", "text", "label", "domain", "source", "split"]
FRMT_SPLITS = {"exemplars": "train", "dev": "dev", "test": "test"}
TATOEBA_LABELS = {"EP": "pt-PT", "BP": "pt-BR"}
UNKNOWN_LABEL = "unknown"

_FRMT_NAME = re.compile(r"pt_(?P<bucket>[a-z]+)_(?P<part>exemplars|dev|test)_en_(?P<label>pt-PT|pt-BR)\.tsv")
_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2})", re.IGNORECASE)
#: a charset declared in a <meta> tag (not "charset=" anywhere in a script)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)


def _tsv_lines(path: Path) -> list[list[str]]:
    """Tab-separated fields of every non-empty line, read without any quoting rules."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [line.rstrip("\r\n").split("\t") for line in fh if line.strip()]


def load_dslcc(shared: Path) -> pl.DataFrame:
    """DSLCC v2 gold test, Portuguese part: news sentences, gold labels."""
    path = shared / "pt-varieties" / "dslcc2-test-gold-pt.tsv"
    rows = _tsv_lines(path)
    return pl.DataFrame(
        {
            "id": [f"dslcc-{i:04d}" for i in range(1, len(rows) + 1)],
            "text": [r[0] for r in rows],
            "label": [r[-1] for r in rows],
            "domain": "news",
            "source": path.name,
            "split": pl.Series([None] * len(rows), dtype=pl.String),
        }
    ).select(VARIETY_COLUMNS)


def load_frmt(shared: Path) -> pl.DataFrame:
    """FRMT: the Portuguese side of every bucket/part; label and split from the file name."""
    frames = []
    for path in sorted((shared / "pt-varieties" / "frmt").glob("*_bucket/*.tsv")):
        match = _FRMT_NAME.fullmatch(path.name)
        if match is None:
            continue
        rows = _tsv_lines(path)
        bucket, part, label = match["bucket"], match["part"], match["label"]
        frames.append(
            pl.DataFrame(
                {
                    "id": [f"frmt-{bucket}-{part}-{label[-2:]}-{i:04d}" for i in range(1, len(rows) + 1)],
                    "text": [r[1] for r in rows],
                    "label": label,
                    "domain": "wiki",
                    "source": path.name,
                    "split": FRMT_SPLITS[part],
                }
            )
        )
    return pl.concat(frames).select(VARIETY_COLUMNS)


def load_tatoeba(shared: Path) -> pl.DataFrame:
    """Tatoeba: the Portuguese side of the EP (pt-PT) and BP (pt-BR) files."""
    frames = []
    for code, label in TATOEBA_LABELS.items():
        path = shared / "pt-varieties" / "tatoeba" / f"{code}_10K_tatoeba.tsv"
        rows = _tsv_lines(path)
        frames.append(
            pl.DataFrame(
                {
                    "id": [f"tatoeba-{code.lower()}-{i:05d}" for i in range(1, len(rows) + 1)],
                    "text": [r[1] for r in rows],
                    "label": label,
                    "domain": "conversational",
                    "source": path.name,
                    "split": pl.Series([None] * len(rows), dtype=pl.String),
                }
            )
        )
    return pl.concat(frames).select(VARIETY_COLUMNS)


def load_pt_varieties(shared: Path) -> pl.DataFrame:
    """DSLCC (news) + FRMT (wiki) + Tatoeba (conversational), labelled pt-PT / pt-BR.

    Columns: ``id, text, label, domain, source, split``; ``split`` is
    train/dev/test for FRMT (exemplars/dev/test) and null elsewhere.
    """
    shared = Path(shared)
    return pl.concat([load_dslcc(shared), load_frmt(shared), load_tatoeba(shared)])


def load_told_br(shared: Path) -> pl.DataFrame:
    """ToLD-Br tweets: ``id, text, label (pt-BR), domain (social_media), source``."""
    path = Path(shared) / "social" / "told-br.csv"
    df = pl.read_csv(path, columns=["text"], schema_overrides={"text": pl.String})
    return df.select(
        pl.format("toldbr-{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(5)).alias("id"),
        pl.col("text").fill_null(""),
        pl.lit("pt-BR").alias("label"),
        pl.lit("social_media").alias("domain"),
        pl.lit(path.name).alias("source"),
    )


def decode_html(raw: bytes) -> str:
    """Bytes of a page as text: UTF-8 when valid, else the declared charset, else cp1252."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(raw[:4096])
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["cp1252"]:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def _page_type(truth: dict) -> str | None:
    internal = truth.get("_internal", {}).get("page_type", {})
    return internal.get("primary") or truth["ground_truth"].get("page_type")


def load_wcxb_pages(shared: Path, n: int | None = None) -> pl.DataFrame:
    """WCXB dev pages: raw HTML plus the gold main text.

    Columns: ``id, text`` (raw HTML, decoded), ``label`` (``"unknown"``: the
    pages carry no variety), ``domain`` (``web``), ``language`` (from
    ``<html lang>``, default ``en``), ``page_type`` (article, forum, ...),
    ``main_content`` (the gold extraction), ``url``, ``source`` (file name).
    ``n`` keeps the first ``n`` pages in file-id order.
    """
    root = Path(shared) / "html" / "wcxb-dev"
    pages = sorted((root / "html").glob("*.html.gz"))
    if n is not None:
        pages = pages[:n]
    records = []
    for page in pages:
        file_id = page.name.split(".")[0]
        raw = gzip.decompress(page.read_bytes())
        truth = json.loads((root / "ground-truth" / f"{file_id}.json").read_text(encoding="utf-8"))
        lang = _HTML_LANG.search(raw[:8192])
        records.append(
            {
                "id": f"wcxb-{file_id}",
                "text": decode_html(raw),
                "label": UNKNOWN_LABEL,
                "domain": "web",
                "language": lang.group(1).decode("ascii").lower() if lang else "en",
                "page_type": _page_type(truth),
                # Two pages have no gold text (null); eight have an empty one.
                "main_content": truth["ground_truth"].get("main_content"),
                "url": truth.get("url"),
                "source": page.name,
            }
        )
    schema = {c: pl.String for c in ["id", "text", "label", "domain", "language", "page_type", "main_content", "url", "source"]}
    return pl.DataFrame(records, schema=schema)


def _text_pool(shared: Path) -> pl.DataFrame:
    """Every labelled plain-text document (no HTML), with a language column."""
    varieties = load_pt_varieties(shared).select("id", "text", "label", "domain")
    tweets = load_told_br(shared).select("id", "text", "label", "domain")
    return pl.concat([varieties, tweets]).with_columns(pl.lit("pt").alias("language"))


def mixed_corpus_frame(
    shared: Path, n_docs: int = 60_000, seed: int = 0, html_pages: int | None = None, replicate: int = 1
) -> pl.DataFrame:
    """The frame :func:`build_mixed_corpus` writes (see there)."""
    if n_docs < 0 or replicate < 1:
        raise ValueError("n_docs must be >= 0 and replicate >= 1")
    shared = Path(shared)
    pages = load_wcxb_pages(shared, n=html_pages).select(CORPUS_COLUMNS) if html_pages != 0 else None
    n_pages = 0 if pages is None else min(pages.height, n_docs)
    pool = _text_pool(shared).select(CORPUS_COLUMNS)
    n_text = n_docs - n_pages

    parts = [pages.head(n_pages)] if n_pages else []
    distinct = min(n_text, pool.height)
    parts.append(pool.sample(n=distinct, shuffle=True, seed=seed))
    if n_text > distinct:
        # More documents than the sources hold: repeat some (new ids). Real
        # scraped corpora repeat themselves too; exact_dedup catches these.
        extra = pool.sample(n=n_text - distinct, with_replacement=True, seed=seed + 1)
        parts.append(extra.with_columns(pl.format("{}~rep{}", "id", pl.int_range(1, pl.len() + 1)).alias("id")))
    corpus = pl.concat(parts)
    if replicate > 1:
        copies = [corpus] + [corpus.with_columns(pl.format("{}~x{}", "id", pl.lit(k)).alias("id")) for k in range(1, replicate)]
        corpus = pl.concat(copies)
    return corpus.sample(fraction=1.0, shuffle=True, seed=seed)


def build_mixed_corpus(
    shared: Path,
    out: Path,
    n_docs: int = 60_000,
    seed: int = 0,
    html_pages: int | None = None,
    replicate: int = 1,
) -> Path:
    """Write a shuffled, labelled JSONL mixing every real source.

    Columns ``id, text, label, domain, language``. The corpus holds
    ``html_pages`` WCXB pages (``None``: all 600, about 168 MB of HTML; ``0``:
    none) and ``n_docs`` minus those plain-text documents drawn without
    replacement from DSLCC + FRMT + Tatoeba + ToLD-Br (53,930 documents). When
    ``n_docs`` asks for more than that, the remainder repeats documents under
    new ids (``<id>~repN``), so the default 60,000 holds 5,470 exact repeats on
    top of the sources' own duplicates. ``replicate=k`` writes ``k`` copies of
    the whole corpus (ids ``<id>~xK``), e.g. the 10x benchmark corpus. The
    result is deterministic for a given ``seed``.
    """
    frame = mixed_corpus_frame(shared, n_docs=n_docs, seed=seed, html_pages=html_pages, replicate=replicate)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.write_ndjson(out)
    return out
