"""Tests for ``token_length`` (filters/tokens/token_length.py): a tiny tokenizer built here
(always runs) and the real cl100k tokenizer from ../shared/data (skipped when absent)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from corpus_sieve.filters import TokenLength
from corpus_sieve.pipeline.recipe.presets import PRESET_DIR

SENTENCES = [
    "o governo aprovou hoje o orçamento",
    "the government approved the budget today",
    "a ministra disse que o apoio vai chegar",
]


@pytest.fixture(scope="module")
def tiny_tokenizer(tmp_path_factory) -> str:
    """A WordLevel tokenizer (one token per whitespace-separated word) saved in HF format."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.train_from_iterator(SENTENCES, trainers.WordLevelTrainer(special_tokens=["[UNK]", "[BOS]"]))
    path = tmp_path_factory.mktemp("tiny-tokenizer")
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", bos_token="[BOS]").save_pretrained(path)
    return str(path)


@pytest.fixture(scope="module")
def cl100k(shared_data) -> str:
    path = shared_data / "tokenizers" / "cl100k"
    if not path.is_dir():
        pytest.skip("cl100k tokenizer absent")
    return str(path)


# -- tiny tokenizer (no shared data needed) ------------------------------------------

def test_counts_words_with_word_level(tiny_tokenizer: str) -> None:
    check = TokenLength(tokenizer=tiny_tokenizer)
    assert check.count_tokens(["o governo", "palavra desconhecida aqui", "", "  "]) == [2, 3, 0, 0]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("o governo", "too_few_tokens"),                                 # pt, 2 tokens
        ("the budget", "too_few_tokens"),                                # en, 2 tokens
        ("o governo aprovou hoje", None),                                # pt, 4 tokens
        ("the government approved the budget", None),                    # en, 5 tokens
        ("a ministra disse que o apoio vai chegar hoje", "too_many_tokens"),  # 9 tokens
    ],
)
def test_bounds(tiny_tokenizer: str, text: str, reason: str | None) -> None:
    check = TokenLength(tokenizer=tiny_tokenizer, min_tokens=3, max_tokens=8)
    assert check.reason(text) == reason
    assert check(text) is (reason is None)


def test_bounds_are_inclusive(tiny_tokenizer: str) -> None:
    check = TokenLength(tokenizer=tiny_tokenizer, min_tokens=2, max_tokens=2)
    assert check("o governo") and not check("o") and not check("o governo aprovou")


def test_tokenizer_loaded_once(tiny_tokenizer: str) -> None:
    a = TokenLength(tokenizer=tiny_tokenizer, min_tokens=1)
    b = TokenLength(tokenizer=tiny_tokenizer, max_tokens=9)
    assert a._backend is b._backend is not None  # one tokenizer object per name


def test_truncation_in_tokenizer_json_does_not_cap_counts(tmp_path, tiny_tokenizer: str) -> None:
    # a tokenizer.json saved with truncation on must still give full lengths
    import shutil

    path = tmp_path / "truncating"
    shutil.copytree(tiny_tokenizer, path)
    spec = json.loads((path / "tokenizer.json").read_text())
    spec["truncation"] = {"direction": "Right", "max_length": 2, "strategy": "LongestFirst", "stride": 0}
    (path / "tokenizer.json").write_text(json.dumps(spec))
    check = TokenLength(tokenizer=str(path), max_tokens=3)
    assert check.count_tokens(["o governo aprovou hoje o orçamento"]) == [6]
    assert check.reason("o governo aprovou hoje") == "too_many_tokens"


def test_batches_give_the_same_counts(tiny_tokenizer: str) -> None:
    texts = [" ".join(["o"] * n) for n in range(50)]
    assert TokenLength(tokenizer=tiny_tokenizer, batch_size=7).count_tokens(texts) == list(range(50))


def test_str_series_dataframe_lazyframe_agree(tiny_tokenizer: str) -> None:
    check = TokenLength(tokenizer=tiny_tokenizer, min_tokens=2, max_tokens=4)
    texts = ["o governo", "o", None, "o governo aprovou hoje o orçamento", "the budget today"]
    keep = [True, False, True, False, True]  # null texts are kept (nothing to count)
    assert [check(t) for t in texts if t is not None] == [k for t, k in zip(texts, keep) if t is not None]
    series = pl.Series("text", texts)
    assert check.reasons_series(series).to_list() == [None, "too_few_tokens", None, "too_many_tokens", None]
    assert check(series).to_list() == [t for t, k in zip(texts, keep) if k]
    df = pl.DataFrame({"id": range(5), "body": texts})
    assert check(df, column="body")["id"].to_list() == [0, 2, 4]
    assert check(df.lazy(), column="body").collect()["id"].to_list() == [0, 2, 4]
    kept, rejected = check.split(df, column="body")
    assert rejected["reason"].to_list() == ["too_few_tokens", "too_many_tokens"]
    assert rejected["stage"].unique().to_list() == ["token_length"]


