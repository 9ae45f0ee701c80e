#!/usr/bin/env node
// `npm run bench:fuzz`: the fuzz properties of test/unit/fuzz.test.ts at benchmark size — 1,000 mutated WAV files
// through the streaming reader, 1,000 mutated job caches, and 1,000 mutated WAV files through the CLI with the real
// model (most end in a coded error at once; the ones still readable start a worker and transcribe). Counts every case that crashed, hung, threw an
// uncoded error, left a temp file or brought back a record never stored. Results: bench/results/fuzz.{json,md}.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { cacheMutationArbitrary, cliProblem, exerciseMutatedCache, mutate, mutationArbitrary, readThroughStreamingReader, transcribeWithCli } from '../../test/support/fuzz.ts';
import { fixtureModelPath } from '../../src/node/model/fixtureModel.ts';
import { runContext } from '../report.mjs';

const root = join(fileURLToPath(import.meta.url), '../../..');
const original = new Uint8Array(readFileSync(join(root, '../shared/eval/public/p07_pocketsphinx_goforward.wav')));
const scratch = mkdtempSync(join(tmpdir(), 'bench-fuzz-'));
const sizes = { reader: Number(process.env.FUZZ_READER ?? 1000), cache: Number(process.env.FUZZ_CACHE ?? 1000), cli: Number(process.env.FUZZ_CLI ?? 1000) };
let n = 0;

async function run(name, runs, arbitrary, check) {
  const failures = [];
  const outcomes = {};
  const started = Date.now();
  await fc.assert(fc.asyncProperty(arbitrary, async (input) => {
    const { problem, outcome } = await check(input);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (problem) failures.push({ input, problem });
    return true;
  }), { numRuns: runs, seed: 20261202 });
  return { target: name, cases: runs, failures: failures.length, outcomes, seconds: Math.round((Date.now() - started) / 1000), examples: failures.slice(0, 5) };
}

try {
  const results = [];
  results.push(await run('WAV through the streaming reader', sizes.reader, mutationArbitrary(), async (mutations) => {
    const path = join(scratch, `case-${++n}.wav`);
    writeFileSync(path, mutate(original, mutations));
    const outcome = await readThroughStreamingReader(path);
    rmSync(path, { force: true });
    return { outcome: outcome.kind === 'coded' ? outcome.code : outcome.kind, problem: outcome.kind === 'failure' ? outcome.what : undefined };
  }));
  results.push(await run('job-cache index and chunk records', sizes.cache, cacheMutationArbitrary(), async (mutations) => {
    const cacheRoot = join(scratch, `cache-${++n}`);
    const problem = await exerciseMutatedCache(cacheRoot, mutations);
    rmSync(cacheRoot, { recursive: true, force: true });
    return { outcome: problem ? 'failure' : 'answered', problem };
  }));
  results.push(await run('WAV through the CLI (real model)', sizes.cli, mutationArbitrary(), async (mutations) => {
    const path = join(scratch, `cli-${++n}.wav`);
    writeFileSync(path, mutate(original, mutations));
    const outcome = await transcribeWithCli(join(root, 'dist/cli.js'), path, fixtureModelPath());
    rmSync(path, { force: true });
    return { outcome: outcome.exitCode === 0 ? 'transcript' : `exit ${outcome.exitCode ?? outcome.signal}`, problem: cliProblem(outcome) };
  }));
  const summary = { ...runContext(), cases: results.reduce((a, r) => a + r.cases, 0), failures: results.reduce((a, r) => a + r.failures, 0), results };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/fuzz.json'), JSON.stringify(summary, null, 2) + '\n');
  const rows = results.map((r) => `| ${r.target} | ${r.cases} | ${r.failures} | ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')} | ${r.seconds} |`).join('\n');
  writeFileSync(join(root, 'bench/results/fuzz.md'), `# Fuzzed inputs (${summary.date})

\`npm run bench:fuzz\` (fast-check, seed 20261202): real WAV files mutated (header fields, chunk sizes, inserted chunks,
truncation, random bytes) and the transcript cache's files mutated on disk. A failure is a crash, a hang, an error
without a code, a temp file left behind, or a cached record that was never stored.

**${summary.failures} failures in ${summary.cases} cases.**

| target | cases | failures | outcomes | seconds |
|---|---|---|---|---|
${rows}

Machine: ${summary.machine}.
`);
  console.log(`bench:fuzz: ${summary.failures} failures in ${summary.cases} cases`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
