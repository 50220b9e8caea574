"""``symkkt gf ID``: run the high-precision gradient flow of one result and show it.

Registered by the main CLI as ``app.command("gf")(gf)``. For every gradient-flow run the
theorem module declares (``gf_runs()``; ``--label`` picks one), it integrates the rescaled
flow with a progress bar, prints a summary table, and optionally writes the JSON (with the
trajectory) and a plot like the paper's Figure 1. If the module can decide its hypotheses on
the initialization (Theorem 3.2's ``init_meets_hypotheses``) and the init violates them, the
output says so: the run is then no evidence for the theorem.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..errors import InputError
from .flow import LOSSES, MIN_DPS, GFResult, run_gf
from .suite import hypotheses_check, init_json, runs_for

__all__ = ["gf", "parse_init", "plot_runs", "plot_format", "PLOT_FORMATS"]

_out = Console()
_err = Console(stderr=True)


def parse_init(text: str) -> dict[str, Fraction]:
    """``"w2_1=1/10, v1=-0.5"`` -> exact Fractions (no eval: ``fractions.Fraction`` only)."""
    out: dict[str, Fraction] = {}
    for i, part in enumerate(p.strip() for p in text.split(",")):
        if not part:
            continue
        name, eq, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not name.isidentifier() or not value:
            raise InputError(f"--init: item {i + 1} {part!r} must look like name=value")
        try:
            out[name] = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InputError(f"--init: {name}={value!r} is not a number like 3, -1/10 or "
                             f"0.25") from None
    if not out:
        raise InputError("--init is empty")
    return out


def _fmt(x: Any, spec: str = ".3e") -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return format(x, spec) if math.isfinite(x) else str(x)
    return str(x)


def gf(
    result_id: str = typer.Argument(..., help="result id, e.g. 3.2"),
    loss: str = typer.Option("exp", "--loss", help="exp or logistic"),
    dps: int = typer.Option(30, "--dps", help="decimal digits (>= 15)"),
    target_norm: float = typer.Option(1e12, "--target-norm", help="stop at this ‖θ‖"),
    json_path: Optional[Path] = typer.Option(None, "--json", help="write the runs as JSON"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="write a figure like the paper's Figure 1 (.svg, .pdf or .png)"),
    label: Optional[str] = typer.Option(None, "--label", help="only the run with this label"),
    init: Optional[str] = typer.Option(None, "--init",
                                       help="override init values: name=value,..."),
) -> None:
    """Run the high-precision gradient flow of a result towards its KKT point."""
    import theorems

    from ..io import check_distinct, check_writable_file, write_json

    if loss not in LOSSES:
        raise InputError(f"--loss={loss!r} must be one of {', '.join(LOSSES)}")
    if dps < MIN_DPS:
        raise InputError(f"--dps={dps} must be at least {MIN_DPS}")
    if not target_norm > 0 or not math.isfinite(target_norm):
        raise InputError(f"--target-norm={target_norm} must be a positive number")
    if json_path is not None:
        check_writable_file(json_path, "--json")
    if plot is not None:
        check_writable_file(plot, "--plot")
    check_distinct(json=json_path, plot=plot)
    if plot is not None:
        plot_format(plot)  # .svg, .pdf or .png, before any work
    theorems.load(result_id)  # unknown id -> InputError
    runs = runs_for(result_id)
    if not runs:
        raise InputError(f"result {result_id} declares no gradient-flow run")
    if label is not None:
        labels = [r["label"] for r in runs]
        runs = [r for r in runs if r["label"] == label]
        if not runs:
            raise InputError(f"--label={label!r}: result {result_id} has runs "
                             f"{', '.join(map(repr, labels))}")
    override = parse_init(init) if init is not None else {}
    prepared = []
    for run in runs:
        params = run["instance"].network.params
        unknown = [k for k in override if k not in params]
        if unknown:
            raise InputError(f"--init: unknown parameter(s) {', '.join(unknown)} "
                             f"(the network has {', '.join(params)})")
        prepared.append({**run, "init": {**run["init"], **override}})

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    docs, results = [], []
    for run in prepared:
        inst, init_values = run["instance"], run["init"]
        ok = hypotheses_check(result_id, init_values)
        if ok is False:
            hyp = getattr(theorems.load(result_id), "HYPOTHESES", "the theorem's hypotheses")
            _out.print(f"[bold yellow]warning:[/] {result_id}/{run['label']}: the init violates "
                       f"the hypotheses of Theorem {result_id} ({hyp}); this run is no "
                       f"evidence for the theorem", highlight=False)
        rho_span = [None]
        with Progress(TextColumn(f"{result_id}/{run['label']} ({loss})"), BarColumn(),
                      TextColumn("‖θ‖ = {task.fields[norm]}"), TimeElapsedColumn(),
                      console=_err, transient=True, disable=not _err.is_terminal) as prog:
            task = prog.add_task("", total=1.0, norm="-")

            def on_step(smp, prog=prog, task=task):
                if rho_span[0] is None:
                    rho_span[0] = smp.log_norm
                lo, hi = rho_span[0], math.log(target_norm)
                frac = 1.0 if hi <= lo else (smp.log_norm - lo) / (hi - lo)
                prog.update(task, completed=min(max(frac, 0.0), 1.0),
                            norm=f"{math.exp(min(smp.log_norm, 700)):.3g}")

            res = run_gf(inst.network, inst.X, inst.Y, init_values, inst.point, loss=loss,
                         dps=dps, target_norm=target_norm, callback=on_step)
        results.append((run, res))
        doc = {"label": run["label"], "init": init_json(init_values),
               "target": init_json(dict(inst.point)), "activation": inst.network.activation,
               "depth": inst.network.depth, "gf": res.to_json(trajectory=True)}
        if ok is not None:
            doc["init_meets_hypotheses"] = ok
        docs.append(doc)

    table = Table(title=f"gradient flow, result {result_id} ({loss} loss, {dps} digits)")
    table.add_column("")
    for (run, _), doc in zip(results, docs):
        name = run["label"]
        if doc.get("init_meets_hypotheses") is False:
            name += "\n[yellow](init violates the hypotheses)[/]"
        table.add_column(name, overflow="fold")
    mono = {True: "[green]yes[/]", False: "[red]no[/]", None: "- (L >= 1)"}
    rows = [
        ("‖θ‖", lambda r: _fmt(r.norm)),
        ("direction error ‖θ/‖θ‖ − θ̃/‖θ̃‖‖", lambda r: _fmt(r.direction_error)),
        ("log L", lambda r: _fmt(r.log_loss)),
        ("log t (real time)", lambda r: _fmt(r.log_time)),
        ("normalized margin min yΦ/‖θ‖^m", lambda r: _fmt(r.normalized_margin, ".15g")),
        ("normalized margin non-decreasing", lambda r: mono[r.margin_nondecreasing]),
        ("steps (rejected)", lambda r: f"{r.steps} ({r.rejected})"),
        ("right-side evaluations", lambda r: str(r.rhs_evals)),
        ("seconds (CPU)", lambda r: f"{r.seconds:.2f} ({r.cpu_seconds:.2f})"),
        ("stopped by", lambda r: r.stop_reason),
    ]
    for name, get in rows:
        table.add_row(name, *[get(res) for _, res in results])
    _out.print(table)
    if plot is not None:
        plot_runs(result_id, results, plot)
        _out.print(f"plot written to {plot}")
    if json_path is not None:
        write_json(json_path, {"theorem": result_id, "loss": loss, "dps": dps,
                               "target_norm": target_norm, "runs": docs})
        _out.print(f"JSON written to {json_path}")


def _is_two_layer_fc(net) -> bool:
    if net.depth != 2 or net.has_sharing:
        return False
    return all(all(n is not None for n in row) for row in net.layers[0]) and \
        all(n is not None for n in net.layers[1][0])


PLOT_FORMATS = {".svg": "svg", ".pdf": "pdf", ".png": "png"}


def plot_format(path: Path) -> str:
    """The matplotlib format of ``--plot PATH`` from its extension (svg, pdf, png)."""
    fmt = PLOT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"--plot={str(path)!r} must end in .svg, .pdf or .png")
    return fmt


def _limit_u(inst, net, row, vname) -> list[float] | None:
    """The limit direction of neuron j, ``ũ_j / ‖θ̃‖²`` (floats), from the KKT point."""
    try:
        pt = {k: float(v) for k, v in inst.point.items()}
        n2 = sum(v * v for v in pt.values())
        if n2 <= 0:
            return None
        return [pt[vname] * pt[w] / n2 for w in row]
    except (TypeError, ValueError, KeyError):
        return None


def plot_runs(result_id: str, results: list[tuple[dict, GFResult]], path: Path) -> None:
    """A figure like the paper's Figure 1 (Agg backend; SVG, PDF or PNG by ``path``'s suffix).

    For a depth-2 fully-connected network: each neuron's ``u_j = v_j w_j`` normalized by
    ``‖θ‖²`` (Figure 1's picture: start and end of the run marked, the limit ``ũ_j/‖θ̃‖²``
    as a black arrow), and ``‖u_j‖`` against real time. For every run: the direction error
    and the normalized margin against ``‖θ‖``. A direction error of exactly 0 (a run that
    starts on the limit's ray) has no place on a log axis: it is left out and said so.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    fmt = plot_format(path)
    fc = [(run, res) for run, res in results if _is_two_layer_fc(run["instance"].network)]
    ncols = 2 + (2 if fc else 0)
    fig, axes = plt.subplots(1, ncols, figsize=(4.4 * ncols, 4.4), layout="constrained")
    fig.suptitle(f"Gradient flow, result {result_id} (numerical evidence, not a verdict)")
    col = 0
    if fc:
        ax_plane, ax_norm = axes[0], axes[1]
        col = 2
        limit_drawn = False
        for run, res in fc:
            net = run["instance"].network
            idx = {p: i for i, p in enumerate(res.params)}
            rows, vs = net.layers[0], net.layers[1][0]
            for j, (row, vname) in enumerate(zip(rows, vs), start=1):
                pts, norms, lts = [], [], []
                for smp in res.trajectory:
                    d = smp.direction
                    uj = [d[idx[vname]] * d[idx[w]] for w in row]   # u_j / ‖θ‖²
                    pts.append(uj)
                    nrm = math.sqrt(sum(v * v for v in uj))
                    if smp.log_time is not None and smp.log_time > 0 and nrm > 0:
                        lts.append(smp.log_time / math.log(10))
                        norms.append(math.log10(nrm) + 2 * smp.log_norm / math.log(10))
                tag = f"$u_{{{j}}}/\\|\\theta\\|^2$" + (f" ({run['label']})"
                                                       if len(fc) > 1 else "")
                if len(row) >= 2 and pts:
                    xs, ys = [q[0] for q in pts], [q[1] for q in pts]
                    line, = ax_plane.plot(xs, ys, "-", lw=1.6, label=tag)
                    c = line.get_color()
                    ax_plane.plot(xs[0], ys[0], "o", color=c, mfc="white", mec=c, ms=6, zorder=3)
                    ax_plane.plot(xs[-1], ys[-1], "o", color=c, ms=6, zorder=3)
                    lim = _limit_u(run["instance"], net, row, vname)
                    if lim is not None and any(abs(v) > 0 for v in lim[:2]):
                        ax_plane.annotate("", xy=(lim[0], lim[1]), xytext=(0, 0),
                                          arrowprops=dict(arrowstyle="-|>", color="black",
                                                          lw=1.0, ls="--", shrinkA=0,
                                                          shrinkB=0), zorder=2)
                        limit_drawn = True
                if lts:
                    ax_norm.plot(lts, norms, label=f"$\\|u_{{{j}}}\\|$"
                                 + (f" ({run['label']})" if len(fc) > 1 else ""))
        handles, _ = ax_plane.get_legend_handles_labels()
        handles += [Line2D([], [], ls="", marker="o", mfc="white", mec="0.3", ms=6,
                           label="start, $\\theta(0)$"),
                    Line2D([], [], ls="", marker="o", color="0.3", ms=6,
                           label="end of the run")]
        if limit_drawn:
            handles.append(Line2D([], [], color="black", ls="--", lw=1.0,
                                  label="limit $\\tilde u_j/\\|\\tilde\\theta\\|^2$"))
        ax_plane.set_title("neurons $u_j = v_j w_j$, scaled by $\\|\\theta\\|^{-2}$")
        ax_plane.axhline(0, color="0.85", lw=0.6, zorder=0)
        ax_plane.axvline(0, color="0.85", lw=0.6, zorder=0)
        ax_plane.set_xlabel("first coordinate")
        ax_plane.set_ylabel("second coordinate")
        ax_plane.set_aspect("equal", adjustable="datalim")
        ax_plane.legend(handles=handles, fontsize=7, loc="best")
        ax_norm.set_xscale("log")   # log10 t itself spans many decades
        ax_norm.set_xlabel("$\\log_{10} t$ (real time $t$)")
        ax_norm.set_ylabel("$\\log_{10} \\|u_j\\|$")
        ax_norm.set_title("per-neuron growth")
        ax_norm.legend(fontsize=7)
    ax_err, ax_margin = axes[col], axes[col + 1]
    zero_runs = []
    for run, res in results:
        tag = f"{run['label']} ({res.loss})"
        pairs = [(math.exp(min(s.log_norm, 700)), s.direction_error) for s in res.trajectory
                 if s.direction_error is not None]
        # 0, or 0 up to the working precision (a run on the limit's ray), has no place on a
        # log axis: such points are left out and the figure says so
        floor = 10.0 ** (-(res.dps - 2))
        shown = [(x, e) for x, e in pairs if e > floor]
        if len(shown) < len(pairs):
            zero_runs.append(f"{tag}: {len(pairs) - len(shown)} of {len(pairs)} points")
        if shown:
            ax_err.plot([x for x, _ in shown], [e for _, e in shown], ".-", ms=3, label=tag)
        xs = [math.exp(min(s.log_norm, 700)) for s in res.trajectory]
        line, = ax_margin.plot(xs, [s.normalized_margin for s in res.trajectory], ".-", ms=3,
                               label=tag)
        inst = run["instance"]
        target_margin = 1.0 / float(inst.norm2) ** (inst.network.depth / 2)
        ax_margin.axhline(target_margin, color=line.get_color(), ls="--", lw=0.8,
                          label="limit $1/\\|\\tilde\\theta\\|^m$")
    if zero_runs:
        ax_err.text(0.03, 0.03, "not drawn: direction error 0 up to the working\n"
                    "precision (the run is on the limit's ray)\n" + "\n".join(zero_runs),
                    transform=ax_err.transAxes, fontsize=7, va="bottom", ha="left",
                    color="0.25")
    ax_err.set_xscale("log")
    if ax_err.lines:
        ax_err.set_yscale("log")
        ax_err.legend(fontsize=7)
    ax_err.set_xlabel("$\\|\\theta\\|$")
    ax_err.set_ylabel("$\\|\\theta/\\|\\theta\\| - \\tilde\\theta/\\|\\tilde\\theta\\|\\|$")
    ax_err.set_title("direction error")
    ax_margin.set_xscale("log")
    ax_margin.set_xlabel("$\\|\\theta\\|$")
    ax_margin.set_ylabel("$\\min_i y_i \\Phi(\\theta; x_i) / \\|\\theta\\|^m$")
    ax_margin.set_title("normalized margin")
    ax_margin.legend(fontsize=7)
    from io import BytesIO

    from ..io import write_atomic

    buf = BytesIO()
    fig.savefig(buf, format=fmt, dpi=110)
    plt.close(fig)
    write_atomic(path, buf.getvalue())
