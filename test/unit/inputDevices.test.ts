// Listing microphones: the parsers of pactl (JSON and text), arecord -L, system_profiler and PowerShell, on output
// printed by the real tools (pactl here, from the virtual microphones) or documented samples (the others), and the
// adapter's choice of tool. Also how each recorder is told which device to use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseArecordList,
  parsePactlDefaultSource,
  parsePactlJson,
  parsePactlText,
  parseSystemProfilerAudio,
  parseWindowsEndpoints,
  pulseSourceOf,
} from '../../src/core/audio/inputDevices';
import { listInputDevices, RunTool, ToolResult } from '../../src/node/audio/inputDevices';
import { recorderArgs } from '../../src/node/audio/recorder';

// `pactl -f json list sources` (pactl 16.1) on a desktop: a USB headset's mic, the built-in mic (muted, its jack
// unplugged), and a monitor. The monitor's fields are those pactl printed for the virtual microphone here.
const PACTL_JSON = JSON.stringify([
  {
    index: 0, state: 'SUSPENDED', name: 'alsa_output.pci-0000_00_1f.3.analog-stereo.monitor', description: 'Monitor of Built-in Audio Analog Stereo',
    driver: 'module-alsa-card.c', mute: false, monitor_source: 'alsa_output.pci-0000_00_1f.3.analog-stereo',
    properties: { 'device.description': 'Monitor of Built-in Audio Analog Stereo', 'device.class': 'monitor' }, ports: [], active_port: null,
  },
  {
    index: 1, state: 'SUSPENDED', name: 'alsa_input.pci-0000_00_1f.3.analog-stereo', description: 'Built-in Audio Analog Stereo',
    driver: 'module-alsa-card.c', mute: true, monitor_source: 'n/a', properties: { 'device.class': 'sound' },
    ports: [{ name: 'analog-input-mic', description: 'Microphone', availability: 'not available' }], active_port: 'analog-input-mic',
  },
  {
    index: 2, state: 'RUNNING', name: 'alsa_input.usb-Logitech_USB_Headset-00.mono-fallback', description: 'Logitech USB Headset Mono',
    driver: 'module-alsa-card.c', mute: false, monitor_source: 'n/a', properties: { 'device.class': 'sound' },
    ports: [{ name: 'analog-input-mic', availability: 'unknown' }], active_port: 'analog-input-mic',
  },
]);

// `pactl list sources` (C locale) as pactl 16.1 printed it for the two virtual microphones of the integration test.
const PACTL_TEXT = `Source #0
\tState: IDLE
\tName: vmic_sink.monitor
\tDescription: Monitor of VirtualMicSink
\tDriver: module-null-sink.c
\tMute: no
\tMonitor of Sink: vmic_sink
\tProperties:
\t\tdevice.description = "Monitor of VirtualMicSink"
\t\tdevice.class = "monitor"
\tFormats:
\t\tpcm

Source #1
\tState: IDLE
\tName: alsa_input.usb-Blue_Yeti-00.analog-stereo
\tDescription: Yeti Stereo Microphone Analog Stereo
\tMute: yes
\tMonitor of Sink: n/a
\tProperties:
\t\tdevice.class = "sound"
\tPorts:
\t\tanalog-input-mic: Microphone (type: Mic, priority: 8700, not available)
\tActive Port: analog-input-mic
\tFormats:
\t\tpcm
`;

