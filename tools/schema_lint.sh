#!/usr/bin/env bash
# graphql-schema-linter's description rules over the committed schema.graphql: every type, field,
# argument, enum value and input field has a description (tests/schema/test_descriptions.py checks
# the same on the built schema). Installs the pinned linter in a temporary folder, leaves nothing
# behind; exits non-zero when a rule fails. Needs Node and npm (and the npm registry, or a cache).
#
#   tools/schema_lint.sh               # schema.graphql
#   tools/schema_lint.sh other.graphql
set -euo pipefail
cd "$(dirname "$0")/.."

LINTER_VERSION=3.0.1
GRAPHQL_VERSION=16.9.0
RULES=types-have-descriptions,fields-have-descriptions,arguments-have-descriptions,enum-values-have-descriptions,input-object-values-have-descriptions
SCHEMA=${1:-schema.graphql}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm install --no-save --no-audit --no-fund --no-package-lock --silent --prefix "$work" \
    "graphql-schema-linter@$LINTER_VERSION" "graphql@$GRAPHQL_VERSION" >/dev/null
status=0
"$work/node_modules/.bin/graphql-schema-linter" --rules "$RULES" "$SCHEMA" >"$work/out" 2>&1 || status=$?
cat "$work/out"
# A misspelt rule is only a warning to the linter, and would pass everything.
if grep -q "are invalid" "$work/out"; then
    echo "schema_lint: a rule name is not the linter's" >&2
    exit 2
fi
exit "$status"
