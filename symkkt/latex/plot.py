"""Gradient-flow figures for the derivation documents (evidence, never a verdict).

A figure in the style of the paper's Figure 1: for depth-2 networks, each neuron's
``u_j = v_j w_j`` along the run (scaled by ``‖θ‖²``, so the limit is ``ũ_j / ‖θ̃‖²``); for
every network, the direction error ``‖θ/‖θ‖ − θ̃/‖θ̃‖‖`` and the normalized margin against
``‖θ‖`` on log axes. Runs come from :func:`symkkt.gf.run_gf` when that module is available;
everything here degrades to "no figure" rather than failing a document.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = ["GFRun", "gf_runs_for", "figure_pdf"]


@dataclass(frozen=True)
class GFRun:
    label: str
    result: Any          # symkkt.gf.GFResult
    network: Any         # NetSpec


def _init_for(module, claim) -> Mapping[str, Any] | None:
    """The module's gradient-flow initialization for ``claim`` (``GF_INIT`` or ``gf_init``)."""
    params = set(claim.instance.network.params)
    init = getattr(module, "GF_INIT", None)
    if isinstance(init, Mapping) and set(init) == params:
        return init
    factory = getattr(module, "gf_init", None)
    if callable(factory):
        try:
            init = factory(**dict(claim.extra))
        except TypeError:
            try:
                init = factory()
            except Exception:
                return None
        except Exception:
            return None
        if isinstance(init, Mapping) and set(init) == params:
            return init
    return None


def gf_runs_for(module, groups: Sequence[tuple[str, Any]], dps: int = 30,
                target_norm: float = 1e12) -> tuple[list[GFRun], str | None]:
    """One run per instance group ``(label, claim)`` that has an initialization.

    Returns the runs and a note when a run failed (evidence only: the document is still
    written).
    """
    from ..gf import run_gf

    declared: dict[str, dict] = {}
    try:
        for run in (module.gf_runs() if callable(getattr(module, "gf_runs", None)) else []):
            if isinstance(run, Mapping) and "label" in run and "init" in run:
                declared[str(run["label"])] = dict(run)
    except Exception:
        declared = {}
    runs: list[GFRun] = []
    for label, claim in groups:
        inst = claim.instance
        if label in declared:
            init = declared[label]["init"]
            inst = declared[label].get("instance", inst)
        else:
            init = _init_for(module, claim)
        if init is None:
            continue
        try:
            res = run_gf(inst.network, inst.X, inst.Y, init, inst.point, dps=dps,
                         target_norm=target_norm, max_seconds=30)
        except Exception as exc:  # evidence only: never fail a document
            return runs, f"gradient flow failed on {label}: {type(exc).__name__}: {exc}"
        runs.append(GFRun(label, res, inst.network))
    return runs, None


def _mpl(text: str) -> str:
    """User text safe for matplotlib (a lone ``$`` would start mathtext)."""
    return str(text).replace("\\", "/").replace("$", r"\$")


def _neurons_u(network, params: Sequence[str], direction: Sequence[float]):
    """Per hidden neuron of a depth-2 network: u_j = v_j w_j from a direction vector."""
    from ..network import two_layer_names

    rows, out = two_layer_names(network)
    val = dict(zip(params, direction))
    us = []
    for j, row in enumerate(rows):
        vj = val.get(out[j], 0.0) if out[j] is not None else 0.0
        us.append([vj * (val.get(n, 0.0) if n is not None else 0.0) for n in row])
    return us


def figure_pdf(runs: Sequence[GFRun], title: str = "") -> bytes | None:
    """A PDF figure of the runs, or None when matplotlib is unavailable or nothing to plot."""
    runs = [r for r in runs if getattr(r.result, "trajectory", None)]
    if not runs:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except Exception:
        return None
    two = [r for r in runs if r.network.depth == 2]
    ncols = 2 if two else 1
    fig, axes = plt.subplots(1, ncols, figsize=(4.2 * ncols, 3.2), squeeze=False)
    ax = axes[0][0]
    for r in runs:
        traj = r.result.trajectory
        xs = [s.log_norm / math.log(10) for s in traj if s.direction_error]
        de = [s.direction_error for s in traj if s.direction_error]
        if xs:
            ax.semilogy(xs, de, label=f"{_mpl(r.label)}: direction error")
        xm = [s.log_norm / math.log(10) for s in traj if s.normalized_margin > 0]
        nm = [s.normalized_margin for s in traj if s.normalized_margin > 0]
        if xm:
            ax.semilogy(xm, nm, linestyle="--", label=f"{_mpl(r.label)}: normalized margin")
    ax.set_xlabel(r"$\log_{10}\|\theta\|$")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=6)
    if two:
        ax2 = axes[0][1]
        r = two[0]
        traj = r.result.trajectory
        params = list(r.result.params)
        us = [_neurons_u(r.network, params, s.direction) for s in traj]
        dims = len(us[0][0]) if us and us[0] else 0
        for j in range(len(us[0]) if us else 0):
            if dims == 2:
                ax2.plot([u[j][0] for u in us], [u[j][1] for u in us], marker=".",
                         markersize=2, label=f"$u_{j + 1}/\\|\\theta\\|^2$")
                ax2.plot([us[-1][j][0]], [us[-1][j][1]], marker="o")
            else:
                xs = [s.log_norm / math.log(10) for s in traj]
                ax2.plot(xs, [math.sqrt(sum(c * c for c in u[j])) for u in us],
                         label=f"$\\|u_{j + 1}\\|/\\|\\theta\\|^2$")
        if dims == 2:
            ax2.set_xlabel("first coordinate")
            ax2.set_ylabel("second coordinate")
            ax2.set_title(f"{_mpl(r.label)}: $u_j = v_j w_j$ (Figure 1 style)", fontsize=8)
        else:
            ax2.set_xlabel(r"$\log_{10}\|\theta\|$")
            ax2.set_title(f"{_mpl(r.label)}: per-neuron $u_j = v_j w_j$", fontsize=8)
        ax2.grid(True, alpha=0.3)
        ax2.legend(fontsize=6)
    if title:
        fig.suptitle(_mpl(title), fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()
