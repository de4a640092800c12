"""Regenerate ``data/sample_corpus.jsonl``: the embedded pt-PT / pt-BR sample.

Every sentence (``sample_text_pools.py``) was written for this project (nothing
is copied from ``../shared/data``). The output is deterministic: the same seed gives a
byte-identical file, which ``tests/test_sample_corpus.py`` checks.

Usage::

    .venv/bin/python data/make_sample_corpus.py            # writes data/sample_corpus.jsonl
    .venv/bin/python data/make_sample_corpus.py --out X    # writes X and X's defects manifest

Next to the corpus it writes ``sample_corpus_defects.json``: for every
deliberately planted defect, the ids of the rows that carry it and the rule
of the ``ptvid`` preset (``pipeline/recipe/presets/ptvid.yaml``) that should handle it (``null`` where the
point is that the text must *survive* every rule, e.g. a leading year).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 20240917
HERE = Path(__file__).resolve().parent
PT, BR = "pt-PT", "pt-BR"


def _load_pools():
    """``sample_text_pools.py`` beside this file (data/ is a folder of scripts, not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample_text_pools", HERE / "sample_text_pools.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_POOLS = _load_pools()
JOURNALISTIC = _POOLS.JOURNALISTIC
LITERATURE = _POOLS.LITERATURE
LEGAL = _POOLS.LEGAL
POLITICS = _POOLS.POLITICS
TWEETS = _POOLS.TWEETS
HASHTAGS = _POOLS.HASHTAGS
HANDLES = _POOLS.HANDLES
WEB = _POOLS.WEB
WEB_EN = _POOLS.WEB_EN
SITES = _POOLS.SITES


ENTITIES = {"é": "&eacute;", "ç": "&ccedil;", "ã": "&atilde;", "á": "&aacute;", "õ": "&otilde;", "ê": "&ecirc;", "ó": "&oacute;"}


def escape_html(text: str, named_entities: bool) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if named_entities:
        for char, entity in ENTITIES.items():
            out = out.replace(char, entity)
    return out


def html_page(rng: random.Random, label: str, title: str, paragraphs: list[str], lang: str = "pt") -> str:
    """A full page: head with script and style, nav, article, aside, cookie footer."""
    site = SITES[label]
    name = rng.choice(site["names"])
    named = rng.random() < 0.5
    nav = "".join(f'<li><a href="/{i}">{escape_html(item, False)}</a></li>' for i, item in enumerate(site["nav"]))
    body = "\n".join(f"<p>{escape_html(p, named)}</p>" for p in paragraphs)
    container = rng.choice(["article", 'div class="post-content"', "main"])
    closing = container.split()[0]
    html_lang = {"pt": label, "en": "en"}[lang]
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{escape_html(title, False)} | {escape_html(name, False)}</title>"
        f"<script>{site['script']}</script>"
        "<style>body{font-family:Arial,sans-serif} .menu li{display:inline}</style></head>\n"
        f'<body><nav><ul class="menu">{nav}</ul></nav>\n'
        f"<!-- conteúdo principal -->\n<{container}><h1>{escape_html(title, named)}</h1>\n{body}\n</{closing}>\n"
        f'<aside><a href="/promo">Portes grátis</a> | <a href="/blog">Blog</a></aside>\n'
        f"<footer><p>{escape_html(site['footer'].format(site=name), False)}</p></footer>"
        "</body></html>"
    )


def join_sentences(rng: random.Random, pool: list[str], low: int, high: int) -> str:
    return " ".join(rng.sample(pool, rng.randint(low, high)))


def decorate_tweet(rng: random.Random, label: str, tweet: str) -> str:
    """Real tweets carry reply mentions, hashtags and t.co links; add some."""
    roll = rng.random()
    if roll < 0.2:
        tweet = f"{rng.choice(HANDLES)} {tweet}"
    elif roll < 0.35:
        tweet = f"{tweet} {rng.choice(HASHTAGS[label])}"
    elif roll < 0.45:
        tweet = f"{tweet} https://t.co/{''.join(rng.choices('abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789', k=10))}"
    return tweet


