// Puts dictated text where the person is working. For each phrase it asks which target had focus (or which one
// the person pinned), lets that target take the text (editor, terminal, commit message box, notebook cell, chat
// input), and falls back to the clipboard when none can; every phrase also goes to the transcript history.
// Dictated text never goes nowhere.
import * as vscode from 'vscode';
import type { Delivery, TranscriptHistory } from '../core/history/transcriptHistory';
import { chooseTarget, TargetAvailability, TargetDecision, TargetKind, TargetRequest } from '../core/targets/targetChoice';
import { targetName } from './targets/targetNames';
import type { InsertionPiece } from '../core/text/insertionFormat';
import type { ClipboardTarget } from './targets/clipboardTarget';
import type { FocusTracker } from './targets/focusTracker';
import type { Composer, Delivered, InsertOptions, TextTarget } from './targets/textTarget';

export type { Composer } from './targets/textTarget';

/** Where text goes now, for the status bar. */
export interface TargetStatus {
  decision: TargetDecision;
  label: string;
  /** The concrete place (file, terminal name, repository), when known. */
  detail?: string;
  pinned: boolean;
}

/** How many phrases back repeated "scratch that" reaches. */
const SCRATCH_DEPTH = 10;

export class TextInserter implements vscode.Disposable {
  /** The phrases "scratch that" can take back, newest last; each removes itself only if still there unchanged. */
  private readonly delivered: Delivered[] = [];
  private request: TargetRequest = 'focus';
  private readonly targets = new Map<TargetKind, TextTarget>();
  private readonly emitter = new vscode.EventEmitter<TargetStatus>();
  /** Fires when the place text goes to may have changed (focus moved, a target was pinned). */
  readonly onDidChangeTarget = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  /** The last phrase inserted and the kind of place it went ("Improve Last Phrase" replaces it there). */
  lastDelivered?: { delivered: Delivered; kind: TargetKind; text: string };

  constructor(
    private readonly history: TranscriptHistory,
    private readonly compose: Composer,
    private readonly clipboard: ClipboardTarget,
    private readonly focus: FocusTracker,
    targets: readonly TextTarget[],
  ) {
    for (const target of targets) this.targets.set(target.kind, target);
    this.subscription = focus.onDidChange(() => this.emitter.fire(this.status()));
  }

  /** Pins a target ('focus' follows the focus again). */
  setRequest(request: TargetRequest): void {
    this.request = request;
    this.emitter.fire(this.status());
  }

  get pinned(): TargetRequest {
    return this.request;
  }

  /** A keybinding whose `when` clause saw the focus (terminalFocus, scmRepository, …) says where it is. */
  noteFocus(kind: TargetKind): void {
    this.focus.note(kind);
    this.emitter.fire(this.status());
  }

  /** Says again where text goes (a dictation starts; a target may have appeared or gone meanwhile). */
  refresh(): void {
    this.emitter.fire(this.status());
  }

  /** A dictation ends: the pin is released and targets forget what they typed. */
  endDictation(): void {
    this.request = 'focus';
    for (const target of this.targets.values()) target.reset?.();
    this.emitter.fire(this.status());
  }

  availability(): TargetAvailability {
    const can = (kind: TargetKind) => !!this.targets.get(kind)?.available();
    return { editor: can('editor'), terminal: can('terminal'), scm: can('scm'), notebook: can('notebook'), chat: can('chat') };
  }

  decide(): TargetDecision {
    return chooseTarget(this.request, this.focus.current, this.availability());
  }

  /** The live preview (ghost text in the active editor) shows where the phrase will land only for these targets. */
  previewsInEditor(): boolean {
    const kind = this.decide().kind;
    return kind === 'editor' || (kind === 'notebook' && vscode.window.activeTextEditor?.document.uri.scheme === 'vscode-notebook-cell');
  }

  status(): TargetStatus {
    const decision = this.decide();
    return {
      decision,
      label: targetName(decision.kind),
      detail: decision.kind === 'clipboard' ? undefined : this.targets.get(decision.kind)?.describe(),
      pinned: this.request !== 'focus',
    };
  }

  /** Inserts a phrase (words and line breaks) as one edit, and records it in the history. */
  async insert(phrase: readonly InsertionPiece[] | string, options?: InsertOptions): Promise<Delivery> {
    const pieces: readonly InsertionPiece[] = typeof phrase === 'string' ? [{ kind: 'text', text: phrase }] : phrase;
    const plain = this.compose('', '', pieces);
    const decision = this.decide();
    let kind: TargetKind = decision.kind;
    let delivered: Delivered | undefined;
    if (kind !== 'clipboard') {
      try {
        delivered = await this.targets.get(kind)?.insert(pieces, this.compose, options);
      } catch {
        delivered = undefined;
      }
    }
    if (!delivered) {
      const why = kind !== 'clipboard' ? vscode.l10n.t('The {0} could not take the dictated text', targetName(kind).toLowerCase()) : this.fallbackReason(decision);
      kind = 'clipboard';
      delivered = await this.clipboard.insert(pieces, this.compose, why);
    }
    this.delivered.push(delivered);
    this.lastDelivered = { delivered, kind, text: plain };
    if (this.delivered.length > SCRATCH_DEPTH) this.delivered.shift();
    const delivery: Delivery = kind === 'clipboard' ? 'clipboard' : 'inserted';
    this.history.add({ text: plain, at: Date.now(), delivery, target: delivered.where, kind });
    this.emitter.fire(this.status());
    return delivery;
  }

  private fallbackReason(decision: TargetDecision): string {
    if (decision.unavailable && decision.unavailable !== 'editor') return vscode.l10n.t('Dictation: the {0} is not available', targetName(decision.unavailable).toLowerCase());
    if (decision.reason === 'pinned') return vscode.l10n.t('Dictation goes to the clipboard');
    return vscode.l10n.t('No editor is open for dictation');
  }

  /**
   * "scratch that": removes the last inserted phrase if it is still there unchanged; said again, the one before it
   * (up to SCRATCH_DEPTH phrases back).
   */
  async removeLast(): Promise<boolean> {
    const last = this.delivered.pop();
    return last ? last.remove() : false;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
    for (const target of this.targets.values()) target.dispose?.();
  }
}
