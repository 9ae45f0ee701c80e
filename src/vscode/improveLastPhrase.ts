// "Dictation: Improve Last Phrase": the last dictated phrase is transcribed again with a bigger model and its text
// replaced in the editor as one undo step, unless the person has edited it since (then the better text goes to the
// clipboard and the history instead: nothing is lost and nothing the person typed is overwritten).
//
// The bigger model runs in a Whisper worker of its own, made by the same factory as file transcription's extra
// workers, and that worker is disposed as soon as the phrase is done. Loading it into dictation's worker instead
// would unload the dictation model (the next dictation would wait for it to load again, and one in progress would
// stall), and a worker's process exit gives all of the bigger model's memory back to the system at once, which an
// unload inside a long-lived process does not reliably do. The cost is one model load per improvement (~0.1-0.3 s for
// base from the page cache), paid only when the person asks.
import * as vscode from 'vscode';
import type { WhisperClient } from '../node/whisper/client';
import type { TranscriptHistory } from '../core/history/transcriptHistory';
import type { InsertionPiece } from '../core/text/insertionFormat';
import type { Composer } from './targets/textTarget';
import { targetLabel } from '../core/targets/targetChoice';
import type { DeliveredPhrase } from './dictationController';
import type { RecentPhrases } from '../core/audio/recentPhrases';
import type { ModelLocator } from './modelLocator';
import type { Log } from './log';
import { basename } from 'node:path';

export type ImproveOutcome =
  | { kind: 'nothing' | 'not-editor' | 'no-model' | 'no-words' | 'same' | 'failed'; message: string }
  | { kind: 'replaced' | 'edited'; message: string; text: string };

export interface ImproveDependencies {
  recent: RecentPhrases<DeliveredPhrase>;
  models: ModelLocator;
  createClient: () => WhisperClient;
  piecesOf: (text: string) => InsertionPiece[];
  compose: Composer;
  history: TranscriptHistory;
  log: Log;
}

export class ImproveLastPhrase {
  /** What the last run did (tests read it). */
  lastOutcome?: ImproveOutcome;

  constructor(private readonly deps: ImproveDependencies) {}

  async run(): Promise<ImproveOutcome> {
    const outcome = await this.improve();
    this.lastOutcome = outcome;
    const show = outcome.kind === 'replaced' || outcome.kind === 'same' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    if (outcome.kind !== 'no-model') void show(vscode.l10n.t('Dictation: {0}', outcome.message));
    this.deps.log.info(`Improve Last Phrase: ${outcome.message}`);
    return outcome;
  }

  private async improve(): Promise<ImproveOutcome> {
    const { recent, models } = this.deps;
    const last = recent.last();
    if (!last) return { kind: 'nothing', message: vscode.l10n.t('there is no dictated phrase to improve yet (the last few phrases are kept until VS Code closes).') };
    const phrase = last.info;
    if (!phrase.delivered.replace) {
      return { kind: 'not-editor', message: vscode.l10n.t('Improve Last Phrase is only for text dictated into an editor; the last phrase went to the {0}.', targetLabel(phrase.kind).toLowerCase()) };
    }
    const modelPath = await models.resolveImproveForUse();
    if (!modelPath) return { kind: 'no-model', message: vscode.l10n.t('the model "{0}" is not on this machine.', models.improvePath()) };
    const model = basename(modelPath);
    let text: string;
    try {
      text = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Improving the last phrase with {0}…', model) },
        () => this.transcribe(last.samples, phrase, modelPath),
      );
    } catch (error) {
      return { kind: 'failed', message: vscode.l10n.t('the phrase could not be transcribed again with {0}: {1}', model, (error as Error).message) };
    }
    if (!text) return { kind: 'no-words', message: vscode.l10n.t('{0} heard no words in the last phrase; it is left as it was.', model) };
    const pieces = this.deps.piecesOf(text);
    const plain = this.deps.compose('', '', pieces);
    // An edited phrase is never touched, even when the words came out the same: the person is told either way.
    if (phrase.delivered.unchanged?.() === false) return this.toClipboard(plain, phrase);
    if (plain.trim() === phrase.text.trim()) return { kind: 'same', message: vscode.l10n.t('{0} heard the same words: "{1}".', model, plain.trim()) };
    if (await phrase.delivered.replace(pieces, this.deps.compose)) {
      this.deps.history.add({ text: plain, at: Date.now(), delivery: 'inserted', target: phrase.delivered.where, kind: phrase.kind });
      return { kind: 'replaced', text: plain, message: vscode.l10n.t('the last phrase was transcribed again with {0} (one undo brings back the old text).', model) };
    }
    return this.toClipboard(plain, phrase);
  }

  private async toClipboard(plain: string, phrase: DeliveredPhrase): Promise<ImproveOutcome> {
    await vscode.env.clipboard.writeText(plain);
    this.deps.history.add({ text: plain, at: Date.now(), delivery: 'clipboard', target: phrase.delivered.where, kind: phrase.kind });
    return { kind: 'edited', text: plain, message: vscode.l10n.t('the last phrase was edited (or is gone) since it was dictated, so it was left alone; the improved text is on the clipboard and in the history: "{0}"', plain.trim()) };
  }

  /** One job in a worker of its own, which is gone again before this returns. */
  private async transcribe(samples: Float32Array, phrase: DeliveredPhrase, modelPath: string): Promise<string> {
    const client = this.deps.createClient();
    try {
      await client.ensureModel(modelPath);
      // The dictation's options (language, prompt, threads) with the model's own language rules.
      const options = { ...phrase.options, language: this.deps.models.languageFor(modelPath, phrase.options.language) };
      const result = await client.transcribe(samples, options);
      return result.cancelled ? '' : result.text.trim();
    } finally {
      client.dispose();
    }
  }
}