def test_missing_local_tokenizer_has_a_clear_error(tmp_path) -> None:
    missing = tmp_path / "no-such-tokenizer"
    with pytest.raises(ValueError, match="no-such-tokenizer"):
        TokenLength(tokenizer=str(missing))


def test_unloadable_directory_has_a_clear_error(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="network"):
        TokenLength(tokenizer=str(tmp_path / "empty"))


def test_invalid_bounds(tiny_tokenizer: str) -> None:
    with pytest.raises(ValueError):
        TokenLength(tokenizer=tiny_tokenizer, min_tokens=10, max_tokens=5)


def test_registered() -> None:
    from corpus_sieve.filters import get_filter_class

    assert get_filter_class("token_length") is TokenLength


# -- the real cl100k tokenizer ---------------------------------------------------------

def test_cl100k_counts(cl100k: str) -> None:
    check = TokenLength(tokenizer=cl100k)
    assert check.count_tokens(["Olá mundo", "", "hello world"]) == [3, 0, 2]


def test_cl100k_on_real_sentences(cl100k: str, shared_data) -> None:
    def rows(path):
        with open(path, encoding="utf-8") as fh:
            return [line.rstrip("\n").split("\t") for _, line in zip(range(200), fh)]

    news = [r[0] for r in rows(shared_data / "pt-varieties" / "dslcc2-test-gold-pt.tsv")]
    tatoeba = rows(shared_data / "pt-varieties" / "tatoeba" / "EP_10K_tatoeba.tsv")
    english, chat = [r[0] for r in tatoeba], [r[1] for r in tatoeba]
    check = TokenLength(tokenizer=cl100k, min_tokens=8, max_tokens=120)
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(cl100k)
    for texts in (news, chat, english):
        expected = [len(reference.encode(t, add_special_tokens=False)) for t in texts]
        assert check.count_tokens(texts) == expected
    # short conversational sentences fall under 8 tokens, news sentences rarely do
    assert check.reason("O Tom conhecia a Mary?") == "too_few_tokens"
    assert check.reason("Did Tom know Mary?") == "too_few_tokens"
    assert check.reason(news[0]) is None
    assert check.reason(" ".join(news[:5])) == "too_many_tokens"


@pytest.mark.parametrize("where", ["shared_cl100k", "sample"])
def test_direct_tokenizer_json_counts_equal_autotokenizer(where, request, repo_root):
    """The fast path (tokenizers.Tokenizer.from_file) counts exactly like AutoTokenizer."""
    from transformers import AutoTokenizer

    from corpus_sieve.filters.tokens.token_length import TokenLength, _counting_backend

    if where == "shared_cl100k":
        path = request.getfixturevalue("shared_data") / "tokenizers" / "cl100k"
    else:
        path = PRESET_DIR / "tokenizer"
    texts = [
        "O Governo aprovou hoje o orçamento para 2025.",
        "rt @user a gente vai no ônibus 🚌 https://t.co/x",
        "",
        "<p>Caf&eacute; com leite</p>" * 20,
        "ação, coração, pão — «citação» “aspas” …",
    ]
    direct = TokenLength(tokenizer=str(path)).count_tokens(texts)
    auto = _counting_backend(AutoTokenizer.from_pretrained(str(path)))
    assert direct == [len(e.ids) for e in auto.encode_batch_fast(texts, add_special_tokens=False)]


# -- texts whose outcome is certain are not tokenized (cl100k) ---------------------------

def _exact(check, texts: list[str]) -> list[str | None]:
    """The reasons from tokenizing every text (the definition the shortcut must equal)."""
    return check._reasons_exact(texts)


