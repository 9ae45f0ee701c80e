// "Dictation: Free Memory and Delete Temporary Files" and "Dictation: Show Memory Report".
import * as vscode from 'vscode';
import { emptyDirectory } from '../node/resources/tempCleanup';
import { describeBufferUsage, type BufferUsage } from '../core/audio/bufferTracker';
import { MemorySnapshot, sampleMemory, MemorySources } from '../node/memory/memoryMonitor';
import type { ResourceRegistry } from '../node/resources/resourceRegistry';
import type { WhisperClient } from '../node/whisper/client';
import type { DictationController } from './dictationController';
import type { Log } from './log';

export interface MemoryReport extends MemorySnapshot {
  /** The audio buffers behind `bufferMB`, by owner. */
  buffers: BufferUsage[];
}

export interface FreeMemoryReport {
  before: MemorySnapshot;
  after: MemorySnapshot;
  modelUnloaded: boolean;
  filesDeleted: number;
  bytesDeleted: number;
}

const mb = (value: number | undefined) => (value === undefined ? '—' : `${value.toFixed(0)} MB`);

export class MemoryCommands {
  constructor(
    private readonly sources: MemorySources,
    private readonly client: WhisperClient,
    private readonly registry: ResourceRegistry,
    private readonly controller: DictationController,
    private readonly log: Log,
  ) {}

  async freeMemory(): Promise<FreeMemoryReport> {
    const before = await sampleMemory(this.sources);
    let modelUnloaded = false;
    if (this.controller.active) {
      this.log.info('Free memory: dictation is running, so the model stays loaded.');
    } else if (this.client.running) {
      await this.client.unload();
      modelUnloaded = true;
    }
    // A running dictation's spill files and capture file are in use: deleting them would lose speech.
    const deleted = this.controller.active ? { files: 0, bytes: 0 } : await emptyDirectory(this.registry.sessionTempDir());
    if (this.controller.active) this.log.info('Free memory: dictation is running, so its temporary audio files stay.');
    const after = await sampleMemory(this.sources);
    const report: FreeMemoryReport = { before, after, modelUnloaded, filesDeleted: deleted.files, bytesDeleted: deleted.bytes };
    const freedMB = (before.workerRssMB ?? 0) - (after.workerRssMB ?? 0) + Math.max(0, before.hostRssMB - after.hostRssMB);
    const lines = [
      // Shown in the notification as well as logged.
      modelUnloaded
        ? vscode.l10n.t('Whisper worker: {0} → {1} (model unloaded)', mb(before.workerRssMB), mb(after.workerRssMB))
        : vscode.l10n.t('Whisper worker: {0} → {1}', mb(before.workerRssMB), mb(after.workerRssMB)),
      `Extension host: ${mb(before.hostRssMB)} → ${mb(after.hostRssMB)}`,
      `Temporary files deleted: ${deleted.files} (${(deleted.bytes / 1024).toFixed(0)} KB)`,
    ];
    this.log.info(`Free memory:\n  ${lines.join('\n  ')}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Dictation freed {0} MB and deleted {1} temporary file(s). {2}.', freedMB.toFixed(0), deleted.files, lines[0]));
    return report;
  }

  async showReport(): Promise<MemoryReport> {
    const s = await sampleMemory(this.sources);
    const buffers = this.controller.audioBuffers.breakdown();
    const session = this.controller.sessionStats;
    const registry = this.registry.stats();
    this.log.info(
      [
        'Memory report',
        `  Whisper worker process: ${mb(s.workerRssMB)}${this.client.pid ? ` (pid ${this.client.pid})` : ' (not running)'}`,
        ...(s.otherWorkers ? [`  Other Whisper workers (parallel file chunks, Improve Last Phrase): ${s.otherWorkers}, ${mb(s.otherWorkersRssMB)}`] : []),
        `  Recorder process: ${mb(s.recorderRssMB)}`,
        `  Audio buffers: ${s.bufferMB.toFixed(1)} MB (${describeBufferUsage(buffers)})`,
        ...(session
          ? [
              `  Capture: ${session.captureMode}${session.captureFile ? ` to ${session.captureFile}` : ''}; in-memory queue ${Math.round(session.queueFillLevel * 100)} % full; ` +
                `${session.spillFilePhrases} phrase(s) spilled to files, ${session.capturedPhrases} kept in the capture file, ${session.phrasesReadFromDisk} read back${session.suspended ? '; transcription suspended' : ''}`,
            ]
          : []),
        `  Extension host (all extensions): RSS ${mb(s.hostRssMB)}, JS heap ${mb(s.hostHeapUsedMB)}, external ${mb(s.hostExternalMB)}, array buffers ${mb(s.hostArrayBuffersMB)}`,
        `  System: ${mb(s.systemFreeMB)} free of ${mb(s.systemTotalMB)}`,
        `  Tracked: ${registry.processes.length} process(es), ${registry.disposables} disposables, ${registry.tempPaths.length} temp path(s)`,
      ].join('\n'),
    );
    this.log.show();
    return { ...s, buffers };
  }
}
