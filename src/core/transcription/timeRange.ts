// The part of a file to transcribe (--from / --to), parsed from the command line and checked against the file's
// duration before any audio is decoded, so a bad range fails at once with a message that shows both.
import { TranscriptionError } from './transcriptionError';

export interface TimeRange {
  readonly fromSeconds: number;
  /** Undefined: to the end of the file. */
  readonly toSeconds?: number;
}

/** "90", "90.5", "1:30", "1:02:03.25" → seconds; undefined when the text is not a time. */
export function parseTimestamp(text: string): number | undefined {
  const match = /^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?|\.\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const [, first, second, last] = match;
  const hours = second !== undefined ? Number(first) : 0;
  const minutes = second !== undefined ? Number(second) : first !== undefined ? Number(first) : 0;
  if ((first !== undefined && second !== undefined && minutes >= 60) || ((first !== undefined || second !== undefined) && Number(last) >= 60)) return undefined;
  return hours * 3600 + minutes * 60 + Number(last);
}

/** 83.5 → "1:23.5", 3723 → "1:02:03": for messages and Markdown headings. */
export function formatClock(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  const whole = Math.floor(tenths / 10);
  const fraction = tenths % 10 ? `.${tenths % 10}` : '';
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}${fraction}`;
}

/**
 * Checks a range on its own (finite, not negative, from < to) and, when the duration is known, against the file:
 * a range that starts at or after the end is an error; one that only ends after it is cut to the end.
 */
export function validateRange(range: Partial<TimeRange>, durationSeconds?: number): TimeRange {
  const fromSeconds = range.fromSeconds ?? 0;
  const toSeconds = range.toSeconds;
  if (!Number.isFinite(fromSeconds) || fromSeconds < 0) throw new TranscriptionError('BAD_RANGE', `The start of the range must be a time of 0 s or more (got ${fromSeconds}).`);
  if (toSeconds !== undefined) {
    if (!Number.isFinite(toSeconds) || toSeconds < 0) throw new TranscriptionError('BAD_RANGE', `The end of the range must be a time of 0 s or more (got ${toSeconds}).`);
    if (toSeconds <= fromSeconds) throw new TranscriptionError('BAD_RANGE', `The range ends (${formatClock(toSeconds)}) before it starts (${formatClock(fromSeconds)}).`);
  }
  if (durationSeconds === undefined) return { fromSeconds, toSeconds };
  if (fromSeconds >= durationSeconds) {
    throw new TranscriptionError('BAD_RANGE', `The range starts at ${formatClock(fromSeconds)}, but the file is only ${formatClock(durationSeconds)} long.`);
  }
  return { fromSeconds, toSeconds: toSeconds === undefined ? undefined : Math.min(toSeconds, durationSeconds) };
}