def test_cl100k_bounds_are_proven_and_other_tokenizers_fall_back(cl100k: str, tiny_tokenizer: str, repo_root) -> None:
    from corpus_sieve.filters.tokens.token_length import _load_counting_backend, proven_bounds

    assert proven_bounds(_load_counting_backend(cl100k))
    assert not proven_bounds(_load_counting_backend(tiny_tokenizer))  # WordLevel: a word can be [UNK]-dropped ...
    assert not proven_bounds(_load_counting_backend(str(PRESET_DIR / "tokenizer")))  # not a pattern proven here


def test_cl100k_with_a_normalizer_is_not_trusted(cl100k: str, tmp_path) -> None:
    """A normalizer can make a text longer than its bytes: the shortcut must switch off."""
    from corpus_sieve.filters.tokens.token_length import _load_counting_backend, proven_bounds

    with open(f"{cl100k}/tokenizer.json", encoding="utf-8") as fh:
        spec = json.load(fh)
    spec["normalizer"] = {"type": "NFKC"}
    (tmp_path / "tokenizer.json").write_text(json.dumps(spec), encoding="utf-8")
    assert not proven_bounds(_load_counting_backend(str(tmp_path)))
    check = TokenLength(tokenizer=str(tmp_path), min_tokens=3, max_tokens=4)
    texts = ["ﬁﬁﬁ", "㍿㍿", "a b c", "O Governo"]  # NFKC expands ligatures and squared words
    assert check.reasons_series(pl.Series(texts)).to_list() == _exact(check, texts)


def test_cl100k_white_space_agrees_with_polars_on_every_code_point(cl100k: str) -> None:
    """The proof needs the tokenizer's ``\\s`` to be polars' ``\\s`` (Unicode White_Space), everywhere."""
    from corpus_sieve.filters.tokens.token_length import _load_counting_backend

    pre = _load_counting_backend(cl100k).pre_tokenizer
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    polars_ws = set(pl.Series(chars).filter(pl.Series(chars).str.contains(r"^\s$")).to_list())
    # Screen every character at once: between "!"s, each whitespace character of the
    # tokenizer is a piece of its own (but \r, \n and " ", which join a neighbour by design)
    text = "!" + "!".join(chars) + "!"
    alone = {text[a:b] for _, (a, b) in pre.pre_tokenize_str(text) if b - a == 1 and text[a] != "!"}

    def tokenizer_ws(c: str) -> bool:  # alone between "!"s, and not a digit ("1" + a digit is one piece)
        return (pre.pre_tokenize_str("!" + c + "!") == [("!", (0, 1)), (pre.pre_tokenize_str(c)[0][0], (1, 2)), ("!", (2, 3))]
                and len(pre.pre_tokenize_str("1" + c)) == 2)

    assert {c for c in alone | polars_ws if tokenizer_ws(c)} | {"\r", "\n", " "} == polars_ws
    assert len(polars_ws) == 25


def test_cl100k_bounds_hold_and_reasons_equal_tokenizing_everything_on_real_text(cl100k: str, shared_data) -> None:
    from realdata import load_pt_varieties, load_told_br, load_wcxb_pages

    texts = (load_pt_varieties(shared_data)["text"].head(3000).to_list()
             + load_told_br(shared_data)["text"].head(2000).to_list())
    pages = load_wcxb_pages(shared_data, n=40)
    texts += pages["main_content"].drop_nulls().to_list() + [html[:5_000] for html in pages["text"].to_list()]
    texts += ["", " ", "\n\n", "<|endoftext|>", "a<|endoftext|>b c", "1234567890" * 3, "é" * 30, "🚌" * 12]
    check = TokenLength(tokenizer=cl100k)
    counts = check.count_tokens(texts)
    s = pl.Series(texts)
    words, nbytes = s.str.count_matches(r"\S+").to_list(), s.str.len_bytes().to_list()
    assert all(w <= n <= b for w, n, b in zip(words, counts, nbytes))
    for lo, hi in ((10, 900), (3, 50), (None, 120), (1, None), (10, 10)):
        check = TokenLength(tokenizer=cl100k, min_tokens=lo, max_tokens=hi)
        exact = ["too_few_tokens" if lo is not None and n < lo else "too_many_tokens" if hi is not None and n > hi
                 else None for n in counts]
        assert check.reasons_series(s).to_list() == exact, (lo, hi)


