// The dictation-specific choices between the microphone and the editor, in one place: how audio becomes phrases
// (voice activity), which transcripts count as speech, and how text and spoken commands become edits.
import { PhraseSegmenter } from '../../core/vad/phraseSegmenter';
import { acceptTranscript } from '../../core/text/transcriptFilter';
import type { TranscriptConfidence } from '../../core/transcription/tokenConfidence';
import { dropHesitations } from '../../core/text/hesitations';
import { DictationAction, parseSpokenCommands } from '../../core/text/spokenCommands';
import type { SpokenVocabulary } from '../../core/text/spokenVocabulary';
import { composeInsertion, InsertionPiece } from '../../core/text/insertionFormat';
import type { Phrase, PhraseSource } from './dictationSession';

export interface DictationPipeline {
  createPhraseSource(pauseMs: number, emit: (phrase: Phrase) => void): PhraseSource;
  /** The transcript as dictation inserts it, or undefined when it is no speech; `language` 'en' drops hesitations. */
  acceptText(text: string, phrase: Phrase, language?: string, confidence?: TranscriptConfidence): string | undefined;
  spokenActions(text: string, commandsEnabled: boolean, vocabulary?: SpokenVocabulary): DictationAction[];
  compose(before: string, after: string, pieces: readonly InsertionPiece[], smart: boolean): string;
}

export function createDictationPipeline(): DictationPipeline {
  return {
    createPhraseSource(pauseMs, emit) {
      return new PhraseSegmenter(
        (p) => emit({ samples: p.samples, endMs: p.endMs, speechMs: p.speechMs, speechDbfs: p.speechDbfs, startSample: p.startSample, endSample: p.endSample, endedBy: p.endedBy }),
        { pauseMs },
      );
    },
    acceptText: (text, phrase, language, confidence) => {
      const kept = acceptTranscript(text, phrase, confidence);
      return kept && language === 'en' ? dropHesitations(kept) || undefined : kept;
    },
    spokenActions: (text, enabled, vocabulary) => parseSpokenCommands(text, enabled, vocabulary),
    compose: (before, after, pieces, smart) => composeInsertion(before, after, pieces, { smart }),
  };
}
