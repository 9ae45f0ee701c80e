// whisper.cpp's published ggml models. Checksums are the ones whisper.cpp publishes (SHA-1, models/README.md);
// sha256 is given only where it is documented: tiny.en, and the quantized files, whose sha256 and exact size are
// the Git LFS object ids Hugging Face lists for ggerganov/whisper.cpp (its API listing at revision
// 5359861c739e955e79d9a303bcbc70fb988958b1, as captured in public projects that pin these files; every value below
// was found in at least two independent public copies). Sizes are approximate (MiB from the same table) except
// where exact; RAM is whisper.cpp's measured need (README "Memory usage"); for the tiny and base quantized models it
// is scaled from the worker peak RSS bench:models measured (bench/results/models.md) by that run's ratio of f16 RSS
// to whisper.cpp's published figure (tiny 298 / 273 MB, base 444 / 388 MB); the larger quantized models estimated
// from size.
// Nothing here is guessed: an unknown checksum is left undefined and such a model cannot be downloaded unverified.

import { memoryBudgetMB } from './modelMemory';

export interface CatalogModel {
  /** Name used in settings: `tiny.en`, `large-v3-turbo-q5_0`. */
  name: string;
  fileName: string;
  englishOnly: boolean;
  /** Approximate download size in MB (exact where `exactBytes` is set). */
  sizeMB: number;
  exactBytes?: number;
  /** Memory whisper.cpp needs to run the model, in MB. */
  ramMB: number;
  sha1?: string;
  sha256?: string;
  description: string;
}

const model = (name: string, sizeMB: number, ramMB: number, sha1: string | undefined, description: string, extra: Partial<CatalogModel> = {}): CatalogModel => ({
  name,
  fileName: `ggml-${name}.bin`,
  englishOnly: /\.en(-|$)/.test(name),
  sizeMB,
  ramMB,
  sha1,
  description,
  ...extra,
});