def test_cl100k_only_uncertain_texts_are_tokenized(cl100k: str, monkeypatch) -> None:
    check = TokenLength(tokenizer=cl100k, min_tokens=10, max_tokens=900)
    seen: list[str] = []
    real = check.count_tokens
    monkeypatch.setattr(check, "count_tokens", lambda texts: (seen.extend(texts), real(texts))[1])
    long_news = "O Governo aprovou hoje o orçamento do Estado para o próximo ano, disse a ministra."
    texts = ["Olá", long_news, "palavra " * 1000, "O Tom conhecia a Mary?", None]
    assert check.reasons_series(pl.Series(texts, dtype=pl.String)).to_list() == [
        "too_few_tokens", None, "too_many_tokens", "too_few_tokens", None]
    assert seen == ["O Tom conhecia a Mary?"]  # 5 words, 22 bytes: only tokens can tell
    assert check.reasons_batch(["Olá", long_news]) == ["too_few_tokens", None]


try:
    from hypothesis import given, settings, strategies as st

    _PIECES = st.sampled_from(["a", "ção", "Tom", "1", "42", "'s", "!", "...", "«", "🚌", "\u200b", "<|endoftext|>",
                               " ", "  ", "\n", "\r\n", "\t", "\u00a0", "\u3000", "\u2028", "\x85", "\x1c"])

    @settings(max_examples=300, deadline=None)
    @given(parts=st.lists(_PIECES, max_size=40), lo=st.integers(0, 12), span=st.integers(0, 20))
    def test_cl100k_shortcut_equals_tokenizing_on_generated_text(cl100k, parts, lo, span) -> None:
        text = "".join(parts)
        check = TokenLength(tokenizer=cl100k, min_tokens=lo, max_tokens=lo + span)
        n = check.count_tokens([text])[0]
        assert len(text.split()) <= n or "\x1c" in text or "\x85" in text  # str.split also splits on \x1c
        assert pl.Series([text]).str.count_matches(r"\S+")[0] <= n <= len(text.encode("utf-8"))
        assert check.reasons_batch([text]) == _exact(check, [text])
except ImportError:  # pragma: no cover
    pass


# -- loading in a counting process (what `sieve clean` does) ------------------------------

@pytest.fixture()
def in_background(monkeypatch):
    from corpus_sieve.filters.tokens import token_length

    monkeypatch.setattr(token_length, "_BACKGROUND", True)
    monkeypatch.setattr(token_length, "_REMOTES", {})
    monkeypatch.setattr(token_length, "_BACKENDS", {})
    yield token_length
    token_length._close_remotes()


def test_counting_process_gives_the_same_counts_and_reasons(cl100k: str, shared_data, in_background) -> None:
    from realdata import load_told_br

    texts = load_told_br(shared_data)["text"].head(500).to_list() + ["", "Olá mundo", "<|endoftext|>"]
    check = TokenLength(tokenizer=cl100k, min_tokens=10, max_tokens=30)
    assert check._remote is not None and check._backend is None  # nothing loaded in this process
    remote_counts, remote_reasons = check.count_tokens(texts), check.reasons_batch(texts)
    in_background.load_in_background(False)
    local = TokenLength(tokenizer=cl100k, min_tokens=10, max_tokens=30)
    assert local._remote is None
    assert remote_counts == local.count_tokens(texts) and remote_reasons == local.reasons_batch(texts)


def test_counting_process_that_dies_falls_back_to_this_process(cl100k: str, in_background) -> None:
    check = TokenLength(tokenizer=cl100k, min_tokens=3)
    check._remote.proc.kill()
    check._remote.proc.wait()
    assert check.count_tokens(["Olá mundo", "hello world"]) == [3, 2]
    assert check.reason("Olá") == "too_few_tokens" and check._backend is not None


def test_counting_process_reports_an_invalid_tokenizer_json(tmp_path, in_background) -> None:
    (tmp_path / "tokenizer.json").write_text("{not json", encoding="utf-8")
    check = TokenLength(tokenizer=str(tmp_path), min_tokens=3)  # the file exists: loading goes on elsewhere
    with pytest.raises(ValueError, match="is not a valid tokenizer.json"):
        check.reason("Olá mundo")


def test_a_pickled_copy_counts_on_its_own(cl100k: str, in_background) -> None:
    import pickle

    check = TokenLength(tokenizer=cl100k, min_tokens=3)
    copy = pickle.loads(pickle.dumps(check))  # what the Ray engine does with a recipe
    assert copy._remote is None and copy.count_tokens(["Olá mundo"]) == check.count_tokens(["Olá mundo"]) == [3]
