#!/usr/bin/env bash
# `npm start`: VS Code in the browser (code-server 4.100.3) with the packaged extension installed and
# samples/ open, on http://127.0.0.1:${PORT:-8080}/. Stays in the foreground; Ctrl-C stops it.
# Its user data (settings, state) persists in .e2e/start/ (gitignored) between starts.
# `npm start -- --web` runs the extension in the browser's web worker extension host (its `browser`
# entry, as on vscode.dev) instead of code-server's Node extension host.
set -euo pipefail
WEB=0
for arg in "$@"; do
  case $arg in
    --web) WEB=1 ;;
    *) echo "usage: npm start [-- --web]" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PORT=${PORT:-8080}

CODE_SERVER_DIR=$(bash scripts/setup-e2e.sh | tail -n 1)
export CODE_SERVER_DIR
# shellcheck source=../test/e2e/lib/code-server.sh
. test/e2e/lib/code-server.sh

npm run --silent package
HOME_DIR="$ROOT/.e2e/start"
[ -f "$HOME_DIR/user-data/User/settings.json" ] || cs_init "$HOME_DIR"
if ((WEB)); then
  cs_setting "$HOME_DIR" remote.extensionKind '{ "consensus-notebook.consensus-notebook": ["web"] }'
else
  cs_setting "$HOME_DIR" remote.extensionKind null
fi
cs_install_vsix "$HOME_DIR" "$ROOT/dist/consensus-notebook.vsix"

trap cs_stop_all EXIT
trap 'exit 0' INT TERM
cs_start "$HOME_DIR" "$PORT" "$ROOT/samples"
echo
where=""
((WEB)) && where=" (the extension in the browser's web worker extension host)"
echo "Consensus Notebook in VS Code$where: http://127.0.0.1:$PORT/?folder=$ROOT/samples"
echo "(code-server log: $HOME_DIR/server.log; Ctrl-C to stop)"
# Wait for the server; a signal interrupts the wait and the traps stop it.
while kill -0 -- "-${CS_PGIDS[0]}" 2>/dev/null; do sleep 1; done
echo "code-server stopped; see $HOME_DIR/server.log" >&2
exit 1
