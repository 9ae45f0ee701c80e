// Which whisper.cpp addon build to load. The AVX2/FMA/F16C build is 5–9× faster but dies with SIGILL on CPUs
// without those instructions, so it is chosen only when the CPU reports them; and since a CPU can report a feature
// the OS or hypervisor does not enable, the worker client falls back to the next candidate when a worker dies with
// SIGILL (the worker is a separate process, so that probe is safe).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
 * Addon paths to try, best first: the packaged variants for this platform (native/<platform>-<arch>/…), then the
 * build npm made in node_modules (a development checkout before `npm run build:addon`).
 */
export function addonCandidates(
  extensionRoot: string,
  options: { platform?: NodeJS.Platform; arch?: string; override?: string; avx2?: boolean } = {},
): string[] {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const override = (options.override ?? process.env.DICTATION_ADDON_VARIANT) as AddonVariant | undefined;
  const avx2 = options.avx2 ?? detectAvx2(platform, arch);
  const order: AddonVariant[] = override === 'baseline' ? ['baseline'] : override === 'avx2' || avx2 ? ['avx2', 'baseline'] : ['baseline'];
  const packaged = order.map((variant) => join(extensionRoot, 'native', `${platform}-${arch}`, variant, 'smart-whisper.node'));
  const development = join(extensionRoot, 'node_modules', 'smart-whisper', 'build', 'Release', 'smart-whisper.node');
  const found = [...packaged, development].filter((path) => existsSync(path));
  if (found.length === 0) {
    throw new Error(`No whisper.cpp addon for ${platform}-${arch} in ${extensionRoot}. This build of the extension does not support this platform.`);
  }
  return found;
}
