// The status-bar microphone: shows whether dictation is off, starting, listening (with elapsed time) or finishing
// a transcription, and toggles dictation on click.
import * as vscode from 'vscode';

export type DictationUiState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  /** `remote`: the server's origin when the audio goes there (the item shows a cloud and says where). */
  | { kind: 'recording'; startedAt: number; transcribing: boolean; remote?: string }
  | { kind: 'finishing' };

export interface StatusDetails {
  model: string;
  device: string;
}

/** Where dictated text goes now: a target's label ("Terminal"), the concrete place, and whether it was pinned. */
export interface StatusTarget {
  label: string;
  detail?: string;
  pinned: boolean;
}

export class DictationStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: DictationUiState = { kind: 'idle' };
  private details: StatusDetails = { model: '', device: '' };
  private target?: StatusTarget;
  private languageLine = '';
  private ticker?: NodeJS.Timeout;
  /** A short note shown beside the dictation state until `noteUntil` (e.g. the recorder restarted). */
  private note?: string;
  private noteUntil = 0;
  private noteTimer?: NodeJS.Timeout;

  constructor() {
    this.item = vscode.window.createStatusBarItem('offlineDictation.status', vscode.StatusBarAlignment.Right, 1000);
    this.item.name = vscode.l10n.t('Dictation');
    this.item.command = 'offlineDictation.toggle';
    this.render();
    this.item.show();
  }

  setState(state: DictationUiState): void {
    this.state = state;
    if (state.kind === 'recording' && !this.ticker) this.ticker = setInterval(() => this.render(), 1000);
    if (state.kind !== 'recording' && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    this.render();
  }

  /**
   * Shows `note` beside the state for `ms`, then the item is as before: for something the person may want to know
   * but need not act on (a modal or a notification would interrupt the dictation it reports on).
   */
  flash(note: string, ms = 6000): void {
    this.note = note;
    this.noteUntil = Date.now() + ms;
    if (this.noteTimer) clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(() => {
      this.noteTimer = undefined;
      this.note = undefined;
      this.render();
    }, ms);
    this.render();
  }

  /** The note being flashed now, if any (tests read it). */
  get flashing(): string | undefined {
    return this.note && Date.now() < this.noteUntil ? this.note : undefined;
  }

  setDetails(details: StatusDetails): void {
    this.details = details;
    this.render();
  }

  setTarget(target: StatusTarget): void {
    this.target = target;
    this.render();
  }

  /** The text shown while dictating, e.g. "Dictating 0:12 → Terminal" (exposed for tests). */
  get text(): string {
    return this.item.text;
  }

  /** The tooltip's language line: the setting, or the language detected for the dictation in progress. */
  setLanguage(line: string): void {
    this.languageLine = line;
    this.render();
  }

  /** The tooltip as shown now (tests read it). */
  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : this.item.tooltip?.value ?? '';
  }

  private render(): void {
    const s = this.state;
    const t = this.target;
    const place = t?.detail ? `${t.label} (${t.detail})` : t?.label;
    const where = t ? `${t.pinned ? vscode.l10n.t('Text goes to: {0}, chosen with Dictate Into…', place!) : vscode.l10n.t('Text goes to: {0}, following the focus', place!)}\n` : '';
    const lines = [
      vscode.l10n.t('Model: {0}', this.details.model || vscode.l10n.t('not selected')),
      ...(this.languageLine ? [vscode.l10n.t('Language: {0}', this.languageLine)] : []),
      vscode.l10n.t('Microphone: {0}', this.details.device || vscode.l10n.t('system default')),
    ];
    const detail = `${where}${lines.join('\n')}`;
    const arrow = t ? ` → ${t.label}` : '';
    switch (s.kind) {
      case 'idle':
        this.item.text = vscode.l10n.t('$(mic) Dictate');
        this.item.tooltip = `${vscode.l10n.t('Start dictation (Ctrl+Alt+D)')}\n${detail}`;
        this.item.backgroundColor = undefined;
        this.item.accessibilityInformation = { label: vscode.l10n.t('Dictation off. Start dictation'), role: 'button' };
        break;
      case 'starting':
        this.item.text = vscode.l10n.t('$(loading~spin) Dictation starting…');
        this.item.tooltip = `${vscode.l10n.t('Starting the microphone and loading the model')}\n${detail}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        this.item.accessibilityInformation = { label: vscode.l10n.t('Dictation starting'), role: 'button' };
        break;
      case 'recording': {
        const elapsed = formatElapsed(Date.now() - s.startedAt);
        const sending = s.remote ? ' $(cloud-upload)' : '';
        const note = this.flashing;
        this.item.text = `${vscode.l10n.t('$(record) Dictating {0}', elapsed)}${arrow}${sending}${s.transcribing ? ' $(loading~spin)' : ''}${note ? ` $(debug-restart) ${note}` : ''}`;
        this.item.tooltip = `${note ? `${note}\n` : ''}${vscode.l10n.t('Listening — click or press Escape to stop (Ctrl+Alt+Shift+D cancels)')}\n${s.remote ? `${vscode.l10n.t('Audio is sent to {0} (team engine)', s.remote)}\n` : ''}${detail}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        const dictating = t ? vscode.l10n.t('Dictating for {0} into the {1}', elapsed, t.label) : vscode.l10n.t('Dictating for {0}', elapsed);
        const label = s.remote ? vscode.l10n.t('{0}, audio sent to {1}. Stop dictation', dictating, s.remote) : vscode.l10n.t('{0}. Stop dictation', dictating);
        this.item.accessibilityInformation = { label: note ? `${note}. ${label}` : label, role: 'button' };
        break;
      }
      case 'finishing':
        this.item.text = vscode.l10n.t('$(loading~spin) Transcribing…');
        this.item.tooltip = `${vscode.l10n.t('Finishing the last phrase')}\n${detail}`;
        this.item.backgroundColor = undefined;
        this.item.accessibilityInformation = { label: vscode.l10n.t('Transcribing the last phrase'), role: 'button' };
        break;
    }
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    if (this.noteTimer) clearTimeout(this.noteTimer);
    this.item.dispose();
  }
}

export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${seconds.toString().padStart(2, '0')}`;
}
