#!/usr/bin/env node
// Enforces the layering: src/core is pure (no vscode, no Node I/O), src/node and src/worker never import vscode.
// Run by `npm run lint` and by the unit tests (test/unit/layers.test.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const NODE_IO = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'worker_threads', 'os', 'dgram', 'cluster', 'tls', 'dns', 'readline', 'process', 'zlib', 'stream', 'path', 'url'];

const rules = [
  { dir: 'src/core', forbidden: (spec) => spec === 'vscode' || spec.startsWith('node:') || NODE_IO.includes(spec) || /\/(node|vscode|worker)\//.test(spec), why: 'core must stay pure (no vscode, no Node I/O, no adapters)' },
  { dir: 'src/node', forbidden: (spec) => spec === 'vscode' || /\/vscode\//.test(spec), why: 'Node adapters must not depend on vscode' },
  { dir: 'src/worker', forbidden: (spec) => spec === 'vscode' || /\/vscode\//.test(spec), why: 'the worker runs outside the extension host' },
];

function files(dir) {
  let out = [];
  let names = [];
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const importPattern = /(?:import\s[^'"]*?from\s*|import\s*\(\s*|require\s*\(\s*|export\s[^'"]*?from\s*)['"]([^'"]+)['"]/g;
export function violations() {
  const found = [];
  for (const rule of rules) {
    for (const file of files(join(root, rule.dir))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(importPattern)) {
        if (rule.forbidden(match[1])) found.push(`${relative(root, file)}: imports '${match[1]}' — ${rule.why}`);
      }
    }
  }
  return found;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const found = violations();
  for (const line of found) console.error(line);
  console.log(found.length ? `layer check: ${found.length} violation(s)` : 'layer check: ok');
  process.exit(found.length ? 1 : 0);
}
