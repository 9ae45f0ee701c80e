// The integrated terminal: the words are typed at the prompt and never executed — no Enter, no Tab, no control
// keys (terminalText), and sendText without its new line. The person reads them and presses Enter.
import * as vscode from 'vscode';
import { terminalErase, terminalText } from '../../core/targets/targetChoice';
import type { InsertionPiece } from '../../core/text/insertionFormat';
import type { Composer, Delivered, TextTarget } from './textTarget';

export class TerminalTarget implements TextTarget {
  readonly kind = 'terminal' as const;
  /** What this dictation typed into each terminal, so the next phrase continues it with the right spacing. */
  private typed = new WeakMap<vscode.Terminal, string>();

  private terminal(): vscode.Terminal | undefined {
    const terminal = vscode.window.activeTerminal;
    return terminal && terminal.exitStatus === undefined ? terminal : undefined;
  }

  available(): boolean {
    return !!this.terminal();
  }

  describe(): string | undefined {
    return this.terminal()?.name;
  }

  async insert(pieces: readonly InsertionPiece[], compose: Composer): Promise<Delivered | undefined> {
    const terminal = this.terminal();
    if (!terminal) return undefined;
    const before = this.typed.get(terminal) ?? '';
    const text = terminalText(compose(before, '', pieces));
    if (!text) return undefined;
    terminal.sendText(text, false);
    this.typed.set(terminal, before + text);
    return {
      where: `terminal:${terminal.name}`,
      remove: async () => {
        if (terminal.exitStatus !== undefined || this.typed.get(terminal) !== before + text) return false;
        // Backspace (DEL) once per character: the prompt erases exactly what was typed.
        terminal.sendText(terminalErase(text), false);
        this.typed.set(terminal, before);
        return true;
      },
    };
  }

  reset(): void {
    this.typed = new WeakMap();
  }
}
