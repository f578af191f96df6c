#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs the station's main job on simulated hardware with embedded defaults:
# a socat pseudo-terminal pair, the simulated generator (serial) and detector (frame link), the station service
# (cathlab-station) with its embedded archive, and a scripted exam through the console client (cathlab):
# two fluoro sequences, three cardiac cine runs and a peripheral DSA run, then publishing to the archive.
# It prints where the study went. Everything it writes lands in ${CATHLAB_RUN_DIR:-./.run/<time>} (./.run/latest
# points at the last one). While it runs, simulator commands (faults, contrast) go in through the named pipe sim.in
# there: echo inject > .run/latest/sim.in; the simulator's answers are in sim.log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bin() { echo "$root/$1/bin/Release/net10.0/$2.dll"; }
run_dir="${CATHLAB_RUN_DIR:-$root/.run/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$run_dir"; cd "$run_dir"
[ -z "${CATHLAB_RUN_DIR:-}" ] && ln -sfn "$run_dir" "$root/.run/latest"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$run_dir/sim.in" # nobody reads it now: a later `echo > sim.in` would wait for ever
}
trap cleanup EXIT

echo "== simulated hardware"
socat -d -d "pty,raw,echo=0,link=$run_dir/generator.tty" "pty,raw,echo=0,link=$run_dir/station.tty" 2>socat.log &
pids+=($!)
for _ in $(seq 50); do [ -e station.tty ] && [ -e generator.tty ] && break; sleep 0.1; done
frame_port=$(free_port)
rm -f sim.in; mkfifo sim.in
# The simulator opens its end of the pipe for reading and writing: it holds a writer itself, so its standard input
# never ends, and each `echo COMMAND > sim.in` reaches it.
dotnet "$(bin sims/CathLab.Sims.Cli cathlab-sim)" serve --serial "$run_dir/generator.tty" --frame-port "$frame_port" --preset coronary --heartbeat-ms 500 0<>sim.in >sim.log 2>&1 &
pids+=($!)
exec 3>sim.in
for _ in $(seq 100); do grep -q "ready" sim.log 2>/dev/null && break; sleep 0.1; done
head -1 sim.log
timeout 5 sh -c 'echo status > sim.in' || true
for _ in $(seq 50); do grep -q "^generator:" sim.log 2>/dev/null && break; sleep 0.1; done
if ! grep -q "^generator:" sim.log; then echo "the simulator does not answer on $run_dir/sim.in; its log:"; cat sim.log; exit 1; fi
echo "simulator commands: echo COMMAND > $run_dir/sim.in (help lists them; answers in $run_dir/sim.log)"

echo "== station"
token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
token_sha="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
grpc_port=$(free_port); web_port=$(free_port)
# A calibration kept from an earlier run (CATHLAB_CALIBRATION_DIR) is loaded; otherwise one is acquired below.
calibration_dir="${CATHLAB_CALIBRATION_DIR:-$run_dir/calibration}"
export CATHLAB_SERVER="http://127.0.0.1:$grpc_port" CATHLAB_TOKEN="$token"
dotnet "$(bin capture/CathLab.Station cathlab-station)" \
  --Station:Generator:SerialPort="$run_dir/station.tty" --Station:Detector:Port="$frame_port" \
  --Station:ListenUrl="http://127.0.0.1:$grpc_port" --Station:WebUrl="http://127.0.0.1:$web_port" \
  --Station:Archive:Folder="$run_dir/archive" --Station:Archive:SpoolFolder="$run_dir/spool" \
  --Station:AuditPath="$run_dir/audit.jsonl" --Station:Calibration:Folder="$calibration_dir" \
  --Station:Tokens:0:Holder=demo-technician --Station:Tokens:0:Role=technician --Station:Tokens:0:Sha256="$token_sha" \
  >station.log 2>&1 &
station_pid=$!
pids+=($station_pid)
ready=""
for _ in $(seq 150); do
  if curl -fs "http://127.0.0.1:$web_port/health" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 $station_pid 2>/dev/null || break
  sleep 0.2
done
if [ -z "$ready" ]; then echo "the station did not become ready; its log:"; cat station.log; exit 1; fi
(umask 077; printf '%s\n' "$token" > "$run_dir/technician.token")
echo "station ready: control $CATHLAB_SERVER, web console http://127.0.0.1:$web_port/ (sign in with the token in $run_dir/technician.token), viewer http://127.0.0.1:$web_port/live/, log $run_dir/station.log"

cathlab() { dotnet "$(bin capture/CathLab.Console cathlab)" "$@"; }
echo "== detector calibration"
if cathlab calibrate --show | tee calibration.txt | grep -q WARNING; then
  echo "attenuator in" >&3
  cathlab calibrate
  echo "attenuator out" >&3
fi
cathlab calibrate --history | tail -1
echo "== exam"
cathlab exam start --patient-name "DOE^JANE" --patient-id "SIM-0001" --accession "ACC-0001"
cathlab fluoro --protocol cardiac-fluoro-15 --seconds 2
cathlab cine --protocol cardiac-cine-15 --seconds 2
cathlab fluoro --protocol cardiac-fluoro-7.5 --seconds 2
cathlab cine --protocol cardiac-cine-30 --seconds 2
cathlab cine --protocol cardiac-cine-15 --seconds 2
cathlab cine --protocol peripheral-dsa-3 --seconds 4
cathlab exam end
cathlab calibrate --offset   # an offset refresh between runs, on request (the station also does it by itself when idle)
echo "== publishing"
for _ in $(seq 120); do
  if cathlab status | grep -q "pending 0"; then break; fi
  sleep 0.5
done
cathlab status
cathlab outbox
echo "== corrected frames in the archive"
# The simulated detector has a row at 40 % gain (side/3) and a dead column (side/2 + side/5): after correction each
# reads like its neighbours two lines away (uncorrected: about -60 % and -100 %).
/usr/bin/python3 - "$run_dir/archive" <<'PY'
import glob, sys, pydicom
for path in sorted(glob.glob(sys.argv[1] + "/*.dcm")):
    ds = pydicom.dcmread(path)
    if ds.Modality != "XA": continue
    mean = ds.pixel_array.astype(float).mean(axis=0)
    side = mean.shape[0]; row = side // 3; col = side // 2 + side // 5
    r = 100 * (mean[row].mean() / ((mean[row - 2].mean() + mean[row + 2].mean()) / 2) - 1)
    c = 100 * (mean[:, col].mean() / ((mean[:, col - 2].mean() + mean[:, col + 2].mean()) / 2) - 1)
    print("%s %s: defect row %d %+.1f %%, column %d %+.1f %% against their neighbours; %s" % (
        ds.SeriesDescription if "SeriesDescription" in ds else "", ds.SOPInstanceUID[-12:], row, r, col, c,
        ds.get("AcquisitionDeviceProcessingDescription", "no calibration named")))
PY
echo "== where the study went"
echo "archive folder: $run_dir/archive"
ls -l "$run_dir/archive" | sed 1d
