// The Source Control commit message box, through the built-in git extension's API (repository.inputBox). The
// repository is the one holding the active file, else the one shown in the Source Control view, else the first.
import { sep } from 'node:path';
import * as vscode from 'vscode';
import type { InsertionPiece } from '../../core/text/insertionFormat';
import type { Composer, Delivered, TextTarget } from './textTarget';

/** The part of the git extension's API (extensions/git/src/api/git.d.ts, version 1) used here. */
export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  readonly ui: { readonly selected: boolean };
}
export interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  readonly repositories: GitRepository[];
}
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

function isInside(file: string, root: string): boolean {
  const prefix = root.endsWith(sep) ? root : root + sep;
  return file === root || file.startsWith(prefix);
}

export function gitApi(): GitApi | undefined {
  const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!extension?.isActive || !extension.exports?.enabled) return undefined;
  try {
    return extension.exports.getAPI(1);
  } catch {
    return undefined;
  }
}

export class ScmTarget implements TextTarget {
  readonly kind = 'scm' as const;

  private repository(): GitRepository | undefined {
    const repositories = gitApi()?.repositories ?? [];
    if (repositories.length <= 1) return repositories[0];
    // The repository of the file being edited (the innermost one); `ui.selected` is true for every repository
    // shown in the Source Control view, so it only decides when exactly one is shown.
    const file = vscode.window.activeTextEditor?.document.uri;
    if (file?.scheme === 'file') {
      const holding = repositories
        .filter((r) => isInside(file.fsPath, r.rootUri.fsPath))
        .sort((a, b) => b.rootUri.fsPath.length - a.rootUri.fsPath.length)[0];
      if (holding) return holding;
    }
    const selected = repositories.filter((r) => r.ui.selected);
    return selected.length === 1 ? selected[0] : repositories[0];
  }

  available(): boolean {
    return !!this.repository();
  }

  describe(): string | undefined {
    const repository = this.repository();
    return repository ? vscode.workspace.asRelativePath(repository.rootUri) : undefined;
  }

  async insert(pieces: readonly InsertionPiece[], compose: Composer): Promise<Delivered | undefined> {
    const repository = this.repository();
    if (!repository) return undefined;
    const before = repository.inputBox.value;
    const text = compose(before, '', pieces);
    if (!text) return undefined;
    repository.inputBox.value = before + text;
    return {
      where: `scm:${repository.rootUri.toString()}`,
      remove: async () => {
        if (repository.inputBox.value !== before + text) return false;
        repository.inputBox.value = before;
        return true;
      },
    };
  }
}
