// Reads what the memory estimate needs from a ggml model file: its size and its hparams (the header's first
// kilobytes; the weights are not read).
import { stat } from 'node:fs/promises';
import { modelRamMB, type ModelFileShape } from '../../core/model/modelMemory';
import { loadGgmlHeaderPrefix } from './ct2ToGgml';

export async function readModelShape(path: string): Promise<ModelFileShape> {
  const [{ size }, header] = await Promise.all([stat(path), loadGgmlHeaderPrefix(path)]);
  return { fileBytes: size, nAudioState: header.hparams.nAudioState };
}

/** RAM the model file needs (modelRamMB from its header); `fallbackMB` when the header cannot be read. */
export async function readModelRamMB(path: string, fallbackMB: () => number): Promise<number> {
  return readModelShape(path).then(modelRamMB, fallbackMB);
}
