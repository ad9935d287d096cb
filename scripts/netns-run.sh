#!/usr/bin/env bash
# Runs a command inside a private network namespace that has only loopback, so a
# bug in a test can never send a packet off this machine.
# Usage: scripts/netns-run.sh COMMAND [ARG...]
set -euo pipefail
if [ "${SWITCHBOARD_IN_NETNS:-}" = 1 ]; then exec "$@"; fi
if ! unshare -n -- true 2>/dev/null; then
  echo "switchboard: cannot create a private network namespace (unshare -n needs root); refusing to run tests on the host network" >&2
  exit 1
fi
exec unshare -n -- env SWITCHBOARD_IN_NETNS=1 bash -c 'ip link set lo up && exec "$@"' netns-run "$@"
