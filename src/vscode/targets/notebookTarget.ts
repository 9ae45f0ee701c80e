// The active notebook's selected cell: at the cursors when the cell is being edited (exactly like the editor),
// otherwise appended to the end of the cell.
import * as vscode from 'vscode';
import type { InsertionPiece } from '../../core/text/insertionFormat';
import { insertIntoEditor, removeRanges } from './editorTarget';
import type { Composer, Delivered, TextTarget } from './textTarget';

const CONTEXT_CHARS = 400;

export class NotebookTarget implements TextTarget {
  readonly kind = 'notebook' as const;

  private cell(): vscode.NotebookCell | undefined {
    const editor = vscode.window.activeNotebookEditor;
    if (!editor || editor.notebook.isClosed || editor.notebook.cellCount === 0) return undefined;
    const index = Math.min(editor.selection.start, editor.notebook.cellCount - 1);
    return editor.notebook.cellAt(Math.max(0, index));
  }

  available(): boolean {
    return !!this.cell();
  }

  describe(): string | undefined {
    const cell = this.cell();
    return cell ? vscode.l10n.t('{0}, cell {1}', vscode.workspace.asRelativePath(cell.notebook.uri), cell.index + 1) : undefined;
  }

  async insert(pieces: readonly InsertionPiece[], compose: Composer): Promise<Delivered | undefined> {
    const cell = this.cell();
    if (!cell) return undefined;
    const document = cell.document;
    const cellEditor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    if (cellEditor && vscode.window.activeTextEditor === cellEditor) return insertIntoEditor(cellEditor, pieces, compose);
    const end = document.positionAt(document.getText().length);
    const before = document.getText(new vscode.Range(document.positionAt(Math.max(0, document.getText().length - CONTEXT_CHARS)), end));
    const text = compose(before, '', pieces);
    if (!text) return undefined;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, end, text);
    if (!(await vscode.workspace.applyEdit(edit))) return undefined;
    const range = new vscode.Range(end, document.positionAt(document.offsetAt(end) + text.length));
    return { where: document.uri.toString(), remove: () => removeRanges(document, [range], [text]) };
  }
}
