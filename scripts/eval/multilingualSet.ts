// A small multilingual evaluation set from Debian's Asterisk prompts (asterisk-core-sounds-{es,fr,it,ru}-wav,
// CC BY-SA): professional human voices reading PBX prompts in Spanish, Canadian French, Italian and Russian, with
// their transcripts in /usr/share/doc/asterisk-core-sounds-XX/core-sounds-XX.txt.gz.
//
// Picks N clips per language, the same ones on every machine: prompts whose transcript is a plain sentence of 5 to
// 25 words (no "[beep]" annotations, no digits in the text: Whisper writes numbers as digits or words at will) and
// whose audio is long enough to be that speech (at most 4 words a second: some transcripts describe a tone, such as
// Italian's "un suono di beep discendente" for a 0.4-s beep), sorted by name and spread evenly over the list. The audio is 8 kHz (some 16 kHz) PCM WAV, read and resampled to
// 16 kHz by the project's own WAV reader.
//
//   node --import tsx scripts/eval/multilingualSet.ts [N] [OUT_DIR]   lists the set, or writes it as 16 kHz WAVs
//                                                                      plus manifest.tsv (lang, file, transcript)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encodePcm16Wav, parseWavHeader } from '../../src/core/audio/wav';
import { readWavAs16kMono } from '../../src/node/audio/wavFile';

export const EVAL_LANGUAGES = ['es', 'fr', 'it', 'ru'] as const;
export type EvalLanguage = (typeof EVAL_LANGUAGES)[number];

export interface MultilingualClip {
  readonly language: EvalLanguage;
  /** The prompt's name (the WAV's file name without `.wav`). */
  readonly name: string;
  readonly wav: string;
  readonly transcript: string;
}

const SOUNDS = '/usr/share/asterisk/sounds';

export function transcriptFile(language: string): string {
  return `/usr/share/doc/asterisk-core-sounds-${language}/core-sounds-${language}.txt.gz`;
}

/** The Debian packages the set needs (scripts/setup.sh installs them). */
export const EVAL_PACKAGES = EVAL_LANGUAGES.map((l) => `asterisk-core-sounds-${l}-wav`);

/** Why the set cannot be built on this machine, or undefined when it can. */
export function multilingualSetMissing(): string | undefined {
  const absent = EVAL_LANGUAGES.filter((l) => !existsSync(transcriptFile(l)) || !existsSync(join(SOUNDS, l)));
  return absent.length ? `the Asterisk prompts are not installed for ${absent.join(', ')} (apt-get install ${EVAL_PACKAGES.join(' ')})` : undefined;
}

function parseTranscripts(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([\w-]+(?:\/[\w-]+)?):\s*(.+?)\s*$/.exec(line);
    if (match && !entries.has(match[1])) entries.set(match[1], match[2]);
  }
  return entries;
}

function usable(transcript: string, wav: string): boolean {
  const words = transcript.split(/\s+/).filter(Boolean).length;
  if (words < 5 || words > 25 || /[[\]<>{}\d]/.test(transcript) || !existsSync(wav)) return false;
  const bytes = readFileSync(wav);
  const header = parseWavHeader(bytes);
  const seconds = header.dataLength / (header.sampleRate * header.channels * (header.bitsPerSample / 8));
  return seconds >= words / 4;
}

/** N clips per language (fewer when a language has fewer usable prompts). */
export function multilingualSet(perLanguage = 8): MultilingualClip[] {
  const clips: MultilingualClip[] = [];
  for (const language of EVAL_LANGUAGES) {
    const transcripts = parseTranscripts(gunzipSync(readFileSync(transcriptFile(language))).toString('utf8'));
    const candidates = [...transcripts]
      .filter(([name, transcript]) => !name.includes('/') && usable(transcript, join(SOUNDS, language, `${name}.wav`)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const n = Math.min(perLanguage, candidates.length);
    for (let i = 0; i < n; i++) {
      const [name, transcript] = candidates[Math.floor((i * candidates.length) / n)];
      clips.push({ language, name, wav: join(SOUNDS, language, `${name}.wav`), transcript });
    }
  }
  return clips;
}

/** One prompt by name, whether or not the set picks it. */
export function clipByName(language: EvalLanguage, name: string): MultilingualClip {
  const transcript = parseTranscripts(gunzipSync(readFileSync(transcriptFile(language))).toString('utf8')).get(name);
  if (!transcript) throw new Error(`no ${language} prompt named ${name}`);
  return { language, name, wav: join(SOUNDS, language, `${name}.wav`), transcript };
}

export function readClip(clip: MultilingualClip): Promise<Float32Array> {
  return readWavAs16kMono(clip.wav);
}

if (require.main === module) {
  void (async () => {
    const perLanguage = Number(process.argv[2] ?? 8);
    const outDir = process.argv[3];
    const missing = multilingualSetMissing();
    if (missing) throw new Error(missing);
    const clips = multilingualSet(perLanguage);
    if (!outDir) {
      for (const clip of clips) console.log(`${clip.language}\t${clip.name}\t${clip.transcript}`);
      return;
    }
    mkdirSync(outDir, { recursive: true });
    const manifest: string[] = [];
    for (const clip of clips) {
      const file = `${clip.language}_${clip.name}.wav`;
      writeFileSync(join(outDir, file), encodePcm16Wav(await readClip(clip), 16000));
      manifest.push(`${clip.language}\t${file}\t${clip.transcript}`);
    }
    writeFileSync(join(outDir, 'manifest.tsv'), `${manifest.join('\n')}\n`);
    console.log(`${clips.length} clips in ${outDir}`);
  })().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
