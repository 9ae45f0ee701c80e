// The microphones a person can choose, read from what each system's tools print: PulseAudio/PipeWire (`pactl`),
// ALSA (`arecord -L`), macOS (`system_profiler SPAudioDataType -json`) and Windows (PowerShell's Get-PnpDevice).
// Pure parsing: the Node adapter (src/node/audio/inputDevices.ts) runs the tools.

export interface InputDevice {
  /** What goes into `offlineDictation.recorder.device` (see recorderArgs for how each recorder is told). */
  id: string;
  /** The name the system shows people ("Built-in Audio Analog Stereo", "MacBook Pro Microphone"). */
  name: string;
  /** A monitor records what an output plays, not a microphone: listed after the real inputs and labelled. */
  monitor: boolean;
  /** The system's default input now. */
  isDefault: boolean;
  muted: boolean;
  /** The input's jack or port reports nothing plugged in. */
  unplugged: boolean;
}

export type DeviceSystem = 'pulse' | 'alsa' | 'coreaudio' | 'windows';

/**
 * A PulseAudio/PipeWire source is stored as `pulse:<source name>`, so every recorder knows it is one (arecord needs
 * ALSA's pulse plugin for it, sox its pulseaudio driver). Anything else is the recorder's own device name.
 */
export const PULSE_PREFIX = 'pulse:';

export function pulseSourceOf(device: string): string | undefined {
  return device.startsWith(PULSE_PREFIX) && device.length > PULSE_PREFIX.length ? device.slice(PULSE_PREFIX.length) : undefined;
}

/** Real inputs first (the default one leading), then monitors; otherwise the system's order. */
export function sortDevices(devices: InputDevice[]): InputDevice[] {
  const rank = (d: InputDevice) => (d.monitor ? 2 : 0) + (d.isDefault ? 0 : 1);
  return devices.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i).map(({ d }) => d);
}

/** `pactl info` (C locale): the name after "Default Source:". */
export function parsePactlDefaultSource(info: string): string | undefined {
  return /^Default Source:\s*(.+?)\s*$/m.exec(info)?.[1];
}

interface PactlJsonSource {
  name?: unknown;
  description?: unknown;
  mute?: unknown;
  monitor_source?: unknown;
  properties?: Record<string, unknown>;
  ports?: { name?: unknown; availability?: unknown }[];
  active_port?: unknown;
}

/** `pactl -f json list sources` (pactl 16+). Monitors say so in `device.class` and name the sink they monitor. */
export function parsePactlJson(json: string, defaultSource?: string): InputDevice[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('pactl did not print a list of sources');
  const devices: InputDevice[] = [];
  for (const source of parsed as PactlJsonSource[]) {
    if (typeof source?.name !== 'string' || !source.name) continue;
    const monitorOf = typeof source.monitor_source === 'string' && source.monitor_source !== 'n/a' ? source.monitor_source : '';
    const activePort = source.ports?.find((p) => p.name === source.active_port);
    devices.push({
      id: PULSE_PREFIX + source.name,
      name: typeof source.description === 'string' && source.description ? source.description : source.name,
      monitor: source.properties?.['device.class'] === 'monitor' || monitorOf !== '',
      isDefault: source.name === defaultSource,
      muted: source.mute === true,
      unplugged: activePort?.availability === 'not available',
    });
  }
  return sortDevices(devices);
}

