// Starts / stops the virtual microphone (scripts/virtual-mic.sh) for a test run and plays speech into it.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const script = join(fileURLToPath(import.meta.url), '../../../scripts/virtual-mic.sh');

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
