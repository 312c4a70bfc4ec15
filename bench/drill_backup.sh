#!/usr/bin/env bash
# Backup drill: pg_dump → pg_restore into a scratch database; every table must have the same
# row count and the same checksum (md5 over its rows in a fixed order) in both.
#   bench/drill_backup.sh [SOURCE_DB]   (default veikart_load on 127.0.0.1:5432)
set -euo pipefail
SRC="${1:-veikart_load}" DST="${SRC}_restore" PG="-h 127.0.0.1 -p ${PGPORT:-5432} -U postgres"
DUMP="/tmp/$SRC.dump"

time pg_dump $PG -Fc -f "$DUMP" "$SRC"
dropdb $PG --if-exists "$DST"; createdb $PG "$DST"
time pg_restore $PG --no-owner --exit-on-error -d "$DST" "$DUMP"

fingerprint() {
  psql $PG -d "$1" -At -c "
    SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), %L)) FROM %I.%I t',
                  tablename, '', schemaname, tablename)
    FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename" |
  while read -r query; do psql $PG -d "$1" -At -F ' ' -c "$query"; done
}
fingerprint "$SRC" > "/tmp/$SRC.fingerprint"
fingerprint "$DST" > "/tmp/$DST.fingerprint"
echo "tables: $(wc -l < "/tmp/$SRC.fingerprint"), rows: $(awk '{s+=$2} END {print s}' "/tmp/$SRC.fingerprint"), dump: $(du -h "$DUMP" | cut -f1)"
if diff "/tmp/$SRC.fingerprint" "/tmp/$DST.fingerprint"; then
  echo "identical: every table has the same row count and checksum"
else
  echo "DIFFERENT"; exit 1
fi
dropdb $PG "$DST"
