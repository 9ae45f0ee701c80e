// The last resort: the clipboard (and, like every phrase, the history). The person's own clipboard is kept, and
// the notification offers to put it back.
import * as vscode from 'vscode';
import type { InsertionPiece } from '../../core/text/insertionFormat';
import type { Composer, Delivered } from './textTarget';


const CLIPBOARD_WAIT_MS = 1000;

function withTimeout<T, F>(work: Thenable<T>, ms: number, fallback: F): Promise<T | F> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    Promise.resolve(work).then(
      (value) => { clearTimeout(timer); resolve(value); },
      () => { clearTimeout(timer); resolve(fallback); },
    );
  });
}

export type Notify = (message: string, ...actions: string[]) => Thenable<string | undefined>;

export class ClipboardTarget {
  readonly kind = 'clipboard' as const;
  /** What was on the clipboard before dictation first wrote to it, and what dictation wrote last. */
  private saved?: string;
  private written?: string;

  constructor(private readonly notify: Notify) {}

  async insert(pieces: readonly InsertionPiece[], compose: Composer, why: string): Promise<Delivered> {
    const text = compose('', '', pieces);
    // A browser may never answer a clipboard read it has no permission for: a phrase must not wait on it.
    const current = await withTimeout(vscode.env.clipboard.readText(), CLIPBOARD_WAIT_MS, undefined);
    // The person's clipboard is what was there before dictation's own text replaced it.
    if (current !== undefined && (this.written === undefined || current !== this.written)) this.saved = current;
    await withTimeout(vscode.env.clipboard.writeText(text), CLIPBOARD_WAIT_MS, undefined);
    this.written = text;
    const saved = this.saved;
    const restoreButton = vscode.l10n.t('Restore Previous Clipboard');
    const actions = saved ? [restoreButton] : [];
    void Promise.resolve(this.notify(vscode.l10n.t('{0}; the text is on the clipboard and in Dictation: Show History.', why), ...actions)).then(async (choice) => {
      if (choice === restoreButton) await this.restore(saved);
    });
    return { where: 'clipboard', remove: async () => false };
  }

  /** Puts the person's previous clipboard back (the dictated text stays in the history). */
  async restore(saved = this.saved): Promise<boolean> {
    if (saved === undefined) return false;
    await vscode.env.clipboard.writeText(saved);
    this.written = undefined;
    this.saved = undefined;
    return true;
  }
}
