// What a Whisper model needs in memory, from the model file itself, so the memory budget follows the model in use:
// a downloaded one, an imported one or a `modelPath` alike (a large model imported under tiny's name must not get
// tiny's budget, go critical at once and be unloaded in a loop).

/** The facts about a model file the estimate needs: its size and its encoder width (n_audio_state). */
export interface ModelFileShape {
  fileBytes: number;
  nAudioState: number;
}

/**
 * whisper.cpp's working memory beyond the weights, by encoder width: its published "Memory usage" figures less the
 * file sizes (tiny 273 − 75 MB, base 388 − 142, small 852 − 466, medium 2100 − 1536, large 3900 − 2970).
 */
const OVERHEAD_MB_BY_WIDTH: readonly (readonly [number, number])[] = [[384, 198], [512, 246], [768, 386], [1024, 564], [1280, 930]];

/** RAM whisper.cpp needs for this model file (MB): the weights as stored (quantized ones too) plus the overhead. */
export function modelRamMB(shape: ModelFileShape): number {
  return Math.round(shape.fileBytes / 2 ** 20 + overheadMB(shape.nAudioState));
}

function overheadMB(width: number): number {
  const table = OVERHEAD_MB_BY_WIDTH;
  if (width <= table[0][0]) return table[0][1];
  for (let i = 1; i < table.length; i++) {
    const [w1, o1] = table[i];
    const [w0, o0] = table[i - 1];
    if (width <= w1) return o0 + ((o1 - o0) * (width - w0)) / (w1 - w0);
  }
  const [wl, ol] = table[table.length - 1];
  return (ol * width) / wl;
}

/**
 * The extension's memory budget for a model needing `ramMB`: that, plus a working margin for the worker's own
 * runtime (Node, ~45 MB), allocator slack between jobs, audio buffers and the recorder. Measured: the tiny.en worker
 * runs at 400–520 MB over its published 273 MB (30-s file chunks at the top), which must stay below the critical
 * tier (85 %) so that ordinary use never unloads the model.
 */
export function memoryBudgetMB(ramMB: number): number {
  return Math.round(ramMB * 1.25 + 350);
}

/**
 * The part of memoryBudgetMB's margin that a second worker does not need again: the recorder, the audio buffers and
 * the host-side bookkeeping are there once however many workers run. The rest of the margin (a worker's own Node
 * runtime and its allocator slack between jobs) comes with every worker.
 */
export const SHARED_MARGIN_MB = 150;

/** What one more Whisper worker beside the first adds to the budget: its model and its own margin. */
export function extraWorkerBudgetMB(ramMB: number): number {
  return memoryBudgetMB(ramMB) - SHARED_MARGIN_MB;
}

/**
 * The budget while several workers run at once (dictation's and the extra ones of parallel file chunks or Improve
 * Last Phrase), each with its own copy of a model: the first worker's budget, plus each other worker's share. With
 * one worker it is memoryBudgetMB; each other worker adds its model and its own margin, not the shared part.
 */
export function workersBudgetMB(firstBudgetMB: number, otherRamMBs: readonly number[]): number {
  return otherRamMBs.reduce((sum, ram) => sum + extraWorkerBudgetMB(ram), firstBudgetMB);
}

/** The budget of `workers` workers that each load the same model needing `ramMB` (the CLI's parallel file workers). */
export function sameModelWorkersBudgetMB(ramMB: number, workers: number): number {
  return workersBudgetMB(memoryBudgetMB(ramMB), Array.from({ length: Math.max(0, Math.floor(workers) - 1) }, () => ramMB));
}
