"""Search side of the linear family kinds: Theorems 5.2, 4.2(1) and 3.1 (depth 2) for all data.

The kernel kinds ``linear-per-layer-family`` and ``depth2-linear-family``
(:mod:`symkkt.kernel.linfamily`, where the lemmas and the checks are stated) take no data and
no point: the certificates here only name the shape (or the class of supports) and the
multiplier rule. A claim carries a representative :class:`~symkkt.problems.Instance` (a
network of the family at a certified instance, for display) and ``extra["basis"] =
"all-data"``; its report kind says *every dataset* (``per-layer-global-all-data``,
``global-all-data``).
"""

from __future__ import annotations

from typing import Any, Sequence

from .claims import Claim
from .kernel.linfamily import KIND_DEPTH2, KIND_LAYER
from .kernel.net import NetSpec
from .problems import Instance

__all__ = ["per_layer_family_certificate", "depth2_family_certificate", "per_layer_family_claim",
           "depth2_family_claim", "LAYER_REPORT_KIND", "GLOBAL_REPORT_KIND", "ALL_DATA"]

LAYER_REPORT_KIND = "per-layer-global-all-data"
"""Every layer of every KKT point is a global optimum of Problem 4, for every dataset."""
GLOBAL_REPORT_KIND = "global-all-data"
"""Every KKT point (under the family's hypothesis) is a global optimum, for every dataset."""
ALL_DATA = "all-data"


def per_layer_family_certificate(net: NetSpec, layers: Sequence[int] | None = None,
                                 rule: str = "lam") -> dict:
    """The ``linear-per-layer-family`` certificate for the shape of ``net``."""
    cert: dict[str, Any] = {"symkkt_certificate": 1, "kind": KIND_LAYER,
                            "shape": net.to_json(), "multiplier_rule": rule}
    if layers is not None:
        cert["layers"] = list(layers)
    return cert


def depth2_family_certificate(supports: str, sizes: Sequence[int], zero_neurons: str,
                              predictor: str | None = None, rule: str = "lam") -> dict:
    """The ``depth2-linear-family`` certificate (a class of depth-2 networks, every width)."""
    cert: dict[str, Any] = {"symkkt_certificate": 1, "kind": KIND_DEPTH2, "supports": supports,
                            "support_sizes": list(sizes), "zero_neurons": zero_neurons,
                            "multiplier_rule": rule}
    if predictor is not None:
        cert["predictor"] = predictor
    return cert


def per_layer_family_claim(theorem: str, label: str, inst: Instance, **extra: Any) -> Claim:
    """"For every dataset, every KKT point of a network of ``inst``'s shape has every layer a
    global optimum of Problem 4" (``inst`` is only the representative shown)."""
    extra = {"basis": ALL_DATA, "data": "every dataset", **extra}

    def search():
        return per_layer_family_certificate(inst.network), "constructed"

    return Claim(theorem, LAYER_REPORT_KIND, label, inst, search, extra)


def depth2_family_claim(theorem: str, label: str, inst: Instance, supports: str,
                        sizes: Sequence[int], zero_neurons: str, predictor: str | None = None,
                        **extra: Any) -> Claim:
    """"For every width and every dataset, every KKT point of a depth-2 linear network with
    these supports (non-zero neurons if ``zero_neurons == 'excluded'``) is a global optimum"."""
    extra = {"basis": ALL_DATA, "data": "every dataset", "width": "every width", **extra}

    def search():
        return depth2_family_certificate(supports, sizes, zero_neurons, predictor), \
            "constructed"

    return Claim(theorem, GLOBAL_REPORT_KIND, label, inst, search, extra)
