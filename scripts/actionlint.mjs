#!/usr/bin/env node
// `npm run lint` part: checks .github/workflows/*.yml with actionlint (github.com/rhysd/actionlint), the Go module,
// built once into .cache/go-bin by `go install` (scripts/setup.sh provides Go; the Go module proxy serves it).
// Extra arguments are passed on: `node scripts/actionlint.mjs path/to/other.yml` checks that file instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACTIONLINT_VERSION = 'v1.7.12';
const root = join(fileURLToPath(import.meta.url), '../..');
const cache = join(root, '.cache');
const bin = join(cache, 'go-bin', process.platform === 'win32' ? 'actionlint.exe' : 'actionlint');

function findGo() {
  // scripts/setup-go.sh: a new enough go on the PATH or in /usr/local/go, else the toolchain it fetched.
  for (const candidate of [process.env.GO, join(cache, 'go-toolchain/bin/go'), 'go', '/usr/local/go/bin/go'].filter(Boolean)) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('actionlint: Go is not installed (bash scripts/setup.sh installs it)');
}

function installedVersion() {
  if (!existsSync(bin)) return undefined;
  const run = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  return run.stdout.split('\n')[0].trim();
}

if (installedVersion() !== ACTIONLINT_VERSION) {
  mkdirSync(join(cache, 'go-bin'), { recursive: true });
  console.log(`actionlint: go install github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}`);
  execFileSync(findGo(), ['install', `github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}`], {
    stdio: 'inherit',
    env: {
      ...process.env,
      GOBIN: join(cache, 'go-bin'),
      GOMODCACHE: process.env.GOMODCACHE ?? join(cache, 'go-mod'),
      GOCACHE: process.env.GOCACHE ?? join(cache, 'go-build'),
      GOFLAGS: '-modcacherw',
      // An older Go fetches the toolchain the module asks for from the Go proxy.
      GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto',
    },
  });
}

const files = process.argv.slice(2);
const workflows = join(root, '.github/workflows');
const targets = files.length ? files : readdirSync(workflows).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(workflows, f));
// -shellcheck= : shellcheck is not installed everywhere; actionlint still checks expressions, contexts, runner labels.
const run = spawnSync(bin, ['-color', '-shellcheck=', ...targets], { stdio: 'inherit', cwd: root });
if (run.status === 0) console.log(`actionlint: ${targets.length} workflow file(s) ok`);
process.exit(run.status ?? 1);
