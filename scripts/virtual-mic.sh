#!/usr/bin/env bash
# A virtual microphone for tests on machines without a sound card: a private user-mode PulseAudio whose null sink's
# monitor is the default source, so `paplay speech.wav` is what sox/rec/arecord record.
#   scripts/virtual-mic.sh start   # prints PULSE_SERVER=... (export it for recorders and paplay)
#   scripts/virtual-mic.sh stop
# Needs: pulseaudio pulseaudio-utils sox libsox-fmt-pulse alsa-utils libasound2-plugins (scripts/setup.sh installs them).
set -euo pipefail
VM_DIR=${VM_DIR:-/tmp/offline-dictation-vmic}
SERVER="unix:$VM_DIR/runtime/pulse/native"
export PULSE_SERVER="$SERVER" PULSE_RUNTIME_PATH="$VM_DIR/runtime/pulse"

running() { [ -f "$VM_DIR/pulse.pid" ] && kill -0 "$(cat "$VM_DIR/pulse.pid")" 2>/dev/null && pactl info >/dev/null 2>&1; }

case "${1:-start}" in
start)
  if running; then echo "PULSE_SERVER=$SERVER"; exit 0; fi
  mkdir -p "$VM_DIR/runtime/pulse" "$VM_DIR/home"; chmod 700 "$VM_DIR/runtime" "$VM_DIR/runtime/pulse"
  # -n: no default.pa (no hardware probing, no suspend-on-idle); works as root with a warning.
  XDG_RUNTIME_DIR="$VM_DIR/runtime" HOME="$VM_DIR/home" setsid pulseaudio --daemonize=no --exit-idle-time=-1 -n \
    --load=module-native-protocol-unix \
    --load="module-null-sink sink_name=vmic_sink rate=48000 sink_properties=device.description=VirtualMicSink" \
    --log-target=file:"$VM_DIR/pulse.log" >/dev/null 2>&1 < /dev/null &
  echo $! > "$VM_DIR/pulse.pid"
  for _ in $(seq 1 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || { echo "virtual-mic: PulseAudio did not start (see $VM_DIR/pulse.log)" >&2; exit 1; }
  pactl set-default-sink vmic_sink
  pactl set-default-source vmic_sink.monitor
  # Keep the sink clocked with a constant stream of silence, or its monitor delivers audio in bursts.
  setsid pacat -p --format=s16le --rate=16000 --channels=1 --latency-msec=20 -d vmic_sink /dev/zero >/dev/null 2>&1 < /dev/null &
  echo $! > "$VM_DIR/feeder.pid"
  for _ in $(seq 1 50); do pactl list short sinks | grep -q 'vmic_sink.*RUNNING' && break; sleep 0.1; done
  # Readiness: a fresh null sink delivers its monitor in bursts for ~2–3 s; wait until 1 s of capture gives ~1 s of audio.
  for _ in $(seq 1 10); do
    n=$( (timeout 1 parec --latency-msec=20 --format=s16le --rate=16000 --channels=1 || true) | wc -c)
    [ "$n" -ge 28000 ] && break
  done
  echo "PULSE_SERVER=$SERVER"
  ;;
stop)
  for f in feeder pulse; do
    if [ -f "$VM_DIR/$f.pid" ]; then kill "$(cat "$VM_DIR/$f.pid")" 2>/dev/null || true; rm -f "$VM_DIR/$f.pid"; fi
  done
  ;;
env)
  echo "PULSE_SERVER=$SERVER"
  ;;
*) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
