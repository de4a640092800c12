"""Recipes: a pipeline described as data (YAML or TOML), validated up front.

A recipe names filters from the registry, with their parameters, in order::

    name: ptvid-default
    columns: {text: text, label: label, domain: domain}
    stages:
      - filter: remove_hashtags
        params: {mode: keep_word}
      - filter: token_length
        params: {tokenizer: ./tokenizer, min_tokens: 5, max_tokens: 900}
        per_domain:
          social_media: {min_tokens: 3}

Recipes are data only: ``yaml.safe_load`` / ``tomllib``, filters looked up by
name in :mod:`corpus_sieve.filters.registry`; nothing is imported or evaluated by name.
Every mistake is collected and reported at once, each with its location
(``stages[3].params.min_tokens: expected int, got 'ten'``), before a single row
is read.

>>> r = Recipe.from_dict({"stages": [{"filter": "char_length", "params": {"min_chars": 3}}]})
>>> [s.name for s in r.stages]
['char_length']
>>> Recipe.from_dict({"stages": [{"filter": "char_lenght"}]})
Traceback (most recent call last):
...
corpus_sieve.pipeline.recipe.validation.RecipeError: the recipe has 1 problem:
  - stages[0].filter: unknown filter 'char_lenght'. Did you mean 'char_length'?
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from corpus_sieve.pipeline.recipe.columns import ColumnMap
from corpus_sieve.pipeline.recipe.validation import STAGE_KEYS, RecipeError, is_int, show, suggestion, type_name  # noqa: F401 (STAGE_KEYS re-exported)

DEFAULT_BATCH_SIZE = 10_000
DEFAULT_EXAMPLES_PER_RULE = 5
DEFAULT_DEV_PER_STRATUM = 200
DEFAULT_DEV_SEED = 0
OUTPUT_FORMATS = ("parquet", "jsonl", "datasets")

TOP_LEVEL_KEYS = ("name", "description", "columns", "reader", "batch_size", "workers", "outputs", "examples_per_rule", "dev", "stages", "audit")
DEV_KEYS = ("per_stratum", "seed")


def read_recipe_file(path: str | Path) -> dict[str, Any]:
    """The raw mapping stored in a ``.yaml``/``.yml``/``.toml`` recipe file."""
    path = Path(path)
    if not path.is_file():
        raise RecipeError([f"file not found: {path}"], path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        elif suffix == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        else:
            raise RecipeError([f"unsupported recipe format {suffix or '(none)'!r}: use .yaml, .yml or .toml"], path)
    except RecipeError:
        raise
    except Exception as exc:  # yaml.YAMLError, tomllib.TOMLDecodeError, UnicodeDecodeError
        raise RecipeError([f"cannot parse: {' '.join(str(exc).split())}"], path) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RecipeError([f"top level: expected a mapping, got {type_name(data)}"], path)
    return data


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe file; relative ``./`` paths resolve against its folder."""
    path = Path(path).resolve()
    return Recipe.from_dict(read_recipe_file(path), base_dir=path.parent, source=path)


# -- the recipe -----------------------------------------------------------------

@dataclass
class Recipe:
    """A validated recipe with its stages built (see :mod:`corpus_sieve.pipeline.recipe.stages`)."""

    stages: list[Any]
    name: str | None = None
    description: str | None = None
    columns: ColumnMap = field(default_factory=ColumnMap)
    reader: dict[str, Any] = field(default_factory=dict)
    batch_size: int = DEFAULT_BATCH_SIZE
    outputs: tuple[str, ...] = ("parquet",)
    examples_per_rule: int = DEFAULT_EXAMPLES_PER_RULE
    dev_per_stratum: int = DEFAULT_DEV_PER_STRATUM
    dev_seed: int = DEFAULT_DEV_SEED
    audit: Any = None
    #: processes for per-row Python filters (None: SIEVE_WORKERS or the CPU count; see corpus_sieve.pipeline.run.parallel)
    workers: int | None = None
    source: Path | None = None
    base_dir: Path | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base_dir: str | Path | None = None, source: str | Path | None = None) -> Recipe:
        """Validate ``data`` (a parsed recipe) and build its stages.

        ``base_dir`` anchors string values that start with ``./`` or ``../``
        (default: the current directory). Raises :class:`RecipeError` listing
        every problem.
        """
        base = Path(base_dir).resolve() if base_dir is not None else Path.cwd()
        errors: list[str] = []
        if not isinstance(data, Mapping):
            raise RecipeError([f"top level: expected a mapping, got {type_name(data)}"], source)

        for key in data:
            if key not in TOP_LEVEL_KEYS:
                errors.append(f"{key}: unknown key{suggestion(str(key), TOP_LEVEL_KEYS)} (allowed: {', '.join(TOP_LEVEL_KEYS)})")

        name = _optional_str(data, "name", "name", errors)
        description = _optional_str(data, "description", "description", errors)
        columns = _columns(data.get("columns"), errors)
        reader = data.get("reader") or {}
        if not isinstance(reader, Mapping):
            errors.append(f"reader: expected a mapping of reader options (format, has_header, separator, ...), got {type_name(reader)}")
            reader = {}
        batch_size = _positive_int(data, "batch_size", DEFAULT_BATCH_SIZE, errors)
        examples = _positive_int(data, "examples_per_rule", DEFAULT_EXAMPLES_PER_RULE, errors, allow_zero=True)
        outputs = _outputs(data.get("outputs"), errors)
        dev_per_stratum, dev_seed = _dev(data.get("dev"), errors)
        workers = None if data.get("workers") is None else _positive_int(data, "workers", 1, errors)

        from corpus_sieve.pipeline.recipe.stages import build_stages  # stages import filters: keep `sieve --help` light

        raw_stages = data.get("stages")
        if raw_stages is None:
            raw_stages = []
        if not isinstance(raw_stages, list):
            errors.append(f"stages: expected a list of stages, got {type_name(raw_stages)}")
            raw_stages = []
        stages = build_stages(raw_stages, base, errors)
        for stage in stages:
            stage.workers = workers
        if columns.domain is None:
            for stage in stages:
                for where in ("domains", "per_domain"):
                    if getattr(stage, where):
                        errors.append(f"stages[{stage.index}].{where}: columns.domain is null, so rows have no domain to route on")

        if errors:
            raise RecipeError(errors, source)
        return cls(
            stages=stages,
            name=name,
            description=description,
            columns=columns,
            reader=dict(reader),
            batch_size=batch_size,
            outputs=outputs,
            examples_per_rule=examples,
            dev_per_stratum=dev_per_stratum,
            dev_seed=dev_seed,
            audit=data.get("audit"),
            workers=workers,
            source=Path(source).resolve() if source is not None else None,
            base_dir=base,
        )

    def resolved(self) -> dict[str, Any]:
        """The recipe as it runs: defaults filled in, paths absolute (for the run directory)."""
        return {
            "name": self.name,
            "description": self.description,
            "source": str(self.source) if self.source else None,
            "columns": dataclasses.asdict(self.columns),
            "reader": self.reader,
            "batch_size": self.batch_size,
            "outputs": list(self.outputs),
            "examples_per_rule": self.examples_per_rule,
            "dev": {"per_stratum": self.dev_per_stratum, "seed": self.dev_seed},
            "stages": [s.describe() for s in self.stages],
            "audit": self.audit,
        }


