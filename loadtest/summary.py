"""Summarise locust's stats CSV: throughput, p50/p95/p99 and errors, pages vs reports."""

import csv
import sys

TARGET_MS = 300


def main(path):
    rows = list(csv.DictReader(open(path, newline="")))
    print(f"{'request':45} {'count':>7} {'errors':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    worst_page_p95, page_errors = 0, 0
    for row in rows:
        name = row["Name"] if row["Type"] else "ALL"
        p50, p95, p99 = (float(row[k] or 0) for k in ("50%", "95%", "99%"))
        print(f"{name[:45]:45} {row['Request Count']:>7} {row['Failure Count']:>6} {float(row['Requests/s']):7.1f} "
              f"{p50:6.0f} {p95:6.0f} {p99:6.0f}")
        if row["Type"] and "report" not in name:
            worst_page_p95 = max(worst_page_p95, p95)
            page_errors += int(row["Failure Count"])
    total = next(r for r in rows if r["Name"] == "Aggregated")
    verdict = "MET" if worst_page_p95 < TARGET_MS and int(total["Failure Count"]) == 0 else "NOT MET"
    print(f"\nTotal: {total['Request Count']} requests, {float(total['Requests/s']):.1f} req/s, "
          f"{total['Failure Count']} errors; worst page p95 {worst_page_p95:.0f} ms (target < {TARGET_MS} ms, "
          f"0 errors): {verdict}")


if __name__ == "__main__":
    main(sys.argv[1])
