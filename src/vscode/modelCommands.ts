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
          description: [
            m.sizeMB >= 1000 ? vscode.l10n.t('{0} GB', (m.sizeMB / 1000).toFixed(1)) : vscode.l10n.t('{0} MB', m.sizeMB),
            vscode.l10n.t('needs ~{0} MB RAM', m.ramMB),
            ...(installed.has(m.name) ? [vscode.l10n.t('downloaded')] : []),
          ].join(' · '),
          detail: m.description,
          name: m.name,
          path: undefined as string | undefined,
        })),
        ...imported.map((f) => ({
          label: `${f.path === customModelPath ? '$(check) ' : ''}${f.fileName}`,
          description: vscode.l10n.t('{0} MB · imported', Math.round(f.bytes / 1048576)),
          detail: f.path,
          name: f.fileName,
          path: f.path as string | undefined,
        })),
      ],
      { title: vscode.l10n.t('Whisper Model for Dictation'), placeHolder: vscode.l10n.t('Smaller models are faster; .en models are English only'), matchOnDetail: true },
    );
    if (!picked) return undefined;
    if (picked.path) {
      await vscode.workspace.getConfiguration('offlineDictation').update('modelPath', picked.path, vscode.ConfigurationTarget.Global);
      return picked.path;
    }
    await vscode.workspace.getConfiguration('offlineDictation').update('model', picked.name, vscode.ConfigurationTarget.Global);
    if (this.config.settings.customModelPath) {
      void vscode.window.showWarningMessage(vscode.l10n.t('"offlineDictation.modelPath" is set, so that file is used instead of the selected model.'));
    }
    if (!installed.has(picked.name)) await this.download(picked.name);
    return picked.name;
  }

  /** "Dictation: Download Model…": downloads the given (or selected) model into global storage. */
  async download(name?: string, options: { force?: boolean } = {}): Promise<string | undefined> {
    const entry = findModel(name ?? this.config.settings.model);
    if (!entry) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Unknown Whisper model "{0}".', String(name)));
      return undefined;
    }
    const controller = new AbortController();
    this.lastError = undefined;
    try {
      const path = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading Whisper model {0}', entry.name), cancellable: true },
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
              progress.report({ increment: percent - reported, message: vscode.l10n.t('{0} of {1} MB', (receivedBytes / 1048576).toFixed(0), (total / 1048576).toFixed(0)) });
              reported = percent;
            },
          });
        },
      );
      this.log.info(`Model ${entry.name} downloaded and verified: ${path}`);
      if (options.force) await this.client.unload();
      void vscode.window.showInformationMessage(vscode.l10n.t('Whisper model {0} is ready. Dictation now works offline.', entry.name));
      return path;
    } catch (error) {
      if (controller.signal.aborted) {
        this.log.info(`Download of ${entry.name} cancelled; it resumes where it stopped next time.`);
        return undefined;
      }
      this.log.error(error as Error);
      // Not awaited: the command finishes now; the buttons act whenever the person answers.
      // The error's message is an English detail from src/node (also in the log); the frame and buttons are localised.
      const retry = vscode.l10n.t('Retry');
      const mirror = vscode.l10n.t('Use a Mirror…');
      const importFile = vscode.l10n.t('Import from File…');
      void vscode.window
        .showErrorMessage(vscode.l10n.t('Could not download the Whisper model {0}: {1}', entry.name, (error as Error).message), retry, mirror, importFile)
        .then((choice) => {
          if (choice === retry) void this.download(entry.name, options);
          if (choice === mirror) void vscode.commands.executeCommand('workbench.action.openSettings', Config.settingId('modelMirrorUrl'));
          if (choice === importFile) void this.import();
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
        void vscode.window.showInformationMessage(vscode.l10n.t('No Whisper model is stored by the extension.'));
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        files.map((f) => ({
          label: f.catalog?.name ?? f.fileName,
          description: f.catalog ? vscode.l10n.t('{0} MB', Math.round(f.bytes / 1048576)) : vscode.l10n.t('{0} MB · imported', Math.round(f.bytes / 1048576)),
          detail: f.path,
          path: f.path,
        })),
        { title: vscode.l10n.t('Delete Whisper Model'), placeHolder: vscode.l10n.t('The model file is deleted from disk') },
      );
      if (!picked) return undefined;
      const deleteButton = vscode.l10n.t('Delete');
      const confirm = await vscode.window.showWarningMessage(vscode.l10n.t('Delete the Whisper model {0} ({1})?', picked.label, picked.description), { modal: true }, deleteButton);
      if (confirm !== deleteButton) return undefined;
      target = picked.path;
    }
    const { customModelPath } = this.config.settings;
    const inUse = target === (customModelPath || join(this.store.directory, `ggml-${this.config.settings.model}.bin`));
    if (inUse) await this.client.unload();
    const freed = await this.store.removeFile(target);
    if (customModelPath === target) await vscode.workspace.getConfiguration('offlineDictation').update('modelPath', undefined, vscode.ConfigurationTarget.Global);
    const message = vscode.l10n.t('Deleted {0}: {1} MB freed.', target, (freed / 1048576).toFixed(0));
    this.log.info(message);
    void vscode.window.showInformationMessage(message);
    return freed;
  }

  /** "Dictation: Import Model from File…": validates a ggml file, copies it into storage and uses it. */
  async import(uri?: vscode.Uri): Promise<string | undefined> {
    const source = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [vscode.l10n.t('Whisper ggml model')]: ['bin'] }, openLabel: vscode.l10n.t('Import Model') }))?.[0];
    if (!source) return undefined;
    try {
      const path = await this.store.importFile(source.fsPath);
      await vscode.workspace.getConfiguration('offlineDictation').update('modelPath', path, vscode.ConfigurationTarget.Global);
      this.log.info(`Imported model ${source.fsPath} → ${path}`);
      void vscode.window.showInformationMessage(vscode.l10n.t('Imported the Whisper model {0}; dictation uses it now.', source.fsPath));
      return path;
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('That file cannot be used as a Whisper model: {0}', (error as Error).message));
      return undefined;
    }
  }
}
