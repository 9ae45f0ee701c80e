// "Dictation: Select Microphone" (a quick pick of the system's inputs by name, stored in the machine setting
// offlineDictation.recorder.device) and "Dictation: Test Microphone" (a live level meter from the real recorder,
// with advice for this OS when there is no signal or too little). The status-bar tooltip shows the chosen name.
import * as vscode from 'vscode';
import type { InputDevice } from '../core/audio/inputDevices';
import { BLOCK_MS, LevelMeter, meterBar, MicrophoneVerdict } from '../core/audio/levelMeter';
import { DeviceListing, listInputDevices } from '../node/audio/inputDevices';
import { Recorder, RecorderError, resolveRecorder } from '../node/audio/recorder';
import type { Config } from './config';
import type { Log } from './log';

export interface DeviceItem extends vscode.QuickPickItem {
  /** '' is the system default. */
  deviceId: string;
}

export interface MicrophoneTestResult {
  verdict: MicrophoneVerdict;
  loudestDbfs: number;
  receivedMs: number;
  /** Set when the recorder could not run. */
  error?: string;
}

export interface MicrophoneTestOptions {
  /** How long the meter runs unless cancelled (default 15 s). */
  durationMs?: number;
  /** Skips the notification (tests); the result is returned either way. */
  silent?: boolean;
}

