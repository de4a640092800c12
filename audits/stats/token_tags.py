"""What kind of thing a shortcut feature is: a word of the language, or a trace of the source.

``token_shortcut`` escalates features that are not ordinary words (a newspaper's
name, a URL piece, HTML residue, a footer phrase, a date) because they track
where a text came from rather than its label's meaning. :func:`tag_features`
decides, for a small set of candidate features, from the original (cased)
texts of a sample of the documents holding each feature:

``markup``
    a word that only HTML uses (``nbsp``, ``amp``, ``href``, ``quot``...) or, in
    at least ``span_share`` of its documents, inside an HTML tag or entity.
``url_domain``
    a word that only URLs use (``http``, ``https``, ``www``, ``html``...) or, in
    at least ``span_share`` of its documents, inside a URL, e-mail or @handle
    (so "publico" of www.publico.pt is caught, "com" of "café com leite" is not).
``boilerplate``
    a fixed phrase anchored at a document edge: in documents of at least 20
    words (shorter ones start and end with formulaic words), at least
    ``boilerplate_edge_share`` of its occurrences sit at the same offset from
    the start or from the end (within the first / last 3 words), and at least
    ``boilerplate_context_share`` of its occurrences have the same word on the
    left or on the right (e.g. a credit line "Fonte: Agência X." appended to
    texts, "Leia também" opening them).
``number_date``
    contains a digit, or is a month or weekday name (Portuguese or English).
``named_entity``
    capitalised in at least ``entity_share`` of its occurrences that do not
    start a sentence (at least 3 such occurrences; single letters excluded):
    PÚBLICO, Lisboa, Dilma.
``ordinary_word``
    none of the above.

The evidence is read from the original (cased) texts of a seeded sample of
documents (``tag_sample_docs`` per domain, plus ``tag_docs_per_feature`` for
features rare in that sample; duplicate texts read once). A bigram is
``boilerplate`` from its own positions or when both its words are, and takes
the other tags from its words (``markup`` / ``url_domain`` / ``number_date`` /
``named_entity`` when either word has it), so "em lisboa" is an entity bigram.
Priority when several apply: markup, url_domain, boilerplate, number_date,
named_entity.
"""

from __future__ import annotations

import polars as pl

from corpus_sieve.audits.stats.properties import HTML_ENTITY_PATTERN, HTML_TAG_PATTERN, URL_PATTERN

TAGS = ("markup", "url_domain", "boilerplate", "number_date", "named_entity", "ordinary_word")
#: tags that say the feature tracks the source, not the language (escalated one level)
NON_LEXICAL = frozenset(TAGS[:-1])

