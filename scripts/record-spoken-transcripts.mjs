// Records what the real dictation path (the Whisper worker, tiny.en, the controller's decoding options) writes for
// spoken punctuation and commands, as fixtures for test/unit/spokenCommands.test.ts. The speech is real: Debian's
// asterisk-core-sounds-en-wav (Allison Smith's voice, CC BY-SA 3.0: single words such as "comma" and IVR prompts)
// and the public evaluation clips (../shared/eval/public), some joined with a short pause so that a command word is
// said at a phrase's end, as a person dictating would. Run: node --import tsx scripts/record-spoken-transcripts.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWavAs16kMono } from '../src/node/audio/wavFile.ts';
import { addonCandidates } from '../src/node/whisper/addonVariant.ts';
import { WhisperClient } from '../src/node/whisper/client.ts';
import { fixtureModelPath } from '../src/node/model/fixtureModel.ts';

const root = join(fileURLToPath(import.meta.url), '../..');
const asterisk = '/usr/share/asterisk/sounds/en';
const evalDir = join(root, '../shared/eval/public');
const a = (name) => ({ path: join(asterisk, `${name}.wav`), label: `asterisk-core-sounds-en ${name}` });
const p = (name) => ({ path: join(evalDir, `${name}.wav`), label: `eval/public ${name}` });
const W = {
  comma: a('letters/ascii44'), colon: a('letters/ascii58'), semicolon: a('letters/ascii59'), question: a('letters/ascii63'),
  openParen: a('letters/ascii40'), closeParen: a('letters/ascii41'), leftBracket: a('letters/ascii91'), rightBracket: a('letters/ascii93'),
  quote: a('letters/ascii34'), dash: a('letters/dash'), dot: a('letters/dot'), exclamation: a('letters/exclaimation-point'),
  underscore: a('letters/ascii95'), slash: a('letters/slash'), new: a('vm-INBOX'),
  goForward: p('p07_pocketsphinx_goforward'), cards: p('p08_pocketsphinx_cards_005'), arctic: p('p16_cmu_arctic_awb_a0007'),
};

/** Name → the clips said one after the other (250 ms apart), as one phrase. */
const CLIPS = {
  comma: [W.comma], colon: [W.colon], semicolon: [W.semicolon], 'question mark': [W.question],
  'open parenthesis': [W.openParen], 'close parenthesis': [W.closeParen], 'left bracket': [W.leftBracket], 'right bracket': [W.rightBracket],
  quote: [W.quote], dash: [W.dash], dot: [W.dot], 'exclamation point': [W.exclamation], underscore: [W.underscore], slash: [W.slash],
  'go forward + comma': [W.goForward, W.comma],
  'go forward + question mark': [W.goForward, W.question],
  'go forward + exclamation point': [W.goForward, W.exclamation],
  'go forward + close parenthesis': [W.goForward, W.closeParen],
  'go forward + dot': [W.goForward, W.dot],
  'go forward + dash': [W.goForward, W.dash],
  'open parenthesis + go forward + close parenthesis': [W.openParen, W.goForward, W.closeParen],
  'arctic + colon': [W.arctic, W.colon],
  'cards + semicolon': [W.cards, W.semicolon],
  'cards + comma + colon': [W.cards, W.comma, W.colon],
  // Command words that are not at the phrase's end: they stay text.
  'comma + go forward': [W.comma, W.goForward],
  'go forward + comma + cards': [W.goForward, W.comma, W.cards],
  // Prompts that use command-like words as words.
  'stay on the line': [a('queue-periodic-announce')],
  'first in line': [a('queue-youarenext')],
  'a new extension': [a('agent-newlocation')],
  'separated by star': [a('demo-enterkeywords')],
  'press star to cancel': [a('vm-star-cancel')],
  'not available on this line': [a('feature-not-avail-line')],
};

const work = mkdtempSync(join(tmpdir(), 'spoken-'));
const client = new WhisperClient({ workerScript: join(root, 'dist/whisperWorker.js'), host: 'process', addonCandidates: addonCandidates(root), idleUnloadMs: 0 });
const options = { language: 'en', threads: 2, beamSize: 1, audioContext: 'fit', timestamps: false };
const out = [];
try {
  await client.ensureModel(fixtureModelPath());
  for (const [name, parts] of Object.entries(CLIPS)) {
    const wav = join(work, 'clip.wav');
    // 16 kHz mono; 250 ms of silence between parts and 300 ms around them, as a short pause inside a phrase.
    const pieces = parts.map((part, i) => {
      const piece = join(work, `part${i}.wav`);
      execFileSync('sox', ['-q', part.path, '-r', '16000', '-c', '1', '-b', '16', piece, 'pad', i === 0 ? '0.3' : '0', i === parts.length - 1 ? '0.3' : '0.25']);
      return piece;
    });
    execFileSync('sox', ['-q', ...pieces, wav]);
    const result = await client.transcribe(await readWavAs16kMono(wav), options);
    out.push({ name, source: parts.map((part) => part.label).join(' + '), transcript: result.text.trim() });
    console.log(`${name.padEnd(50)} ${JSON.stringify(result.text.trim())}`);
  }
} finally {
  await client.shutdown();
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(join(root, 'test/fixtures/spoken/transcripts.json'), JSON.stringify({
  recordedWith: 'tiny.en (ggml-tiny.en.bin), the Whisper worker with dictation options: greedy, fitted window, no timestamps',
  clips: out,
}, null, 2) + '\n');
