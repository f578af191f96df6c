#!/usr/bin/env bash
# Installs what the station, its simulators and its tests need on a Debian machine, once.
# Idempotent: packages already present are not touched; NuGet restore is incremental.
set -euo pipefail

# Each Debian package and why it is here.
declare -A WHY=(
  [socat]="makes the pseudo-terminal pair that stands in for the generator's serial cable"
  [dcmtk]="storescp/storescu/echoscu/findscu/wlmscpfs/dcmdump: real DICOM peers for the tests, and dicom.dic, the PS3.6 dictionary"
  [orthanc]="a real PACS for integration tests (C-STORE, storage commitment, REST API)"
  [orthanc-dicomweb]="Orthanc's DICOMweb plugin: the STOW-RS archive the publishing tests deliver to"
  [dicom3tools]="dciodvfy validates our objects against their IODs"
  [python3-pydicom]="a third-party reader that must decode every object we write"
  [python3-numpy]="lets pydicom decode pixel data"
  [pocl-opencl-icd]="an OpenCL platform that runs on the CPU, so the OpenCL path is tested without a GPU"
  [ocl-icd-libopencl1]="the OpenCL ICD loader (libOpenCL.so.1)"
  [libgtk-3-0]="a native dependency of OpenCvSharp's Linux runtime"
  [libcharls2]="CharLS, the JPEG-LS encoder and decoder the DICOM toolkit binds (LibraryImport) for the recorder's default syntax and transcoding on send"
  [python3-gdcm]="GDCM, pydicom's decoder for JPEG-LS, so pydicom checks our JPEG-LS objects' pixels"
  [libvpx7]="libvpx, the VP8/VP9 encoder and decoder CathLab.Video binds (P/Invoke) for the live feed's video"
  [ffmpeg]="ffprobe reads back the WebM files CathLab.Video writes, as an independent demuxer"
  [python3-aiosmtpd]="a real SMTP receiver (python3 -m aiosmtpd) that the invitation tests mail their links to"
  [rsyslog]="a real syslog audit repository (rsyslogd with imtcp) that the ATNA audit tests send to"
  [nats-server]="the NATS broker that fans the live feed out to relays; the relay tests start a real three-server cluster of it"
  [chromium]="a real headless browser for the live viewer's end-to-end test (frames arrive, screenshot)"
)

missing=()
for pkg in "${!WHY[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "setup: installing Debian packages (needs root):"
  for pkg in "${missing[@]}"; do echo "  - $pkg: ${WHY[$pkg]}"; done
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: not root and no sudo; install the packages above and run again" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: Debian packages installed"
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The web application (capture/web): its npm packages from the lock file, then the type check and the bundle that the
# station embeds. npm ci runs only when the lock file changed since the last one; the build takes seconds. The
# browser tests use Debian's chromium: Playwright never downloads one.
command -v npm >/dev/null || { echo "setup: Node.js 20+ with npm is required for the web application (capture/web)" >&2; exit 1; }
web="$root/capture/web"
if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci in capture/web"
  (cd "$web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
# The sign-in tests' OpenID Connect provider (tests/oidc: oidc-provider from its own lock file).
oidc="$root/tests/oidc"
if [ ! -f "$oidc/node_modules/.package-lock.json" ] || [ "$oidc/package-lock.json" -nt "$oidc/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci in tests/oidc"
  (cd "$oidc" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: building the web application (capture/web)"
(cd "$web" && npm run --silent build >/dev/null)
echo "setup: restoring and building CathLab.sln (Release)"
dotnet build "$root/CathLab.sln" -c Release -nologo -v q -clp:ErrorsOnly -p:TreatWarningsAsErrors=true