/** `pactl list sources` in the C locale, for pactl before 16 (no `-f json`). */
export function parsePactlText(text: string, defaultSource?: string): InputDevice[] {
  const devices: InputDevice[] = [];
  for (const block of text.split(/^Source #\d+\s*$/m).slice(1)) {
    const field = (label: string) => new RegExp(`^\\s*${label}:[ \\t]*(.*?)\\s*$`, 'm').exec(block)?.[1];
    const name = field('Name');
    if (!name) continue;
    const monitorOf = field('Monitor of Sink');
    const activePort = field('Active Port');
    const portLine = activePort ? new RegExp(`^\\s*${escapeRegExp(activePort)}:.*$`, 'm').exec(block)?.[0] ?? '' : '';
    devices.push({
      id: PULSE_PREFIX + name,
      name: field('Description') || name,
      monitor: (monitorOf !== undefined && monitorOf !== 'n/a') || /device\.class = "monitor"/.test(block),
      isDefault: name === defaultSource,
      muted: field('Mute') === 'yes',
      unplugged: /not available/.test(portLine),
    });
  }
  return sortDevices(devices);
}

/** ALSA plugins that `arecord -L` lists but that are no microphone (or reach a sound server we list through pactl). */
const ALSA_NOT_INPUTS = new Set(['null', 'default', 'pulse', 'pipewire', 'jack', 'oss', 'lavrate', 'samplerate', 'speexrate', 'speex', 'upmix', 'vdownmix']);

/**
 * `arecord -L`: a PCM name on its own line, its description indented below. Per card we offer `sysdefault:` (shares
 * the card and converts rate and channels), else `plughw:` (converts; `hw:` would refuse 16 kHz mono on most
 * cards); the other views of the same card (front:, dsnoop:, hw:, surround…) would only repeat it.
 */
export function parseArecordList(text: string): InputDevice[] {
  const entries: { id: string; lines: string[] }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    if (/^\S/.test(line)) entries.push({ id: line.trim(), lines: [] });
    else entries.at(-1)?.lines.push(line.trim());
  }
  const cardsWithSysdefault = new Set(entries.map((e) => /^sysdefault:CARD=([^,]+)$/.exec(e.id)?.[1]).filter(Boolean));
  const devices: InputDevice[] = [];
  for (const { id, lines } of entries) {
    const [kind, args = ''] = id.split(':', 2);
    const card = /CARD=([^,]+)/.exec(args)?.[1];
    const dev = /DEV=(\d+)/.exec(args)?.[1] ?? '0';
    let keep: boolean;
    if (!args) keep = !ALSA_NOT_INPUTS.has(kind);
    else if (kind === 'sysdefault') keep = true;
    else if (kind === 'plughw') keep = !(card && cardsWithSysdefault.has(card) && dev === '0');
    else keep = false;
    if (!keep) continue;
    // "HDA Intel PCH, ALC3246 Analog" names the card and its input; the device number tells a card's inputs apart.
    const name = lines[0] ? (kind === 'plughw' && dev !== '0' ? `${lines[0]} (${dev})` : lines[0]) : id;
    devices.push({ id, name, monitor: false, isDefault: false, muted: false, unplugged: false });
  }
  return devices;
}

interface SystemProfilerItem {
  _name?: unknown;
  _items?: unknown;
  coreaudio_device_input?: unknown;
  coreaudio_default_audio_input_device?: unknown;
}

/**
 * `system_profiler SPAudioDataType -json`: devices are `_items` (one level under a "coreaudio_device" group today,
 * nested deeper on older macOS); inputs carry `coreaudio_device_input` (their channel count), the default input
 * `coreaudio_default_audio_input_device: "spaudio_yes"`. SoX's coreaudio driver opens a device by this name.
 */
export function parseSystemProfilerAudio(json: string): InputDevice[] {
  const parsed = JSON.parse(json) as { SPAudioDataType?: unknown };
  const leaves: SystemProfilerItem[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const item = node as SystemProfilerItem;
    if (Array.isArray(item._items)) item._items.forEach(walk);
    else leaves.push(item);
  };
  if (Array.isArray(parsed.SPAudioDataType)) parsed.SPAudioDataType.forEach(walk);
  const devices: InputDevice[] = [];
  for (const item of leaves) {
    const channels = Number(item.coreaudio_device_input);
    if (typeof item._name !== 'string' || !item._name || !(channels > 0)) continue;
    devices.push({ id: item._name, name: item._name, monitor: false, isDefault: item.coreaudio_default_audio_input_device === 'spaudio_yes', muted: false, unplugged: false });
  }
  return sortDevices(devices);
}

/**
 * PowerShell's `Get-PnpDevice -Class AudioEndpoint | Select-Object FriendlyName, InstanceId, Status | ConvertTo-Json`
 * (one object when there is one endpoint). Capture endpoints have instance ids `SWD\MMDEVAPI\{0.0.1.00000000}.{…}`,
 * outputs `{0.0.0.00000000}`. SoX's waveaudio driver matches the name's first 31 characters, case-insensitively,
 * against the waveIn device names, which are these friendly names cut to 31 characters.
 */
export function parseWindowsEndpoints(json: string): InputDevice[] {
  if (!json.trim()) return [];
  const parsed: unknown = JSON.parse(json);
  const rows = (Array.isArray(parsed) ? parsed : [parsed]) as { FriendlyName?: unknown; InstanceId?: unknown; Status?: unknown }[];
  const devices: InputDevice[] = [];
  for (const row of rows) {
    if (typeof row?.FriendlyName !== 'string' || typeof row.InstanceId !== 'string') continue;
    if (!/\\\{0\.0\.1\.00000000\}\./i.test(row.InstanceId)) continue;
    if (row.Status !== undefined && row.Status !== 'OK') continue;
    devices.push({ id: row.FriendlyName, name: row.FriendlyName, monitor: false, isDefault: false, muted: false, unplugged: false });
  }
  return devices;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
