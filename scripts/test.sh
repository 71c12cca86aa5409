#!/usr/bin/env bash
# Run every test of the workspace: installs the missing simulators and synthesis tools first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-tools.sh
cargo test --workspace "$@"