export class MicrophoneCommands implements vscode.Disposable {
  /** Names of devices seen in a listing, by stored id, for the status-bar tooltip. */
  private readonly names = new Map<string, string>();
  private readonly labelEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeLabel = this.labelEmitter.event;
  /** The picker while it is open: integration tests read its items and accept one like a person would. */
  picker?: vscode.QuickPick<DeviceItem>;
  private testing = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly config: Config,
    private readonly log: Log,
    private readonly trackRecorder: (recorder: Recorder) => void,
    private readonly dictating: () => boolean,
    private readonly list: () => Promise<DeviceListing> = () => listInputDevices(),
  ) {
    this.disposables.push(
      this.labelEmitter,
      vscode.commands.registerCommand('offlineDictation.selectMicrophone', (id?: string) => this.guard(() => this.select(id))),
      vscode.commands.registerCommand('offlineDictation.testMicrophone', () => this.guard(() => this.test())),
      config.onDidChange((change) => {
        if (change.affected('recorderDevice')) this.learnName();
      }),
    );
    this.learnName();
  }

  /** The chosen microphone as people know it ('' for the system default); the stored id until a listing names it. */
  deviceLabel(): string {
    const id = this.config.settings.recorderDevice;
    return id ? (this.names.get(id) ?? id) : '';
  }

  /**
   * Lists the inputs and stores the one picked (user settings; machine scope). `deviceId` skips the picker ('' =
   * system default). Returns the stored id, or undefined when the person closed the picker.
   */
  async select(deviceId?: string): Promise<string | undefined> {
    const chosen = deviceId ?? (await this.pick());
    if (chosen === undefined) return undefined;
    await vscode.workspace.getConfiguration('offlineDictation').update('recorder.device', chosen, vscode.ConfigurationTarget.Global);
    this.log.info(`Microphone set to ${chosen ? `${this.names.get(chosen) ?? chosen} (${chosen})` : 'the system default'}.`);
    if (this.dictating()) void vscode.window.showInformationMessage(vscode.l10n.t('Dictation: the new microphone is used from the next dictation on.'));
    return chosen;
  }

  private async pick(): Promise<string | undefined> {
    const current = this.config.settings.recorderDevice;
    const picker = vscode.window.createQuickPick<DeviceItem>();
    this.picker = picker;
    picker.title = vscode.l10n.t('Select Microphone');
    picker.placeholder = vscode.l10n.t('The microphone dictation records from');
    picker.matchOnDescription = true;
    picker.busy = true;
    picker.items = [this.defaultItem(current, undefined)];
    const listing = this.list().then(
      (result) => {
        this.rememberNames(result.devices);
        picker.items = this.items(result.devices, current);
        picker.activeItems = picker.items.filter((item) => item.deviceId === current);
      },
      (error: Error) => {
        this.log.warn(`Listing microphones: ${error.message}`);
        picker.placeholder = vscode.l10n.t('Could not list the microphones: {0}', error.message);
      },
    );
    void listing.finally(() => (picker.busy = false));
    try {
      return await new Promise<string | undefined>((resolve) => {
        picker.onDidAccept(() => {
          resolve(picker.selectedItems[0]?.deviceId);
          picker.hide();
        });
        picker.onDidHide(() => resolve(undefined));
        picker.show();
      });
    } finally {
      this.picker = undefined;
      picker.dispose();
    }
  }

  private defaultItem(current: string, devices: InputDevice[] | undefined): DeviceItem {
    const systemDefault = devices?.find((d) => d.isDefault);
    return {
      deviceId: '',
      label: `${current === '' ? '$(check) ' : ''}${vscode.l10n.t('System default')}`,
      description: systemDefault ? vscode.l10n.t('now: {0}', systemDefault.name) : undefined,
    };
  }

  private items(devices: InputDevice[], current: string): DeviceItem[] {
    const items: DeviceItem[] = [this.defaultItem(current, devices)];
    let monitorsStarted = false;
    for (const device of devices) {
      if (device.monitor && !monitorsStarted) {
        monitorsStarted = true;
        items.push({ deviceId: '', label: vscode.l10n.t('Output monitors (record what is played)'), kind: vscode.QuickPickItemKind.Separator });
      }
      const notes = [
        device.monitor ? vscode.l10n.t('monitor of an output') : '',
        device.muted ? vscode.l10n.t('muted') : '',
        device.unplugged ? vscode.l10n.t('not plugged in') : '',
      ].filter(Boolean);
      items.push({ deviceId: device.id, label: `${device.id === current ? '$(check) ' : ''}${device.name}`, description: notes.join(', ') || undefined });
    }
    if (current && !devices.some((d) => d.id === current)) {
      items.push({ deviceId: current, label: `$(check) ${current}`, description: vscode.l10n.t('set in the settings, not found now') });
    }
    return items;
  }

  private rememberNames(devices: InputDevice[]): void {
    const before = this.deviceLabel();
    for (const device of devices) this.names.set(device.id, device.name);
    if (this.deviceLabel() !== before) this.labelEmitter.fire();
  }

  /** A device typed into the settings (or chosen in an earlier window) gets its name from a listing in the background. */
  private learnName(): void {
    const id = this.config.settings.recorderDevice;
    if (!id || this.names.has(id)) {
      this.labelEmitter.fire();
      return;
    }
    this.list().then(
      (listing) => this.rememberNames(listing.devices),
      () => undefined,
    );
    this.labelEmitter.fire();
  }

  /**
   * Records from the configured microphone for `durationMs` (or until cancelled) and shows its level ten times a
   * second; then says whether it works, and what to check on this OS when it does not.
   */
  async test(options: MicrophoneTestOptions = {}): Promise<MicrophoneTestResult | undefined> {
    if (this.dictating()) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Dictation: stop dictating first; the microphone test records from the same microphone.'));
      return undefined;
    }
    if (this.testing) return undefined;
    this.testing = true;
    try {
      const result = options.silent ? await this.measure(options.durationMs ?? 15_000) : await this.measureWithMeter(options.durationMs ?? 15_000);
      this.log.info(`Microphone test (${this.deviceLabel() || 'system default'}): ${result.verdict}, loudest ${result.loudestDbfs.toFixed(1)} dBFS, ${result.receivedMs} ms of audio${result.error ? `; ${result.error}` : ''}.`);
      if (!options.silent) this.report(result);
      return result;
    } finally {
      this.testing = false;
    }
  }

  private measureWithMeter(durationMs: number): Promise<MicrophoneTestResult> {
    const name = this.deviceLabel() || vscode.l10n.t('system default');
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing microphone: {0}', name), cancellable: true }, (progress, token) =>
        this.measure(durationMs, token, (reading) => progress.report({ message: `${meterBar(reading.current?.rmsDbfs ?? -Infinity)} — ${verdictLine(reading.verdict)}` })),
      ),
    );
  }

  private async measure(durationMs: number, token?: vscode.CancellationToken, onReading?: (reading: ReturnType<LevelMeter['reading']>) => void): Promise<MicrophoneTestResult> {
    const settings = this.config.settings;
    let command;
    try {
      command = resolveRecorder(settings.recorderProgram, settings.recorderPath || undefined, settings.recorderDevice || undefined);
    } catch (error) {
      return { verdict: 'no-data', loudestDbfs: -Infinity, receivedMs: 0, error: (error as Error).message };
    }
    const meter = new LevelMeter();
    let failure: RecorderError | undefined;
    const started = Date.now();
    const recorder = Recorder.start(command, { onData: (chunk) => meter.push(chunk), onError: (error) => (failure = error) });
    this.trackRecorder(recorder);
    try {
      while (Date.now() - started < durationMs && !token?.isCancellationRequested && !failure && recorder.running) {
        await new Promise((r) => setTimeout(r, BLOCK_MS));
        onReading?.(meter.reading(Date.now() - started));
      }
    } finally {
      await recorder.stop(0);
    }
    const reading = meter.reading(Date.now() - started);
    return { verdict: reading.verdict, loudestDbfs: reading.loudestDbfs, receivedMs: reading.receivedMs, error: failure?.message };
  }

  private report(result: MicrophoneTestResult): void {
    const select = vscode.l10n.t('Select Microphone');
    const offer = (choice: string | undefined) => {
      if (choice === select) void vscode.commands.executeCommand('offlineDictation.selectMicrophone');
    };
    if (result.error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Dictation: the microphone test could not record: {0}', result.error), select).then(offer);
      return;
    }
    const loudest = Number.isFinite(result.loudestDbfs) ? Math.round(result.loudestDbfs) : '−∞';
    switch (result.verdict) {
      case 'ok':
        void vscode.window.showInformationMessage(vscode.l10n.t('Dictation: the microphone works (loudest {0} dBFS).', loudest));
        return;
      case 'too-quiet':
        void vscode.window.showWarningMessage(`${vscode.l10n.t('Dictation: the microphone is very quiet (loudest {0} dBFS); soft words may be missed.', loudest)} ${tooQuietAdvice()}`, select).then(offer);
        return;
      case 'no-data':
      case 'no-signal':
        void vscode.window.showWarningMessage(`${result.verdict === 'no-data' ? vscode.l10n.t('Dictation: the recorder runs but delivers no audio.') : vscode.l10n.t('Dictation: the microphone delivers only silence (no signal at all).')} ${noSignalAdvice()}`, select).then(offer);
        return;
      case 'listening':
        void vscode.window.showInformationMessage(vscode.l10n.t('Dictation: the microphone test ended before anything could be judged.'));
    }
  }

  private async guard<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      this.log.error(error as Error);
      void vscode.window.showErrorMessage(vscode.l10n.t('Dictation: {0}', (error as Error).message));
      return undefined;
    }
  }

  dispose(): void {
    this.picker?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function verdictLine(verdict: MicrophoneVerdict): string {
  switch (verdict) {
    case 'ok':
      return vscode.l10n.t('the microphone works');
    case 'too-quiet':
      return vscode.l10n.t('very quiet: speak up or raise the input volume');
    case 'no-signal':
      return vscode.l10n.t('no signal: only silence arrives');
    case 'no-data':
      return vscode.l10n.t('no audio arrives');
    default:
      return vscode.l10n.t('say something');
  }
}

/** What makes a microphone deliver pure zeros on each OS. */
function noSignalAdvice(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return vscode.l10n.t('macOS gives silence to apps that may not use the microphone: allow VS Code in System Settings › Privacy & Security › Microphone, then restart VS Code.');
    case 'win32':
      return vscode.l10n.t('Windows gives silence to apps that may not use the microphone: turn on "Let desktop apps access your microphone" in Settings › Privacy & security › Microphone, and check that the input is not muted in Settings › System › Sound.');
    default:
      return vscode.l10n.t('The input may be muted or not the one you speak into: check it under Input Devices in pavucontrol (or `pactl set-source-mute @DEFAULT_SOURCE@ 0`), or choose another one.');
  }
}

function tooQuietAdvice(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return vscode.l10n.t('Raise the input volume in System Settings › Sound › Input, or move closer to the microphone.');
    case 'win32':
      return vscode.l10n.t('Raise the input volume in Settings › System › Sound › Input, or move closer to the microphone.');
    default:
      return vscode.l10n.t('Raise the input volume under Input Devices in pavucontrol (or `pactl set-source-volume @DEFAULT_SOURCE@ 100%`), or move closer to the microphone.');
  }
}
