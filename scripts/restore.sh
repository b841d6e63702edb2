#!/usr/bin/env bash
# Restore a backup into a NEW, empty database: scripts/restore.sh FILE TARGET_DATABASE_URL
# The target database must not exist yet; it is created. Then point DATABASE_URL at it and
# run `manage.py migrate` (a no-op for a same-version backup, the upgrade path otherwise).
set -euo pipefail
file="${1:?backup file}"
target="${2:?target database URL, e.g. postgres://postgres@127.0.0.1:5432/waymark_restored}"
name="${target##*/}"
server="${target%/*}/postgres"
psql --quiet --no-psqlrc "$server" -c "CREATE DATABASE \"$name\""
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$target" "$file"
echo "Restored $file into $name"
