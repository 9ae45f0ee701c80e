// The chat input, where VS Code offers a way in: `workbench.action.chat.open` with a partial query puts text in
// the chat box without sending it. The command replaces the box's text, so this target keeps the dictation's
// draft and sends all of it each time; it is used only when asked for (picker or a keybinding in the chat input).
// The command alone does not mean there is a chat box: code-server 4.100 registers it but, with no chat extension,
// opens nothing and the text would vanish. So chat counts as available only when an installed extension
// contributes a chat participant (GitHub Copilot Chat and others do).
import * as vscode from 'vscode';
import type { InsertionPiece } from '../../core/text/insertionFormat';
import type { Composer, Delivered, TextTarget } from './textTarget';

export const CHAT_OPEN_COMMAND = 'workbench.action.chat.open';

export class ChatTarget implements TextTarget {
  readonly kind = 'chat' as const;
  private commandExists = false;
  private draft = '';
  private readonly subscription: vscode.Disposable;

  constructor() {
    void this.detect();
    // A chat extension installed or enabled later adds the command.
    this.subscription = vscode.extensions.onDidChange(() => void this.detect());
  }

  /** Whether VS Code has the chat command and an extension that gives the chat view an input to put text in. */
  async detect(): Promise<boolean> {
    const hasParticipant = vscode.extensions.all.some((e) => Array.isArray(e.packageJSON?.contributes?.chatParticipants) && e.packageJSON.contributes.chatParticipants.length > 0);
    this.commandExists = hasParticipant && (await vscode.commands.getCommands(true)).includes(CHAT_OPEN_COMMAND);
    return this.commandExists;
  }

  available(): boolean {
    return this.commandExists;
  }

  describe(): string | undefined {
    return this.commandExists ? vscode.l10n.t('chat input') : undefined;
  }

  async insert(pieces: readonly InsertionPiece[], compose: Composer): Promise<Delivered | undefined> {
    if (!this.commandExists) return undefined;
    const before = this.draft;
    const text = compose(before, '', pieces);
    if (!text) return undefined;
    try {
      await vscode.commands.executeCommand(CHAT_OPEN_COMMAND, { query: before + text, isPartialQuery: true });
    } catch {
      return undefined;
    }
    this.draft = before + text;
    return {
      where: 'chat',
      remove: async () => {
        if (this.draft !== before + text) return false;
        this.draft = before;
        await vscode.commands.executeCommand(CHAT_OPEN_COMMAND, { query: before, isPartialQuery: true });
        return true;
      },
    };
  }

  reset(): void {
    this.draft = '';
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
