// The text editor: at every cursor, as one undo step per phrase, formatted for the text around each cursor. The
// editor is the active one or, when focus went to the status bar or a notification, the last one that had focus.
import * as vscode from 'vscode';
import type { InsertionPiece } from '../../core/text/insertionFormat';
import type { Composer, Delivered, InsertOptions, TextTarget } from './textTarget';

/** How much context around the cursor the formatter sees. */
const CONTEXT_CHARS = 400;

export class EditorTarget implements TextTarget {
  readonly kind = 'editor' as const;
  private editorFocus?: vscode.TextEditor;
  private readonly subscription: vscode.Disposable;

  constructor() {
    // Remember the last text editor that had focus: clicking the status bar or a notification must not lose the target.
    this.editorFocus = vscode.window.activeTextEditor;
    this.subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor) this.editorFocus = editor;
    });
  }

  editor(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    const remembered = this.editorFocus;
    if (remembered && vscode.window.visibleTextEditors.includes(remembered) && !remembered.document.isClosed) return remembered;
    return undefined;
  }

  available(): boolean {
    return !!this.editor();
  }

  describe(): string | undefined {
    const editor = this.editor();
    return editor ? vscode.workspace.asRelativePath(editor.document.uri) : undefined;
  }

  async insert(pieces: readonly InsertionPiece[], compose: Composer, options?: InsertOptions): Promise<Delivered | undefined> {
    const editor = this.editor();
    return editor ? insertIntoEditor(editor, pieces, compose, options) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/**
 * Replaces every selection of `editor` with the composed phrase in one edit (one undo step). With `openUndo` the
 * undo step stays open after it (VS Code pushes an undo stop only where an edit asks for one), so that a refinement
 * can join it: then one undo still removes the whole phrase, refined or not.
 */
export async function insertIntoEditor(editor: vscode.TextEditor, pieces: readonly InsertionPiece[], compose: Composer, options: InsertOptions = {}): Promise<Delivered | undefined> {
  const openUndo = !!options.openUndo;
  const document = editor.document;
  const selections = [...editor.selections];
  const texts = selections.map((selection) => {
    const beforeStart = document.positionAt(Math.max(0, document.offsetAt(selection.start) - CONTEXT_CHARS));
    const afterEnd = document.positionAt(document.offsetAt(selection.end) + CONTEXT_CHARS);
    const before = document.getText(new vscode.Range(beforeStart, selection.start));
    const after = document.getText(new vscode.Range(selection.end, afterEnd));
    return compose(before, after, pieces);
  });
  const versionBefore = document.version;
  // Offsets must be taken before the edit changes the document.
  const order = selections.map((selection, i) => ({ start: document.offsetAt(selection.start), end: document.offsetAt(selection.end), i }))
    .sort((a, b) => a.start - b.start);
  let ok = false;
  try {
    ok = await editor.edit(
      (builder) => selections.forEach((selection, i) => builder.replace(selection, texts[i])),
      { undoStopBefore: true, undoStopAfter: !openUndo },
    );
  } catch {
    ok = false;
  }
  if (!ok) return undefined;
  const versionAfterEdit = document.version;
  // Any later change to the document (the next phrase, the person typing) moves its version on: then the
  // refinement must not replace anything (it would overwrite or join someone else's edit).
  let versionAfterPhrase: number | undefined = openUndo ? versionAfterEdit : undefined;
  // Where each text landed: original offsets shifted by what earlier (lower-offset) insertions added.
  const ranges: vscode.Range[] = new Array(selections.length);
  let shift = 0;
  for (const item of order) {
    const start = item.start + shift;
    ranges[item.i] = new vscode.Range(document.positionAt(start), document.positionAt(start + texts[item.i].length));
    shift += texts[item.i].length - (item.end - item.start);
  }
  // The phrase as it stands now: an improvement replaces it, and "scratch that" then removes the improved text.
  let current = { ranges, texts };
  const delivered: Delivered = {
    where: document.uri.toString(),
    remove: () => removeRanges(document, current.ranges, current.texts),
    unchanged: () => !document.isClosed && current.ranges.every((range, i) => document.getText(range) === current.texts[i]),
    replace: async (newPieces, newCompose) => {
      const replaced = await replaceRanges(document, current.ranges, current.texts, newPieces, newCompose);
      if (replaced) current = replaced;
      return !!replaced;
    },
    ...(openUndo && {
      refine: async (newPieces: readonly InsertionPiece[], newCompose: Composer, joining?: readonly Delivered[]) => {
        if (versionAfterPhrase === undefined || document.isClosed || document.version !== versionAfterPhrase) return false;
        const span = joining?.length ? joinedSpan(joining, footprint()) : { ranges: current.ranges, texts: current.texts };
        // Not joinable: the phrase's undo step stays open for closeUndo.
        if (!span) return false;
        versionAfterPhrase = undefined;
        // Cursors that were at the end of the phrase stay at the end of the refined phrase (the person goes on there).
        const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
        const atEnds = !!editor && editor.selections.length === current.ranges.length && editor.selections.every((s, i) => s.isEmpty && s.active.isEqual(current.ranges[i].end));
        // No stop before: the edit joins the phrase's open undo step; the stop after closes it.
        const replaced = await replaceRanges(document, span.ranges, span.texts, newPieces, newCompose, { undoStopBefore: false, undoStopAfter: true });
        if (!replaced) return false;
        current = replaced;
        if (atEnds && editor) editor.selections = replaced.ranges.map((range) => new vscode.Selection(range.end, range.end));
        return true;
      },
      closeUndo: async () => {
        const version = versionAfterPhrase;
        versionAfterPhrase = undefined;
        // Changed since: whatever changed it came after the phrase and has its own undo step (typing and the next
        // phrase push a stop before their edit), and an edit here could no longer be checked against the phrase.
        if (version === undefined || document.isClosed || document.version !== version) return;
        const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
        const end = current.ranges[0]?.end;
        if (!editor || !end) return;
        // An edit that changes nothing, only for its undo stop (an edit with no changes never reaches the editor).
        await Promise.resolve(editor.edit((builder) => builder.insert(end, ''), { undoStopBefore: false, undoStopAfter: true })).catch(() => false);
      },
    }),
  };
  // Single-cursor phrases only: a joined span is one stretch of text.
  const footprint = (): Footprint | undefined => current.ranges.length === 1
    ? { document, range: current.ranges[0], text: current.texts[0], versionBefore, versionAfter: versionAfterEdit }
    : undefined;
  footprints.set(delivered, footprint);
  return delivered;
}

/** Where a phrase went in and the document's versions just before and after its edit (for joining phrases). */
interface Footprint {
  document: vscode.TextDocument;
  range: vscode.Range;
  text: string;
  versionBefore: number;
  versionAfter: number;
}

const footprints = new WeakMap<Delivered, () => Footprint | undefined>();

/**
 * The stretch of text made of `earlier` phrases and `last`, if they went into one document one right after the
 * other (each edit at the end of the one before, no other change between them: the versions chain up); undefined
 * otherwise.
 */
function joinedSpan(earlier: readonly Delivered[], last: Footprint | undefined): { ranges: vscode.Range[]; texts: string[] } | undefined {
  const parts = [...earlier.map((d) => footprints.get(d)?.()), last];
  if (parts.some((p) => !p)) return undefined;
  const chain = parts as Footprint[];
  for (let i = 1; i < chain.length; i++) {
    const [before, after] = [chain[i - 1], chain[i]];
    if (after.document !== before.document || after.versionBefore !== before.versionAfter || !after.range.start.isEqual(before.range.end)) return undefined;
  }
  return { ranges: [new vscode.Range(chain[0].range.start, chain[chain.length - 1].range.end)], texts: [chain.map((p) => p.text).join('')] };
}

/**
 * Replaces each of `ranges` (if each still holds the text put there) with the pieces composed for the text around
 * it, as one edit with undo stops around it: one undo brings the old text back. Returns where the new text is.
 */
export async function replaceRanges(
  document: vscode.TextDocument, ranges: readonly vscode.Range[], texts: readonly string[], pieces: readonly InsertionPiece[], compose: Composer,
  undoStops: { undoStopBefore: boolean; undoStopAfter: boolean } = { undoStopBefore: true, undoStopAfter: true },
): Promise<{ ranges: vscode.Range[]; texts: string[] } | undefined> {
  if (document.isClosed) return undefined;
  if (!ranges.every((range, i) => document.getText(range) === texts[i])) return undefined;
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
  if (!editor) return undefined;
  const newTexts = ranges.map((range) => {
    const before = document.getText(new vscode.Range(document.positionAt(Math.max(0, document.offsetAt(range.start) - CONTEXT_CHARS)), range.start));
    const after = document.getText(new vscode.Range(range.end, document.positionAt(document.offsetAt(range.end) + CONTEXT_CHARS)));
    return compose(before, after, pieces);
  });
  const order = ranges.map((range, i) => ({ start: document.offsetAt(range.start), end: document.offsetAt(range.end), i })).sort((a, b) => a.start - b.start);
  let ok = false;
  try {
    ok = await editor.edit((builder) => ranges.forEach((range, i) => builder.replace(range, newTexts[i])), undoStops);
  } catch {
    ok = false;
  }
  if (!ok) return undefined;
  const newRanges: vscode.Range[] = new Array(ranges.length);
  let shift = 0;
  for (const item of order) {
    const start = item.start + shift;
    newRanges[item.i] = new vscode.Range(document.positionAt(start), document.positionAt(start + newTexts[item.i].length));
    shift += newTexts[item.i].length - (item.end - item.start);
  }
  return { ranges: newRanges, texts: newTexts };
}

/** Deletes `ranges` if each still holds the text put there; the cursors go where the text was. */
export async function removeRanges(document: vscode.TextDocument, ranges: readonly vscode.Range[], texts: readonly string[]): Promise<boolean> {
  if (document.isClosed) return false;
  const stillThere = ranges.every((range, i) => document.getText(range) === texts[i]);
  if (!stillThere) return false;
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const edit = new vscode.WorkspaceEdit();
  for (const range of ranges) edit.delete(document.uri, range);
  const applied = await vscode.workspace.applyEdit(edit);
  if (applied && editor) editor.selections = ranges.map((r) => new vscode.Selection(r.start, r.start));
  return applied;
}
