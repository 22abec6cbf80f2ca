#!/usr/bin/env bash
# Throw-away PostgreSQL for the store tests (Debian 12; PostgreSQL 15).
#
#   eval "$(.ci/postgres.sh)"      # start, or reuse, and export ECSD_TEST_POSTGRES
#   go test ./internal/store/... -count=1
#   .ci/postgres.sh stop           # stop the server and delete its directory
#
# start (the default) installs the postgresql package when initdb is missing (as
# root, with apt-get), creates a cluster in $ECSD_PG_DIR (default
# ${TMPDIR:-/tmp}/ecsd-postgres) owned by the postgres OS user (initdb refuses to
# run as root), starts it listening only on 127.0.0.1 on a free port and on a unix
# socket in that directory, creates the database ecsd_test and prints one line,
# `export ECSD_TEST_POSTGRES='postgres://…'`, on stdout; everything else goes to
# stderr. Running it again while the server is up only prints that line again.
#
# The cluster trusts every local connection and runs with fsync=off: it is for
# tests only and must never hold data worth keeping. As root, $ECSD_PG_DIR must be
# reachable by the postgres user (so not under /root).
set -euo pipefail

dir=${ECSD_PG_DIR:-${TMPDIR:-/tmp}/ecsd-postgres}
db=ecsd_test
data=$dir/data

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# pgbin prints the newest /usr/lib/postgresql/*/bin that has initdb, or nothing.
pgbin() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [[ -x $d/initdb ]]; then
			echo "$d"
			return
		fi
	done
}

# as_owner runs a command as the cluster's owner: the postgres OS user when we
# are root, ourselves otherwise.
as_owner() {
	if [[ $EUID -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

install_postgres() {
	[[ $EUID -eq 0 ]] || die "PostgreSQL is not installed and installing it needs root"
	log "installing postgresql with apt-get"
	# Keep the package from creating and starting its default cluster on port
	# 5432 (a drop-in, so it does not collide with the packaged conffile).
	mkdir -p /etc/postgresql-common/createcluster.d
	echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/ecsd-no-main-cluster.conf
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends postgresql >&2
}

# url prints the connection URL of the running cluster.
url() { echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/$db?sslmode=disable"; }

running() { [[ -f $dir/port && -f $data/PG_VERSION ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

# start_on starts the cluster on port $1. It returns 1 when the port is taken
# (the caller tries another) and exits on any other failure.
start_on() {
	local port=$1
	echo "$port" >"$dir/port"
	rm -f "$dir/server.log"
	if as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
		-o "-p $port -c listen_addresses=127.0.0.1 -k $dir" start >/dev/null 2>&1; then
		return 0
	fi
	grep -q "already in use" "$dir/server.log" 2>/dev/null && return 1
	die "could not start PostgreSQL: $(tail -n 20 "$dir/server.log" 2>/dev/null)"
}

create_cluster() {
	rm -rf "$dir"
	mkdir -p "$dir"
	if [[ $EUID -eq 0 ]]; then
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
		chown postgres: "$dir"
	fi
	chmod 700 "$dir"
	as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
		die "initdb failed: $(cat "$dir/initdb.log")"
	cat >>"$data/postgresql.conf" <<-CONF
		# ecsd throw-away test cluster
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		max_connections = 200
	CONF
}

start() {
	bin=$(pgbin)
	[[ -n $bin ]] || install_postgres
	bin=$(pgbin)
	[[ -n $bin ]] || die "initdb not found under /usr/lib/postgresql/*/bin after installing"
	if running; then
		log "reusing the server in $dir"
	else
		[[ -f $data/PG_VERSION ]] || create_cluster
		local port tries=0
		until port=$((20000 + RANDOM % 20000)) && start_on "$port"; do
			tries=$((tries + 1))
			((tries < 10)) || die "no free port found for PostgreSQL after $tries tries"
		done
		log "started PostgreSQL ($bin) on 127.0.0.1:$port, data in $data"
	fi
	local port
	port=$(cat "$dir/port")
	if [[ -z $(as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAXc \
		"SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
		as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qXc "CREATE DATABASE $db" >&2
	fi
	echo "export ECSD_TEST_POSTGRES='$(url)'"
}

stop() {
	bin=$(pgbin)
	if [[ -n $bin && -f $data/PG_VERSION ]]; then
		as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	log "stopped and removed $dir"
}

case ${1:-start} in
start) start ;;
stop) stop ;;
*) die "usage: $0 [start|stop]" ;;
esac
