// Node adapter: validates a model file on disk with the pure ggml layout walker before anything native touches it.
import { open, stat } from 'node:fs/promises';
import { GgmlModelSummary, ModelFileError, validateGgmlModel } from '../../core/model/ggmlLayout';

export { ModelFileError };

export async function validateModelFile(path: string, options: { allowEmpty?: boolean } = {}): Promise<GgmlModelSummary> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ModelFileError('BAD_MAGIC', `The model path is not a file: ${path}`);
    size = info.size;
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw new ModelFileError('TRUNCATED', `The model file cannot be read: ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  const handle = await open(path, 'r');
  try {
    return await validateGgmlModel(
      {
        size,
        read: async (offset, length) => {
          const buffer = Buffer.allocUnsafe(length);
          const { bytesRead } = await handle.read(buffer, 0, length, offset);
          return buffer.subarray(0, bytesRead);
        },
      },
      options,
    );
  } finally {
    await handle.close();
  }
}
