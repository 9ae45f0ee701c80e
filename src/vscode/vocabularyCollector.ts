// Collects the words of the person's code for Whisper's prompt (core/vocabulary/vocabularyPrompt builds it): the
// identifiers around the cursor, the symbols of the documents open in editors, the workspace's own names and the
// person's word list. All of it is gathered ahead of time, on editor changes and after a short quiet spell: a phrase
// only reads the prompt already built, so the vocabulary never adds latency to dictation.
import * as vscode from 'vscode';
import {
  branchFromHead, branchTerms, buildVocabularyPrompt, identifiersIn, identifiersNear, type VocabularyPrompt,
} from '../core/vocabulary/vocabularyPrompt';
import type { Config } from './config';
import type { Log } from './log';

/** Characters either side of the cursor searched for identifiers. */
const NEAR_CURSOR_CHARS = 3000;
/** How long the symbols of an edited document are reused before its symbol provider is asked again. */
const SYMBOLS_MAX_AGE_MS = 10_000;
/** The person's own word list, one term per line, in a workspace folder. */
export const USER_WORDS_FILE = '.vscode/dictation-words.txt';
/** Top-level folders that are build output or dependencies, not the project's own names. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'out', 'build', 'target', 'coverage', 'vendor', 'venv', '__pycache__']);

export class VocabularyCollector implements vscode.Disposable {
  private latest: VocabularyPrompt = { prompt: '', terms: [], tokens: 0 };
  private readonly symbolCache = new Map<string, { version: number; names: string[]; at: number }>();
  private workspaceWords: string[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;
  /** Settles when the workspace's words have been read (tests wait for it). */
  readonly ready: Promise<void>;

  constructor(private readonly config: Config, private readonly log: Log, private readonly debounceMs = 500) {
    const schedule = () => this.schedule();
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(schedule),
      vscode.window.onDidChangeVisibleTextEditors(schedule),
      vscode.window.onDidChangeTextEditorSelection(schedule),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reloadWorkspace()),
      config.onDidChange((change) => {
        if (change.affected('vocabularyWords') || change.affected('vocabularyFromCode')) schedule();
      }),
    );
    // The word list, package.json files and the git branch change rarely: read them again when they do.
    const watcher = vscode.workspace.createFileSystemWatcher(`**/{${USER_WORDS_FILE},package.json,.git/HEAD}`);
    // (The word file is also read again at every refresh.)
    const reload = () => void this.reloadWorkspace();
    this.subscriptions.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload));
    this.ready = this.reloadWorkspace();
  }

  /** The prompt for the next phrase, as last built: reading it costs nothing. Undefined when there are no terms. */
  current(): string | undefined {
    return this.latest.prompt || undefined;
  }

  /** The last built prompt and its terms (the tests and the log read it). */
  get vocabulary(): VocabularyPrompt {
    return this.latest;
  }

  /** Builds the prompt now (the end of the quiet spell, and the tests). */
  async refresh(): Promise<VocabularyPrompt> {
    const { vocabularyWords, vocabularyFromCode } = this.config.settings;
    // The word files are read every time (a few small reads, off the phrase path): a deleted .vscode folder sends no
    // event for the file inside it.
    const user = [...vocabularyWords, ...(await this.readWordFiles())];
    let nearCursor: string[] = [];
    let symbols: string[] = [];
    let workspace: string[] = [];
    if (vocabularyFromCode) {
      const active = vscode.window.activeTextEditor;
      if (active) nearCursor = this.identifiersAroundCursor(active);
      const documents = unique([active?.document, ...vscode.window.visibleTextEditors.map((e) => e.document)]);
      for (const document of documents) symbols.push(...(await this.symbolsOf(document)));
      symbols = [...new Set(symbols)];
      workspace = this.workspaceWords;
    }
    if (this.disposed) return this.latest;
    this.latest = buildVocabularyPrompt({ user, nearCursor, symbols, workspace });
    return this.latest;
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh().catch((error) => this.log.warn(`Could not collect the vocabulary: ${(error as Error).message}`));
    }, this.debounceMs);
  }

  private identifiersAroundCursor(editor: vscode.TextEditor): string[] {
    const document = editor.document;
    const cursor = document.offsetAt(editor.selection.active);
    const start = Math.max(0, cursor - NEAR_CURSOR_CHARS);
    const text = document.getText(new vscode.Range(document.positionAt(start), document.positionAt(cursor + NEAR_CURSOR_CHARS)));
    return identifiersNear(text, cursor - start);
  }

  /** The document's symbol names, from its language's symbol provider, once per version of the document. */
  private async symbolsOf(document: vscode.TextDocument): Promise<string[]> {
    if (document.uri.scheme === 'output' || document.isClosed) return [];
    const key = document.uri.toString();
    const cached = this.symbolCache.get(key);
    // While the person types, a new version every keystroke: the symbols of a few seconds ago are good enough.
    if (cached && (cached.version === document.version || Date.now() - cached.at < SYMBOLS_MAX_AGE_MS)) return cached.names;
    let found: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
    try {
      found = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>('vscode.executeDocumentSymbolProvider', document.uri);
    } catch {
      found = undefined;
    }
    const names: string[] = [];
    const visit = (symbol: vscode.DocumentSymbol | vscode.SymbolInformation) => {
      names.push(...identifiersIn(symbol.name));
      if ('children' in symbol) symbol.children.forEach(visit);
    };
    (found ?? []).forEach(visit);
    // A provider that is still starting answers nothing: ask again next time instead of caching the empty answer.
    if (found?.length) this.symbolCache.set(key, { version: document.version, names, at: Date.now() });
    if (this.symbolCache.size > 50) this.symbolCache.delete(this.symbolCache.keys().next().value!);
    return names;
  }

  /** Folder names, package names and dependencies, the git branch. */
  private async reloadWorkspace(): Promise<void> {
    const words: string[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      words.push(folder.name);
      const branch = branchFromHead(await readText(vscode.Uri.joinPath(folder.uri, '.git/HEAD')));
      if (branch) words.push(...branchTerms(branch));
      words.push(...packageWords(await readText(vscode.Uri.joinPath(folder.uri, 'package.json'))));
      try {
        for (const [name, type] of await vscode.workspace.fs.readDirectory(folder.uri)) {
          if (type === vscode.FileType.Directory && !name.startsWith('.') && !SKIPPED_FOLDERS.has(name)) words.push(name);
        }
      } catch {
        // An unreadable folder has no names to offer.
      }
    }
    this.workspaceWords = [...new Set(words)];
    this.schedule();
  }

  /** The person's word lists (.vscode/dictation-words.txt): one term a line, # starts a comment. */
  private async readWordFiles(): Promise<string[]> {
    const words: string[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const list = await readText(vscode.Uri.joinPath(folder.uri, USER_WORDS_FILE));
      words.push(...list.split(/\r?\n/).map((line) => line.replace(/#.*$/, '').trim()).filter(Boolean));
    }
    return words;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

/** A package.json's name and dependencies as a person says them ("@scope/smart-whisper" → "smart-whisper"). */
function packageWords(text: string): string[] {
  if (!text) return [];
  try {
    const manifest = JSON.parse(text) as { name?: unknown; dependencies?: object; devDependencies?: object };
    const names = [manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
    return names.filter((n): n is string => typeof n === 'string' && !n.startsWith('@types/')).map((n) => n.replace(/^@[^/]+\//, ''));
  } catch {
    return [];
  }
}

async function readText(uri: vscode.Uri): Promise<string> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return '';
  }
}

function unique<T>(items: readonly (T | undefined)[]): T[] {
  return [...new Set(items.filter((i): i is T => i !== undefined))];
}
