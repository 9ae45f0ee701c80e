// The names of the places dictated text can go, as the person reads them (status bar, Dictate Into…, history,
// notices), in the display language: the UI shows these instead of the core's English targetLabel(), so a
// translation needs no change in src/core.
import * as vscode from 'vscode';
import type { TargetKind } from '../../core/targets/targetChoice';

export function targetName(kind: TargetKind): string {
  switch (kind) {
    case 'editor':
      return vscode.l10n.t('Editor');
    case 'terminal':
      return vscode.l10n.t('Terminal');
    case 'scm':
      return vscode.l10n.t('Commit Message');
    case 'notebook':
      return vscode.l10n.t('Notebook Cell');
    case 'chat':
      return vscode.l10n.t('Chat');
    case 'clipboard':
      return vscode.l10n.t('Clipboard');
  }
}