def regulation(rng: random.Random, n_articles: int) -> str:
    """A long municipal regulation (pt-PT): well over the 900-token ceiling."""
    subjects = ["Os estabelecimentos de restauração", "Os proprietários dos prédios", "As entidades licenciadas",
                "Os operadores de transporte", "Os munícipes", "Os promotores de eventos", "As juntas de freguesia"]
    duties = ["devem afixar em local visível o horário de funcionamento", "estão obrigados a manter as fachadas em bom estado de conservação",
              "devem comunicar à câmara municipal qualquer alteração dos dados do registo", "não podem ocupar o espaço público sem licença prévia",
              "devem garantir o acesso de pessoas com mobilidade reduzida", "respondem pelos danos causados na via pública",
              "devem apresentar o pedido com a antecedência mínima de trinta dias"]
    conditions = ["nos termos do presente regulamento", "sob pena de contraordenação", "salvo autorização expressa do presidente da câmara",
                  "no prazo de dez dias úteis", "durante o período de vigência da licença", "sem prejuízo da legislação aplicável"]
    articles = [f"Artigo {i}.º {rng.choice(subjects)} {rng.choice(duties)}, {rng.choice(conditions)}." for i in range(1, n_articles + 1)]
    return "Regulamento Municipal de Ocupação do Espaço Público. " + " ".join(articles)


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252: 'é' -> 'Ã©', 'ção' -> 'Ã§Ã£o'."""
    return text.encode("utf-8").decode("cp1252")


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------

CLEAN_ROWS_PER_LABEL = {"journalistic": 30, "literature": 27, "legal": 27, "politics": 27, "web": 18}
SENTENCES_PER_ROW = {"journalistic": (2, 3), "literature": (2, 4), "legal": (2, 3), "politics": (2, 3)}
POOLS = {"journalistic": JOURNALISTIC, "literature": LITERATURE, "legal": LEGAL, "politics": POLITICS}


class Corpus:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.defects: dict[str, dict] = {}

    def add(self, text: str, label: str, domain: str, language: str = "pt", defect: str | None = None) -> dict:
        row = {"text": text, "label": label, "domain": domain, "language": language}
        self.rows.append(row)
        if defect is not None:
            self.defects[defect]["rows"].append(row)
        return row

    def defect(self, key: str, rule: str | None, description: str) -> str:
        self.defects[key] = {"rule": rule, "description": description, "rows": []}
        return key


def clean_rows(rng: random.Random, corpus: Corpus) -> None:
    seen: set[str] = set()

    def unique(make) -> str:
        for _ in range(1000):
            text = make()
            if text not in seen:
                seen.add(text)
                return text
        raise RuntimeError("sentence pool too small for the requested number of rows")

    lusa = corpus.defect("source_shortcut_lusa", None,
                         "pt-PT journalistic rows often end with the agency signature '(Lusa)': a source shortcut the audit should flag")
    for domain, pool in POOLS.items():
        low, high = SENTENCES_PER_ROW[domain]
        for label in (PT, BR):
            for _ in range(CLEAN_ROWS_PER_LABEL[domain]):
                text = unique(lambda: join_sentences(rng, pool[label], low, high))
                if domain == "journalistic" and label == PT and rng.random() < 0.5:
                    corpus.add(text + " (Lusa)", label, domain, defect=lusa)
                else:
                    corpus.add(text, label, domain)

    html = corpus.defect("html_page", "remove_boilerplate + html_to_text",
                         "full HTML page (script, style, nav, aside, cookie footer, named entities): only the article text should remain")
    for label in (PT, BR):
        for _ in range(CLEAN_ROWS_PER_LABEL["web"]):
            def page() -> str:
                chosen = rng.sample(WEB[label], 2)
                return html_page(rng, label, chosen[0][0], [p for _, p in chosen])
            corpus.add(unique(page), label, "web", defect=html)

    english = corpus.defect("english_web_page", "remove_boilerplate (per-row stoplist from the language column)",
                            "English page of a Portuguese/Brazilian company, language 'en': jusText must use the English stoplist")
    for label in (PT, BR):
        for title, paragraph in WEB_EN[label]:
            other = [p for t, p in WEB_EN[label] if t != title]
            corpus.add(html_page(rng, label, title, [paragraph, *other], lang="en"), label, "web", language="en", defect=english)

    for label in (PT, BR):
        for tweet in TWEETS[label]:
            corpus.add(decorate_tweet(rng, label, tweet), label, "social_media")


def defect_rows(rng: random.Random, corpus: Corpus) -> None:
    d = corpus.defect
    add = corpus.add

    key = d("boilerplate_only_page", "remove_boilerplate -> reject_empty", "web page with menu, cookie banner and copyright but no article")
    for label in (PT, BR):
        site = SITES[label]
        nav = "".join(f"<li><a href='/x'>{item}</a></li>" for item in site["nav"])
        add(f"<html><head><script>var x = 1;</script></head><body><nav><ul>{nav}</ul></nav>"
            f"<footer>{escape_html(site['footer'].format(site=site['names'][0]), False)}</footer></body></html>", label, "web", defect=key)

    key = d("html_fragment_outside_web", "html_to_text", "tags and entities in non-web rows (copied from a CMS)")
    add("<p>O Conselho de Ministros aprovou hoje o novo regime do arrendamento urbano.</p><p>A medida entra em vigor em janeiro e abrange os contratos já celebrados.</p>", PT, "journalistic", defect=key)
    add("O presidente disse que &quot;não vai recuar&quot; na proposta.<br/>A votação está marcada para terça-feira, no plenário da Câmara.", BR, "politics", defect=key)

    key = d("retweet_marker", "remove_retweet_marker", "tweet starting with 'RT @user:'")
    add("RT @noticias_lx: a ponte 25 de Abril está fechada ao trânsito no sentido Almada-Lisboa devido a um acidente", PT, "social_media", defect=key)
    add("RT @g1: metrô de São Paulo tem lentidão na linha azul nesta manhã https://t.co/Hq3ZpL8wTe", BR, "social_media", defect=key)

    key = d("mentions_hashtags_urls", "remove_mentions + remove_hashtags(keep_word) + remove_urls",
            "@mentions in the middle, #hashtags whose word must stay, t.co links")
    add("@rita_m @tiago_r vamos ver o #Benfica ao café do costume? começa às 20h https://t.co/Z8kQ2mVn4r", PT, "social_media", defect=key)
    add("a gente vai no show do #Emicida sábado, bora? @bia_santos @lucas88 https://t.co/P0wXy7Ab9c", BR, "social_media", defect=key)

    key = d("emoji_and_heart", None, "emoji and '<3' must survive html_to_text and every other rule")
    add("a minha avó faz hoje 90 anos e continua a fazer o melhor arroz doce do mundo <3 🎉", PT, "social_media", defect=key)
    add("gente, meu sobrinho nasceu hoje e já tô apaixonada <3<3 👶💙", BR, "social_media", defect=key)

    key = d("list_bullets", "remove_list_bullets", "numbered and bulleted lines ('1. ', '• ')")
    add("• Reduzir o IVA da eletricidade para 6%\n• Construir 26 mil casas até ao fim da legislatura\n• Contratar mais médicos de família para o interior", PT, "politics", defect=key)
    add("1. O réu foi citado por edital após tentativas frustradas de localização.\n2. Decorrido o prazo, não houve apresentação de defesa.", BR, "legal", defect=key)

    key = d("leading_year", None, "'2024 foi um ano ...': the year must survive the bullet rule (the PtVId unescaped-dot bug ate it)")
    add("2024 foi um ano difícil para o setor do turismo no Algarve, que perdeu 3.5% das receitas face ao ano anterior.", PT, "journalistic", defect=key)
    add("2023 foi um ano de recordes para o agronegócio, com a safra de soja crescendo 3,5% em relação a 2022.", BR, "journalistic", defect=key)

    key = d("missing_space_after_stop", None, "'casa.Ele': must survive the URL rule (the PtVId URL regex ate it)")
    add("Chegou tarde a casa.Ele nem jantou, foi logo deitar-se sem dizer uma palavra.", PT, "literature", defect=key)
    add("Voltou cedo pra casa.Ela ainda estava dormindo no sofá da sala.", BR, "literature", defect=key)

    key = d("decimals", None, "decimal numbers '3.5' (point) and '2,9' (comma) must survive")
    add("A inflação fixou-se em 3.5% em março, acima dos 2,9% registados em fevereiro.", PT, "journalistic", defect=key)

    key = d("dash_blocks", "remove_dash_blocks", "'-----' separator lines")
    add("Relatório de atividades do primeiro semestre\n-----\nO número de processos pendentes baixou 12% em relação a 2023.\n----------", PT, "legal", defect=key)
    add("Pauta da sessão ----- votação da reforma tributária e da PEC dos precatórios", BR, "politics", defect=key)

    key = d("dot_runs", "reject_dot_runs", "table-of-contents leader dots '.....'")
    add("Índice\nIntrodução .......... 3\nCapítulo I — Disposições gerais .......... 7\nCapítulo II — Do arrendamento .......... 15", PT, "legal", defect=key)
    add("Sumário ........ 1 Apresentação ........ 4 Relatório da comissão ........ 9", BR, "politics", defect=key)

    key = d("cod_codes", "remove_cod_codes", "'COD _ 123' procedure codes")
    add("COD _ 4417 A proposta de regulamento relativo à segurança dos brinquedos foi remetida à comissão de assuntos europeus.", PT, "politics", defect=key)
    add("O parecer sobre a diretiva COD _ 2231 será votado na próxima reunião da comissão parlamentar.", PT, "legal", defect=key)

    key = d("unbalanced", "reject_unbalanced", "unbalanced quotes or brackets (cut-off sentences)")
    add("O ministro afirmou: \"não haverá aumentos de impostos este ano, garantiu aos jornalistas à saída da reunião.", PT, "politics", defect=key)
    add("A medida (que ainda precisa passar pelo Senado será votada na sexta-feira, segundo o relator.", BR, "politics", defect=key)
    add("Os valores] foram corrigidos na versão final do relatório enviado ao tribunal.", BR, "legal", defect=key)

    key = d("spaces_inside_quotes", "trim_spaces_inside_quotes", "'\" text \"': spaces just inside the quotes")
    add("O treinador disse aos jornalistas que \" a equipa está preparada para tudo \" antes do jogo de domingo.", PT, "journalistic", defect=key)
    add("A atriz contou que \" a gente nunca esquece o primeiro papel \" durante a entrevista.", BR, "journalistic", defect=key)

    key = d("mojibake", "repair_unicode", "UTF-8 read as Windows-1252: 'Ã©', 'Ã§Ã£o' (repaired text must keep the diacritics)")
    for text, label, domain in [
        ("A população da região mostrou-se preocupada com a situação da estação de tratamento.", PT, "journalistic"),
        ("A votação da reforma da previdência não tem data marcada, disse o líder do governo.", BR, "politics"),
        ("Você não vai acreditar: a ação de cobrança foi extinta por falta de citação válida do réu.", BR, "legal"),
    ]:
        row = add(mojibake(text), label, domain, defect=key)
        row["_expected"] = text

    key = d("control_chars_many", "reject_invalid_chars", "a corrupted attachment: control characters make up more than 5% of the text")
    add("Ata da reunião de condomínio \x00\x01\x02\x03\x04\x05\x06\x07\x08 anexo corrompido \x0e\x0f\x10\x11\x12", PT, "legal", defect=key)

    key = d("control_chars_few", None,
            "a bell, a NUL, an ESC and a zero-width space in a normal sentence: under 5%, so reject_invalid_chars keeps it "
            "(repair_unicode removes the zero-width space; the control characters stay unless a rule strips them)")
    add("O relatório\x07 foi entregue\x00 ontem ao ministro\x1b das Finanças, que o vai\u200b analisar na próxima semana.", PT, "politics", defect=key)

    key = d("replacement_chars_many", "reject_invalid_chars", "many U+FFFD (> 5% of the characters): undecodable text")
    add("Cora\ufffd\ufffdo partido: n\ufffd\ufffdo h\ufffd\ufffd solu\ufffd\ufffd\ufffdo para a habita\ufffd\ufffdo nesta cidade", BR, "social_media", defect=key)
    add("A popula\ufffd\ufffdo do concelho \ufffd\ufffd contra a constru\ufffd\ufffdo do aterro sanit\ufffdrio.", PT, "journalistic", defect=key)

    key = d("replacement_char_single", None, "one U+FFFD in a long text (< 5%): kept by reject_invalid_chars(max_ratio=0.05)")
    add("O concurso público para a construção da nova escola recebeu sete propostas, a mais baixa de 4,2 milh\ufffdes de euros, e o júri deve decidir até ao fim do mês.", PT, "journalistic", defect=key)

    key = d("long_words", "reject_long_words", "'words' over 40 characters: laughter runs, base64 blobs")
    add("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk não acredito que ele falou isso ao vivo", BR, "social_media", defect=key)
    add("Imagem do produto: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg== clique para ampliar a fotografia.", PT, "journalistic", defect=key)

    key = d("long_url", None, "a URL longer than 40 chars: removed by remove_urls before reject_long_words sees it, so the row survives")
    add("Leia o relatório completo em https://www.exemplo.pt/documentos/relatorio-anual-de-atividades-2023-versao-final.pdf antes da reunião de quinta-feira.", PT, "journalistic", defect=key)

    key = d("near_empty", "reject_empty / char_length", "empty, whitespace-only and very short rows")
    add("", PT, "journalistic", defect=key)
    add("   \n\t ", BR, "literature", defect=key)
    add("Última hora.", PT, "journalistic", defect=key)
    add("bom dia!!", BR, "social_media", defect=key)
    add("ok", PT, "social_media", defect=key)

    key = d("empty_after_cleaning", "reject_empty", "tweets that are only a retweet marker, mentions and a link")
    add("RT @noticias_pt: https://t.co/aBcD1234Ef", PT, "social_media", defect=key)
    add("@maria_clara @joao_vitor @ana_paula", BR, "social_media", defect=key)

    key = d("too_few_tokens", "token_length", "over 20 characters but under 5 tokens")
    add("O Tribunal de Justiça", PT, "legal", defect=key)
    add("O Presidente da República", BR, "politics", defect=key)

    key = d("too_many_tokens", "token_length", "over the token ceiling: a long regulation (900) and a long tweet thread (120 in social_media)")
    add(regulation(rng, 45), PT, "legal", defect=key)
    thread = " ".join(f"{i}/ {t}" for i, t in enumerate(rng.sample(TWEETS[BR], 12), start=1))
    add("fio sobre a minha semana 🧵 " + thread, BR, "social_media", defect=key)

    key = d("messy_whitespace", "normalize_whitespace", "tabs, non-breaking spaces, CRLF and runs of spaces")
    add("O  presidente\tda câmara\u00a0anunciou\r\n\r\n novas   medidas para o trânsito na Baixa  ", PT, "politics", defect=key)
    add("A   prefeitura\u00a0\u00a0liberou\tas faixas de ônibus\r\npara carros aos domingos.  ", BR, "journalistic", defect=key)

    key = d("duplicates_after_cleaning", "exact_dedup", "same tweet with different mentions / whitespace / retweet marker; same text twice")
    base_pt = "o autocarro 728 voltou a não aparecer, já é a terceira vez esta semana"
    add(f"@ricardo_m {base_pt}", PT, "social_media", defect=key)
    add(f"@sofiaalves   {base_pt.replace(', ', ',  ')}", PT, "social_media", defect=key)
    add(f"RT @ricardo_m: {base_pt}", PT, "social_media", defect=key)
    base_br = "gente, o metrô parou de novo na linha vermelha"
    add(f"@lucas_r {base_br} https://t.co/Xy12AbCdEf", BR, "social_media", defect=key)
    add(f"@biasantos {base_br} https://t.co/Q9wErTyUiO", BR, "social_media", defect=key)
    legal_text = "O recurso foi admitido com efeito meramente devolutivo, subindo nos próprios autos."
    add(legal_text, PT, "legal", defect=key)
    add(legal_text + " \u00a0", PT, "legal", defect=key)

    key = d("conflicting_labels", "exact_dedup (and the audit's conflicting-label check)", "the same neutral sentence labelled pt-PT and pt-BR")
    neutral = "A reunião terminou sem acordo entre as partes e uma nova ronda de negociações ficou marcada para maio."
    add(neutral, PT, "journalistic", defect=key)
    add(neutral, BR, "journalistic", defect=key)


def build(seed: int = SEED) -> tuple[list[dict], dict[str, dict]]:
    rng = random.Random(seed)
    corpus = Corpus()
    clean_rows(rng, corpus)
    defect_rows(rng, corpus)
    rng.shuffle(corpus.rows)
    for i, row in enumerate(corpus.rows, start=1):
        row["id"] = f"s{i:04d}"
    manifest = {}
    for key, info in corpus.defects.items():
        entry = {"rule": info["rule"], "description": info["description"], "ids": sorted(r["id"] for r in info["rows"])}
        expected = {r["id"]: r["_expected"] for r in info["rows"] if "_expected" in r}
        if expected:
            entry["expected_text"] = expected
        manifest[key] = entry
    rows = [{"id": r["id"], "text": r["text"], "label": r["label"], "domain": r["domain"], "language": r["language"]} for r in corpus.rows]
    return rows, manifest


def write(out: Path, seed: int = SEED) -> tuple[Path, Path]:
    rows, manifest = build(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    manifest_path = out.with_name(out.stem + "_defects.json")
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out, manifest_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "sample_corpus.jsonl")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    corpus, manifest = write(args.out, args.seed)
    print(f"wrote {corpus} and {manifest}")


if __name__ == "__main__":
    main()
