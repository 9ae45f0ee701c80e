// Reads a server's answer to /v1/audio/transcriptions into the project's segments. verbose_json (whisper.cpp's
// server, speaches, vLLM, OpenAI) has `segments` with `start`/`end` in seconds; plain json has only `text`, which
// becomes one segment over the whole audio. whisper.cpp's server answers some failures with HTTP 200 and
// {"error": "…"}: that is an error, not an empty transcript.
import { RemoteEngineError } from '../../core/remote/remoteEngineError';
import type { TranscriptSegment } from '../whisper/protocol';

export interface ParsedTranscription {
  readonly text: string;
  readonly segments: TranscriptSegment[];
  /** The answer had timed segments (verbose_json honoured). */
  readonly timed: boolean;
}

interface RawSegment {
  start?: unknown;
  end?: unknown;
  text?: unknown;
}

export function parseTranscription(body: string, durationMs: number, origin: string): ParsedTranscription {
  let value: { text?: unknown; segments?: unknown; error?: unknown };
  try {
    value = JSON.parse(body) as typeof value;
  } catch {
    throw new RemoteEngineError('BAD_RESPONSE', `The transcription server at ${origin} sent an answer that is not valid JSON (${body.length} bytes, starting "${body.slice(0, 40)}").`);
  }
  if (!value || typeof value !== 'object') throw new RemoteEngineError('BAD_RESPONSE', `The transcription server at ${origin} sent JSON that is not a transcription.`);
  if (value.error !== undefined) {
    const error = value.error as { message?: unknown } | string;
    const detail = typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : JSON.stringify(error);
    throw new RemoteEngineError('BAD_RESPONSE', `The transcription server at ${origin} reported an error: ${detail.slice(0, 200)}`);
  }
  if (Array.isArray(value.segments)) {
    const segments: TranscriptSegment[] = [];
    for (const raw of value.segments as RawSegment[]) {
      const start = Number(raw?.start);
      const end = Number(raw?.end);
      if (typeof raw?.text !== 'string' || !Number.isFinite(start) || !Number.isFinite(end))
        throw new RemoteEngineError('BAD_RESPONSE', `The transcription server at ${origin} sent a segment without text or times.`);
      const fromMs = clamp(Math.round(start * 1000), 0, durationMs);
      segments.push({ fromMs, toMs: clamp(Math.round(end * 1000), fromMs, durationMs), text: raw.text });
    }
    const text = segments.map((s) => s.text).join('').trim();
    return { text, segments, timed: true };
  }
  if (typeof value.text !== 'string') throw new RemoteEngineError('BAD_RESPONSE', `The transcription server at ${origin} sent JSON without "text".`);
  // Servers put line breaks between segments of the plain text; a phrase is one run of words.
  const text = value.text.replace(/\s*\n\s*/g, ' ').trim();
  return { text, segments: text ? [{ fromMs: 0, toMs: durationMs, text: ` ${text}` }] : [], timed: false };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