// `arecord -L` on a laptop with an internal card and a USB microphone (alsa-utils 1.2), plus the plugin entries
// Debian's libasound2-plugins adds (as printed on this machine).
const ARECORD_L = `null
    Discard all samples (playback) or generate zero samples (capture)
lavrate
    Rate Converter Plugin Using Libav/FFmpeg Library
pulse
    PulseAudio Sound Server
default
    Default ALSA Output (currently PulseAudio Sound Server)
sysdefault:CARD=PCH
    HDA Intel PCH, ALC3246 Analog
    Default Audio Device
front:CARD=PCH,DEV=0
    HDA Intel PCH, ALC3246 Analog
    Front output / input
dsnoop:CARD=PCH,DEV=0
    HDA Intel PCH, ALC3246 Analog
    Direct sample snooping device
hw:CARD=PCH,DEV=0
    HDA Intel PCH, ALC3246 Analog
    Direct hardware device without any conversions
plughw:CARD=PCH,DEV=0
    HDA Intel PCH, ALC3246 Analog
    Hardware device with all software conversions
hw:CARD=Mic,DEV=0
    USB Microphone, USB Audio
    Direct hardware device without any conversions
plughw:CARD=Mic,DEV=0
    USB Microphone, USB Audio
    Hardware device with all software conversions
mymic
    My capture plugin from ~/.asoundrc
`;

// `system_profiler SPAudioDataType -json` (macOS 14), the shape documented by the tools that read it.
const SYSTEM_PROFILER = JSON.stringify({
  SPAudioDataType: [
    {
      _items: [
        { _name: 'MacBook Pro Microphone', coreaudio_default_audio_input_device: 'spaudio_yes', coreaudio_device_input: 1, coreaudio_device_manufacturer: 'Apple Inc.', coreaudio_device_srate: 48000, coreaudio_device_transport: 'coreaudio_device_type_builtin', coreaudio_input_source: 'MacBook Pro Microphone' },
        { _name: 'MacBook Pro Speakers', coreaudio_default_audio_output_device: 'spaudio_yes', coreaudio_device_output: 2, coreaudio_device_transport: 'coreaudio_device_type_builtin' },
        { _name: 'Yeti Stereo Microphone', coreaudio_device_input: 2, coreaudio_device_output: 2, coreaudio_device_transport: 'coreaudio_device_type_usb' },
      ],
      _name: 'coreaudio_device',
    },
  ],
});

// Get-PnpDevice -Class AudioEndpoint … | ConvertTo-Json: render endpoints are {0.0.0…}, capture endpoints {0.0.1…}.
const WINDOWS = JSON.stringify([
  { FriendlyName: 'Speakers (Realtek(R) Audio)', InstanceId: 'SWD\\MMDEVAPI\\{0.0.0.00000000}.{A2901F31-DC17-41B7-B0AD-2F77A5F04490}', Status: 'OK' },
  { FriendlyName: 'Microphone Array (Realtek(R) Audio)', InstanceId: 'SWD\\MMDEVAPI\\{0.0.1.00000000}.{0B46D234-B82D-4B72-B995-E8E3CA2937C9}', Status: 'OK' },
  { FriendlyName: 'Microphone (Logi C270 HD WebCam)', InstanceId: 'SWD\\MMDEVAPI\\{0.0.1.00000000}.{1F697205-E0F8-4820-97E4-7E3AB271EEDD}', Status: 'OK' },
  { FriendlyName: 'Line In (High Definition Audio Device)', InstanceId: 'SWD\\MMDEVAPI\\{0.0.1.00000000}.{02cdbcfa-0283-4c69-b633-c31b37e7c5a1}', Status: 'Unknown' },
]);

