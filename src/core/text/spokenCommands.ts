// Spoken editing commands inside dictated text: "new line", "new paragraph", "scratch that". Whisper writes them
// with its own capitals and punctuation ("New line.", "...and then, new paragraph, ..."), so matching ignores both.

export type DictationAction = { kind: 'text'; text: string } | { kind: 'newline'; count: number } | { kind: 'scratch' };

const COMMANDS: { pattern: RegExp; action: DictationAction }[] = [
  { pattern: /\bnew\s+paragraph\b/i, action: { kind: 'newline', count: 2 } },
  { pattern: /\bnew\s+line\b/i, action: { kind: 'newline', count: 1 } },
  { pattern: /\bscratch\s+that\b/i, action: { kind: 'scratch' } },
];

const ANY_COMMAND = new RegExp(COMMANDS.map((c) => c.pattern.source).join('|'), 'gi');

/** Punctuation Whisper puts around a spoken command, which belongs to the command, not to the text. */
const EDGE_PUNCTUATION = /^[\s,.;:!?-]+|[\s,;:-]+$/g;

/**
 * Splits a transcript into text and commands, in spoken order. With commands disabled the whole transcript is text.
 */
export function parseSpokenCommands(transcript: string, enabled = true): DictationAction[] {
  if (!enabled) return transcript.trim() ? [{ kind: 'text', text: transcript.trim() }] : [];
  const actions: DictationAction[] = [];
  let last = 0;
  for (const match of transcript.matchAll(ANY_COMMAND)) {
    pushText(actions, transcript.slice(last, match.index));
    const command = COMMANDS.find((c) => c.pattern.test(match[0]))!;
    actions.push({ ...command.action });
    last = match.index! + match[0].length;
    // A sentence end spoken right after the command ("New line.") is the command's, not the next text's.
    const trailing = /^[.!?]/.exec(transcript.slice(last));
    if (trailing) last += trailing[0].length;
  }
  pushText(actions, transcript.slice(last));
  return actions;
}

function pushText(actions: DictationAction[], raw: string): void {
  const text = raw.replace(EDGE_PUNCTUATION, '').trim();
  if (text && /[\p{L}\p{N}]/u.test(text)) actions.push({ kind: 'text', text });
}
