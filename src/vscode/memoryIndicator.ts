// The second status-bar item: what dictation costs right now (Whisper worker + recorder + audio buffers) against
// the memory budget, coloured by the memory policy's tier. Samples every `memory.sampleIntervalSeconds` while
// dictating, five times less often while the model is loaded, not at all when nothing runs. Reacts to pressure:
// "high" stops the live preview and moves waiting audio to disk ('auto' capture switches to a file); "critical"
// parks waiting phrases on disk, unloads the model (its worker process ends) and tells the user once; when pressure
// eases the parked phrases are transcribed in order.
import * as vscode from 'vscode';
import { defaultMemoryLimitMB, findModel } from '../core/model/catalog';
import { memoryBudgetMB, modelRamMB, workersBudgetMB } from '../core/model/modelMemory';
import { OtherWorkers } from '../core/memory/otherWorkers';
import { readModelShape } from '../node/model/modelShape';
import { MemoryPolicy, MemoryStats, MemoryTier, PolicyDecision } from '../core/memory/memoryPolicy';
import { MemoryMonitor, MemorySnapshot, MemorySources, samplingIntervalMs } from '../node/memory/memoryMonitor';
import type { BufferUsage } from '../core/audio/bufferTracker';
import type { WhisperClient } from '../node/whisper/client';
import type { Config } from './config';
import type { DictationController } from './dictationController';
import type { Log } from './log';

export interface FootprintSample extends MemorySnapshot {
  usedMB: number;
  /** The audio buffers behind `bufferMB`, by owner. */
  buffers: BufferUsage[];
}

