// The one place that decides which engine turns audio into text, for dictation and for files alike: this machine's
// Whisper worker (the default), or the team's OpenAI-compatible server once the person has agreed to send it audio.
// It also owns what the server needs from VS Code: the key in SecretStorage ("Dictation: Set Remote Engine Key…",
// never in settings or logs) and the consent, remembered per server origin in globalState.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { checkRemoteEndpoint } from '../core/remote/remoteEndpoint';
import { RemoteEngineError } from '../core/remote/remoteEngineError';
import { FallbackTranscriber } from '../node/remote/fallbackTranscriber';
import { RemoteTranscriber } from '../node/remote/remoteTranscriber';
import type { Transcriber } from '../node/transcription/transcriber';
import type { WhisperClient } from '../node/whisper/client';
import { LocalTranscriber } from '../node/whisper/localTranscriber';
import type { Config } from './config';
import type { Log } from './log';

const KEY_SECRET = 'offlineDictation.remote.key';
const CONSENT_STATE = 'offlineDictation.remote.consentedOrigins';

/** What dictation runs with: the transcriber, and the server's origin when audio leaves the machine. */
export interface DictationEngine {
  readonly transcriber: Transcriber;
  /** Set when phrases go to a server (the status bar marks it). */
  readonly remoteOrigin?: string;
}

/** Asks a modal question; resolves with the button chosen (undefined when dismissed). Tests pass their own. */
export type ConsentPrompt = (message: string, detail: string, ...buttons: string[]) => Thenable<string | undefined>;

const modalPrompt: ConsentPrompt = (message, detail, ...buttons) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);

export class EngineFactory {
  /** Replaceable by tests: the consent dialog is modal and cannot be clicked from an integration test. */
  prompt: ConsentPrompt = modalPrompt;
  /** Phrases transcribed locally because the server failed, and how many times the person was told (tests read them). */
  fallbacks = 0;
  fallbackNotices = 0;

  constructor(
    private readonly config: Config,
    private readonly log: Log,
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  get isRemote(): boolean {
    return this.config.settings.engine === 'remote';
  }

  /** "Dictation: Set Remote Engine Key…": stored in SecretStorage; an empty answer removes it. */
  async setKey(value?: string): Promise<boolean> {
    const key =
      value ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Dictation: Remote Engine Key'),
        prompt: vscode.l10n.t('The bearer key of the team\'s Whisper server (sent as "Authorization: Bearer …"). Kept in VS Code\'s secret storage. Leave empty to remove it.'),
        password: true,
        ignoreFocusOut: true,
      }));
    if (key === undefined) return false;
    if (key.trim()) await this.secrets.store(KEY_SECRET, key.trim());
    else await this.secrets.delete(KEY_SECRET);
    this.log.info(key.trim() ? 'The remote engine key was stored in secret storage.' : 'The remote engine key was removed.');
    return true;
  }

  /** Whether the person agreed to send audio to this origin. */
  hasConsent(origin: string): boolean {
    return this.state.get<string[]>(CONSENT_STATE, []).includes(origin);
  }

  /** Forgets every consent (the next remote use asks again). */
  async revokeConsent(): Promise<void> {
    await this.state.update(CONSENT_STATE, []);
  }

  /**
   * The remote engine for the current settings, after consent; undefined when the person chose this machine for
   * this time or dismissed the question. Throws BAD_URL for a URL that is not acceptable.
   */
  async remote(purpose: 'dictation' | 'files'): Promise<RemoteTranscriber | undefined> {
    const settings = this.config.settings;
    const endpoint = checkRemoteEndpoint(settings.remoteUrl);
    if (!endpoint.ok) throw new RemoteEngineError('BAD_URL', vscode.l10n.t('The team engine is on, but: {0}', endpoint.reason));
    if (!this.hasConsent(endpoint.origin)) {
      const send = vscode.l10n.t('Send Audio to {0}', new URL(endpoint.origin).host);
      const local = vscode.l10n.t('Use This Machine');
      const choice = await this.prompt(
        vscode.l10n.t('Send your audio to {0}?', endpoint.origin),
        vscode.l10n.t(
          '"offlineDictation.engine" is "remote": the audio of what you dictate and of the files you transcribe would be sent to this server, which returns the text. Nothing is sent unless you agree; the answer is remembered for this server. {0}',
          endpoint.loopback ? vscode.l10n.t('The server is on this machine.') : vscode.l10n.t('The connection is encrypted (https).'),
        ),
        send,
        local,
      );
      if (choice === local) {
        this.log.info(`Remote engine: the person chose this machine instead of ${endpoint.origin} (asked again next time).`);
        return undefined;
      }
      if (choice !== send) throw new RemoteEngineError('NO_CONSENT', vscode.l10n.t('Nothing was sent: sending audio to {0} needs your consent. Set "offlineDictation.engine" to "local" to stay on this machine.', endpoint.origin));
      await this.state.update(CONSENT_STATE, [...this.state.get<string[]>(CONSENT_STATE, []), endpoint.origin]);
      this.log.info(`Remote engine: consent given for ${endpoint.origin}.`);
    }
    const timeoutMs = settings.remoteTimeoutSeconds * 1000;
    const parallel = purpose === 'files' ? settings.remoteParallelRequests : 1;
    return new RemoteTranscriber({
      url: settings.remoteUrl,
      model: settings.remoteModel,
      language: settings.remoteLanguage || settings.language,
      apiKey: () => this.secrets.get(KEY_SECRET),
      // A server that takes one request at a time queues the others behind it: each may wait for those ahead.
      timeoutMs: timeoutMs * parallel,
      maxConcurrent: parallel,
      onRetry: (error, attempt, delayMs) => this.log.warn(`Remote engine: ${error.message} Retry ${attempt} in ${delayMs} ms.`),
    });
  }

  /**
   * Dictation's engine: local, or the server with this machine's model as the fallback for a phrase the server
   * fails (when that model is on disk). undefined: the person dismissed the consent question.
   */
  async forDictation(client: WhisperClient, localModelPath: string | undefined): Promise<DictationEngine | undefined> {
    const local = localModelPath && existsSync(localModelPath) ? new LocalTranscriber(client, localModelPath) : undefined;
    if (!this.isRemote) return local ? { transcriber: local } : undefined;
    const remote = await this.remote('dictation');
    if (!remote) return local ? { transcriber: local } : undefined;
    const transcriber = new FallbackTranscriber(remote, local, {
      onFallback: (error, first) => {
        this.fallbacks++;
        if (first) this.fallbackNotices++;
        this.log.warn(`Remote engine: ${error.message} The phrase was transcribed on this machine.`);
        if (first)
          void vscode.window.showWarningMessage(vscode.l10n.t('Dictation: {0} Phrases the server cannot take are transcribed on this machine; nothing is lost.', error.message), vscode.l10n.t('Show Logs')).then((choice) => {
            if (choice) this.log.show();
          });
      },
    });
    if (!local) this.log.warn('Remote engine: no local model is downloaded, so a phrase the server fails cannot be transcribed on this machine.');
    return { transcriber, remoteOrigin: remote.origin };
  }
}
