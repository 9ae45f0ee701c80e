// The seam between a dictated phrase and the place it goes. One implementation per place a developer writes
// (editor, terminal, commit message box, notebook cell, chat input, clipboard); TextInserter picks one per phrase.
import type { TargetKind } from '../../core/targets/targetChoice';
import type { InsertionPiece } from '../../core/text/insertionFormat';

/** Turns a phrase's pieces into the text to insert between `before` and `after`. */
export type Composer = (before: string, after: string, pieces: readonly InsertionPiece[]) => string;

export interface Delivered {
  /** Where the text went (a document URI, a terminal's name, a repository), for the history. */
  where: string;
  /** "scratch that": removes this phrase again if it is still there unchanged; false when it cannot. */
  remove(): Promise<boolean>;
  /**
   * "Improve Last Phrase": puts other text in this phrase's place as one undo step, if the phrase is still there
   * unchanged; false when it is not. Only targets whose text can be found again offer it (the editor).
   */
  replace?(pieces: readonly InsertionPiece[], compose: Composer): Promise<boolean>;
  /** Whether the phrase is still there as it was put (with replace). */
  unchanged?(): boolean;
  /**
   * Refinement (only for a phrase inserted with `openUndo`): puts the pieces in the phrase's place as part of the
   * phrase's own undo step, only if the document has not changed at all since the phrase went in; false otherwise.
   * With `joining`, the phrases inserted just before this one (a monologue cut at the length limit) are replaced
   * together with it: only if each went in right where the one before it ended, with nothing else changing the
   * document in between (false otherwise, and nothing is replaced).
   */
  refine?(pieces: readonly InsertionPiece[], compose: Composer, joining?: readonly Delivered[]): Promise<boolean>;
  /** Ends the undo step left open for the refinement, if nothing else has ended it (no refinement landed). */
  closeUndo?(): Promise<void>;
}

export interface InsertOptions {
  /**
   * Leave the phrase's undo step open for a refinement (targets that cannot replace their text ignore it): the
   * Delivered then has `refine` and `closeUndo`, and one of them must follow.
   */
  openUndo?: boolean;
}

export interface TextTarget {
  readonly kind: TargetKind;
  /** Can take text right now (cheap: asked for every phrase and for the status bar). */
  available(): boolean;
  /** The place text would go now, for the status bar tooltip (a file name, a terminal's name). */
  describe(): string | undefined;
  /** Puts the phrase there; undefined when the target refused it (the caller then uses the clipboard). */
  insert(pieces: readonly InsertionPiece[], compose: Composer, options?: InsertOptions): Promise<Delivered | undefined>;
  /** A new dictation starts (targets that remember what they sent, e.g. for spacing, forget it). */
  reset?(): void;
  dispose?(): void;
}
