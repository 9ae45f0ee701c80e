// Shows the words of the phrase being spoken as ghost text at the cursor, until the final text replaces them.
import * as vscode from 'vscode';

export class LivePreview implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorGhostText.foreground'), fontStyle: 'italic', margin: '0 0 0 0.25em' },
  });
  private shownIn?: vscode.TextEditor;
  /** The text currently previewed (tests and the status bar read it). */
  current = '';
  /** Whether the words are going to the active editor; when they go to the terminal, say, a preview there misleads. */
  showsInEditor: () => boolean = () => true;

  /** Shows `text` at every cursor of the active editor; false when there is none to show it in. */
  show(text: string): boolean {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !text || !this.showsInEditor()) return false;
    this.clear();
    this.current = text;
    this.shownIn = editor;
    editor.setDecorations(
      this.decoration,
      editor.selections.map((s) => ({ range: new vscode.Range(s.active, s.active), renderOptions: { after: { contentText: `${text} …` } } })),
    );
    return true;
  }

  clear(): void {
    this.shownIn?.setDecorations(this.decoration, []);
    this.shownIn = undefined;
    this.current = '';
  }

  dispose(): void {
    this.clear();
    this.decoration.dispose();
  }
}
