#!/usr/bin/env bash
# Back up the Waymark database to one compressed file: scripts/backup.sh [FILE]
# Uses DATABASE_URL. Copy the file off site (it holds criminal-offence data: encrypt it).
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
out="${1:-waymark-$(date +%Y%m%d-%H%M%S).dump}"
pg_dump --format=custom --no-owner --no-privileges --file "$out" "$DATABASE_URL"
echo "Backed up to $out ($(du -h "$out" | cut -f1))"
