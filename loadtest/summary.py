"""Summarise a load run: throughput, p50/p95/p99 and errors per page, then the target.

    summary.py STATS_CSV [TIMES_CSV]

STATS_CSV is locust's per-request table. TIMES_CSV (written by locustfile.py when
LOAD_TIMES_FILE is set) has every request's time, so the percentiles of all pages together,
reports left out, are exact rather than read off locust's rounded histogram.
"""

import csv
import math
import sys

TARGET_MS = 300


def is_report(name):
    return "report" in name


def percentile(values, fraction):
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def main(stats_path, times_path=None):
    rows = list(csv.DictReader(open(stats_path, newline="")))
    print(f"{'request':45} {'count':>7} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    worst_page = (0, "", 0)
    for row in rows:
        name = row["Name"] if row["Type"] else "ALL"
        p50, p95, p99 = (float(row[k] or 0) for k in ("50%", "95%", "99%"))
        print(f"{name[:45]:45} {row['Request Count']:>7} {row['Failure Count']:>6} {float(row['Requests/s']):7.1f} "
              f"{p50:6.0f} {p95:6.0f} {p99:6.0f}")
        if row["Type"] and not is_report(name):
            worst_page = max(worst_page, (p95, name, int(row["Request Count"])))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"\nTotal: {total['Request Count']} requests, {float(total['Requests/s']):.1f} req/s, "
          f"{total['Failure Count']} errors.")
    p95, name, count = worst_page
    print(f"Slowest single page at p95: {name}, {p95:.0f} ms over {count} requests"
          + (" (under 20 requests: its p95 is its slowest one)" if count < 20 else "") + ".")
    if times_path:
        times = list(csv.DictReader(open(times_path, newline="")))
        pages = [float(t["ms"]) for t in times if not is_report(t["name"])]
        errors = sum(int(t["failed"]) for t in times)
        p50, p95, p99 = (percentile(pages, f) for f in (0.5, 0.95, 0.99))
        verdict = "MET" if p95 < TARGET_MS and errors == 0 else "NOT MET"
        print(f"All pages but reports: {len(pages)} requests, p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms; "
              f"{errors} errors in all. Target (p95 < {TARGET_MS} ms, 0 errors): {verdict}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
