#!/bin/bash
# Runs once, when the primary's data folder is created: the replica's role and its line in
# pg_hba.conf (password-checked streaming from the compose network only).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}'"
echo "host replication replicator samenet scram-sha-256" >> "$PGDATA/pg_hba.conf"
# No acknowledged protocol is lost in a failover: a commit returns once the replica shows it
# (benchmarks/replication.py, the failover drill). The price: while the replica is away no
# commit returns; to go on without it, ALTER SYSTEM SET synchronous_standby_names = '' and
# SELECT pg_reload_conf() (docs/deployment.md, "Failover, step by step").
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
  -c "ALTER SYSTEM SET synchronous_standby_names = 'replica'" \
  -c "ALTER SYSTEM SET synchronous_commit = 'remote_apply'"
