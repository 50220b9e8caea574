"""Time the exact suite (search + kernel) per result, and the kernel alone on its output.

Prints JSON: per result the seconds for search+check and for re-checking the certificates
with the kernel alone (the baseline, same process), and their ratio. Usage:

    python benchmarks/exact_suite.py [IDS...] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import time

from symkkt.kernel import check_certificate, forget
from symkkt.suite import collect, run_suite


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--out")
    args = ap.parse_args()
    claims = collect(args.ids)
    by_theorem: dict[str, dict] = {}
    t_all = time.perf_counter()
    reports = run_suite(claims)
    total = time.perf_counter() - t_all
    for rep in reports:
        row = by_theorem.setdefault(rep.claim.theorem, {"claims": 0, "verified": 0,
                                                        "search_and_check_s": 0.0,
                                                        "kernel_only_s": 0.0})
        row["claims"] += 1
        row["verified"] += rep.status == "verified"
        row["search_and_check_s"] += rep.seconds
        if rep.certificate is not None:
            forget()        # from scratch, as a fresh `symkkt check-cert` would
            t = time.perf_counter()
            check_certificate(rep.certificate)
            row["kernel_only_s"] += time.perf_counter() - t
    for row in by_theorem.values():
        row["ratio_total_to_kernel"] = (round(row["search_and_check_s"] / row["kernel_only_s"], 2)
                                        if row["kernel_only_s"] else None)
        row["search_and_check_s"] = round(row["search_and_check_s"], 3)
        row["kernel_only_s"] = round(row["kernel_only_s"], 3)
    doc = {"benchmark": "exact_suite", "total_seconds": round(total, 3),
           "claims": len(reports), "by_result": by_theorem}
    text = json.dumps(doc, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
