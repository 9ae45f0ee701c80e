// Word error rate of the real tiny.en model over the public evaluation set, per clip and in total.
// Run: node --import tsx scripts/eval-wer.ts [--model <ggml.bin>] [--dir <eval dir>] [--threads N]
// Defaults: the fixture model (npm run model:fixture) and ../shared/eval/public beside the checkout.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { aggregateWer, normaliseForWer, wordErrorRate, type WerScore } from '../src/core/text/wer';
import { findRepoRoot, fixtureModelPath } from '../src/node/model/fixtureModel';
import { transcribeClips } from './eval/transcribeClips';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const root = findRepoRoot(__dirname) ?? process.cwd();
  const model = resolve(option('--model') ?? fixtureModelPath());
  const dir = resolve(option('--dir') ?? join(root, '../shared/eval/public'));
  const threads = option('--threads') ? Number(option('--threads')) : undefined;
  if (!existsSync(model)) throw new Error(`model not found: ${model} (run npm run model:fixture)`);
  const wavs = readdirSync(dir).filter((name) => name.endsWith('.wav')).sort().map((name) => join(dir, name));
  const started = Date.now();
  const transcripts = await transcribeClips(model, wavs, { threads });
  const scores: WerScore[] = [];
  let audioSeconds = 0;
  let transcribeMs = 0;
  console.log('clip\tref_words\tS\tD\tI\tWER\tRTF\thypothesis (normalised)');
  for (const clip of transcripts) {
    const reference = readFileSync(clip.wav.replace(/\.wav$/, '.txt'), 'utf8');
    const score = wordErrorRate(reference, clip.text);
    scores.push(score);
    audioSeconds += clip.seconds;
    transcribeMs += clip.ms;
    const rtf = clip.ms / 1000 / clip.seconds;
    console.log(`${basename(clip.wav, '.wav')}\t${score.refWords}\t${score.substitutions}\t${score.deletions}\t${score.insertions}\t${(score.wer * 100).toFixed(1)}%\t${rtf.toFixed(2)}\t${normaliseForWer(clip.text)}`);
  }
  const total = aggregateWer(scores);
  console.log(
    `TOTAL\t${total.refWords}\t${total.substitutions}\t${total.deletions}\t${total.insertions}\t${(total.wer * 100).toFixed(1)}%\t${(transcribeMs / 1000 / audioSeconds).toFixed(2)}\t` +
      `(${wavs.length} clips, ${audioSeconds.toFixed(1)} s audio, ${((Date.now() - started) / 1000).toFixed(1)} s wall incl. model load)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
