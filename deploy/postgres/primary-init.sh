#!/bin/bash
# Runs once, when the primary's data folder is created: the replica's role and its line in
# pg_hba.conf (password-checked streaming from the compose network only).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}'"
echo "host replication replicator samenet scram-sha-256" >> "$PGDATA/pg_hba.conf"
