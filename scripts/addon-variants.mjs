// The whisper.cpp addon builds made for an architecture (scripts/build-addon.mjs), and the compiler flags of each.
// src/node/whisper/addonVariant.ts looks for the same names at run time; test/unit/platforms.test.ts keeps the two
// lists equal. x86-64: a baseline that runs on every x86-64 CPU, and an AVX2/FMA/F16C build (5–9× faster) for the
// CPUs that have those. arm64: one build; NEON is part of every ARMv8 CPU and the compiler's default there, so there
// is nothing to select at run time.
// `flags` are GCC/Clang's (CFLAGS/CXXFLAGS); `msvc` are cl.exe's, given through its CL variable, which node-gyp's
// MSBuild projects do not override (ggml turns on FMA and F16C itself under MSVC when __AVX2__ is defined).
export function addonBuildVariants(arch) {
  const x86 = arch === 'x64' || arch === 'ia32';
  return [
    { name: 'baseline', flags: '', msvc: '' },
    ...(x86 ? [{ name: 'avx2', flags: '-mavx -mavx2 -mfma -mf16c', msvc: '/arch:AVX2' }] : []),
  ];
}
