// Command registrations: thin wrappers that hand each command to the component that owns it.
import * as vscode from 'vscode';
import type { TranscriptHistory } from '../core/history/transcriptHistory';
import type { DictationController } from './dictationController';
import type { FileCommandOptions, FileTranscriber } from './fileTranscriber';
import type { Log } from './log';
import type { ModelLocator } from './modelLocator';
import type { TextInserter } from './textInserter';
import type { ModelCommands } from './modelCommands';
import type { MemoryCommands } from './memoryCommands';
import { parseTargetRequest } from '../core/targets/targetChoice';
import { targetName } from './targets/targetNames';
import { pickTarget } from './targets/targetPicker';
import type { ClipboardTarget } from './targets/clipboardTarget';
import type { LanguageCommands } from './languageCommands';
import type { EngineFactory } from './engineFactory';
import type { ImproveLastPhrase } from './improveLastPhrase';

export interface CommandTargets {
  controller: DictationController;
  history: TranscriptHistory;
  inserter: TextInserter;
  log: Log;
  files: FileTranscriber;
  models: ModelLocator;
  modelCommands: ModelCommands;
  memory: MemoryCommands;
  clipboard: ClipboardTarget;
  languages: LanguageCommands;
  engines: EngineFactory;
  improve: ImproveLastPhrase;
}

export function registerCommands(t: CommandTargets): vscode.Disposable[] {
  const register = (id: string, run: (...args: any[]) => unknown) =>
    vscode.commands.registerCommand(`offlineDictation.${id}`, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        t.log.error(error as Error);
        // Messages from src/core and src/node are English details (they are in the log too); the frame is localised.
        void vscode.window.showErrorMessage(vscode.l10n.t('Dictation: {0}', (error as Error).message));
        return undefined;
      }
    });
  return [
    // Keybindings pass the focus their `when` clause saw ({ target: 'terminal' }); other callers pass nothing.
    register('start', (arg?: unknown) => {
      noteTarget(t.inserter, arg);
      return t.controller.start();
    }),
    register('stop', () => t.controller.stop()),
    register('toggle', (arg?: unknown) => {
      if (!t.controller.active) noteTarget(t.inserter, arg);
      return t.controller.toggle();
    }),
    register('dictateInto', async (arg?: unknown) => {
      const request = parseTargetRequest(arg) ?? (await pickTarget(t.inserter));
      if (!request) return;
      t.inserter.setRequest(request);
      if (!t.controller.active) await t.controller.start();
    }),
    register('clearHistory', () => {
      t.history.clear();
      void vscode.window.showInformationMessage(vscode.l10n.t('Dictation history cleared.'));
    }),
    register('restoreClipboard', () => t.clipboard.restore()),
    register('cancel', () => t.controller.cancel()),
    register('improveLastPhrase', () => t.improve.run()),
    register('showLogs', () => t.log.show()),
    register('showHistory', () => showHistory(t.history, t.inserter)),
    register('transcribeFile', (uri?: vscode.Uri, options?: FileCommandOptions) => t.files.run(uri, options)),
    register('clearTranscriptionCache', () => t.files.clearCache()),
    register('selectModel', () => t.modelCommands.select()),
    register('selectLanguage', (code?: string) => t.languages.select(code)),
    register('downloadModel', (name?: string, options?: { force?: boolean }) => t.modelCommands.download(name, options)),
    register('importModel', (uri?: vscode.Uri) => t.modelCommands.import(uri)),
    register('deleteModel', (path?: string) => t.modelCommands.delete(path)),
    register('freeMemory', () => t.memory.freeMemory()),
    register('showMemoryReport', () => t.memory.showReport()),
    register('setRemoteKey', () => t.engines.setKey()),
  ];
}

/** A start with a target: a pinned one from the picker, or the focus a keybinding saw. */
function noteTarget(inserter: TextInserter, arg: unknown): void {
  const request = parseTargetRequest(arg);
  if (request && request !== 'focus') inserter.noteFocus(request);
}

async function showHistory(history: TranscriptHistory, inserter: TextInserter): Promise<void> {
  const entries = history.list();
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing has been dictated yet.'));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => {
      const how =
        entry.delivery !== 'inserted'
          ? vscode.l10n.t('on clipboard')
          : entry.kind && entry.kind !== 'editor'
            ? vscode.l10n.t('inserted ({0})', targetName(entry.kind).toLowerCase())
            : vscode.l10n.t('inserted');
      return { label: entry.text, description: `${new Date(entry.at).toLocaleString()} · ${how}`, entry };
    }),
    { title: vscode.l10n.t('Dictation History'), placeHolder: vscode.l10n.t('Pick a phrase to copy or insert again'), matchOnDescription: true },
  );
  if (!picked) return;
  const insertAgain = vscode.l10n.t('Insert at Cursor');
  const copy = vscode.l10n.t('Copy to Clipboard');
  const action = await vscode.window.showQuickPick([insertAgain, copy], { title: picked.entry.text });
  if (action === insertAgain) await inserter.insert(picked.entry.text);
  if (action === copy) await vscode.env.clipboard.writeText(picked.entry.text);
}
