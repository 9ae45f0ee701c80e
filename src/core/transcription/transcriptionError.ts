// One error type for everything that can go wrong before or while a long file is transcribed, with a `code` a
// caller can branch on and a message a user can act on (the CLI prints it as is, without a stack trace).
import { CodedError } from '../codedError';

export type TranscriptionErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE' // permissions, a directory, an I/O error
  | 'EMPTY_FILE' // zero bytes, or a valid header with no audio
  | 'TRUNCATED' // the file ends before what its header announces
  | 'NOT_AUDIO' // the bytes are not audio (a text file named .wav, a decoder that finds no audio stream)
  | 'UNSUPPORTED_FORMAT' // audio, but in an encoding no available reader handles
  | 'NO_DECODER' // a compressed format and neither ffmpeg nor sox is installed
  | 'DECODER_FAILED' // ffmpeg or sox stopped with an error
  | 'BAD_RANGE' // --from/--to negative, reversed, or outside the file
  | 'MODEL_NOT_FOUND' // no model file under the name or path given
  | 'MODEL_LANGUAGE'; // an English-only model asked for another language or for translation

export class TranscriptionError extends CodedError<TranscriptionErrorCode> {
  override name = 'TranscriptionError';
}
