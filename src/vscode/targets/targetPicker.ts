// "Dictation: Dictate Into…": a quick pick of the places text can go, saying which are available now. Picking one
// pins it for the dictation (and starts one if none runs); "Follow Focus" goes back to following the focus.
import * as vscode from 'vscode';
import type { TargetKind, TargetRequest } from '../../core/targets/targetChoice';
import { targetName } from './targetNames';
import type { TextInserter } from '../textInserter';

const ICONS: Record<TargetKind, string> = {
  editor: '$(file-code)',
  terminal: '$(terminal)',
  scm: '$(git-commit)',
  notebook: '$(notebook)',
  chat: '$(comment-discussion)',
  clipboard: '$(clippy)',
};

/** Shows the picker; resolves to the chosen request, or undefined when dismissed. */
export async function pickTarget(inserter: TextInserter): Promise<TargetRequest | undefined> {
  const available = inserter.availability();
  const current = inserter.pinned;
  const kinds: TargetKind[] = ['editor', 'terminal', 'scm', 'notebook', 'chat', 'clipboard'];
  const items: (vscode.QuickPickItem & { request: TargetRequest })[] = [
    {
      label: vscode.l10n.t('$(target) Follow Focus'),
      description: current === 'focus' ? vscode.l10n.t('current') : undefined,
      detail: vscode.l10n.t('Each phrase goes where the focus is: editor, terminal, notebook, or the last focused editor'),
      request: 'focus',
    },
    ...kinds.map((kind) => {
      const can = kind === 'clipboard' || available[kind];
      return {
        label: `${ICONS[kind]} ${targetName(kind)}`,
        description: [current === kind ? vscode.l10n.t('current') : '', can ? '' : vscode.l10n.t('not available now — text would go to the clipboard')].filter(Boolean).join(' · ') || undefined,
        request: kind as TargetRequest,
      };
    }),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Dictate Into…'), placeHolder: vscode.l10n.t('Where should dictated text go?') });
  return picked?.request;
}
