// Which model file dictation uses: the machine-scoped custom path when set, otherwise the selected catalog model
// in the extension's global storage. When the file is missing or damaged it offers the download instead of failing.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { effectiveLanguage, isEnglishOnlyModel, languageLabel, languageStatus, multilingualCounterpart } from '../core/model/languages';
import { findModel } from '../core/model/catalog';
import type { Config } from './config';
import type { Log } from './log';

export class ModelLocator {
  constructor(
    private readonly config: Config,
    private readonly storageDir: string,
    private readonly log: Log,
  ) {}

  get modelsDir(): string {
    return join(this.storageDir, 'models');
  }

  /** The file the current settings point at (it may not exist yet). */
  currentPath(): string {
    const { customModelPath, model } = this.config.settings;
    return customModelPath || join(this.modelsDir, `ggml-${model}.bin`);
  }

  /** A short name for the status bar and logs. */
  displayName(): string {
    const { customModelPath, model } = this.config.settings;
    return customModelPath ? basename(customModelPath) : model;
  }

  /** English-only models must be told "en"; others follow the language setting. */
  languageFor(modelPath: string, language: string): string {
    return effectiveLanguage(basename(modelPath), language).language;
  }

  /** Translation needs a multilingual model: an English-only one writes English anyway. */
  translateFor(modelPath: string): boolean {
    return this.config.settings.translate && !isEnglishOnlyModel(basename(modelPath));
  }

  /** The status bar's language line for the current settings (and a language detected in this dictation). */
  languageLine(detected?: string): string {
    const { language, translate } = this.config.settings;
    return languageStatus({ setting: language, detected, englishOnlyModel: isEnglishOnlyModel(basename(this.currentPath())), translate });
  }

  /**
   * An English-only model with another language set: says so, once per dictation, without waiting for an answer
   * (dictation goes on in English), and offers the multilingual model of the same size. True when it did.
   */
  warnEnglishOnly(modelPath: string): boolean {
    const { language, customModelPath, model } = this.config.settings;
    if (!effectiveLanguage(basename(modelPath), language).mismatch) return false;
    const counterpart = customModelPath ? 'base' : findModel(multilingualCounterpart(model)) ? multilingualCounterpart(model) : 'base';
    const message = vscode.l10n.t(
      'The model "{0}" understands English only, but the dictation language is {1}. Choose a multilingual model such as "{2}" to dictate in {1}; until then dictation is in English.',
      this.displayName(),
      languageLabel(language),
      counterpart,
    );
    this.log.warn(message);
    const use = vscode.l10n.t('Use "{0}"', counterpart);
    const selectModel = vscode.l10n.t('Select Model…');
    const selectLanguage = vscode.l10n.t('Select Language…');
    void vscode.window.showWarningMessage(message, use, selectModel, selectLanguage).then(async (choice) => {
      if (choice === use) {
        await vscode.workspace.getConfiguration('offlineDictation').update('model', counterpart, vscode.ConfigurationTarget.Global);
        if (customModelPath) await vscode.workspace.getConfiguration('offlineDictation').update('modelPath', '', vscode.ConfigurationTarget.Global);
        const path = this.currentPath();
        if (!existsSync(path)) await vscode.commands.executeCommand('offlineDictation.downloadModel', counterpart);
      }
      if (choice === selectModel) await vscode.commands.executeCommand('offlineDictation.selectModel');
      if (choice === selectLanguage) await vscode.commands.executeCommand('offlineDictation.selectLanguage');
    });
    this.lastLanguageWarning = message;
    return true;
  }

  /** The last English-only warning (tests read it). */
  lastLanguageWarning?: string;

  /** The file "Improve Last Phrase" transcribes with (it may not exist yet). */
  improvePath(): string {
    const { improveModelPath, improveModel } = this.config.settings;
    return improveModelPath || join(this.modelsDir, `ggml-${improveModel}.bin`);
  }

  /** Like resolveForUse, for the "Improve Last Phrase" model: offers its download through the model commands. */
  async resolveImproveForUse(): Promise<string | undefined> {
    const path = this.improvePath();
    if (existsSync(path)) return path;
    const { improveModelPath, improveModel } = this.config.settings;
    const openSetting = vscode.l10n.t('Open Setting');
    if (improveModelPath) {
      const choice = await vscode.window.showErrorMessage(vscode.l10n.t('The model file set in "offlineDictation.improveModelPath" does not exist: {0}', improveModelPath), openSetting);
      if (choice === openSetting) await vscode.commands.executeCommand('workbench.action.openSettings', 'offlineDictation.improveModelPath');
      return undefined;
    }
    this.log.info(`The model for Improve Last Phrase, ${improveModel}, is not downloaded yet (${path}).`);
    const download = vscode.l10n.t('Download Model');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Improve Last Phrase transcribes again with the Whisper model "{0}", which is not on this machine yet (downloaded once, then everything stays offline). Download it, or choose another model in "offlineDictation.improveModel".', improveModel), download, openSetting);
    if (choice === download) await vscode.commands.executeCommand('offlineDictation.downloadModel', improveModel);
    if (choice === openSetting) await vscode.commands.executeCommand('workbench.action.openSettings', 'offlineDictation.improveModel');
    return existsSync(path) ? path : undefined;
  }

  /** Returns a path ready to load, or undefined after telling the user what to do. */
  async resolveForUse(): Promise<string | undefined> {
    const path = this.currentPath();
    if (existsSync(path)) return path;
    const { customModelPath, model } = this.config.settings;
    if (customModelPath) {
      const openSetting = vscode.l10n.t('Open Setting');
      const choice = await vscode.window.showErrorMessage(vscode.l10n.t('The model file set in "offlineDictation.modelPath" does not exist: {0}', customModelPath), openSetting);
      if (choice === openSetting) await vscode.commands.executeCommand('workbench.action.openSettings', 'offlineDictation.modelPath');
      return undefined;
    }
    this.log.info(`Model ${model} is not downloaded yet (${path}).`);
    const download = vscode.l10n.t('Download Model');
    const another = vscode.l10n.t('Select Another Model');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Dictation needs the Whisper model "{0}" on this machine (downloaded once, then everything stays offline).', model), download, another);
    if (choice === download) await vscode.commands.executeCommand('offlineDictation.downloadModel', model);
    if (choice === another) await vscode.commands.executeCommand('offlineDictation.selectModel');
    return existsSync(path) ? path : undefined;
  }

  async offerRedownload(problem: string): Promise<void> {
    const { customModelPath, model } = this.config.settings;
    if (customModelPath) {
      // `problem` is the worker's English detail (also in the log); the frame and buttons are localised.
      await vscode.window.showErrorMessage(vscode.l10n.t('The model file is damaged: {0}', problem), vscode.l10n.t('Open Setting')).then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'offlineDictation.modelPath'));
      return;
    }
    const again = vscode.l10n.t('Download Again');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('The Whisper model "{0}" is damaged: {1}', model, problem), again);
    if (choice === again) await vscode.commands.executeCommand('offlineDictation.downloadModel', model, { force: true });
  }
}
