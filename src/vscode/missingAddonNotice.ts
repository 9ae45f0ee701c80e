// Said at activation when this copy of the extension has no whisper.cpp build for the platform it runs on (a .vsix
// of another platform, or a source checkout before `npm run build:addon`). Activation still succeeds: the commands,
// the status bar, the history and the team engine work; local transcription fails with this same text.
import * as vscode from 'vscode';
import type { Log } from './log';

/** The extension's Marketplace id: its page there offers the build for each platform. */
const EXTENSION_ID = 'offline-dictation.offline-dictation';

export function missingAddonText(target: string): string {
  return vscode.l10n.t(
    'Offline Dictation has no speech engine (whisper.cpp) build for this platform, {0}. Install the extension from the VS Code Marketplace, which delivers the build for your platform, or the offline-dictation-{0} .vsix of a release; from a source checkout, run `npm run build:addon`.',
    target,
  );
}

/** Logs the message and shows it once, without waiting for an answer (activation must not wait on a notification). */
export function showMissingAddonNotice(message: string, log: Log): void {
  log.warn(message);
  const extensions = vscode.l10n.t('Open in Extensions');
  const logs = vscode.l10n.t('Show Logs');
  void vscode.window.showWarningMessage(message, extensions, logs).then((choice) => {
    if (choice === extensions) void vscode.commands.executeCommand('extension.open', EXTENSION_ID);
    if (choice === logs) log.show();
  });
}
