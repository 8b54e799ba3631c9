# Helpers to run isolated code-server instances (sourced by scripts/e2e.sh and scripts/start.sh).
# Recipe: /work/shared/E2E.md. Every instance gets its own folder holding its user data, extensions and
# XDG dirs, so nothing is written to $HOME; it listens on loopback only and runs in its own process group
# (setsid), which cs_stop_all kills as a whole (the top pid alone would leave a file watcher behind).
#
# Requires CODE_SERVER_DIR (the folder with out/node/entry.js, printed by scripts/setup-e2e.sh).

CS_PGIDS=()
CS_EXTRA_ENV=()

# cs_free_port: prints a free TCP port on 127.0.0.1.
cs_free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# cs_init HOME: creates the instance folder HOME with user settings that keep the workbench quiet.
cs_init() {
  local home=$1
  mkdir -p "$home/user-data/User" "$home/extensions" "$home/xdg/config" "$home/xdg/data" "$home/xdg/cache"
  cat > "$home/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "telemetry.telemetryLevel": "off",
  "security.workspace.trust.enabled": false,
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "chat.commandCenter.enabled": false,
  "files.hotExit": "off",
  "window.restoreWindows": "none",
  "git.enabled": false
}
JSON
}

# cs_setting HOME KEY JSON: sets one user setting of the instance (JSON is the value, e.g. '["web"]';
# null removes the setting).
cs_setting() {
  node -e '
    const fs = require("fs");
    const [file, key, value] = process.argv.slice(1);
    const settings = JSON.parse(fs.readFileSync(file, "utf8"));
    if (JSON.parse(value) === null) delete settings[key];
    else settings[key] = JSON.parse(value);
    fs.writeFileSync(file, JSON.stringify(settings, null, 2) + "\n");
  ' "$1/user-data/User/settings.json" "$2" "$3"
}

# cs_run HOME ARGS...: runs code-server's entry point in the foreground with the instance's isolation.
cs_run() {
  local home=$1; shift
  XDG_CONFIG_HOME="$home/xdg/config" XDG_DATA_HOME="$home/xdg/data" XDG_CACHE_HOME="$home/xdg/cache" \
    EXTENSIONS_GALLERY='{}' \
    node "$CODE_SERVER_DIR/out/node/entry.js" \
    --user-data-dir "$home/user-data" --extensions-dir "$home/extensions" "$@"
}

# cs_install_vsix HOME VSIX
cs_install_vsix() {
  cs_run "$1" --install-extension "$2" --force > "$1/install.log" 2>&1 || {
    cat "$1/install.log" >&2
    return 1
  }
}

# cs_start HOME PORT FOLDER: starts a server in the background in its own session, logging to
# HOME/server.log, and waits until /healthz answers. Extra environment for the server (and so for its
# extension host) can be given as NAME=value words in the array CS_EXTRA_ENV.
cs_start() {
  local home=$1 port=$2 folder=$3 pid pgid
  XDG_CONFIG_HOME="$home/xdg/config" XDG_DATA_HOME="$home/xdg/data" XDG_CACHE_HOME="$home/xdg/cache" \
    EXTENSIONS_GALLERY='{}' \
    setsid env -u PORT "${CS_EXTRA_ENV[@]}" node "$CODE_SERVER_DIR/out/node/entry.js" \
    --user-data-dir "$home/user-data" --extensions-dir "$home/extensions" \
    --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override --ignore-last-opened \
    "$folder" > "$home/server.log" 2>&1 < /dev/null &
  pid=$!
  # A background job of a non-interactive shell is no group leader, so setsid did not fork: the pid
  # is the new session's leader and its process group id.
  pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
  [ -n "$pgid" ] || pgid=$pid
  CS_PGIDS+=("$pgid")
  echo "$pgid" > "$home/pgid"
  local i
  for ((i = 0; i < 300; i++)); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "code-server exited during start-up; its log ($home/server.log):" >&2
      cat "$home/server.log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "code-server did not answer http://127.0.0.1:$port/healthz within 30 s; its log:" >&2
  cat "$home/server.log" >&2
  return 1
}

# cs_stop_all: TERM every started process group, then KILL what is left after 5 s.
cs_stop_all() {
  local pgid i alive
  ((${#CS_PGIDS[@]})) || return 0
  for pgid in "${CS_PGIDS[@]}"; do kill -TERM -- "-$pgid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    alive=0
    for pgid in "${CS_PGIDS[@]}"; do kill -0 -- "-$pgid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pgid in "${CS_PGIDS[@]}"; do kill -KILL -- "-$pgid" 2>/dev/null || true; done
  CS_PGIDS=()
}
