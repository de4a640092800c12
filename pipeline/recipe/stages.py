"""Pipeline stages: one filter of a recipe, routed per domain and per row.

A stage applies one registered filter to a batch. Rows can be routed to
different configurations of the filter:

* ``domains: [web]`` -- only rows of these domains are processed, the others
  pass through untouched;
* ``skip_domains: [web]`` -- rows of these domains pass through untouched
  (e.g. ``html_to_text`` after ``remove_boilerplate`` already made web pages text);
* ``per_domain: {social_media: {min_tokens: 3}}`` -- overrides merged over
  ``params`` for rows of that domain;
* ``params_from_columns: {language: language}`` -- a parameter taken from a
  column of each row (a null value falls back to ``params``).

A routing column the input does not have does not stop the run: before the
first batch, :meth:`Stage.fit_input` makes the stage treat it as null in every
row (``params`` for a missing ``params_from_columns`` column; no domain for a
missing domain column) and returns a note that the run summary prints.

Rows are grouped by their routing key and each group goes to the filter
instance built for its parameters (instances are built once and cached).
A stage without routing runs once on the whole batch, which global filters
such as exact dedup rely on.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Iterator

import polars as pl

from corpus_sieve.filters.base import CLEANED_COLUMN, Check, Filter, Transform
from corpus_sieve.pipeline.recipe.validation import (
    STAGE_KEYS,
    RecipeError,
    init_parameters,
    init_type_hints,
    resolve_paths,
    show,
    suggestion,
    type_error,
    type_name,
)

TEXT = "text"
REASON = "reason"
_ROW = "__stage_row"
_DOMAIN_KEY = "__stage_domain"


class StageError(RecipeError):
    """A stage cannot run on this input (a missing column, a bad per-row parameter)."""


@dataclass(eq=False)
class Stage:
    """One recipe stage: a filter class, its parameters and its routing."""

    index: int
    name: str
    filter_class: type[Filter]
    params: dict[str, Any] = field(default_factory=dict)
    domains: frozenset[str] | None = None
    skip_domains: frozenset[str] | None = None
    per_domain: dict[str, dict[str, Any]] = field(default_factory=dict)
    params_from_columns: dict[str, str] = field(default_factory=dict)
    named: bool = False  # the recipe gave the stage an explicit name
    #: routing columns this run's input lacks (set by :meth:`fit_input`): treated as null in every row
    absent_columns: frozenset[str] = frozenset()
    #: worker processes for per-row Python filters (None: corpus_sieve.pipeline.run.parallel's default)
    workers: int | None = None
    _shared: dict[str, Filter] = field(default_factory=dict, repr=False)
    _own: dict[str, Filter] = field(default_factory=dict, repr=False)
    _used: dict[str, Filter] = field(default_factory=dict, repr=False)

    # -- description ----------------------------------------------------------------
    @property
    def filter_name(self) -> str:
        return self.filter_class.name

    @property
    def kind(self) -> str:
        return self.filter_class.kind

    @property
    def routes_on_domain(self) -> bool:
        return self.domains is not None or self.skip_domains is not None or bool(self.per_domain)

    @property
    def routed(self) -> bool:
        return self.routes_on_domain or bool(self._row_params())

    def _row_params(self) -> dict[str, str]:
        """The ``params_from_columns`` whose column this run's input has."""
        return {p: c for p, c in self.params_from_columns.items() if c not in self.absent_columns}

    @property
    def location(self) -> str:
        return f"stages[{self.index}]"

    def describe(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "filter": self.filter_name,
            "kind": self.kind,
            "params": self.params,
            "domains": sorted(self.domains) if self.domains is not None else None,
            "skip_domains": sorted(self.skip_domains) if self.skip_domains is not None else None,
            "per_domain": self.per_domain,
            "params_from_columns": self.params_from_columns,
        }

    def fit_input(self, columns: Collection[str], domain_column: str | None) -> list[str]:
        """Adapt the routing to an input with ``columns``; one note per routing column it lacks.

        A missing ``params_from_columns`` column leaves every row with the
        stage's ``params``; a missing domain column leaves every row without a
        domain (``domains`` then matches no row, ``skip_domains`` none, and
        ``per_domain`` overrides never apply).
        """
        absent = set()
        notes = []
        defaults = init_parameters(self.filter_class)
        for param, column in self.params_from_columns.items():
            if column not in columns:
                absent.add(column)
                if param not in self.params and defaults[param].default is inspect.Parameter.empty:
                    raise StageError([f"{self.location}.params_from_columns.{param}: the input has no column "
                                      f"{column!r} and {self.filter_name} needs {param!r}: give it in params too, "
                                      "as the value for rows without the column"])
                fallback = f"{self.params[param]!r} from params" if param in self.params else "its default"
                notes.append(f"{self.location} ({self.name}): the input has no column {column!r}, so "
                             f"params_from_columns.{param} falls back to {fallback} for every row")
        if self.routes_on_domain and (domain_column is None or domain_column not in columns):
            absent.add(domain_column or "domain")
            if self.domains is not None:
                effect = f"it runs only on domains {sorted(self.domains)}, so it changes no row"
            elif self.skip_domains is not None:
                effect = f"it skips domains {sorted(self.skip_domains)}, so it runs on every row"
            else:
                effect = "its per_domain overrides never apply"
            notes.append(f"{self.location} ({self.name}): the input has no domain column "
                         f"{domain_column or 'domain'!r}; {effect}")
        self.absent_columns = frozenset(absent)
        return notes

    # -- filter instances ----------------------------------------------------------------
    def instance(self, params: dict[str, Any]) -> Filter:
        """The filter built with ``params``; one instance per distinct parameter set.

        Stateless filters share instances across stages; global (stateful)
        filters get their own, so two dedup stages never share memory.
        """
        key = self.filter_name + ":" + json.dumps(params, sort_keys=True, default=repr)
        cache = self._own if self.filter_class.is_global else self._shared
        if key not in cache:
            cache[key] = self.filter_class(**params)
        self._used[key] = cache[key]
        return cache[key]

    def instances(self) -> list[Filter]:
        """The filter instances this stage has built or used so far."""
        return list(self._used.values())

    def output_columns(self) -> dict[str, pl.DataType]:
        """The columns this stage writes onto rows (:meth:`corpus_sieve.filters.base.Filter.output_columns`),
        over its ``params`` and every ``per_domain`` override (a parameter set that cannot be
        built without row values contributes nothing: its rows say so when they are run).
        Worked out once per stage: building a filter can load a model."""
        cached = self.__dict__.get("_output_columns")
        if cached is not None:
            return cached
        out: dict[str, pl.DataType] = {}
        if self.filter_class.output_columns is Filter.output_columns:
            self._output_columns = out  # the base class's: writes nothing, no filter to build
            return out
        for override in [{}, *self.per_domain.values()]:
            try:
                inst = self.filter_class(**{**self.params, **override})
            except Exception:
                continue
            for name, dtype in inst.output_columns().items():
                out.setdefault(name, dtype)
        self._output_columns = out
        return out

    def reset(self) -> None:
        """Forget state kept between batches (called when a run starts)."""
        for f in self.instances():
            f.reset()

    def _params_for(self, domain: str | None, row_values: dict[str, Any]) -> dict[str, Any] | None:
        if self.domains is not None and domain not in self.domains:
            return None
        if self.skip_domains is not None and domain in self.skip_domains:
            return None
        params = dict(self.params)
        if domain is not None and domain in self.per_domain:
            params.update(self.per_domain[domain])
        hints = init_type_hints(self.filter_class)
        for param, value in row_values.items():
            if value is None:
                continue
            problem = type_error(value, hints.get(param, Any))
            if problem:
                raise StageError([
                    f"{self.location}.params_from_columns.{param}: value {show(value)} of column "
                    f"{self.params_from_columns[param]!r}: {problem}"
                ])
            params[param] = value
        return params

    def _routed_instance(self, domain: str | None, row_values: dict[str, Any]) -> Filter | None:
        params = self._params_for(domain, row_values)
        if params is None:
            return None
        try:
            return self.instance(params)
        except Exception as exc:
            shown = ", ".join(f"{self.params_from_columns[p]}={v!r}" for p, v in row_values.items() if v is not None)
            raise StageError([f"{self.location} ({self.filter_name}): cannot build the filter for rows with {shown}: {exc}"]) from None

    # -- applying ------------------------------------------------------------------------
    def apply(self, frame: pl.DataFrame, text: str, domain: str | None = None, id_column: str | None = None) -> pl.DataFrame:
        """Run the stage on ``frame``; the result is aligned with ``frame``.

        Transforms return one column ``text`` (the new text; rows the stage
        skipped keep theirs). Checks return ``reason`` (null = keep) plus any
        detail columns the filter gives (e.g. ``duplicate_of``), and ``cleaned_text``
        when the check also rewrites the rows it keeps.
        """
        if not self.routed:
            return self._run(self.instance(self.params), frame, text, id_column)
        parts: list[pl.DataFrame] = []
        for inst, group in self._routed_groups(frame, domain):
            out = self._run(inst, group.drop(_ROW, _DOMAIN_KEY, strict=False), text, id_column)
            parts.append(out.with_columns(group[_ROW]))
        return self._assemble(frame, text, parts)

    def _routed_groups(self, frame: pl.DataFrame, domain: str | None) -> Iterator[tuple[Filter, pl.DataFrame]]:
        """``(filter, rows)`` for each group of rows the stage routes to one filter (with their ``_ROW`` index)."""
        key_columns: list[str] = []
        work = frame.with_row_index(_ROW)
        if self.routes_on_domain:
            known = domain is not None and domain in frame.columns and domain not in self.absent_columns
            work = work.with_columns((pl.col(domain).cast(pl.String) if known else pl.lit(None, pl.String)).alias(_DOMAIN_KEY))
            key_columns.append(_DOMAIN_KEY)
        from_columns = self._row_params()
        key_columns.extend(c for c in from_columns.values() if c not in key_columns)
        for key, group in work.group_by(key_columns, maintain_order=True):
            values = dict(zip(key_columns, key))
            inst = self._routed_instance(values.get(_DOMAIN_KEY), {p: values[c] for p, c in from_columns.items()})
            if inst is not None:
                yield inst, group

    def prefetch(self, frame: pl.DataFrame, text: str, domain: str | None = None) -> bool:
        """Start this stage's per-row Python work on ``frame`` in the worker processes, ahead of :meth:`apply`.

        For a Python transform (``remove_boilerplate``) the rows of the
        routed group with the most such work are handed to
        :func:`corpus_sieve.pipeline.run.parallel.prefetch_series`; ``apply`` on the same frame
        then takes the started chunks over (same results). Anything unusual
        (a check, a filter that cannot be built for these rows) just starts
        nothing: ``apply`` deals with it. Returns whether work was started.
        """
        from corpus_sieve.pipeline.run import parallel

        if not issubclass(self.filter_class, Transform):
            return False
        try:
            if self.routed:
                groups = [(inst, group[text]) for inst, group in self._routed_groups(frame, domain)]
            else:
                groups = [(self.instance(self.params), frame[text])]
        except Exception:
            return False
        best: tuple[int, Transform, pl.Series] | None = None
        for inst, texts in groups:
            if not isinstance(inst, Transform) or type(inst).transform_series is not Transform.transform_series \
                    or not _worth_it(inst, self.workers):
                continue
            _, todo = _python_rows(inst, texts)
            size = int(todo.str.len_bytes().sum() or 0)
            if best is None or size > best[0]:
                best = (size, inst, todo)
        return best is not None and parallel.prefetch_series(best[1], "transform_batch", best[2], self.workers)

    def _run(self, inst: Filter, frame: pl.DataFrame, text: str, id_column: str | None) -> pl.DataFrame:
        if isinstance(inst, Transform):
            return _transform_series(inst, frame[text], self.workers).alias(TEXT).to_frame()
        assert isinstance(inst, Check)
        if _plain_check(inst):
            return _reasons_series(inst, frame[text], self.workers).alias(REASON).to_frame()
        out = inst.reasons_frame(frame, text, id_column)
        if REASON not in out.columns or out.height != frame.height:
            raise RuntimeError(f"{self.name}: reasons_frame must return {frame.height} rows with a 'reason' column")
        return out.with_columns(pl.col(REASON).cast(pl.String))

    def _assemble(self, frame: pl.DataFrame, text: str, parts: list[pl.DataFrame]) -> pl.DataFrame:
        if issubclass(self.filter_class, Transform):
            base = frame[text].cast(pl.String).alias(TEXT)
        else:
            base = pl.Series(REASON, [None] * frame.height, dtype=pl.String)
        if not parts:
            return base.to_frame()
        done = pl.concat(parts, how="diagonal_relaxed")
        rows = done[_ROW]
        columns = [base.scatter(rows, done[base.name])] if rows.len() else [base]
        for name in done.columns:
            if name not in (_ROW, base.name):
                if name == CLEANED_COLUMN:  # rows routed to no filter keep their text
                    empty = frame[text].cast(pl.String).alias(name)
                else:
                    empty = pl.Series(name, [None] * frame.height, dtype=done[name].dtype)
                columns.append(empty.scatter(rows, done[name]) if rows.len() else empty)
        return pl.DataFrame(columns)


