// Starts / stops the virtual microphone (scripts/virtual-mic.sh) for a test run and plays speech into it.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const script = join(fileURLToPath(import.meta.url), '../../../scripts/virtual-mic.sh');
const vmDir = process.env.VM_DIR || '/tmp/offline-dictation-vmic';

function hasPulseAudio() {
  try {
    execFileSync('pulseaudio', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the virtual microphone and returns the env that points recorders and paplay at it, or undefined where
 * PulseAudio is missing on a developer's machine. In CI (CI=true) a missing microphone fails the run: the tests
 * that need it would otherwise pass by skipping.
 */
export function startVirtualMic() {
  if (!hasPulseAudio()) {
    if (process.env.CI) throw new Error('virtual mic: pulseaudio is not installed (scripts/setup.sh installs it); CI does not skip the microphone tests');
    console.warn('virtual mic: pulseaudio is not installed; tests that need a microphone will be skipped');
    return undefined;
  }
  const output = execFileSync('bash', [script, 'start'], { encoding: 'utf8' });
  const match = output.match(/PULSE_SERVER=(\S+)/);
  if (!match) throw new Error(`virtual mic did not start: ${output}`);
  return { PULSE_SERVER: match[1] };
}

export function stopVirtualMic() {
  try {
    execFileSync('bash', [script, 'stop'], { stdio: 'ignore' });
  } catch {
    // already stopped
  }
}

/** Plays a WAV file into the virtual microphone; resolves when playback has finished. */
export function play(wav, env = process.env) {
  return new Promise((resolve, reject) => {
    const player = spawn('paplay', [wav], { stdio: 'ignore', env });
    player.once('error', reject);
    player.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited with ${code}`))));
  });
}

/**
 * A second virtual microphone for the microphone-selection tests: another null sink, whose monitor is a second
 * source beside the default one, clocked by its own silence stream like the first (or its audio comes in bursts).
 * Returns the env that tells the tests its sink. Throws when it cannot be made: a test that needs it must not skip.
 */
export function addSecondMic(env) {
  const pactl = (...args) => execFileSync('pactl', args, { encoding: 'utf8', env: { ...process.env, ...env } }).trim();
  removeSecondMic(env);
  const module = pactl('load-module', 'module-null-sink', `sink_name=${SECOND_MIC_SINK}`, 'rate=48000', 'sink_properties=device.description=SecondVirtualMic');
  writeFileSync(join(vmDir, 'second-mic.module'), module);
  const feeder = spawn('pacat', ['-p', '--format=s16le', '--rate=16000', '--channels=1', '--latency-msec=20', '-d', SECOND_MIC_SINK, '/dev/zero'], { stdio: 'ignore', detached: true, env: { ...process.env, ...env } });
  feeder.unref();
  writeFileSync(join(vmDir, 'second-mic-feeder.pid'), String(feeder.pid));
  // Readiness as for the first one: a fresh null sink's monitor comes in bursts for a few seconds.
  for (let i = 0; i < 10; i++) {
    const bytes = execFileSync('bash', ['-c', `(timeout 1 parec -d ${SECOND_MIC_SINK}.monitor --latency-msec=20 --format=s16le --rate=16000 --channels=1 || true) | wc -c`], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (Number(bytes.trim()) >= 28000) break;
  }
  if (!pactl('list', 'short', 'sources').includes(`${SECOND_MIC_SINK}.monitor`)) throw new Error('virtual mic: the second microphone did not appear');
  return { DICTATION_SECOND_MIC_SINK: SECOND_MIC_SINK };
}

export const SECOND_MIC_SINK = 'vmic2_sink';

/** Removes the second microphone (its silence stream and its sink). */
export function removeSecondMic(env) {
  const pidFile = join(vmDir, 'second-mic-feeder.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')));
    } catch {
      // already gone
    }
    rmSync(pidFile, { force: true });
  }
  const moduleFile = join(vmDir, 'second-mic.module');
  if (existsSync(moduleFile)) {
    try {
      execFileSync('pactl', ['unload-module', readFileSync(moduleFile, 'utf8').trim()], { stdio: 'ignore', env: { ...process.env, ...env } });
    } catch {
      // the server is gone already
    }
    rmSync(moduleFile, { force: true });
  }
}
