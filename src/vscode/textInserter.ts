// Puts dictated text where the person is working: at every cursor of the active editor, as one undo step per
// phrase, formatted for the text around each cursor. When no editor can take it the text goes to the clipboard;
// every phrase also goes to the transcript history. Dictated text never goes nowhere.
import * as vscode from 'vscode';
import type { Delivery, TranscriptHistory } from '../core/history/transcriptHistory';
import type { InsertionPiece } from '../core/text/insertionFormat';

/** Turns a phrase's pieces into the text to insert between `before` and `after`. */
export type Composer = (before: string, after: string, pieces: readonly InsertionPiece[]) => string;

interface LastInsertion {
  document: vscode.TextDocument;
  version: number;
  ranges: vscode.Range[];
  texts: string[];
}

/** How much context around the cursor the formatter sees. */
const CONTEXT_CHARS = 400;

export class TextInserter {
  private last?: LastInsertion;
  private editorFocus?: vscode.TextEditor;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly history: TranscriptHistory,
    private readonly compose: Composer,
    private readonly notify: (message: string) => void,
  ) {
    // Remember the last text editor that had focus: clicking the status bar or a notification must not lose the target.
    this.editorFocus = vscode.window.activeTextEditor;
    this.subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor) this.editorFocus = editor;
    });
  }

  private targetEditor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    const remembered = this.editorFocus;
    if (remembered && vscode.window.visibleTextEditors.includes(remembered) && !remembered.document.isClosed) return remembered;
    return undefined;
  }

  /** Inserts a phrase (words and line breaks) as one edit, and records it in the history. */
  async insert(phrase: readonly InsertionPiece[] | string): Promise<Delivery> {
    const pieces: readonly InsertionPiece[] = typeof phrase === 'string' ? [{ kind: 'text', text: phrase }] : phrase;
    const plain = this.compose('', '', pieces);
    const editor = this.targetEditor();
    let delivery: Delivery = 'clipboard';
    if (editor && (await this.insertInto(editor, pieces))) {
      delivery = 'inserted';
    } else {
      await vscode.env.clipboard.writeText(plain);
      this.notify(editor ? 'The editor could not take the dictated text; it is on the clipboard and in Dictation: Show History.' : 'No editor is open for dictation; the text is on the clipboard and in Dictation: Show History.');
    }
    this.history.add({ text: plain, at: Date.now(), delivery, target: editor?.document.uri.toString() });
    return delivery;
  }

  private async insertInto(editor: vscode.TextEditor, pieces: readonly InsertionPiece[]): Promise<boolean> {
    const document = editor.document;
    const selections = [...editor.selections];
    const texts = selections.map((selection) => {
      const beforeStart = document.positionAt(Math.max(0, document.offsetAt(selection.start) - CONTEXT_CHARS));
      const afterEnd = document.positionAt(document.offsetAt(selection.end) + CONTEXT_CHARS);
      const before = document.getText(new vscode.Range(beforeStart, selection.start));
      const after = document.getText(new vscode.Range(selection.end, afterEnd));
      return this.compose(before, after, pieces);
    });
    // Offsets must be taken before the edit changes the document.
    const order = selections.map((selection, i) => ({ start: document.offsetAt(selection.start), end: document.offsetAt(selection.end), i }))
      .sort((a, b) => a.start - b.start);
    let ok = false;
    try {
      ok = await editor.edit(
        (builder) => selections.forEach((selection, i) => builder.replace(selection, texts[i])),
        { undoStopBefore: true, undoStopAfter: true },
      );
    } catch {
      ok = false;
    }
    if (!ok) return false;
    // Where each text landed: original offsets shifted by what earlier (lower-offset) insertions added.
    const ranges: vscode.Range[] = new Array(selections.length);
    let shift = 0;
    for (const item of order) {
      const start = item.start + shift;
      ranges[item.i] = new vscode.Range(document.positionAt(start), document.positionAt(start + texts[item.i].length));
      shift += texts[item.i].length - (item.end - item.start);
    }
    this.last = { document, version: document.version, ranges, texts };
    return true;
  }

  /** "scratch that": removes the last inserted phrase if it is still there unchanged. */
  async removeLast(): Promise<boolean> {
    const last = this.last;
    this.last = undefined;
    if (!last || last.document.isClosed) return false;
    const stillThere = last.ranges.every((range, i) => last.document.getText(range) === last.texts[i]);
    if (!stillThere) return false;
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === last.document);
    const edit = new vscode.WorkspaceEdit();
    for (const range of last.ranges) edit.delete(last.document.uri, range);
    const applied = await vscode.workspace.applyEdit(edit);
    if (applied && editor) editor.selections = last.ranges.map((r) => new vscode.Selection(r.start, r.start));
    return applied;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