#: only words that are never Portuguese or English words ("li", "com", "pt" are:
#: those are caught by where they occur, inside a tag / URL, instead)
MARKUP_WORDS = frozenset(
    "nbsp amp quot lt gt apos href src img iframe tbody mdash ndash hellip laquo raquo rsquo "
    "lsquo rdquo ldquo middot nofollow onclick _blank javascript".split()
)
URL_WORDS = frozenset("http https www html htm php aspx utm_source utm_medium utm_campaign".split())
DATE_WORDS = frozenset(
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro "
    "january february april june july august september october november december "
    "segunda terça quarta quinta sexta sábado domingo feira "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
EMAIL_PATTERN = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
MENTION_SPAN_PATTERN = r"@\w+"
WEB_SPAN_PATTERN = f"{URL_PATTERN}|{EMAIL_PATTERN}|{MENTION_SPAN_PATTERN}"
MARKUP_SPAN_PATTERN = f"{HTML_TAG_PATTERN}|{HTML_ENTITY_PATTERN}"

#: documents shorter than this (in words) say nothing about "at the edge": short
#: sentences start and end with formulaic words ("Eu acho que ...")
EDGE_MIN_TOKENS = 20
EDGE_WIDTH = 3

TAG_DEFAULTS: dict[str, float | int] = {
    "entity_share": 0.5,
    "span_share": 0.5,
    "boilerplate_edge_share": 0.6,
    "boilerplate_context_share": 0.5,
    "tag_sample_docs": 20_000,  # documents per domain read for the tags (seeded sample)
    "tag_docs_per_feature": 30,  # extra documents for features rare in that sample
    "tag_max_extra_docs": 60_000,  # bound on those extra documents (per-feature share shrinks to fit)
}


def static_tag(word: str) -> str | None:
    """The tag a single word gets from its spelling alone (None: needs context).

    Examples
    --------
    >>> static_tag("nbsp"), static_tag("www"), static_tag("2015"), static_tag("março"), static_tag("casa")
    ('markup', 'url_domain', 'number_date', 'number_date', None)
    """
    if word in MARKUP_WORDS:
        return "markup"
    if word in URL_WORDS:
        return "url_domain"
    if word in DATE_WORDS or any(ch.isdigit() for ch in word):
        return "number_date"
    return None


def _occurrences(docs: pl.DataFrame) -> pl.DataFrame:
    """One row per word occurrence: doc, dom, pos, ntok, lowercased word, neighbours, casing."""
    matches = docs.select(
        "doc", "dom", m=pl.col("text").fill_null("").str.extract_all(r"\W*\w+")
    ).with_columns(ntok=pl.col("m").list.len())
    occ = (
        matches.with_columns(pos=pl.int_ranges(0, pl.col("ntok")))
        .explode("m", "pos")
        .drop_nulls("m")
    )
    word = pl.col("m").str.replace(r"^\W+", "")
    prefix = pl.col("m").str.extract(r"^(\W*)", 1)
    occ = occ.with_columns(
        lw=word.str.to_lowercase(),
        first=word.str.slice(0, 1),
        single=word.str.len_chars() == 1,
        sentence_start=(pl.col("pos") == 0) | prefix.str.contains(r"[.!?…\n]").fill_null(False),
    ).with_columns(
        # a capital single letter is an initial or a symbol (R$), not evidence of a name
        cap=(pl.col("first") != pl.col("first").str.to_lowercase()) & ~pl.col("single")
    )
    same_prev = pl.col("doc").shift(1) == pl.col("doc")
    same_next = pl.col("doc").shift(-1) == pl.col("doc")
    same_next2 = pl.col("doc").shift(-2) == pl.col("doc")
    # neighbours outside the document are null: a document edge is not a shared context
    return occ.with_columns(
        prev=pl.when(same_prev).then(pl.col("lw").shift(1)),
        next=pl.when(same_next).then(pl.col("lw").shift(-1)),
        next2=pl.when(same_next2).then(pl.col("lw").shift(-2)),
        bigram=pl.when(same_next).then(pl.col("lw") + " " + pl.col("lw").shift(-1)),
    ).select("doc", "dom", "pos", "ntok", "lw", "bigram", "prev", "next", "next2", "cap", "sentence_start")


def _top_share(occ: pl.DataFrame, neighbour: str, name: str) -> pl.DataFrame:
    """Per (dom, feature): share of occurrences with the most common ``neighbour`` word."""
    totals = occ.group_by("dom", "feature").agg(total=pl.len())
    top = (
        occ.drop_nulls(neighbour)
        .group_by("dom", "feature", neighbour)
        .len()
        .group_by("dom", "feature")
        .agg(top=pl.col("len").max())
    )
    return totals.join(top, on=["dom", "feature"], how="left").select(
        "dom", "feature", (pl.col("top").fill_null(0) / pl.col("total")).alias(name)
    )


def _position_stats(occ: pl.DataFrame, last_pos: pl.Expr, right: str) -> pl.DataFrame:
    """Casing, edge-anchoring and context evidence per (dom, feature) of ``occ``."""
    long_doc = pl.col("ntok") >= EDGE_MIN_TOKENS
    from_end = pl.col("ntok") - 1 - last_pos
    anchor = (
        pl.when(pl.col("pos") < EDGE_WIDTH)
        .then(pl.format("start{}", pl.col("pos")))
        .when(from_end < EDGE_WIDTH)
        .then(pl.format("end{}", from_end))
    )
    base = occ.group_by("dom", "feature").agg(
        mid_sentence=(~pl.col("sentence_start")).sum(),
        capitalised_mid=(pl.col("cap") & ~pl.col("sentence_start")).sum(),
        long_occurrences=long_doc.sum(),
    )
    anchored = (
        occ.filter(long_doc)
        .with_columns(anchor=anchor)
        .drop_nulls("anchor")
        .group_by("dom", "feature", "anchor")
        .len()
        .group_by("dom", "feature")
        .agg(anchored_top=pl.col("len").max())
    )
    return (
        base.join(anchored, on=["dom", "feature"], how="left")
        .join(_top_share(occ, "prev", "left_share"), on=["dom", "feature"], how="left")
        .join(_top_share(occ, right, "right_share"), on=["dom", "feature"], how="left")
        .with_columns(
            context_share=pl.max_horizontal("left_share", "right_share"),
            capitalised_share=pl.when(pl.col("mid_sentence") >= 3).then(
                pl.col("capitalised_mid") / pl.col("mid_sentence")
            ),
            edge_share=pl.when(pl.col("long_occurrences") >= 5).then(
                pl.col("anchored_top").fill_null(0) / pl.col("long_occurrences")
            ),
        )
    )


def _span_share(docs: pl.DataFrame, holding: pl.DataFrame, pattern: str, name: str) -> pl.DataFrame:
    """Per (dom, feature) word: share of the documents holding it where it sits inside a span."""
    in_span = (
        docs.select(
            "doc",
            "dom",
            feature=pl.col("text")
            .fill_null("")
            .str.extract_all(pattern)
            .list.join(" ")
            .str.to_lowercase()
            .str.extract_all(r"\w+")
            .list.unique(),
        )
        .explode("feature")
        .drop_nulls("feature")
        .with_columns(hit=pl.lit(1, pl.Int32))
    )
    return (
        holding.join(in_span, on=["doc", "dom", "feature"], how="left")
        .group_by("dom", "feature")
        .agg((pl.col("hit").fill_null(0).sum() / pl.len()).alias(name))
    )


def _sample_docs(
    texts: pl.DataFrame, doc_features: pl.DataFrame, wanted: pl.DataFrame, p: dict
) -> pl.DataFrame:
    """A seeded sample of documents per domain, plus documents of features rare in it.

    The sample is the ``tag_sample_docs`` documents of each domain with the
    smallest seeded ``key``; a feature held by fewer than
    ``tag_docs_per_feature`` of them adds its own smallest-key documents. Keys
    are fixed per document, so the choice does not depend on how the corpus is
    read. Duplicate texts are read once: copies of one sentence would make any
    word look like a fixed phrase.
    """
    per_domain = int(p["tag_sample_docs"])
    base = texts.filter(pl.col("key").rank("ordinal").over("dom") <= per_domain).select("doc")
    per_feature = int(p["tag_docs_per_feature"])
    seen = (
        doc_features.join(base, on="doc", how="semi")
        .join(wanted, on=["dom", "feature"], how="semi")
        .group_by("dom", "feature")
        .len()
    )
    rare = wanted.join(seen.filter(pl.col("len") >= per_feature), on=["dom", "feature"], how="anti")
    # Bounded work on heavily duplicated corpora, where tens of thousands of
    # features are candidates: each rare feature gets at most 2 documents, and only
    # as many as doc_features holds (token_counts.tagging_evidence keeps the budget).
    budget = int(p["tag_max_extra_docs"])
    per_feature = max(2, min(per_feature, budget // max(1, rare.height)))
    extra = (
        doc_features.join(rare, on=["dom", "feature"], how="semi")
        .join(texts.select("doc", "key"), on="doc", how="inner")
        .group_by("dom", "feature")
        .agg(pl.col("doc").sort_by("key", "doc").head(per_feature))
        .explode("doc")
        .select("doc")
        .unique()
        .sort("doc")
    )
    chosen = pl.concat([base, extra]).unique()
    return texts.sort("doc").join(chosen, on="doc", how="semi").unique(subset=["dom", "text"], keep="first")


def _words(candidates: pl.DataFrame) -> pl.DataFrame:
    """The candidate words and the words of the candidate bigrams, (dom, feature) once each."""
    is_bigram = pl.col("feature").str.contains(" ")
    return pl.concat(
        [
            candidates.filter(~is_bigram).select("dom", "feature"),
            candidates.filter(is_bigram).select("dom", pl.col("feature").str.split(" ")).explode("feature"),
        ]
    ).unique()


def tagging_features(candidates: pl.DataFrame) -> pl.DataFrame:
    """(dom, feature) whose documents :func:`tag_features` reads for ``candidates``: the candidates
    and the words of the candidate bigrams."""
    return pl.concat([candidates.select("dom", "feature"), _words(candidates)]).unique()


def tag_features(
    texts: pl.DataFrame,
    doc_features: pl.DataFrame,
    candidates: pl.DataFrame,
    params: dict | None = None,
) -> pl.DataFrame:
    """Tag each candidate feature.

    Parameters
    ----------
    texts
        ``doc`` (row index), ``dom``, ``text`` (original case) and ``key`` (a
        seeded 64-bit sampling key) of the documents that may be read: at
        least the ``tag_sample_docs`` smallest-key documents of each domain
        and the ``tag_docs_per_feature`` smallest-key documents of each
        feature (all documents will do).
    doc_features
        ``doc``, ``dom``, ``feature``: the (unique) features of those documents.
    candidates
        ``dom``, ``feature`` to tag (unigrams and bigrams, bigram words joined by a space).
    params
        thresholds, see :data:`TAG_DEFAULTS`.

    Returns
    -------
    ``dom``, ``feature``, ``tag`` plus the evidence: ``capitalised_share``,
    ``edge_share``, ``context_share``, ``web_share``, ``markup_share``.
    """
    p = dict(TAG_DEFAULTS)
    p.update(params or {})
    evidence = ("capitalised_share", "edge_share", "context_share", "web_share", "markup_share")
    schema = {"dom": candidates.schema["dom"], "feature": pl.String, "tag": pl.String}
    schema.update({name: pl.Float64 for name in evidence})
    if candidates.height == 0:
        return pl.DataFrame(schema=schema)
    candidates = candidates.select("dom", "feature").unique()
    is_bigram = pl.col("feature").str.contains(" ")
    bigrams = candidates.filter(is_bigram)
    words = _words(candidates)
    docs = _sample_docs(texts, doc_features, pl.concat([words, bigrams]).unique(), p)
    occ = _occurrences(docs)

    word_occ = occ.rename({"lw": "feature"}).join(words, on=["dom", "feature"], how="semi")
    word_stats = _position_stats(word_occ, pl.col("pos"), "next")
    holding = word_occ.select("doc", "dom", "feature").unique()
    word_stats = (
        word_stats.join(_span_share(docs, holding, WEB_SPAN_PATTERN, "web_share"), on=["dom", "feature"], how="left")
        .join(_span_share(docs, holding, MARKUP_SPAN_PATTERN, "markup_share"), on=["dom", "feature"], how="left")
    )
    bigram_occ = (
        occ.drop("lw").rename({"bigram": "feature"}).drop_nulls("feature").join(bigrams, on=["dom", "feature"], how="semi")
    )
    bigram_stats = _position_stats(bigram_occ, pl.col("pos") + 1, "next2")

    def is_boilerplate(prefix: str = "") -> pl.Expr:
        return (pl.col(f"{prefix}edge_share") >= p["boilerplate_edge_share"]).fill_null(False) & (
            pl.col(f"{prefix}context_share") >= p["boilerplate_context_share"]
        ).fill_null(False)

    static = pl.col("feature").map_elements(static_tag, return_dtype=pl.String)
    word_flags = words.join(word_stats, on=["dom", "feature"], how="left").with_columns(
        static=static
    ).select(
        "dom",
        "feature",
        *evidence,
        markup=(pl.col("static") == "markup").fill_null(False) | (pl.col("markup_share") >= p["span_share"]).fill_null(False),
        url_domain=(pl.col("static") == "url_domain").fill_null(False) | (pl.col("web_share") >= p["span_share"]).fill_null(False),
        boilerplate=is_boilerplate(),
        number_date=(pl.col("static") == "number_date").fill_null(False),
        named_entity=(pl.col("capitalised_share") >= p["entity_share"]).fill_null(False),
    )
    flag_cols = list(TAGS[:-1])

    def first_tag() -> pl.Expr:
        expr = pl.lit("ordinary_word")
        for tag in reversed(flag_cols):
            expr = pl.when(pl.col(tag)).then(pl.lit(tag)).otherwise(expr)
        return expr

    word_tags = candidates.filter(~is_bigram).join(word_flags, on=["dom", "feature"], how="left")
    word_tags = word_tags.with_columns(pl.col(flag_cols).fill_null(False)).select(
        "dom", "feature", first_tag().alias("tag"), *evidence
    )
    parts = bigrams.with_columns(
        w1=pl.col("feature").str.split(" ").list.get(0), w2=pl.col("feature").str.split(" ").list.get(1)
    )
    comp = word_flags.select("dom", "feature", *flag_cols)
    for side in ("w1", "w2"):
        parts = parts.join(
            comp.rename({"feature": side, **{c: f"{side}_{c}" for c in comp.columns[2:]}}),
            on=["dom", side],
            how="left",
        )
    parts = parts.join(bigram_stats, on=["dom", "feature"], how="left").with_columns(
        boilerplate=is_boilerplate() | (pl.col("w1_boilerplate").fill_null(False) & pl.col("w2_boilerplate").fill_null(False)),
        **{
            c: pl.col(f"w1_{c}").fill_null(False) | pl.col(f"w2_{c}").fill_null(False)
            for c in flag_cols
            if c != "boilerplate"
        },
    )
    bigram_tags = parts.select(
        "dom",
        "feature",
        first_tag().alias("tag"),
        pl.lit(None, pl.Float64).alias("capitalised_share"),
        "edge_share",
        "context_share",
        pl.lit(None, pl.Float64).alias("web_share"),
        pl.lit(None, pl.Float64).alias("markup_share"),
    )
    return pl.concat([word_tags, bigram_tags], how="vertical_relaxed").cast(schema)
