// "Dictation: Transcribe Audio File…": turns a WAV file into text with the same worker and model as dictation.
import * as vscode from 'vscode';
import { readWavAs16kMono } from '../node/audio/wavFile';
import type { WhisperClient } from '../node/whisper/client';
import type { Config } from './config';
import type { Log } from './log';
import type { ModelLocator } from './modelLocator';

export class FileTranscriber {
  constructor(
    private readonly client: WhisperClient,
    private readonly models: ModelLocator,
    private readonly config: Config,
    private readonly log: Log,
  ) {}

  /** Transcribes a file and returns its text (used by the command and by tests). */
  async transcribe(path: string): Promise<string> {
    const modelPath = await this.models.resolveForUse();
    if (!modelPath) throw new Error('No Whisper model is available.');
    const samples = await readWavAs16kMono(path);
    await this.client.ensureModel(modelPath);
    const result = await this.client.transcribe(samples, {
      language: this.models.languageFor(modelPath, this.config.settings.language),
      threads: this.config.threads,
      beamSize: 1,
      audioContext: 0,
    });
    this.log.info(`Transcribed ${path} (${(samples.length / 16000).toFixed(1)} s of audio) in ${result.elapsedMs} ms.`);
    return result.text;
  }

  /** The command: asks for a file when none is given, shows the text in a new editor. */
  async run(uri?: vscode.Uri): Promise<string | undefined> {
    const target =
      uri ??
      (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'WAV audio': ['wav'] }, openLabel: 'Transcribe' }))?.[0];
    if (!target) return undefined;
    const text = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Transcribing ${vscode.workspace.asRelativePath(target)}…` },
      () => this.transcribe(target.fsPath),
    );
    const document = await vscode.workspace.openTextDocument({ content: text + '\n', language: 'plaintext' });
    await vscode.window.showTextDocument(document);
    return text;
  }
}
