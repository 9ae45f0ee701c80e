// "Dictation: Select Language…": a quick pick of Whisper's languages (Detect automatically first, then all by name,
// the current one marked) that writes the language setting. With an English-only model it says at once that a
// multilingual model is needed.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { AUTO_LANGUAGE, WHISPER_LANGUAGES, languageChoices, languageLabel } from '../core/model/languages';
import type { Config } from './config';
import type { ModelLocator } from './modelLocator';

export class LanguageCommands {
  constructor(
    private readonly config: Config,
    private readonly models: ModelLocator,
  ) {}

  /** Sets the language (user settings); `code` skips the picker (tests, keybindings). Returns the code set. */
  async select(code?: string): Promise<string | undefined> {
    const current = this.config.settings.language;
    let chosen = code;
    if (!chosen) {
      const picked = await vscode.window.showQuickPick(languageChoices(current), {
        title: vscode.l10n.t('Dictation Language (now: {0})', languageLabel(current)),
        placeHolder: vscode.l10n.t('The language you speak'),
        matchOnDescription: true,
      });
      chosen = picked?.code;
    }
    if (!chosen) return undefined;
    if (chosen !== AUTO_LANGUAGE && !WHISPER_LANGUAGES.has(chosen)) throw new Error(vscode.l10n.t('Whisper does not know the language "{0}". Use an ISO 639-1 code such as "fr", or "auto".', chosen));
    await vscode.workspace.getConfiguration('offlineDictation').update('language', chosen, vscode.ConfigurationTarget.Global);
    this.models.warnEnglishOnly(basename(this.models.currentPath()));
    return chosen;
  }
}
