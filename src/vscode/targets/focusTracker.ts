// Which target had focus last, from what VS Code tells extensions: an editor, terminal or notebook became active,
// or the person clicked or typed in an editor. Keybindings know more (their `when` clauses see terminalFocus,
// scmRepository, inChatInput) and report it through note(). VS Code has no event for focus moving into the commit
// box or the chat input, nor back into an already active terminal: that is what the keybindings and the
// "Dictate Into…" picker are for.
import * as vscode from 'vscode';
import { FocusHistory, TargetKind } from '../../core/targets/targetChoice';

export class FocusTracker implements vscode.Disposable {
  private readonly history = new FocusHistory();
  private readonly emitter = new vscode.EventEmitter<TargetKind>();
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    const editorKind = (editor: vscode.TextEditor): TargetKind => (editor.document.uri.scheme === 'vscode-notebook-cell' ? 'notebook' : 'editor');
    if (vscode.window.activeTextEditor) this.note(editorKind(vscode.window.activeTextEditor));
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.note(editorKind(editor))),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        // Only the person's own clicks and keys: our edits move selections too.
        const kind = event.kind;
        if (kind === vscode.TextEditorSelectionChangeKind.Keyboard || kind === vscode.TextEditorSelectionChangeKind.Mouse) this.note(editorKind(event.textEditor));
      }),
      vscode.window.onDidChangeActiveTerminal((terminal) => terminal && this.note('terminal')),
      vscode.window.onDidChangeTerminalState((terminal) => terminal === vscode.window.activeTerminal && terminal.state.isInteractedWith && this.note('terminal')),
      vscode.window.onDidChangeActiveNotebookEditor((editor) => editor && this.note('notebook')),
      vscode.window.onDidChangeNotebookEditorSelection(() => this.note('notebook')),
    ];
  }

  note(kind: TargetKind, at = Date.now()): void {
    if (this.history.note(kind, at)) this.emitter.fire(kind);
  }

  get current(): TargetKind | undefined {
    return this.history.current;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
