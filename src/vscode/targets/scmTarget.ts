// The Source Control commit message box, through the built-in git extension's API (repository.inputBox). The
// repository is the one selected in the Source Control view, else the one holding the active file, else the only one.
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
    const selected = repositories.find((r) => r.ui.selected);
    if (selected) return selected;
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const holding = file ? repositories.filter((r) => file.startsWith(r.rootUri.fsPath)).sort((a, b) => b.rootUri.fsPath.length - a.rootUri.fsPath.length)[0] : undefined;
    return holding ?? repositories[0];
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
