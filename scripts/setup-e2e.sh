#!/usr/bin/env bash
# Installs what the end-to-end tests need and npm/apt can provide (see /work/shared/E2E.md):
#   - Debian packages: chromium (Playwright drives it) and fonts-liberation (its recommended fonts, so
#     screenshots have readable text; recommends are not installed), ripgrep (code-server's search),
#     libkrb5-dev and pkg-config (to rebuild code-server's native "kerberos" module);
#   - code-server 4.100.3 (= VS Code 1.100, the last that runs on Node 20) into a cache folder outside the
#     repo, installed step by step because its postinstall downloads ripgrep from GitHub and fails offline.
# Idempotent: a marker file records a complete install, so a reused machine skips it.
# Prints the code-server folder (the one holding out/node/entry.js) as its last line of stdout.
#
# Environment: CONSENSUS_E2E_CACHE (default ~/.cache/consensus-notebook-e2e).
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE_DIR=${CONSENSUS_E2E_CACHE:-$HOME/.cache/consensus-notebook-e2e}
INSTALL_DIR="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
CODE_SERVER_DIR="$INSTALL_DIR/node_modules/code-server"
MARKER="$INSTALL_DIR/.installed"

log() { echo "[setup-e2e] $*" >&2; }

# --- Debian packages -------------------------------------------------------------------------------
missing=()
for pkg in chromium fonts-liberation ripgrep libkrb5-dev pkg-config; do
  # (a removed package whose configuration remains still has a dpkg status: check that it is installed)
  status=$(dpkg -s "$pkg" 2>/dev/null || true)
  [[ $status == *"Status: install ok installed"* ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# --- code-server -----------------------------------------------------------------------------------
if [ -f "$MARKER" ] && [ -f "$CODE_SERVER_DIR/out/node/entry.js" ]; then
  log "code-server $CODE_SERVER_VERSION already installed"
  echo "$CODE_SERVER_DIR"
  exit 0
fi

RG=$(command -v rg) || { log "ripgrep (rg) not found on PATH"; exit 1; }
start=$SECONDS
log "installing code-server $CODE_SERVER_VERSION into $INSTALL_DIR (takes about a minute)"
mkdir -p "$CACHE_DIR"
# Build in a staging folder and move it into place at the end, so an interrupted install never
# looks complete. npm paths inside code-server are relative, so the move is safe.
STAGE=$(mktemp -d "$CACHE_DIR/.stage-XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
(
  set -euo pipefail
  cd "$STAGE"
  echo '{ "name": "consensus-notebook-e2e-code-server", "private": true }' > package.json
  export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION"
  npm rebuild argon2
  cd node_modules/code-server/lib/vscode
  npm install --omit=dev --ignore-scripts
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$RG" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild # node-pty, spdlog, kerberos, ...
  ln -sfn node_modules node_modules.asar
  ln -sfn code-linux.sh bin/remote-cli/code-server
  ln -sfn browser-linux.sh bin/helpers/browser.sh
  cd extensions
  npm install --omit=dev
) >&2
rm -rf "$INSTALL_DIR"
mv "$STAGE" "$INSTALL_DIR"
trap - EXIT
echo "code-server $CODE_SERVER_VERSION installed in $((SECONDS - start)) s" > "$MARKER"
log "code-server $CODE_SERVER_VERSION installed in $((SECONDS - start)) s"
echo "$CODE_SERVER_DIR"
