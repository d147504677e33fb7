#!/bin/bash
# Writes the real tables the doctor's cases use (tests/real_tables/write_tables.py) and runs the cases.
# Usage: run_cases.sh DOCTOR_CASES LEVER CASES.YAML [--fix]
set -euo pipefail
tables=$(mktemp -d)
trap 'rm -rf "$tables"' EXIT
/usr/bin/python3 "$(dirname "$0")/../real_tables/write_tables.py" "$tables"
"$1" "$2" "$3" "$tables" "${@:4}"
