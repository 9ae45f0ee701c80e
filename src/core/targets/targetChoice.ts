// Where a dictated phrase goes: the pure decision between the places a developer writes (editor, terminal,
// commit message box, notebook cell, chat input) and the clipboard. The vscode layer reports what exists and what
// had focus last; this decides, so the rules are unit-tested without VS Code.

export const TARGET_KINDS = ['editor', 'terminal', 'scm', 'notebook', 'chat', 'clipboard'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** What the person asked for: one place ("pinned"), or wherever the focus is when a phrase is ready. */
export type TargetRequest = TargetKind | 'focus';

/** Which targets can take text right now (the clipboard always can). */
export type TargetAvailability = Record<Exclude<TargetKind, 'clipboard'>, boolean>;

export interface TargetDecision {
  kind: TargetKind;
  /** pinned: the person chose it; focus: it had focus; fallback: the editor or clipboard because nothing better was there. */
  reason: 'pinned' | 'focus' | 'fallback';
  /** The target that was asked for (or had focus) but could not take text. */
  unavailable?: TargetKind;
}

const LABELS: Record<TargetKind, string> = {
  editor: 'Editor',
  terminal: 'Terminal',
  scm: 'Commit Message',
  notebook: 'Notebook Cell',
  chat: 'Chat',
  clipboard: 'Clipboard',
};

export function targetLabel(kind: TargetKind): string {
  return LABELS[kind];
}

export function isTargetKind(value: unknown): value is TargetKind {
  return typeof value === 'string' && (TARGET_KINDS as readonly string[]).includes(value);
}

/**
 * Reads a command argument: `'terminal'`, `{ target: 'terminal' }` (what keybindings pass) or `'focus'`.
 * Anything else (a URI from a menu, nothing) means "no request".
 */
export function parseTargetRequest(arg: unknown): TargetRequest | undefined {
  const value = arg && typeof arg === 'object' && 'target' in arg ? (arg as { target: unknown }).target : arg;
  if (value === 'focus' || isTargetKind(value)) return value;
  return undefined;
}

/**
 * The decision for one phrase.
 * - Pinned: that target, or the clipboard when it is gone — never a place the person did not choose.
 * - Following focus: the target that had focus last, if it can take text; else the editor (as before targets
 *   existed: the last active editor); else the clipboard.
 */
export function chooseTarget(request: TargetRequest, focused: TargetKind | undefined, available: TargetAvailability): TargetDecision {
  if (request !== 'focus') {
    if (request === 'clipboard' || available[request]) return { kind: request, reason: 'pinned' };
    return { kind: 'clipboard', reason: 'fallback', unavailable: request };
  }
  if (focused === 'clipboard') return { kind: 'clipboard', reason: 'focus' };
  if (focused && available[focused]) return { kind: focused, reason: 'focus' };
  const unavailable = focused && focused !== 'editor' ? focused : undefined;
  if (available.editor) return { kind: 'editor', reason: 'fallback', ...(unavailable ? { unavailable } : {}) };
  return { kind: 'clipboard', reason: 'fallback', ...(focused ? { unavailable: focused } : {}) };
}

/**
 * The most recent focus signal wins. Signals come from VS Code events (an editor, terminal or notebook became
 * active, the person clicked or typed in an editor) and from keybindings whose `when` clause knew the focus.
 */
export class FocusHistory {
  private last?: { kind: TargetKind; at: number };

  note(kind: TargetKind, at: number): boolean {
    if (this.last && at < this.last.at) return false;
    const changed = this.last?.kind !== kind;
    this.last = { kind, at };
    return changed;
  }

  get current(): TargetKind | undefined {
    return this.last?.kind;
  }
}

/**
 * Text for a terminal: typed, never executed. A line break (or carriage return) would press Enter, a tab would
 * trigger completion and other control characters would act on the shell, so each becomes a space.
 */
export function terminalText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n|[\u0000-\u001f\u007f\u0080-\u009f]/g, ' ').replace(/ {2,}/g, ' ');
}

/** The keys that erase `text` just typed at a terminal prompt: one DEL (what Backspace sends) per character. */
export function terminalErase(text: string): string {
  return '\u007f'.repeat([...text].length);
}
