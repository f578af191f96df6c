#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs the station's main job on simulated hardware with embedded defaults.
# Until the station service (capture/) exists, this runs the simulators on a socat pty pair and the frame link,
# drives them through a short fluoro and cine session over the documented protocols, and prints what they produce.
# Extra arguments go to cathlab-sim (see: scripts/run.sh --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
exec dotnet "$root/sims/CathLab.Sims.Cli/bin/Release/net10.0/cathlab-sim.dll" demo "$@"
