#!/usr/bin/env bash
# End-to-end tests in a real VS Code (`npm run test:e2e`); the recipe is /work/shared/E2E.md.
#   1. setup-e2e.sh installs chromium & co. (apt) and code-server 4.100.3 (npm) when missing;
#   2. packages the extension (dist/consensus-notebook.vsix) and bundles the test programs;
#   3. UI suite: a code-server with the .vsix installed, driven by Playwright in Chromium, and a second
#      one that runs the same .vsix in the browser's web worker extension host (the `browser` entry);
#   4. extension-host suite: mocha with the real `vscode` API, in another code-server that loads the
#      extension from the repo (extensionDevelopmentPath), without the .vsix.
# Everything a run writes goes to .e2e/run-* (gitignored); screenshots go to .e2e/artifacts/.
# Prints `ui: N passed, N failed` and `extension-host: N passed, N failed`; exits non-zero on a failure.
# Benchmark figures measured in the UI (ext.render500.ms, ext.cancel.ms, ext.cancel.web.ms) go to
# .e2e/artifacts/figures.json.
#
# A UI test marked knownBug (a reported product bug) prints "ui: known product bug (not counted): …"
# above the counts when it fails, and is not counted as failed.
#
# Environment: E2E_GREP (run only the UI tests whose name contains it; several texts separated by |),
# E2E_HOST_GREP (run only the extension-host tests whose full title contains it), CHROMIUM,
# CONSENSUS_E2E_CACHE.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
started=$SECONDS
section() { printf '\n=== %s\n' "$*"; }

# shellcheck source=../test/e2e/lib/code-server.sh
. test/e2e/lib/code-server.sh
# On any exit: stop the servers, and if the run ended before its summary, report the suites as failed.
summary_printed=0
finish() {
  cs_stop_all
  if ((!summary_printed)); then
    echo "ui: 0 passed, 1 failed"
    echo "extension-host: 0 passed, 1 failed"
  fi
}
trap finish EXIT
trap 'exit 130' INT TERM

section "e2e: setup"
CODE_SERVER_DIR=$(bash scripts/setup-e2e.sh | tail -n 1)
export CODE_SERVER_DIR
export CHROMIUM=${CHROMIUM:-$(command -v chromium)}
RUN="$ROOT/.e2e/run-$(date +%Y%m%d-%H%M%S)"
ARTIFACTS="$ROOT/.e2e/artifacts"
rm -rf "$ROOT"/.e2e/run-* "$ARTIFACTS"
mkdir -p "$RUN" "$ARTIFACTS"
# Chromium writes crash-report settings under $XDG_CONFIG_HOME: keep them in the run folder too.
export XDG_CONFIG_HOME="$RUN/chromium/config" XDG_CACHE_HOME="$RUN/chromium/cache"

section "e2e: package the extension and bundle the tests"
npm run --silent package
VSIX="$ROOT/dist/consensus-notebook.vsix"
[ -f "$VSIX" ] || { echo "npm run package did not write $VSIX" >&2; exit 1; }
echo "$VSIX ($(stat -c %s "$VSIX") bytes)"
node test/e2e/build.js

# A scratch copy of samples/ (tests may write into it) plus the UI fixtures.
make_workspace() {
  mkdir -p "$1"
  cp -R "$ROOT/samples/." "$1/"
  cp "$ROOT"/test/e2e/fixtures/*.consensus "$1/"
}

ui_rc=0
section "e2e: UI suite (code-server with the .vsix, Playwright + Chromium)"
make_workspace "$RUN/ui-workspace"
cs_init "$RUN/ui"
cs_install_vsix "$RUN/ui" "$VSIX"
port=$(cs_free_port)
cs_start "$RUN/ui" "$port" "$RUN/ui-workspace"
echo "code-server on http://127.0.0.1:$port (log: $RUN/ui/server.log)"
# A second code-server with the same .vsix, told to run the extension in the browser's web worker
# extension host (its `browser` entry), as vscode.dev does: the UI tests marked host 'web' use it.
make_workspace "$RUN/ui-web-workspace"
cs_init "$RUN/ui-web"
cs_setting "$RUN/ui-web" remote.extensionKind '{ "consensus-notebook.consensus-notebook": ["web"] }'
cs_install_vsix "$RUN/ui-web" "$VSIX"
web_port=$(cs_free_port)
cs_start "$RUN/ui-web" "$web_port" "$RUN/ui-web-workspace"
echo "code-server (extension in the web worker extension host) on http://127.0.0.1:$web_port (log: $RUN/ui-web/server.log)"
E2E_URL="http://127.0.0.1:$port/?folder=$RUN/ui-workspace" E2E_WORKSPACE="$RUN/ui-workspace" \
  E2E_WEB_URL="http://127.0.0.1:$web_port/?folder=$RUN/ui-web-workspace" E2E_WEB_WORKSPACE="$RUN/ui-web-workspace" \
  E2E_ROOT="$ROOT" E2E_ARTIFACTS="$ARTIFACTS" E2E_LOGS="$RUN" \
  E2E_SUMMARY="$RUN/ui.summary" node .e2e/build/ui.js || ui_rc=$?
cs_stop_all

host_rc=0
section "e2e: extension-host suite (mocha in code-server's extension host)"
make_workspace "$RUN/host-workspace"
cs_init "$RUN/host"
port=$(cs_free_port)
CS_EXTRA_ENV=("CONSENSUS_E2E_RESULTS=$RUN/host/results.json" "CONSENSUS_E2E_GREP=${E2E_HOST_GREP:-}")
cs_start "$RUN/host" "$port" "$RUN/host-workspace"
CS_EXTRA_ENV=()
echo "code-server on http://127.0.0.1:$port (log: $RUN/host/server.log)"
E2E_SERVER="http://127.0.0.1:$port" E2E_WORKSPACE="$RUN/host-workspace" E2E_EXTENSION="$ROOT" \
  E2E_TESTS="$ROOT/.e2e/build/host/index.js" E2E_RESULTS="$RUN/host/results.json" \
  E2E_ARTIFACTS="$ARTIFACTS" E2E_LOGS="$RUN" E2E_SUMMARY="$RUN/host.summary" \
  node .e2e/build/host-runner.js || host_rc=$?
cs_stop_all

section "e2e: summary ($((SECONDS - started)) s; logs in $RUN)"
summary_printed=1
cat "$RUN/ui.summary" 2>/dev/null || { echo "ui: 0 passed, 1 failed"; ui_rc=1; }
cat "$RUN/host.summary" 2>/dev/null || { echo "extension-host: 0 passed, 1 failed"; host_rc=1; }
shopt -s nullglob
for png in "$ARTIFACTS"/*.png; do echo "screenshot: $png"; done
[ -f "$ARTIFACTS/figures.json" ] && echo "figures ($ARTIFACTS/figures.json): $(tr -d ' \n' < "$ARTIFACTS/figures.json")"
((ui_rc == 0 && host_rc == 0))