describe('microphone listing: parsers', () => {
  it('pactl JSON: names not ids, real inputs first (the default leading), monitors last and marked, muted and unplugged said', () => {
    const devices = parsePactlJson(PACTL_JSON, 'alsa_input.usb-Logitech_USB_Headset-00.mono-fallback');
    assert.deepEqual(devices.map((d) => d.name), ['Logitech USB Headset Mono', 'Built-in Audio Analog Stereo', 'Monitor of Built-in Audio Analog Stereo']);
    assert.equal(devices[0].id, 'pulse:alsa_input.usb-Logitech_USB_Headset-00.mono-fallback');
    assert.equal(devices[0].isDefault, true);
    assert.deepEqual(devices.map((d) => d.monitor), [false, false, true]);
    assert.equal(devices[1].muted, true);
    assert.equal(devices[1].unplugged, true);
    assert.equal(devices[0].unplugged, false);
  });

  it('pactl text listing (pactl before 16) gives the same', () => {
    const devices = parsePactlText(PACTL_TEXT, 'vmic_sink.monitor');
    assert.deepEqual(devices.map((d) => [d.id, d.name, d.monitor, d.muted, d.unplugged, d.isDefault]), [
      ['pulse:alsa_input.usb-Blue_Yeti-00.analog-stereo', 'Yeti Stereo Microphone Analog Stereo', false, true, true, false],
      ['pulse:vmic_sink.monitor', 'Monitor of VirtualMicSink', true, false, false, true],
    ]);
    assert.equal(parsePactlDefaultSource('Server Name: pulseaudio\nDefault Sink: vmic_sink\nDefault Source: vmic_sink.monitor\n'), 'vmic_sink.monitor');
  });

  it('arecord -L: one entry per card (sysdefault, else plughw), no plugins, no raw hw', () => {
    const devices = parseArecordList(ARECORD_L);
    assert.deepEqual(devices.map((d) => [d.id, d.name]), [
      ['sysdefault:CARD=PCH', 'HDA Intel PCH, ALC3246 Analog'],
      ['plughw:CARD=Mic,DEV=0', 'USB Microphone, USB Audio'],
      ['mymic', 'My capture plugin from ~/.asoundrc'],
    ]);
  });

  it('system_profiler: inputs only, by name (what SoX coreaudio opens), the default first', () => {
    const devices = parseSystemProfilerAudio(SYSTEM_PROFILER);
    assert.deepEqual(devices.map((d) => [d.id, d.isDefault]), [['MacBook Pro Microphone', true], ['Yeti Stereo Microphone', false]]);
    // Older macOS nests the items one level deeper.
    const nested = JSON.stringify({ SPAudioDataType: [{ _items: [{ _name: 'Devices', _items: [{ _name: 'Built-in Microphone', coreaudio_device_input: 2 }] }] }] });
    assert.deepEqual(parseSystemProfilerAudio(nested).map((d) => d.name), ['Built-in Microphone']);
  });

  it('Windows endpoints: capture endpoints that are present and working, by friendly name; one object is a list of one', () => {
    assert.deepEqual(parseWindowsEndpoints(WINDOWS).map((d) => d.id), ['Microphone Array (Realtek(R) Audio)', 'Microphone (Logi C270 HD WebCam)']);
    const one = JSON.stringify({ FriendlyName: 'Microphone (USB Audio)', InstanceId: 'SWD\\MMDEVAPI\\{0.0.1.00000000}.{X}', Status: 'OK' });
    assert.deepEqual(parseWindowsEndpoints(one).map((d) => d.name), ['Microphone (USB Audio)']);
    assert.deepEqual(parseWindowsEndpoints(''), []);
  });

  it('a stored pulse source is recognised by its prefix only', () => {
    assert.equal(pulseSourceOf('pulse:vmic2_sink.monitor'), 'vmic2_sink.monitor');
    assert.equal(pulseSourceOf('pulse:'), undefined);
    assert.equal(pulseSourceOf('hw:1,0'), undefined);
  });
});

function fakeTools(answers: Record<string, Partial<ToolResult>>): { run: RunTool; calls: string[] } {
  const calls: string[] = [];
  const run: RunTool = async (command, args) => {
    const key = [command, ...args].join(' ');
    calls.push(key);
    const answer = answers[key] ?? { missing: true };
    return { code: answer.missing ? null : 0, stdout: '', stderr: '', ...answer };
  };
  return { run, calls };
}

