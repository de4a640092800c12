"""Tests for ``token_length`` (filters/token_length.py): a tiny tokenizer built here
(always runs) and the real cl100k tokenizer from ../shared/data (skipped when absent)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from filters import TokenLength

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
    from filters import get_filter_class

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

    from filters.token_length import TokenLength, _counting_backend

    if where == "shared_cl100k":
        path = request.getfixturevalue("shared_data") / "tokenizers" / "cl100k"
    else:
        path = repo_root / "data" / "tokenizer"
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
