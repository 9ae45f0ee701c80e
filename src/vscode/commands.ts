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
import type { EngineFactory } from './engineFactory';

export interface CommandTargets {
  controller: DictationController;
  history: TranscriptHistory;
  inserter: TextInserter;
  log: Log;
  files: FileTranscriber;
  models: ModelLocator;
  modelCommands: ModelCommands;
  memory: MemoryCommands;
  engines: EngineFactory;
}

export function registerCommands(t: CommandTargets): vscode.Disposable[] {
  const register = (id: string, run: (...args: any[]) => unknown) =>
    vscode.commands.registerCommand(`offlineDictation.${id}`, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        t.log.error(error as Error);
        void vscode.window.showErrorMessage(`Dictation: ${(error as Error).message}`);
        return undefined;
      }
    });
  return [
    register('start', () => t.controller.start()),
    register('stop', () => t.controller.stop()),
    register('toggle', () => t.controller.toggle()),
    register('cancel', () => t.controller.cancel()),
    register('showLogs', () => t.log.show()),
    register('showHistory', () => showHistory(t.history, t.inserter)),
    register('transcribeFile', (uri?: vscode.Uri, options?: FileCommandOptions) => t.files.run(uri, options)),
    register('clearTranscriptionCache', () => t.files.clearCache()),
    register('selectModel', () => t.modelCommands.select()),
    register('downloadModel', (name?: string, options?: { force?: boolean }) => t.modelCommands.download(name, options)),
    register('importModel', (uri?: vscode.Uri) => t.modelCommands.import(uri)),
    register('freeMemory', () => t.memory.freeMemory()),
    register('showMemoryReport', () => t.memory.showReport()),
    register('setRemoteKey', () => t.engines.setKey()),
  ];
}

async function showHistory(history: TranscriptHistory, inserter: TextInserter): Promise<void> {
  const entries = history.list();
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('Nothing has been dictated yet in this window.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => ({
      label: entry.text,
      description: `${new Date(entry.at).toLocaleTimeString()} · ${entry.delivery === 'inserted' ? 'inserted' : 'on clipboard'}`,
      entry,
    })),
    { title: 'Dictation History', placeHolder: 'Pick a phrase to copy or insert again', matchOnDescription: true },
  );
  if (!picked) return;
  const action = await vscode.window.showQuickPick(['Insert at Cursor', 'Copy to Clipboard'], { title: picked.entry.text });
  if (action === 'Insert at Cursor') await inserter.insert(picked.entry.text);
  if (action === 'Copy to Clipboard') await vscode.env.clipboard.writeText(picked.entry.text);
}
