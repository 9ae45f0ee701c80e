// Model management commands: choose a model (the catalog and the models imported), download one (cancellable,
// resumable, verified, after a free-space check), import a file, delete one to free its disk space.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { findModel, MODEL_CATALOG } from '../core/model/catalog';
import type { ModelStore } from '../node/model/modelStore';
import type { WhisperClient } from '../node/whisper/client';
import { Config } from './config';
import type { Log } from './log';

export class ModelCommands {
  /** The last download failure (shown to the user; kept for the logs view and tests). */
  lastError?: Error;

  constructor(
    private readonly store: ModelStore,
    private readonly config: Config,
    private readonly client: WhisperClient,
    private readonly log: Log,
  ) {}

  /**
   * "Dictation: Select Model…": pick from the catalog or the models imported earlier; a catalog model not on disk yet
   * is offered for download, an imported one becomes the model path.
   */
  async select(): Promise<string | undefined> {
    const installed = new Set((await this.store.installed()).map((m) => m.name));
    const imported = (await this.store.files()).filter((f) => !f.catalog);
    const { model: current, customModelPath } = this.config.settings;
    const picked = await vscode.window.showQuickPick(
      [
        ...MODEL_CATALOG.map((m) => ({
          label: `${m.name === current && !customModelPath ? '$(check) ' : ''}${m.name}`,
          description: `${m.sizeMB >= 1000 ? `${(m.sizeMB / 1000).toFixed(1)} GB` : `${m.sizeMB} MB`} · needs ~${m.ramMB} MB RAM${installed.has(m.name) ? ' · downloaded' : ''}`,
          detail: m.description,
          name: m.name,
          path: undefined as string | undefined,
        })),
        ...imported.map((f) => ({
          label: `${f.path === customModelPath ? '$(check) ' : ''}${f.fileName}`,
          description: `${Math.round(f.bytes / 1048576)} MB · imported`,
          detail: f.path,
          name: f.fileName,
          path: f.path as string | undefined,
        })),
      ],
      { title: 'Whisper Model for Dictation', placeHolder: 'Smaller models are faster; .en models are English only', matchOnDetail: true },
    );
    if (!picked) return undefined;
    if (picked.path) {
      await vscode.workspace.getConfiguration('offlineDictation').update('modelPath', picked.path, vscode.ConfigurationTarget.Global);
      return picked.path;
    }
    await vscode.workspace.getConfiguration('offlineDictation').update('model', picked.name, vscode.ConfigurationTarget.Global);
    if (this.config.settings.customModelPath) {
      void vscode.window.showWarningMessage('"offlineDictation.modelPath" is set, so that file is used instead of the selected model.');
    }
    if (!installed.has(picked.name)) await this.download(picked.name);
    return picked.name;
  }

  /** "Dictation: Download Model…": downloads the given (or selected) model into global storage. */
  async download(name?: string, options: { force?: boolean } = {}): Promise<string | undefined> {
    const entry = findModel(name ?? this.config.settings.model);
    if (!entry) {
      void vscode.window.showErrorMessage(`Unknown Whisper model "${name}".`);
      return undefined;
    }
    const controller = new AbortController();
    this.lastError = undefined;
    try {
      const path = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Downloading Whisper model ${entry.name}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let reported = 0;
          return this.store.download(entry, {
            baseUrl: this.config.settings.modelMirrorUrl || undefined,
            signal: controller.signal,
            force: options.force,
            onProgress: ({ receivedBytes, totalBytes }) => {
              const total = totalBytes ?? entry.exactBytes ?? entry.sizeMB * 1024 * 1024;
              const percent = Math.min(100, (receivedBytes / total) * 100);
              progress.report({ increment: percent - reported, message: `${(receivedBytes / 1048576).toFixed(0)} of ${(total / 1048576).toFixed(0)} MB` });
              reported = percent;
            },
          });
        },
      );
      this.log.info(`Model ${entry.name} downloaded and verified: ${path}`);
      if (options.force) await this.client.unload();
      void vscode.window.showInformationMessage(`Whisper model ${entry.name} is ready. Dictation now works offline.`);
      return path;
    } catch (error) {
      if (controller.signal.aborted) {
        this.log.info(`Download of ${entry.name} cancelled; it resumes where it stopped next time.`);
        return undefined;
      }
      this.log.error(error as Error);
      // Not awaited: the command finishes now; the buttons act whenever the person answers.
      void vscode.window
        .showErrorMessage(`Could not download the Whisper model ${entry.name}: ${(error as Error).message}`, 'Retry', 'Use a Mirror…', 'Import from File…')
        .then((choice) => {
          if (choice === 'Retry') void this.download(entry.name, options);
          if (choice === 'Use a Mirror…') void vscode.commands.executeCommand('workbench.action.openSettings', Config.settingId('modelMirrorUrl'));
          if (choice === 'Import from File…') void this.import();
        });
      this.lastError = error as Error;
      return undefined;
    }
  }

  /**
   * "Dictation: Delete Model…": removes a downloaded or imported model file and says how much space that freed. The
   * model in use is unloaded first; a model path pointing at the deleted file is cleared. `path` skips the picker
   * and the confirmation (tests).
   */
  async delete(path?: string): Promise<number | undefined> {
    let target = path;
    if (!target) {
      const files = await this.store.files();
      if (files.length === 0) {
        void vscode.window.showInformationMessage('No Whisper model is stored by the extension.');
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        files.map((f) => ({ label: f.catalog?.name ?? f.fileName, description: `${Math.round(f.bytes / 1048576)} MB${f.catalog ? '' : ' · imported'}`, detail: f.path, path: f.path })),
        { title: 'Delete Whisper Model', placeHolder: 'The model file is deleted from disk' },
      );
      if (!picked) return undefined;
      const confirm = await vscode.window.showWarningMessage(`Delete the Whisper model ${picked.label} (${picked.description})?`, { modal: true }, 'Delete');
      if (confirm !== 'Delete') return undefined;
      target = picked.path;
    }
    const { customModelPath } = this.config.settings;
    const inUse = target === (customModelPath || join(this.store.directory, `ggml-${this.config.settings.model}.bin`));
    if (inUse) await this.client.unload();
    const freed = await this.store.removeFile(target);
    if (customModelPath === target) await vscode.workspace.getConfiguration('offlineDictation').update('modelPath', undefined, vscode.ConfigurationTarget.Global);
    const message = `Deleted ${target}: ${(freed / 1048576).toFixed(0)} MB freed.`;
    this.log.info(message);
    void vscode.window.showInformationMessage(message);
    return freed;
  }

  /** "Dictation: Import Model from File…": validates a ggml file, copies it into storage and uses it. */
  async import(uri?: vscode.Uri): Promise<string | undefined> {
    const source = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Whisper ggml model': ['bin'] }, openLabel: 'Import Model' }))?.[0];
    if (!source) return undefined;
    try {
      const path = await this.store.importFile(source.fsPath);
      await vscode.workspace.getConfiguration('offlineDictation').update('modelPath', path, vscode.ConfigurationTarget.Global);
      this.log.info(`Imported model ${source.fsPath} → ${path}`);
      void vscode.window.showInformationMessage(`Imported the Whisper model ${source.fsPath}; dictation uses it now.`);
      return path;
    } catch (error) {
      void vscode.window.showErrorMessage(`That file cannot be used as a Whisper model: ${(error as Error).message}`);
      return undefined;
    }
  }
}
