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

  constructor() {
    this.item = vscode.window.createStatusBarItem('offlineDictation.status', vscode.StatusBarAlignment.Right, 1000);
    this.item.name = 'Dictation';
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
    const where = t ? `Text goes to: ${t.label}${t.detail ? ` (${t.detail})` : ''}${t.pinned ? ', chosen with Dictate Into…' : ', following the focus'}\n` : '';
    const detail = `${where}Model: ${this.details.model || 'not selected'}${this.languageLine ? `\nLanguage: ${this.languageLine}` : ''}\nMicrophone: ${this.details.device || 'system default'}`;
    const arrow = t ? ` → ${t.label}` : '';
    switch (s.kind) {
      case 'idle':
        this.item.text = '$(mic) Dictate';
        this.item.tooltip = `Start dictation (Ctrl+Alt+D)\n${detail}`;
        this.item.backgroundColor = undefined;
        this.item.accessibilityInformation = { label: 'Dictation off. Start dictation', role: 'button' };
        break;
      case 'starting':
        this.item.text = '$(loading~spin) Dictation starting…';
        this.item.tooltip = `Starting the microphone and loading the model\n${detail}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        this.item.accessibilityInformation = { label: 'Dictation starting', role: 'button' };
        break;
      case 'recording': {
        const elapsed = formatElapsed(Date.now() - s.startedAt);
        const sending = s.remote ? ' $(cloud-upload)' : '';
        this.item.text = `$(record) Dictating ${elapsed}${arrow}${sending}${s.transcribing ? ' $(loading~spin)' : ''}`;
        this.item.tooltip = `Listening — click or press Escape to stop (Ctrl+Alt+Shift+D cancels)\n${s.remote ? `Audio is sent to ${s.remote} (team engine)\n` : ''}${detail}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        this.item.accessibilityInformation = { label: `Dictating for ${elapsed}${t ? ` into the ${t.label}` : ''}${s.remote ? `, audio sent to ${s.remote}` : ''}. Stop dictation`, role: 'button' };
        break;
      }
      case 'finishing':
        this.item.text = '$(loading~spin) Transcribing…';
        this.item.tooltip = `Finishing the last phrase\n${detail}`;
        this.item.backgroundColor = undefined;
        this.item.accessibilityInformation = { label: 'Transcribing the last phrase', role: 'button' };
        break;
    }
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.item.dispose();
  }
}

export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${seconds.toString().padStart(2, '0')}`;
}
