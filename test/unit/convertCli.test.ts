// The CLI dispatcher (src/cli.ts) and its convert-ct2 subcommand: exit codes, usage text, messages.
import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCli, type CliCommand, type CliIo } from '../../src/cli';
import { PROJECTION_ALIAS, syntheticVocabulary, syntheticWhisperVariables, writeCt2Model, writeGgmlHeader } from './convertFixtures';

function capture(env: NodeJS.ProcessEnv = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: (line) => out.push(line), stderr: (line) => err.push(line) };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-test-'));
  await mkdir(join(dir, 'ct2'));
  await writeFile(join(dir, 'ct2', 'model.bin'), writeCt2Model(syntheticWhisperVariables(), { aliases: [PROJECTION_ALIAS] }));
  await writeFile(join(dir, 'ct2', 'vocabulary.txt'), syntheticVocabulary().join('\n') + '\n');
  await writeFile(join(dir, 'header.bin'), writeGgmlHeader());
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runCli', () => {
  it('prints usage with exit 2 without a command, and exit 0 for --help', async () => {
    const none = capture();
    assert.equal(await runCli([], none), EXIT_USAGE);
    assert.match(none.err.join('\n'), /model-fixture[\s\S]*convert-ct2/);
    const help = capture();
    assert.equal(await runCli(['--help'], help), EXIT_OK);
    assert.match(help.out.join('\n'), /usage: offline-dictation <command>/);
  });

  it('rejects unknown commands with exit 2', async () => {
    const io = capture();
    assert.equal(await runCli(['transcribe-everything'], io), EXIT_USAGE);
    assert.match(io.err[0], /unknown command: transcribe-everything/);
  });

  it('dispatches through the table it is given (new subcommands are one entry)', async () => {
    const seen: (readonly string[])[] = [];
    const echo: CliCommand = { name: 'echo', summary: 'test', usage: 'echo <x>', run: async (args) => (seen.push(args), 3) };
    assert.equal(await runCli(['echo', 'a', 'b'], capture(), [echo]), 3);
    assert.deepEqual(seen, [['a', 'b']]);
  });

  it('convert-ct2: bad arguments give usage and exit 2', async () => {
    for (const args of [['convert-ct2'], ['convert-ct2', 'a'], ['convert-ct2', 'a', 'b', '--order', 'random'], ['convert-ct2', 'a', 'b', '--header'], ['convert-ct2', 'a', 'b', '--frobnicate']]) {
      const io = capture();
      assert.equal(await runCli(args, io), EXIT_USAGE, args.join(' '));
      assert.match(io.err.join('\n'), /usage: offline-dictation convert-ct2/);
    }
  });

  it('convert-ct2: converts, prints "sha256  path" and exits 0', async () => {
    const io = capture();
    const output = join(dir, 'out.bin');
    assert.equal(await runCli(['convert-ct2', join(dir, 'ct2'), output, '--header', join(dir, 'header.bin')], io), EXIT_OK);
    assert.match(io.out[0], new RegExp(`^[0-9a-f]{64}  ${output}$`));
    assert.equal((await readFile(`${output}.sha256`, 'utf8')).split(' ')[0], io.out[0].split(' ')[0]);
    assert.match(io.err.join('\n'), /self-check passed/);
  });

  it('convert-ct2: a conversion error is one line with its code, exit 1, no output file', async () => {
    const io = capture();
    const outDir = join(dir, 'failed');
    await mkdir(outDir);
    assert.equal(await runCli(['convert-ct2', join(dir, 'header.bin'), join(outDir, 'x.bin'), '--header', join(dir, 'header.bin')], io), EXIT_FAILURE);
    assert.match(io.err.join('\n'), /^convert-ct2 failed \[UNSUPPORTED_FORMAT\]/);
    assert.deepEqual(await readdir(outDir), []);
  });
});