export class MemoryIndicator implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('offlineDictation.memory', vscode.StatusBarAlignment.Right, 999);
  private readonly monitor: MemoryMonitor;
  private policy: MemoryPolicy;
  readonly stats = new MemoryStats<FootprintSample>(150);
  private readonly subscriptions: vscode.Disposable[] = [];
  private criticalNotified = false;
  /** The last policy decision (tests and the report read it). */
  lastDecision?: PolicyDecision;
  private readonly tierEmitter = new vscode.EventEmitter<PolicyDecision>();
  /** Fires on every tier change, after the indicator's own reactions (file transcription shortens its chunks). */
  readonly onDidChangeTier = this.tierEmitter.event;

  constructor(
    sources: MemorySources,
    private readonly config: Config,
    private readonly client: WhisperClient,
    private readonly controller: DictationController,
    private readonly log: Log,
  ) {
    this.item.name = vscode.l10n.t('Dictation Memory');
    this.item.command = 'offlineDictation.showMemoryReport';
    this.policy = new MemoryPolicy({ limitMB: this.limitMB() });
    this.monitor = new MemoryMonitor(sources, (snapshot) => this.onSample(snapshot));
    this.subscriptions.push(
      config.onDidChange((change) => {
        if (change.affected('memoryLimitMB') || change.affected('model')) this.policy = new MemoryPolicy({ limitMB: this.limitMB() });
        if (change.affected('memorySampleIntervalSeconds')) this.updateActivity();
        this.refreshVisibility();
      }),
    );
    this.refreshVisibility();
  }

  /**
   * The setting, else the budget of dictation's model (the one its worker loaded last, read from its file; before
   * that the catalog's for the setting), plus a share for each other worker running now (workersBudgetMB).
   */
  limitMB(): number {
    if (this.config.settings.memoryLimitMB) return this.config.settings.memoryLimitMB;
    const first = this.modelRamMB !== undefined ? memoryBudgetMB(this.modelRamMB) : defaultMemoryLimitMB(findModel(this.config.settings.model));
    return workersBudgetMB(first, this.otherWorkers.ramMBs());
  }

  /** The Whisper workers beside dictation's, by their client: counted in the footprint and the budget while they run. */
  readonly otherWorkers = new OtherWorkers<object>();

  otherWorkerStarted(key: object, pid: number | undefined): void {
    this.otherWorkers.started(key, pid);
    this.updateActivity();
  }

  /** Another worker loaded a model: the budget grows by its share (it does not become that model's budget). */
  async otherWorkerLoaded(key: object, modelPath: string): Promise<void> {
    let ram: number;
    try {
      ram = modelRamMB(await readModelShape(modelPath));
    } catch (error) {
      this.log.warn(`Could not read ${modelPath} for its memory needs (${(error as Error).message}); that worker adds nothing to the budget.`);
      return;
    }
    if (!this.otherWorkers.loaded(key, ram)) return;
    this.policy.setLimitMB(this.limitMB());
    this.log.info(`Memory budget ${this.policy.limitMB} MB with ${this.otherWorkers.count} other Whisper worker(s) (${modelPath}, ~${ram} MB each).`);
  }

  otherWorkerExited(key: object): void {
    if (!this.otherWorkers.exited(key)) return;
    this.policy.setLimitMB(this.limitMB());
    this.updateActivity();
  }

  /** RAM the model loaded last needs, from its file (undefined until one has been loaded). */
  private modelRamMB?: number;

  /**
   * A model has been loaded: the budget follows it, whatever its name (an imported or configured model too). The
   * tier is kept; the next sample judges it against the new limit.
   */
  async followModel(modelPath: string): Promise<void> {
    let ram: number;
    try {
      ram = modelRamMB(await readModelShape(modelPath));
    } catch (error) {
      this.log.warn(`Could not read ${modelPath} for its memory needs (${(error as Error).message}); keeping a budget of ${this.policy.limitMB} MB.`);
      return;
    }
    if (ram === this.modelRamMB) return;
    this.modelRamMB = ram;
    this.policy.setLimitMB(this.limitMB());
    this.log.info(`Memory budget ${this.policy.limitMB} MB for ${modelPath} (the model needs ~${ram} MB).`);
  }

  /** Call when dictation starts/stops or the worker starts/stops: adjusts the sampling rate. */
  updateActivity(): void {
    const activity = { dictating: this.controller.active, modelLoaded: this.client.running || this.otherWorkers.count > 0 };
    this.monitor.setInterval(samplingIntervalMs(activity, this.config.settings.memorySampleIntervalSeconds));
    void this.monitor.sampleNow();
  }

  /** The sampling interval in force (0: paused). */
  get intervalMs(): number {
    return this.monitor.currentIntervalMs;
  }

  async sampleNow(): Promise<FootprintSample> {
    await this.monitor.sampleNow();
    return this.stats.latest!;
  }

  private refreshVisibility(): void {
    if (this.config.settings.showMemoryIndicator) this.item.show();
    else this.item.hide();
  }

  private onSample(snapshot: MemorySnapshot): void {
    // The worker thread host shares the extension host's memory; count the host then, since that is where it lives.
    const workerMB = snapshot.workerRssMB ?? (this.client.running && !this.client.pid ? snapshot.hostRssMB : 0);
    const usedMB = workerMB + snapshot.otherWorkersRssMB + (snapshot.recorderRssMB ?? 0) + snapshot.bufferMB;
    const sample: FootprintSample = { ...snapshot, usedMB, buffers: this.controller.audioBuffers.breakdown() };
    this.stats.add(sample);
    const decision = this.policy.update({ usedMB, systemFreeMB: snapshot.systemFreeMB, systemTotalMB: snapshot.systemTotalMB });
    this.lastDecision = decision;
    if (decision.changed) this.react(decision);
    this.render(sample, decision.tier);
  }

  private react(decision: PolicyDecision): void {
    this.log.info(`Memory tier ${decision.previousTier} → ${decision.tier} (${Math.round(decision.load * 100)} % of ${this.policy.limitMB} MB): ${decision.actions.join(', ')}`);
    if (decision.actions.includes('stopPreview')) this.controller.pausePreview(true);
    if (decision.actions.includes('resumePreview')) this.controller.pausePreview(false);
    // High or worse: waiting audio goes to disk and 'auto' capture records to a file; back to normal: memory again.
    if (decision.actions.includes('shrinkBuffers') || decision.actions.includes('spillToDisk')) this.controller.setMemoryPressure(true);
    if (decision.tier === 'normal') this.controller.setMemoryPressure(false);
    // Critical while dictating: keep listening, park phrases on disk, and end the worker so its memory is returned.
    if (decision.actions.includes('pauseCapture')) this.controller.suspendTranscription();
    if (decision.actions.includes('unloadModel')) void this.client.unload().catch((error) => this.log.warn(`Unloading the model failed: ${(error as Error).message}`));
    if (decision.actions.includes('resumeCapture')) this.controller.resumeTranscription();
    if (decision.actions.includes('notifyUser') && !this.criticalNotified) {
      this.criticalNotified = true;
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Dictation is using {0} MB, close to its {1} MB budget, or the system is low on memory. A smaller model would help.', Math.round(this.stats.latest?.usedMB ?? 0), this.policy.limitMB),
        vscode.l10n.t('Select Model…'),
      ).then((choice) => choice && vscode.commands.executeCommand('offlineDictation.selectModel'));
    }
    this.tierEmitter.fire(decision);
  }

  private render(sample: FootprintSample, tier: MemoryTier): void {
    const limit = this.policy.limitMB;
    this.item.text = vscode.l10n.t('$(pulse) {0} MB', Math.round(sample.usedMB));
    this.item.backgroundColor =
      tier === 'critical' ? new vscode.ThemeColor('statusBarItem.errorBackground') : tier === 'high' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const mb = (v: number | undefined) => (v === undefined ? '—' : vscode.l10n.t('{0} MB', Math.round(v)));
    const mb1 = (bytesOrMB: number) => vscode.l10n.t('{0} MB', bytesOrMB.toFixed(1));
    this.item.tooltip = new vscode.MarkdownString(
      [
        vscode.l10n.t('**Dictation memory: {0} of {1} MB** ({2})', Math.round(sample.usedMB), limit, tier),
        '',
        `| | |`,
        `|---|---|`,
        `| ${vscode.l10n.t('Whisper worker')} | ${mb(sample.workerRssMB)} |`,
        ...(sample.otherWorkers ? [`| ${vscode.l10n.t('Other Whisper workers ({0})', sample.otherWorkers)} | ${mb(sample.otherWorkersRssMB)} |`] : []),
        `| ${vscode.l10n.t('Recorder')} | ${mb(sample.recorderRssMB)} |`,
        `| ${vscode.l10n.t('Audio buffers')} | ${mb1(sample.bufferMB)} |`,
        ...sample.buffers.filter((b) => b.bytes > 0).map((b) => `| &nbsp;&nbsp;${b.name} | ${mb1(b.bytes / (1024 * 1024))} |`),
        `| ${vscode.l10n.t('Extension host (all extensions)')} | ${mb(sample.hostRssMB)} |`,
        `| ${vscode.l10n.t('Peak (this window)')} | ${mb(this.stats.peakMB)} |`,
        `| ${vscode.l10n.t('System free')} | ${vscode.l10n.t('{0} of {1}', mb(sample.systemFreeMB), mb(sample.systemTotalMB))} |`,
        '',
        vscode.l10n.t('Click for the memory report.'),
      ].join('\n'),
    );
    this.item.accessibilityInformation = { label: vscode.l10n.t('Dictation uses {0} megabytes of {1}', Math.round(sample.usedMB), limit) };
  }

  dispose(): void {
    this.monitor.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.tierEmitter.dispose();
    this.item.dispose();
  }
}
