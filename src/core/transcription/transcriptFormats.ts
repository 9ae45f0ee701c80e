// The ways a finished transcript is written out: plain text, Markdown with timestamps, SRT and WebVTT subtitles,
// and JSON for programs. Every format takes the same absolute segments (milliseconds from the start of the file),
// so subtitles line up with the recording even when only a range of it was transcribed.
import type { TimedSegment } from './timedSegment';
import { segmentsText } from './timedSegment';

export const TRANSCRIPT_FORMATS = ['txt', 'md', 'srt', 'vtt', 'json'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

export function isTranscriptFormat(value: string): value is TranscriptFormat {
  return (TRANSCRIPT_FORMATS as readonly string[]).includes(value);
}

export interface TranscriptInfo {
  /** File name shown in the Markdown heading and the JSON. */
  readonly source?: string;
  readonly model?: string;
  /** The transcribed range, absolute milliseconds. */
  readonly fromMs?: number;
  readonly toMs?: number;
  /** False when the run was cancelled and the transcript covers only part of the range. */
  readonly complete?: boolean;
}

/** A pause at least this long starts a new paragraph in text and Markdown. */
const PARAGRAPH_PAUSE_MS = 3000;
/** Subtitle players drop cues of zero length. */
const MIN_CUE_MS = 100;

export function formatTranscript(format: TranscriptFormat, segments: readonly TimedSegment[], info: TranscriptInfo = {}): string {
  switch (format) {
    case 'txt':
      return toText(segments);
    case 'md':
      return toMarkdown(segments, info);
    case 'srt':
      return toSrt(segments);
    case 'vtt':
      return toVtt(segments);
    case 'json':
      return toJson(segments, info);
  }
}

/** 3723004 → "01:02:03,004" (SRT) or "01:02:03.004" (WebVTT). */
export function formatCueTime(ms: number, separator: ',' | '.'): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const rest = total % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${separator}${String(rest).padStart(3, '0')}`;
}

/** "[01:02:03]" for Markdown: to the second. */
function clockStamp(ms: number): string {
  return formatCueTime(ms, '.').slice(0, 8);
}

function paragraphs(segments: readonly TimedSegment[]): TimedSegment[][] {
  const groups: TimedSegment[][] = [];
  let previousEnd = -Infinity;
  for (const segment of segments) {
    if (!segment.text.trim()) continue;
    if (groups.length === 0 || segment.startMs - previousEnd >= PARAGRAPH_PAUSE_MS) groups.push([]);
    groups[groups.length - 1].push(segment);
    previousEnd = segment.endMs;
  }
  return groups;
}

function toText(segments: readonly TimedSegment[]): string {
  const body = paragraphs(segments).map(segmentsText).join('\n\n');
  return body ? `${body}\n` : '';
}

function toMarkdown(segments: readonly TimedSegment[], info: TranscriptInfo): string {
  const lines = [`# Transcript${info.source ? ` of ${escapeMarkdown(info.source)}` : ''}`, ''];
  const details = [
    info.fromMs !== undefined || info.toMs !== undefined ? `${clockStamp(info.fromMs ?? 0)}–${info.toMs !== undefined ? clockStamp(info.toMs) : 'end'}` : undefined,
    info.model ? `model ${escapeMarkdown(info.model)}` : undefined,
    info.complete === false ? 'incomplete (cancelled)' : undefined,
  ].filter((d): d is string => d !== undefined);
  if (details.length) lines.push(`*${details.join(' · ')}*`, '');
  for (const group of paragraphs(segments)) lines.push(`**[${clockStamp(group[0].startMs)}]** ${escapeMarkdown(segmentsText(group))}`, '');
  return lines.join('\n');
}

/** Cue text on one line: a blank line would end the cue, "-->" would read as a timing line. */
function cueText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/-->/g, '→').trim();
}

function cues(segments: readonly TimedSegment[]): { startMs: number; endMs: number; text: string }[] {
  return segments
    .map((s) => ({ startMs: s.startMs, endMs: Math.max(s.endMs, s.startMs + MIN_CUE_MS), text: cueText(s.text) }))
    .filter((c) => c.text !== '');
}

function toSrt(segments: readonly TimedSegment[]): string {
  return cues(segments)
    .map((c, i) => `${i + 1}\n${formatCueTime(c.startMs, ',')} --> ${formatCueTime(c.endMs, ',')}\n${c.text}\n`)
    .join('\n');
}

function toVtt(segments: readonly TimedSegment[]): string {
  const body = cues(segments).map((c) => `${formatCueTime(c.startMs, '.')} --> ${formatCueTime(c.endMs, '.')}\n${c.text}\n`);
  return ['WEBVTT\n', ...body].join('\n');
}

function toJson(segments: readonly TimedSegment[], info: TranscriptInfo): string {
  const document = {
    ...(info.source !== undefined ? { source: info.source } : {}),
    ...(info.model !== undefined ? { model: info.model } : {}),
    ...(info.fromMs !== undefined || info.toMs !== undefined ? { range: { fromMs: info.fromMs ?? 0, toMs: info.toMs ?? null } } : {}),
    ...(info.complete !== undefined ? { complete: info.complete } : {}),
    text: segmentsText(segments),
    segments: segments.map((s) => ({ startMs: Math.round(s.startMs), endMs: Math.round(s.endMs), text: s.text.trim() })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}
