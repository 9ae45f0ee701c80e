// Which whisper.cpp addon build to load. The AVX2/FMA/F16C build is 5–9× faster but dies with SIGILL on CPUs
// without those instructions, so it is chosen only when the CPU reports them; and since a CPU can report a feature
// the OS or hypervisor does not enable, the worker client falls back to the next candidate when a worker dies with
// an illegal instruction (SIGILL; on Windows exit code 0xC000001D, see workerExit.ts). The worker is a separate
// process, so that probe is safe.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../core/codedError';

export type AddonVariant = 'avx2' | 'baseline';

const REQUIRED_X86_FLAGS = ['avx', 'avx2', 'fma', 'f16c'];

/** Parses the `flags` line of /proc/cpuinfo. */
export function cpuFlagsFromCpuinfo(cpuinfo: string): Set<string> {
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  return new Set(line ? line.split(':')[1].trim().split(/\s+/) : []);
}

export function supportsAvx2(flags: Set<string>): boolean {
  return REQUIRED_X86_FLAGS.every((f) => flags.has(f));
}

/** Asks the OS whether this CPU runs the AVX2 build. Unknown means no: the baseline build is always safe. */
export function detectAvx2(platform: NodeJS.Platform = process.platform, arch: string = process.arch): boolean {
  if (arch !== 'x64') return false;
  try {
    if (platform === 'linux') return supportsAvx2(cpuFlagsFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8')));
    if (platform === 'darwin') {
      const leaf7 = execFileSync('/usr/sbin/sysctl', ['-n', 'machdep.cpu.leaf7_features'], { encoding: 'utf8', timeout: 2000 }).toUpperCase();
      const features = execFileSync('/usr/sbin/sysctl', ['-n', 'machdep.cpu.features'], { encoding: 'utf8', timeout: 2000 }).toUpperCase();
      return leaf7.includes('AVX2') && features.includes('FMA') && features.includes('F16C');
    }
  } catch {
    return false;
  }
  // Windows: no cheap reliable query without native code; the SIGILL fallback covers a wrong guess, and
  // virtually every x64 CPU that runs a current Windows 11 has AVX2.
  return platform === 'win32';
}

/**
 * The builds to look for, best first. Only x86-64 has an AVX2 build (scripts/addon-variants.mjs builds the same
 * list): arm64's baseline already uses NEON, which every ARMv8 CPU has, and no x86 flag or override changes that.
 */
export function variantOrder(arch: string, avx2: boolean, override?: string): AddonVariant[] {
  if (arch !== 'x64' || override === 'baseline') return ['baseline'];
  return override === 'avx2' || avx2 ? ['avx2', 'baseline'] : ['baseline'];
}

export interface AddonLookup {
  platform?: NodeJS.Platform;
  arch?: string;
  /** DICTATION_ADDON_VARIANT: 'baseline' or 'avx2' forces a build (benchmarks, tests). */
  override?: string;
  avx2?: boolean;
}

/** `<platform>-<arch>` as VS Code's platform-specific extensions (`vsce package --target`) and native/ name it. */
export function addonTarget(options: AddonLookup = {}): string {
  return `${options.platform ?? process.platform}-${options.arch ?? process.arch}`;
}

/**
 * Every place an addon may be, best first, existing or not: the packaged variants for this platform
 * (native/<platform>-<arch>/<variant>/…), then the build npm made in node_modules (a development checkout before
 * `npm run build:addon`).
 */
export function addonSearchPaths(extensionRoot: string, options: AddonLookup = {}): string[] {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const override = options.override ?? process.env.DICTATION_ADDON_VARIANT;
  const avx2 = options.avx2 ?? detectAvx2(platform, arch);
  const packaged = variantOrder(arch, avx2, override).map((variant) => join(extensionRoot, 'native', addonTarget({ platform, arch }), variant, 'smart-whisper.node'));
  return [...packaged, join(extensionRoot, 'node_modules', 'smart-whisper', 'build', 'Release', 'smart-whisper.node')];
}

/** The addon builds that exist for this platform, best first; empty when this copy of the extension has none. */
export function findAddonBuilds(extensionRoot: string, options: AddonLookup = {}): string[] {
  return addonSearchPaths(extensionRoot, options).filter((path) => existsSync(path));
}

/** What the person is told when no build exists: what is missing, and the two ways to get it. */
export function missingAddonMessage(target: string): string {
  return `Offline Dictation has no speech engine (whisper.cpp) build for this platform, ${target}. Install the extension from the VS Code Marketplace, which delivers the build for your platform, or the offline-dictation-${target} .vsix of a release; from a source checkout, run \`npm run build:addon\`.`;
}

export class MissingAddonError extends CodedError<'ADDON_MISSING'> {
  override name = 'MissingAddonError';
  constructor(readonly target: string, message = missingAddonMessage(target)) {
    super('ADDON_MISSING', message);
  }
}

/** Like findAddonBuilds, for callers that cannot work without one (the CLI, tests): throws MissingAddonError. */
export function addonCandidates(extensionRoot: string, options: AddonLookup = {}): string[] {
  const found = findAddonBuilds(extensionRoot, options);
  if (found.length === 0) throw new MissingAddonError(addonTarget(options));
  return found;
}
