// One error type for everything that reads, converts or verifies model files, with a `code` a caller can
// branch on (the CLI prints the message; the model manager may retry on CHECKSUM_MISMATCH, etc.).
import { CodedError } from '../../core/codedError';

export type ModelErrorCode =
  | 'TRUNCATED' // a file ends before a structure it announces
  | 'CORRUPT' // internally inconsistent data (bad sizes, trailing bytes, bad CRC)
  | 'UNSUPPORTED_VERSION' // CT2 binary version we cannot read (also what a non-CT2 file looks like)
  | 'UNSUPPORTED_FORMAT' // valid but unsupported container feature (ZIP64, encryption, int8 weights…)
  | 'WRONG_SPEC' // a CT2 model that is not a Whisper model
  | 'MISSING_TENSOR'
  | 'BAD_SHAPE'
  | 'BAD_DTYPE'
  | 'NONZERO_KEY_BIAS' // the key slice of a fused bias is not zero: the fusion is not the one we undo
  | 'HPARAMS_MISMATCH' // the ggml header does not describe this model
  | 'BAD_HEADER' // the ggml header file is not a ggml Whisper file
  | 'BAD_VOCABULARY'
  | 'MISSING_FILE' // model.bin / vocabulary not found in the archive or directory
  | 'CHECKSUM_MISMATCH'
  | 'SELF_CHECK_FAILED' // the written file does not read back as planned
  | 'TOOL_FAILED'; // an external tool (pip) failed

export class ModelFileError extends CodedError<ModelErrorCode> {
  override name = 'ModelFileError';
}