# -- field validators -------------------------------------------------------------

def _optional_str(data: Mapping[str, Any], key: str, where: str, errors: list[str]) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        errors.append(f"{where}: expected a string, got {show(value)}")
        return None
    return value


def _positive_int(data: Mapping[str, Any], key: str, default: int, errors: list[str], allow_zero: bool = False) -> int:
    value = data.get(key, default)
    low = 0 if allow_zero else 1
    if not is_int(value) or value < low:
        what = "a non-negative int" if allow_zero else "a positive int"
        errors.append(f"{key}: expected {what}, got {show(value)}")
        return default
    return value


def _columns(value: Any, errors: list[str]) -> ColumnMap:
    if value is None:
        return ColumnMap()
    if not isinstance(value, Mapping):
        errors.append(f"columns: expected a mapping like {{text: text, label: label}}, got {type_name(value)}")
        return ColumnMap()
    allowed = [f.name for f in dataclasses.fields(ColumnMap)]
    required = {"text", "id"}
    ok: dict[str, Any] = {}
    for key, col in value.items():
        if key not in allowed:
            errors.append(f"columns.{key}: unknown column role{suggestion(str(key), allowed)} (allowed: {', '.join(allowed)})")
        elif col is None and key in required:
            errors.append(f"columns.{key}: expected a column name, got null")
        elif col is not None and (not isinstance(col, str) or not col):
            errors.append(f"columns.{key}: expected a column name (string), got {show(col)}")
        else:
            ok[key] = col
    return ColumnMap.from_dict(ok)


def _outputs(value: Any, errors: list[str]) -> tuple[str, ...]:
    if value is None:
        return ("parquet",)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(f"outputs: expected a list of {', '.join(OUTPUT_FORMATS)}, got {show(value)}")
        return ("parquet",)
    out = ["parquet"]
    for i, v in enumerate(value):
        if v not in OUTPUT_FORMATS:
            errors.append(f"outputs[{i}]: unknown output {v!r}{suggestion(v, OUTPUT_FORMATS)} (allowed: {', '.join(OUTPUT_FORMATS)})")
        elif v not in out:
            out.append(v)
    return tuple(out)


def _dev(value: Any, errors: list[str]) -> tuple[int, int]:
    if value is None:
        return DEFAULT_DEV_PER_STRATUM, DEFAULT_DEV_SEED
    if not isinstance(value, Mapping):
        errors.append(f"dev: expected a mapping like {{per_stratum: 200, seed: 0}}, got {type_name(value)}")
        return DEFAULT_DEV_PER_STRATUM, DEFAULT_DEV_SEED
    for key in value:
        if key not in DEV_KEYS:
            errors.append(f"dev.{key}: unknown key{suggestion(str(key), DEV_KEYS)} (allowed: {', '.join(DEV_KEYS)})")
    per = value.get("per_stratum", DEFAULT_DEV_PER_STRATUM)
    seed = value.get("seed", DEFAULT_DEV_SEED)
    if not is_int(per) or per < 1:
        errors.append(f"dev.per_stratum: expected a positive int, got {show(per)}")
        per = DEFAULT_DEV_PER_STRATUM
    if not is_int(seed) or seed < 0:
        errors.append(f"dev.seed: expected a non-negative int, got {show(seed)}")
        seed = DEFAULT_DEV_SEED
    return per, seed


# -- helpers shared with corpus_sieve.pipeline.recipe.stages -----------------------------------------------