export const MODEL_CATALOG: readonly CatalogModel[] = [
  model('tiny', 75, 273, 'bd577a113a864445d4c299885e0cb97d4ba92b5f', 'Fastest, least accurate; multilingual'),
  model('tiny.en', 75, 273, 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df', 'Fastest; English only', {
    exactBytes: 77_704_715,
    sha256: '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f',
  }),
  model('tiny-q8_0', 42, 238, undefined, 'tiny quantized to 8 bits; multilingual', {
    exactBytes: 43_537_433,
    sha256: 'c2085835d3f50733e2ff6e4b41ae8a2b8d8110461e18821b09a15c40c42d1cca',
  }),
  model('tiny-q5_1', 31, 226, undefined, 'tiny quantized to 5 bits; multilingual', {
    exactBytes: 32_152_673,
    sha256: '818710568da3ca15689e31a743197b520007872ff9576237bda97bd1b469c3d7',
  }),
  model('tiny.en-q8_0', 42, 238, undefined, 'tiny.en quantized to 8 bits: as accurate, half the size, less memory; English only (default)', {
    exactBytes: 43_550_795,
    sha256: '5bc2b3860aa151a4c6e7bb095e1fcce7cf12c7b020ca08dcec0c6d018bb7dd94',
  }),
  model('tiny.en-q5_1', 31, 226, undefined, 'tiny.en quantized to 5 bits; English only', {
    exactBytes: 32_166_155,
    sha256: 'c77c5766f1cef09b6b7d47f21b546cbddd4157886b3b5d6d4f709e91e66c7c2b',
  }),
  model('base', 142, 388, '465707469ff3a37a2b9b8d8f89f2f99de7299dac', 'Fast, good accuracy; multilingual'),
  model('base-q8_0', 78, 334, undefined, 'base quantized to 8 bits: half the size, about as accurate; multilingual', {
    exactBytes: 81_768_585,
    sha256: 'c577b9a86e7e048a0b7eada054f4dd79a56bbfa911fbdacf900ac5b567cbb7d9',
  }),
  model('base-q5_1', 57, 318, undefined, 'base quantized to 5 bits; multilingual', {
    exactBytes: 59_707_625,
    sha256: '422f1ae452ade6f30a004d7e5c6a43195e4433bc370bf23fac9cc591f01a8898',
  }),
  model('base.en', 142, 388, '137c40403d78fd54d454da0f9bd998f78703390c', 'Fast, good accuracy; English only'),
  model('base.en-q8_0', 78, 334, undefined, 'base.en quantized to 8 bits; English only', {
    exactBytes: 81_781_811,
    sha256: 'a4d4a0768075e13cfd7e19df3ae2dbc4a68d37d36a7dad45e8410c9a34f8c87e',
  }),
  model('base.en-q5_1', 57, 318, undefined, 'base.en quantized to 5 bits; English only', {
    exactBytes: 59_721_011,
    sha256: '4baf70dd0d7c4247ba2b81fafd9c01005ac77c2f9ef064e00dcf195d0e2fdd2f',
  }),
  model('small', 466, 852, '55356645c2b361a969dfd0ef2c5a50d530afd8d5', 'Accurate, slower; multilingual'),
  model('small.en', 466, 852, 'db8a495a91d927739e50b3fc1cc4c6b8f6c2d022', 'Accurate, slower; English only'),
  model('medium', 1500, 2100, 'fd9727b6e1217c2f614f9b698455c4ffd82463b4', 'Very accurate, needs a fast CPU; multilingual'),
  model('medium.en', 1500, 2100, '8c30f0e44ce9560643ebd10bbe50cd20eafd3723', 'Very accurate, needs a fast CPU; English only'),
  model('large-v1', 2900, 3900, 'b1caaf735c4cc1429223d5a74f0f4d0b9b59a299', 'Largest (first release); multilingual'),
  model('large-v2', 2900, 3900, '0f4c8e34f21cf1a914c59d8b3ce882345ad349d6', 'Largest (second release); multilingual'),
  model('large-v2-q5_0', 1100, 1700, '00e39f2196344e901b3a2bd5814807a769bd1630', 'large-v2 quantized to 5 bits'),
  model('large-v3', 2900, 3900, 'ad82bf6a9043ceed055076d0fd39f5f186ff8062', 'Most accurate; multilingual'),
  model('large-v3-q5_0', 1100, 1700, 'e6e2ed78495d403bef4b7cff42ef4aaadcfea8de', 'large-v3 quantized to 5 bits'),
  model('large-v3-turbo', 1500, 2100, '4af2b29d7ec73d781377bfd1758ca957a807e941', 'Nearly large-v3 accuracy, much faster; multilingual'),
  model('large-v3-turbo-q5_0', 547, 900, 'e050f7970618a659205450ad97eb95a18d69c9ee', 'large-v3-turbo quantized to 5 bits'),
];

/**
 * Chosen by measurement (bench/results/default-model.md): as accurate as tiny.en in f16, 44 % smaller, 13 % less
 * worker memory, and as fast live; base and base-q8_0 are more accurate but miss the latency targets on 2 cores.
 */
export const DEFAULT_MODEL = 'tiny.en-q8_0';
export const DEFAULT_MODEL_BASE_URL = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';

export function findModel(name: string): CatalogModel | undefined {
  return MODEL_CATALOG.find((m) => m.name === name);
}

/** Download URL of a model from the official location or a mirror that serves the same file names. */
export function modelUrl(entry: CatalogModel, baseUrl = DEFAULT_MODEL_BASE_URL): string {
  return `${(baseUrl || DEFAULT_MODEL_BASE_URL).replace(/\/+$/, '')}/${entry.fileName}`;
}

/** True when a download of this model can be verified against a published checksum. */
export function isVerifiable(entry: CatalogModel): boolean {
  return !!(entry.sha256 || entry.sha1);
}

/**
 * The memory budget for a catalog model before its file has been read (memoryBudgetMB of its published RAM need);
 * once a model is loaded the budget follows the file itself (modelMemory.ts).
 */
export function defaultMemoryLimitMB(entry: CatalogModel | undefined): number {
  return memoryBudgetMB(entry?.ramMB ?? 1000);
}