describe('microphone listing: which tool', () => {
  it('Linux with a sound server: pactl info for the default, then the JSON listing', async () => {
    const { run, calls } = fakeTools({ 'pactl info': { stdout: 'Default Source: alsa_input.usb-Logitech_USB_Headset-00.mono-fallback\n' }, 'pactl -f json list sources': { stdout: PACTL_JSON } });
    const listing = await listInputDevices('linux', run);
    assert.equal(listing.system, 'pulse');
    assert.equal(listing.devices[0].isDefault, true);
    assert.deepEqual(calls, ['pactl info', 'pactl -f json list sources']);
  });

  it('an older pactl without -f json: the text listing', async () => {
    const { run } = fakeTools({ 'pactl info': { stdout: '' }, 'pactl -f json list sources': { code: 1, stderr: 'pactl: invalid option -- f' }, 'pactl list sources': { stdout: PACTL_TEXT } });
    assert.equal((await listInputDevices('linux', run)).devices.length, 2);
  });

  it('no sound server: ALSA; neither: a clear error', async () => {
    const alsa = fakeTools({ 'pactl info': { code: 1, stderr: 'Connection failure: Connection refused' }, 'arecord -L': { stdout: ARECORD_L } });
    assert.equal((await listInputDevices('linux', alsa.run)).system, 'alsa');
    const none = fakeTools({});
    await assert.rejects(listInputDevices('linux', none.run), /pulseaudio-utils or alsa-utils/);
  });

  it('macOS asks system_profiler, Windows PowerShell', async () => {
    const mac = fakeTools({ '/usr/sbin/system_profiler SPAudioDataType -json': { stdout: SYSTEM_PROFILER } });
    assert.equal((await listInputDevices('darwin', mac.run)).devices[0].name, 'MacBook Pro Microphone');
    const win = fakeTools({});
    const winRun: RunTool = async (command, args) => (command === 'powershell.exe' && args.includes('-Command') ? { code: 0, stdout: WINDOWS, stderr: '' } : win.run(command, args));
    assert.equal((await listInputDevices('win32', winRun)).devices.length, 2);
  });
});

describe('recorder device selection', () => {
  it('a pulse source: sox and rec name the pulseaudio driver (no output probe), arecord goes through ALSA\'s pulse plugin', () => {
    assert.deepEqual(recorderArgs('sox', 'pulse:vmic2_sink.monitor', 'linux').env, { AUDIODRIVER: 'pulseaudio', AUDIODEV: 'vmic2_sink.monitor' });
    assert.deepEqual(recorderArgs('rec', 'pulse:vmic2_sink.monitor', 'linux').env, { AUDIODRIVER: 'pulseaudio', AUDIODEV: 'vmic2_sink.monitor' });
    const arecord = recorderArgs('arecord', 'pulse:vmic2_sink.monitor', 'linux');
    assert.deepEqual(arecord.args.slice(0, 2), ['-D', 'pulse']);
    assert.deepEqual(arecord.env, { PULSE_SOURCE: 'vmic2_sink.monitor' });
  });

  it('a plain name: ALSA device for arecord (-D) and sox on Linux, Core Audio name on macOS, waveaudio on Windows', () => {
    assert.deepEqual(recorderArgs('arecord', 'plughw:CARD=Mic,DEV=0', 'linux').args.slice(0, 2), ['-D', 'plughw:CARD=Mic,DEV=0']);
    assert.deepEqual(recorderArgs('sox', 'plughw:CARD=Mic,DEV=0', 'linux').env, { AUDIODRIVER: 'alsa', AUDIODEV: 'plughw:CARD=Mic,DEV=0' });
    assert.deepEqual(recorderArgs('sox', 'MacBook Pro Microphone', 'darwin').args.slice(0, 3), ['-t', 'coreaudio', 'MacBook Pro Microphone']);
    assert.deepEqual(recorderArgs('rec', 'MacBook Pro Microphone', 'darwin').env, { AUDIODRIVER: 'coreaudio', AUDIODEV: 'MacBook Pro Microphone' });
    assert.deepEqual(recorderArgs('sox', 'Microphone (USB Audio)', 'win32').args.slice(0, 3), ['-t', 'waveaudio', 'Microphone (USB Audio)']);
    assert.deepEqual(recorderArgs('sox', undefined, 'linux').env, {}, 'no device: the system default');
  });
});