# -- per-row Python filters across processes ------------------------------------------------------
# These mirror ``Transform.transform_series`` / ``Check.reasons_series`` (same
# mask, same scatter) and only differ in handing the Python work to
# ``corpus_sieve.pipeline.run.parallel.run_series``; filters that override those methods, native
# filters and small batches take the filter's own path unchanged.

def _python_rows(inst: Transform | Check, s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The mask of the rows that need Python (non-null, ``needs_expr``) and their texts."""
    frame = s.to_frame(TEXT)
    mask = s.is_not_null()
    mask_expr = inst.needs_expr(pl.col(TEXT))
    if mask_expr is not None:
        mask = mask & frame.select(mask_expr.fill_null(False)).to_series()
    return mask, s.filter(mask)


def _transform_series(inst: Transform, texts: pl.Series, workers: int | None) -> pl.Series:
    from corpus_sieve.filters.base import as_series, scatter
    from corpus_sieve.pipeline.run import parallel

    if type(inst).transform_series is not Transform.transform_series or not _worth_it(inst, workers):
        return inst.transform_series(texts)
    s = as_series(texts)
    mask, todo = _python_rows(inst, s)
    if todo.len() == 0:
        return s
    return scatter(s, mask, parallel.run_series(inst, "transform_batch", todo, workers), pl.String).alias(s.name)


def _plain_check(inst: Check) -> bool:
    cls = type(inst)
    return cls.reasons_frame is Check.reasons_frame and cls.reasons_series is Check.reasons_series


def _reasons_series(inst: Check, texts: pl.Series, workers: int | None) -> pl.Series:
    from corpus_sieve.filters.base import REASON_COLUMN, as_series, scatter
    from corpus_sieve.pipeline.run import parallel

    if not _worth_it(inst, workers):
        return inst.reasons_series(texts)
    s = as_series(texts)
    mask, todo = _python_rows(inst, s)
    reasons = pl.Series(REASON_COLUMN, [None] * len(s), dtype=pl.String)
    if todo.len() == 0:
        return reasons
    return scatter(reasons, mask, parallel.run_series(inst, "reasons_batch", todo, workers), pl.String)


def _worth_it(inst: Filter, workers: int | None) -> bool:
    from corpus_sieve.pipeline.run import parallel

    return not inst.is_native and parallel.workers(workers) > 1 and parallel.can_parallelise(inst)


# -- building stages from a recipe ---------------------------------------------------------------

def build_stages(raw_stages: list[Any], base_dir: Path, errors: list[str]) -> list[Stage]:
    """Validate and build the ``stages`` list of a recipe; problems go to ``errors``."""
    import corpus_sieve.filters  # noqa: F401  (registers every filter)
    from corpus_sieve.filters.registry import available_filters

    known = available_filters()
    shared: dict[str, Filter] = {}
    stages: list[Stage] = []
    names: dict[str, int] = {}
    for i, raw in enumerate(raw_stages):
        stage = _build_stage(i, raw, known, base_dir, shared, errors)
        if stage is not None:
            stages.append(stage)
            names[stage.filter_name] = names.get(stage.filter_name, 0) + 1
    # repeated filters get unambiguous names unless the recipe names them
    seen: dict[str, int] = {}
    for stage in stages:
        if not stage.named and names[stage.filter_name] > 1:
            stage.name = f"{stage.filter_name}@{stage.index}"
        if stage.name in seen:
            errors.append(f"stages[{stage.index}].name: {stage.name!r} is already the name of stages[{seen[stage.name]}]")
        seen.setdefault(stage.name, stage.index)
    return stages


def _build_stage(i: int, raw: Any, known: dict[str, type[Filter]], base: Path, shared: dict[str, Filter], errors: list[str]) -> Stage | None:
    where = f"stages[{i}]"
    if not isinstance(raw, dict):
        errors.append(f"{where}: expected a mapping like {{filter: NAME, params: {{...}}}}, got {type_name(raw)}")
        return None
    n_errors = len(errors)
    for key in raw:
        if key not in STAGE_KEYS:
            errors.append(f"{where}.{key}: unknown key{suggestion(str(key), STAGE_KEYS)} (allowed: {', '.join(STAGE_KEYS)})")

    name = raw.get("filter")
    if name is None:
        errors.append(f"{where}: missing 'filter' (the name of a registered filter; see `sieve filters`)")
        return None
    if not isinstance(name, str):
        errors.append(f"{where}.filter: expected a filter name, got {show(name)}")
        return None
    cls = known.get(name)
    if cls is None:
        hint = _did_you_mean_filter(name, known)
        errors.append(f"{where}.filter: unknown filter {name!r}.{hint}")
        return None
    if cls.kind not in ("transform", "check"):
        errors.append(f"{where}.filter: {name!r} is a {cls.kind}, not a transform or a check")
        return None

    label = raw.get("name", name)
    if not isinstance(label, str) or not label:
        errors.append(f"{where}.name: expected a string, got {show(label)}")
        label = name

    signature = init_parameters(cls)
    hints = init_type_hints(cls)

    params = raw.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        errors.append(f"{where}.params: expected a mapping of parameter names to values, got {type_name(params)}")
        params = {}
    params = resolve_paths(params, base)
    _check_params(f"{where}.params", name, params, signature, hints, errors)

    from_columns = raw.get("params_from_columns") or {}
    if not isinstance(from_columns, dict):
        errors.append(f"{where}.params_from_columns: expected a mapping of parameter names to column names, got {type_name(from_columns)}")
        from_columns = {}
    for param, column in from_columns.items():
        if param not in signature:
            errors.append(f"{where}.params_from_columns.{param}: {name} has no parameter {param!r}{suggestion(str(param), signature)}{_accepted(signature)}")
        if not isinstance(column, str) or not column:
            errors.append(f"{where}.params_from_columns.{param}: expected a column name, got {show(column)}")
    from_columns = {p: c for p, c in from_columns.items() if isinstance(c, str) and p in signature}

    missing = [p for p, sp in signature.items() if sp.default is sp.empty and p not in params and p not in from_columns]
    if missing:
        errors.append(f"{where}.params: {name} needs {', '.join(repr(p) for p in missing)}")

    def domain_list(key: str) -> frozenset[str] | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not value or not all(isinstance(d, str) for d in value):
            errors.append(f"{where}.{key}: expected a non-empty list of domain names (strings), got {show(value)}")
            return None
        return frozenset(value)

    domains = domain_list("domains")
    skip_domains = domain_list("skip_domains")
    if domains is not None and skip_domains is not None:
        errors.append(f"{where}: give either domains (only these) or skip_domains (all but these), not both")

    per_domain = raw.get("per_domain") or {}
    if not isinstance(per_domain, dict):
        errors.append(f"{where}.per_domain: expected a mapping of domain -> parameter overrides, got {type_name(per_domain)}")
        per_domain = {}
    merged: dict[str, dict[str, Any]] = {}
    for dom, override in per_domain.items():
        loc = f"{where}.per_domain.{dom}"
        if not isinstance(dom, str):
            errors.append(f"{loc}: domain names must be strings, got {show(dom)}")
            continue
        if not isinstance(override, dict):
            errors.append(f"{loc}: expected a mapping of parameter overrides, got {show(override)}")
            continue
        if domains is not None and dom not in domains:
            errors.append(f"{loc}: domain {dom!r} is not in {where}.domains, so this override never applies")
        if skip_domains is not None and dom in skip_domains:
            errors.append(f"{loc}: domain {dom!r} is in {where}.skip_domains, so this override never applies")
        override = resolve_paths(override, base)
        _check_params(loc, name, override, signature, hints, errors)
        merged[dom] = override

    variant = cls.variant_for(params)
    for dom, override in merged.items():
        if cls.variant_for({**params, **override}) is not variant:
            errors.append(f"{where}.per_domain.{dom}: {', '.join(sorted(set(override) & set(cls.variant_params)))} "
                          f"would make {name} a {cls.variant_for({**params, **override}).kind} where params make it a "
                          f"{variant.kind}; the kind of a stage cannot change by domain (use two stages)")
    for param in from_columns:
        if param in cls.variant_params:
            errors.append(f"{where}.params_from_columns.{param}: {param!r} decides whether {name} is a "
                          "transform or a check, so it cannot come from a column (use two stages)")
    if len(errors) > n_errors:
        return None
    stage = Stage(
        index=i, name=label, filter_class=variant, params=params, domains=domains, skip_domains=skip_domains,
        per_domain=merged, params_from_columns=from_columns, named="name" in raw, _shared=shared,
    )
    # build every configuration known up front now, so constructor errors
    # (invalid regex, min > max, missing tokenizer) surface before reading data
    # (a required parameter that only a column gives is known row by row, not now)
    required = [p for p, sp in signature.items() if sp.default is sp.empty]
    configs = [(loc, conf) for loc, conf in [(where, params)] + [
        (f"{where}.per_domain.{d}", {**params, **o}) for d, o in merged.items()] if all(p in conf for p in required)]
    for loc, conf in configs:
        try:
            stage.instance(conf)
        except Exception as exc:
            errors.append(f"{loc} ({name}): {_one_line(exc)}")
    return stage if len(errors) == n_errors else None


def _one_line(exc: Exception, limit: int = 300) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_params(where: str, filter_name: str, params: dict[str, Any], signature: dict, hints: dict, errors: list[str]) -> None:
    for key, value in params.items():
        if key not in signature:
            errors.append(f"{where}.{key}: {filter_name} has no parameter {key!r}{suggestion(str(key), signature)}{_accepted(signature)}")
            continue
        problem = type_error(value, hints.get(key, Any))
        if problem:
            errors.append(f"{where}.{key}: {problem}")


def _accepted(signature: dict) -> str:
    return f" (accepted: {', '.join(signature)})" if signature else " (it takes no parameters)"


def _did_you_mean_filter(name: str, known: dict[str, type[Filter]]) -> str:
    from corpus_sieve.filters.suggest import did_you_mean

    hint = did_you_mean(name, known, n=2, cutoff=0.75)
    if hint:
        return f" {hint[0].upper()}{hint[1:]}"
    return f" Known filters: {', '.join(sorted(known))} (see `sieve filters`)."
