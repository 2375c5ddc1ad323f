#!/bin/bash
# The replica: a base backup of the primary the first time (its settings for streaming
# written by -R), then a hot standby replaying the primary's WAL as it comes.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h primary -U replicator -D "$PGDATA" -R -X stream -c fast \
      -d "application_name=replica"; do
    echo "waiting for the primary ..."; sleep 2
  done
  chmod 700 "$PGDATA"
  # A promoted replica must not wait for a synchronous standby of its own name.
  echo "synchronous_standby_names = ''" >> "$PGDATA/postgresql.auto.conf"
fi
exec postgres -c hot_standby=on
