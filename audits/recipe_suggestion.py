"""``sieve audit --suggest-recipe FILE``: a recipe with one commented stage per mechanical fix of the audit.

The recipe runs as is (``sieve clean INPUT --recipe FILE``) on the audited
input, and every stage says which finding it answers:

* an artifact token or signature (``(Lusa)``, a URL domain, a number) -> ``regex_replace`` in its domain,
  then ``normalize_whitespace``;
* a markup / encoding / whitespace / web trace behind a property shortcut -> ``html_to_text``,
  ``repair_unicode``, ``normalize_whitespace``, ``remove_urls`` / ``remove_mentions`` / ``remove_hashtags``;
* duplicates -> ``exact_dedup`` and ``near_dedup``;
* duplicates that carry different labels -> ``reject_ids`` of those rows (which label is right is unknown);
* evaluation rows that copy a training row -> ``reject_ids`` of those rows (train keeps its copy).

Label vocabulary (:mod:`corpus_sieve.audits.actions`) is never suggested for removal, nor is
anything that needs a person's judgement (imbalance, confounding by domain, text length): those
stay as comments.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from corpus_sieve.audits.actions import actions
from corpus_sieve.audits.base import DOMAIN, ID, LABEL, SPLIT, TEXT

if TYPE_CHECKING:
    from corpus_sieve.audits.runner import AuditResult

__all__ = ["suggest_recipe", "write_suggested_recipe"]

_PROPERTY_FIX = {
    "markup": [("html_to_text", {})],
    "encoding": [("repair_unicode", {})],
    "whitespace": [("normalize_whitespace", {})],
}
_WEB_FIX = {"url": "remove_urls", "mention": "remove_mentions", "hashtag": "remove_hashtags"}


def _token_pattern(feature: str) -> str:
    """A case-insensitive pattern for a token the audit found (its words as the audit cut them,
    anything that is not a word between them), with the brackets a signature wears: ``(Lusa)``."""
    words = [re.escape(w) for w in feature.split()]
    return r"[(\[]?\b" + r"\W+".join(words) + r"\b[)\]]?"


def suggest_recipe(result: AuditResult, input_path: str | None = None) -> str:
    """The suggested recipe, as commented YAML text."""
    ranked = actions(result)
    corpus = result.corpus
    columns = {role: name for role, name in getattr(corpus, "columns", {}).items() if name}
    has_ids = bool(columns.get(ID))
    flags = result.flags
    stages: list[str] = []
    notes: list[str] = []
    seen: set[tuple[str, str]] = set()

    def stage(comment: str, filter_name: str, *, name: str | None = None, domains: list[str] | None = None,
              params: dict[str, Any] | None = None) -> None:
        lines = [f"  # {line}" for line in comment.splitlines()]
        lines.append(f"  - filter: {filter_name}")
        if name:
            lines.append(f"    name: {name}")
        if domains:
            lines.append(f"    domains: {json.dumps(domains, ensure_ascii=False)}")
        if params:
            lines.append(f"    params: {json.dumps(params, ensure_ascii=False)}")
        stages.append("\n".join(lines))

    rejected: list[tuple[str, str, list[str]]] = []
    conflicting = _flag_ids(flags, "conflicting")
    if conflicting:
        rejected.append(("conflicting_labels", "conflicting_label", conflicting))
    leaked = _flag_ids(flags, "leaked_from", not_null=True)
    if leaked:
        rejected.append(("split_leakage", "leaked_from_train", leaked))
    for check, reason, ids in rejected:
        if not any(a["check"] == check for a in ranked["actions"]):
            continue
        if not has_ids:
            notes.append(f"{check}: {len(ids):,} rows to drop, but the corpus has no id column to name them by")
            continue
        why = ("duplicates that carry different labels: which label is right is unknown, so all copies go"
               if check == "conflicting_labels" else "evaluation rows that copy a training row: train keeps its copy")
        stage(f"{check}: {why} ({len(ids):,} rows)", "reject_ids", name=f"drop_{reason}",
              params={"reason_name": reason, "ids": ids})
    replaced = False
    for a in ranked["actions"]:
        if a["check"] == "token_shortcut" and a["feature"] and (a["feature"], a["domain"] or "") not in seen:
            seen.add((a["feature"], a["domain"] or ""))
            safe = re.sub(r"\W+", "_", a["feature"].lower()).strip("_")[:40] or "token"
            stage(f"action {a['rank']}: {a['title']}", "regex_replace", name=f"remove_{safe}",
                  domains=[a["domain"]] if a["domain"] and corpus.has_domain else None,
                  params={"pattern": _token_pattern(a["feature"]), "replacement": " ", "flags": "i"})
            replaced = True
        elif a["check"] == "property_shortcut":
            fixes = list(_PROPERTY_FIX.get(a["tag"] or "", []))
            if a["tag"] == "web":
                fixes = [(f, {}) for key, f in _WEB_FIX.items() if key in (a["feature"] or "")]
            for filter_name, params in fixes:
                if (filter_name, "") not in seen:
                    seen.add((filter_name, ""))
                    stage(f"action {a['rank']}: {a['title']}", filter_name, params=params or None)
            if not fixes:
                notes.append(f"action {a['rank']}: {a['title']} (no mechanical fix: {a['fix'] or 'see the report'})")
        elif a["check"] == "duplicates" and ("exact_dedup", "") not in seen:
            seen.add(("exact_dedup", ""))
            stage(f"action {a['rank']}: {a['title']}", "exact_dedup")
            stage("the near copies too (MinHash, first row of each cluster kept)", "near_dedup")
        elif a["check"] not in ("conflicting_labels", "split_leakage", "token_shortcut", "duplicates"):
            notes.append(f"action {a['rank']}: {a['title']} (needs a person: {a['fix'] or 'see the report'})")
    if replaced and ("normalize_whitespace", "") not in seen:
        stage("the removed tokens leave double spaces", "normalize_whitespace")
    recipe_columns = {key: columns[role] for key, role in (("text", TEXT), ("label", LABEL), ("domain", DOMAIN),
                                                           ("id", ID), ("split", SPLIT)) if columns.get(role)}
    head = [
        "# Suggested by `sieve audit --suggest-recipe`: one stage per mechanical fix of the audit's actions,",
        "# each with the finding it answers. Review it, then run:",
        f"#   sieve clean {input_path or 'INPUT'} --recipe THIS_FILE --out runs",
        "# Label vocabulary (words that are what the labels mean) is never removed.",
        *[f"# not automated: {note}" for note in notes],
        "name: suggested",
        f"columns: {json.dumps(recipe_columns, ensure_ascii=False)}",
        "# the audit's own settings, so that auditing the cleaned run compares like with like",
        "audit: " + json.dumps({"seed": result.config.seed, "allow_list": sorted(result.config.allow_list),
                                "thresholds": result.config.thresholds}, ensure_ascii=False, default=str),
        "stages:" if stages else "stages: []",
    ]
    return "\n".join(head + stages) + "\n"


def _flag_ids(flags: pl.DataFrame | pl.LazyFrame, column: str, not_null: bool = False) -> list[str]:
    """Ids of the rows a flag column marks (a boolean, or a non-null value), in corpus order."""
    lazy = flags.lazy()
    names = [c for c in lazy.collect_schema().names() if c == column or c.endswith(f"__{column}")]
    if not names:
        return []
    marked = pl.col(names[0]).is_not_null() if not_null else pl.col(names[0]).fill_null(False).cast(pl.Boolean)
    return lazy.filter(marked).select(pl.col(ID).cast(pl.String)).collect(engine="streaming")[ID].to_list()


def write_suggested_recipe(result: AuditResult, path: str | Path, input_path: str | None = None) -> Path:
    """Write :func:`suggest_recipe` to ``path``."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(suggest_recipe(result, input_path), encoding="utf-8")
    return out
