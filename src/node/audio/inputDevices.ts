// Lists the microphones by asking the system's own tools (no shell, short timeouts): pactl where a PulseAudio or
// PipeWire server answers, else arecord -L (plain ALSA); system_profiler on macOS; PowerShell's Get-PnpDevice on
// Windows. The parsing is pure (src/core/audio/inputDevices.ts).
import { execFile } from 'node:child_process';
import {
  DeviceSystem,
  InputDevice,
  parseArecordList,
  parsePactlDefaultSource,
  parsePactlJson,
  parsePactlText,
  parseSystemProfilerAudio,
  parseWindowsEndpoints,
} from '../../core/audio/inputDevices';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ENOENT and friends: the tool is not installed. */
  missing?: boolean;
}

export type RunTool = (command: string, args: string[], env?: NodeJS.ProcessEnv) => Promise<ToolResult>;

export interface DeviceListing {
  system: DeviceSystem;
  devices: InputDevice[];
}

export class DeviceListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceListError';
  }
}

/** Runs a tool with the C locale (its output is parsed) and a timeout; never rejects. */
export const runTool: RunTool = (command, args, env) =>
  new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 10_000, maxBuffer: 8 * 1024 * 1024, windowsHide: true, env: { ...process.env, LC_ALL: 'C', ...env } }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (typeof code === 'string') resolve({ code: null, stdout: '', stderr: error!.message, missing: code === 'ENOENT' || code === 'EACCES' });
      else resolve({ code: error ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
    });
  });

export async function listInputDevices(platform: NodeJS.Platform = process.platform, run: RunTool = runTool): Promise<DeviceListing> {
  if (platform === 'darwin') return { system: 'coreaudio', devices: await listMac(run) };
  if (platform === 'win32') return { system: 'windows', devices: await listWindows(run) };
  const pulse = await listPulse(run);
  if (pulse) return { system: 'pulse', devices: pulse };
  return { system: 'alsa', devices: await listAlsa(run) };
}

/** undefined when no sound server answers (or pactl is missing): then ALSA is asked. */
async function listPulse(run: RunTool): Promise<InputDevice[] | undefined> {
  const info = await run('pactl', ['info']);
  if (info.missing || info.code !== 0) return undefined;
  const defaultSource = parsePactlDefaultSource(info.stdout);
  const json = await run('pactl', ['-f', 'json', 'list', 'sources']);
  if (json.code === 0) {
    try {
      return parsePactlJson(json.stdout, defaultSource);
    } catch {
      // Some pactl builds print a broken JSON for odd property values: the text listing says the same.
    }
  }
  const text = await run('pactl', ['list', 'sources']);
  if (text.code !== 0) throw new DeviceListError(`pactl could not list the sound server's inputs: ${lastLine(text.stderr)}`);
  return parsePactlText(text.stdout, defaultSource);
}

async function listAlsa(run: RunTool): Promise<InputDevice[]> {
  const result = await run('arecord', ['-L']);
  if (result.missing) throw new DeviceListError('Neither a PulseAudio/PipeWire server (pactl) nor ALSA (arecord) is available to list microphones. Install pulseaudio-utils or alsa-utils.');
  if (result.code !== 0) throw new DeviceListError(`arecord -L failed: ${lastLine(result.stderr)}`);
  return parseArecordList(result.stdout);
}

async function listMac(run: RunTool): Promise<InputDevice[]> {
  const result = await run('/usr/sbin/system_profiler', ['SPAudioDataType', '-json']);
  if (result.code !== 0) throw new DeviceListError(`system_profiler could not list the audio devices: ${lastLine(result.stderr)}`);
  return parseSystemProfilerAudio(result.stdout);
}

/** UTF-8 out, or names such as "Mikrofon (Realtek® Audio)" arrive in the console's code page. */
export const WINDOWS_LIST_SCRIPT =
  "[Console]::OutputEncoding = [Text.Encoding]::UTF8; Get-PnpDevice -Class AudioEndpoint -PresentOnly -ErrorAction SilentlyContinue | Select-Object FriendlyName, InstanceId, @{n='Status';e={[string]$_.Status}} | ConvertTo-Json -Compress";

async function listWindows(run: RunTool): Promise<InputDevice[]> {
  const result = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_LIST_SCRIPT]);
  if (result.missing || result.code !== 0) throw new DeviceListError(`PowerShell could not list the audio devices: ${lastLine(result.stderr)}`);
  return parseWindowsEndpoints(result.stdout);
}

function lastLine(text: string): string {
  return text.split(/\r?\n/).filter((l) => l.trim()).pop() ?? 'no output';
}
