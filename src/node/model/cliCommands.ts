// CLI subcommands for model files. Each object matches the CliCommand shape of src/cli.ts.
import { resolve } from 'node:path';
import { DEFAULT_MODEL } from '../../core/model/catalog';
import { DownloadError } from '../download/downloadError';
import { DEFAULT_TENSOR_ORDER, convertCt2ToGgml } from './ct2ToGgml';
import { ModelFileError } from './errors';
import { DiskSpaceError } from './diskSpace';
import { defaultGgmlHeaderPath, ensureFixtureModel } from './fixtureModel';
import { ensureBaseFixtureModel } from './baseFixture';
import { ensureQuantizedFixtureModel, isQuantizedFixtureId, QUANTIZED_FIXTURES } from './quantizedFixture';
import { TENSOR_ORDERS, type TensorOrder } from './whisperTensorPlan';

interface CommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** Thrown for bad arguments; the dispatcher prints the command's usage and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Errors a user can act on are printed as one message (exit 1), without a stack trace. */
export function isExpectedCliError(error: unknown): error is ModelFileError | DownloadError | DiskSpaceError {
  return error instanceof ModelFileError || error instanceof DownloadError || error instanceof DiskSpaceError;
}

/** The models model-fixture makes offline: the f16 tiny.en and base, and their quantizations. */
const FIXTURE_IDS = ['tiny.en', 'base', ...Object.keys(QUANTIZED_FIXTURES)];

export const modelFixtureCommand = {
  name: 'model-fixture',
  summary: `make sure a real model is in the cache (download, or convert from PyPI and quantize); default ${DEFAULT_MODEL}, the default model`,
  usage: `model-fixture [${FIXTURE_IDS.join('|')}]`,
  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const [which = DEFAULT_MODEL, ...rest] = args;
    if (rest.length > 0 || !FIXTURE_IDS.includes(which)) throw new UsageError(`model-fixture takes one of ${FIXTURE_IDS.join(', ')} (got ${args.join(' ')})`);
    const started = Date.now();
    const log = (line: string) => io.stderr(`model-fixture: ${line}`);
    const result = isQuantizedFixtureId(which)
      ? await ensureQuantizedFixtureModel(which, { env: io.env, log })
      : which === 'base'
        ? await ensureBaseFixtureModel({ env: io.env, log })
        : await ensureFixtureModel({ env: io.env, log });
    io.stderr(`model-fixture: ${result.kind} model (${result.source}) in ${((Date.now() - started) / 1000).toFixed(1)} s, sha256 ${result.sha256}`);
    io.stdout(result.path);
    return 0;
  },
};

export const convertCt2Command = {
  name: 'convert-ct2',
  summary: 'convert a CTranslate2 Whisper model (wheel, zip or directory) to a whisper.cpp ggml file',
  usage: `convert-ct2 <wheel-or-model-dir> <out.bin> [--header <ggml header file>] [--hparams model|header] [--order ${TENSOR_ORDERS.join('|')}]`,
  async run(args: readonly string[], io: CommandIo): Promise<number> {
    const positional: string[] = [];
    let headerPath: string | undefined;
    let order: TensorOrder = DEFAULT_TENSOR_ORDER;
    // Any Whisper size: the hparams come from the model, the header gives the mel filter bank.
    let hparamsFrom: 'model' | 'header' = 'model';
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--header' || arg === '--order' || arg === '--hparams') {
        const value = args[++i];
        if (value === undefined) throw new UsageError(`${arg} needs a value`);
        if (arg === '--header') headerPath = value;
        else if (arg === '--hparams') {
          if (value !== 'model' && value !== 'header') throw new UsageError('--hparams must be model or header');
          hparamsFrom = value;
        }
        else if ((TENSOR_ORDERS as readonly string[]).includes(value)) order = value as TensorOrder;
        else throw new UsageError(`--order must be one of ${TENSOR_ORDERS.join(', ')}`);
      } else if (arg.startsWith('--')) {
        throw new UsageError(`unknown option ${arg}`);
      } else {
        positional.push(arg);
      }
    }
    if (positional.length !== 2) throw new UsageError('expected an input (wheel, zip or model directory) and an output path');
    const [input, output] = positional.map((p) => resolve(p));
    const header = headerPath ? resolve(headerPath) : defaultGgmlHeaderPath(io.env);
    const result = await convertCt2ToGgml(input, output, { headerPath: header, order, hparamsFrom, log: (line) => io.stderr(`convert-ct2: ${line}`) });
    io.stdout(`${result.sha256}  ${result.outputPath}`);
    return 0;
  },
};
