// Dictation that was cut off by deactivation (the window closed or reloaded mid-dictation): the controller hands the
// audio of the phrases it had not delivered to a PhraseRecovery (saved in the extension's global storage), and at the
// next activation they are transcribed in the background into the dictation history, and the person is told.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { TranscriptHistory } from '../core/history/transcriptHistory';
import type { PhraseRecovery } from '../node/dictation/phraseRecovery';
import type { WhisperClient } from '../node/whisper/client';
import type { Config } from './config';
import type { DictationController } from './dictationController';
import type { Log } from './log';
import type { ModelLocator } from './modelLocator';

export class UnfinishedPhrases {
  constructor(
    private readonly recovery: PhraseRecovery,
    private readonly client: WhisperClient,
    private readonly models: ModelLocator,
    private readonly config: Config,
    private readonly history: TranscriptHistory,
    private readonly log: Log,
  ) {}

  /** The controller saves what it had not delivered when it is disposed mid-dictation. */
  attach(controller: DictationController): void {
    controller.salvage = (audio, onDiskOnly) => {
      try {
        const files = this.recovery.save(audio);
        this.log.info(`Deactivated mid-dictation: ${files.length} phrase(s) not yet transcribed were saved and are transcribed at the next start.`);
      } catch (error) {
        this.log.warn(`Deactivated mid-dictation: ${audio.length} phrase(s) could not be saved: ${(error as Error).message}`);
      }
      if (onDiskOnly) this.log.warn(`Deactivated mid-dictation: ${onDiskOnly} phrase(s) waiting on disk were dropped with the temp folder.`);
    };
  }

  /** Transcribes the phrases saved by an earlier deactivation into the history (in the background; no prompts). */
  async recover(): Promise<string[]> {
    if (!this.recovery.pending().length) return [];
    const modelPath = this.models.currentPath();
    if (!existsSync(modelPath)) return [];
    try {
      await this.client.ensureModel(modelPath);
      const language = this.models.languageFor(modelPath, this.config.settings.language);
      const texts = await this.recovery.recover(
        async (pcm) => (await this.client.transcribe(pcm, { language, threads: this.config.threads, beamSize: 1, audioContext: 'fit', timestamps: false })).text,
        (text) => this.history.add({ text, at: Date.now(), delivery: 'notInserted' }),
      );
      if (texts.length) {
        this.log.info(`Transcribed ${texts.length} phrase(s) saved when VS Code closed mid-dictation into the history.`);
        const show = vscode.l10n.t('Show History');
        void vscode.window.showInformationMessage(vscode.l10n.t('Dictation: {0} phrase(s) you spoke just before VS Code closed are in the dictation history.', texts.length), show).then((choice) => {
          if (choice === show) void vscode.commands.executeCommand('offlineDictation.showHistory');
        });
      }
      return texts;
    } catch (error) {
      this.log.warn(`Phrases saved when VS Code closed mid-dictation could not be transcribed yet (kept for the next start): ${(error as Error).message}`);
      return [];
    }
  }
}
