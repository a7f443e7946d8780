"""One allocation run end to end: the exact plan, the greedy baseline, the independent check,
and the document (`plan.json`) that the CLI writes and scenarios keep."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tbib.planning import selectors
from tbib.planning.access import Access
from tbib.planning.allocation import (
    Parameters,
    Plan,
    Site,
    cost_mad,
    greedy,
    solve,
    violations,
    yearly_km,
)


class PlanError(Exception):
    """The inputs cannot give a plan, or the solver's plan breaks a constraint."""


def _figures(plan: Plan, sites: Sequence[Site], params: Parameters) -> dict[str, Any]:
    by_code = {s.code: s for s in sites}
    return {
        "objective": plan.objective,
        "covered_communes": sum(len(c) for c in plan.bases.values()),
        "covered_population": sum(by_code[c].population for cs in plan.bases.values() for c in cs),
        "cost_mad": round(cost_mad(plan, sites, params)),
        "km_per_year": round(yearly_km(plan, sites, params)),
        "seconds": round(plan.seconds, 1),
    }


def document(
    plan: Plan, baseline: Plan, sites: Sequence[Site], params: Parameters, ranked: list[Access]
) -> dict[str, Any]:
    by_code = {s.code: s for s in sites}
    names = {a.commune.code: a.commune.name for a in ranked}
    return {
        "parameters": {
            k: v for k, v in vars(params).items() if k not in ("must_serve", "fixed_bases")
        },
        "must_serve": list(params.must_serve),
        "fixed_bases": list(params.fixed_bases),
        "units": [
            {
                "base": base,
                "base_name": names[base],
                "province": by_code[base].province,
                "communes": communes,
                "commune_names": [names[c] for c in communes],
                "covered_population": sum(by_code[c].population for c in communes),
                "covered_underserved": sum(by_code[c].underserved for c in communes),
            }
            for base, communes in sorted(plan.bases.items())
        ],  # fmt: skip
        **_figures(plan, sites, params),
        "bound": plan.bound,
        "gap": plan.gap,
        "solver": plan.solver,
        "status": plan.extra.get("status"),
        "greedy": _figures(baseline, sites, params),
        "source": selectors.CREDIT,
    }


def allocate(
    params: Parameters,
    log: Callable[[str], None] = print,
    *,
    exact: bool = True,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Plan on the reference geography; `exact=False` keeps the greedy plan (no solver).

    With `cache_dir`, a plan already solved for the same inputs (every site's figures and the
    parameters, hashed) is read back instead of solved again: the demo rebuilds its network
    on every start.
    """
    ranked = selectors.access()
    sites = selectors.sites(ranked)
    cached = None
    if cache_dir is not None:
        inputs = json.dumps([sites, vars(params), exact], default=_plain, sort_keys=True)
        cached = cache_dir / f"plan-{hashlib.sha256(inputs.encode()).hexdigest()[:16]}.json"
        if cached.exists():
            log(f"plan read from {cached} (same inputs)")
            return dict(json.loads(cached.read_text(encoding="utf-8")))
    if not sites:
        raise PlanError("No commune: run `tbib geo import` first.")
    known = {s.code for s in sites}
    unknown = [c for c in (*params.must_serve, *params.fixed_bases) if c not in known]
    if unknown:
        raise PlanError(f"Unknown or unplaced communes: {', '.join(unknown)}")
    baseline = greedy(sites, params)
    log(f"greedy baseline: {baseline.objective:,.0f} underserved people reached "
        f"in {baseline.seconds:.1f} s")  # fmt: skip
    plan = solve(sites, params, log=log, start=baseline) if exact else baseline
    problems = violations(plan, sites, params)
    if problems:
        raise PlanError(f"The {plan.solver} plan breaks constraints: {'; '.join(problems[:5])}")
    result = document(plan, baseline, sites, params, ranked)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return result


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(type(value).__name__)
