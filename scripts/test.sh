#!/usr/bin/env bash
# The test command of the README (and of CI): formatting and vet checks, the QEMU
# data plane's packages and guest images (scripts/setup-qemu.sh and
# scripts/build-debian-image.sh, both cached; as root only), every Go test on
# SQLite and PostgreSQL (a throw-away PostgreSQL is installed and started with
# .ci/postgres.sh), and the end-to-end client tests once more with ecsd itself on
# PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
if [[ -n $unformatted ]]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi
go vet ./...

echo "== generated files are current"
go test -count=1 -run 'TestCoverageDocIsCurrent' ./cmd/ecsd

echo "== the QEMU data plane: packages, the test guest and the Debian image (root only)"
if [[ $(id -u) -eq 0 ]]; then
	sh scripts/setup-qemu.sh
	bash scripts/build-debian-image.sh
else
	echo "not root: the tests of the QEMU data plane will skip"
fi

echo "== throw-away PostgreSQL"
eval "$(bash .ci/postgres.sh start)"
trap 'bash .ci/postgres.sh stop >/dev/null 2>&1 || true' EXIT
export ECSD_TEST_POSTGRES

echo "== go test ./... (SQLite, and PostgreSQL through ECSD_TEST_POSTGRES)"
go test -count=1 -timeout 30m ./...

echo "== end-to-end client tests with ecsd on PostgreSQL"
ECSD_E2E_STORE=$ECSD_TEST_POSTGRES go test -count=1 -timeout 20m -run 'SDK|Clients' ./test/e2e
