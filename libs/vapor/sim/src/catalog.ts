/** CPU generations as QEMU names them, each with the flags a guest may depend on. */
const X86_BASE = [
  'sse4.1',
  'sse4.2',
  'ssse3',
  'popcnt',
  'aes',
  'pclmulqdq',
  'xsave',
  'avx',
  'f16c',
  'rdrand',
  'x2apic',
  'tsc-deadline',
];
const HASWELL = [...X86_BASE, 'avx2', 'bmi1', 'bmi2', 'fma', 'movbe', 'invpcid'];
const BROADWELL = [...HASWELL, 'rdseed', 'adx', 'smap'];
const SKYLAKE = [...BROADWELL, 'avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl', 'clwb', 'pku'];
const CASCADELAKE = [...SKYLAKE, 'avx512vnni'];
const ICELAKE = [...CASCADELAKE, 'avx512vbmi', 'gfni', 'vaes', 'vpclmulqdq', 'sha-ni', 'rdpid'];
const ROME = [...BROADWELL, 'sha-ni', 'clwb', 'clzero', 'rdpid', 'wbnoinvd'];
const MILAN = [...ROME, 'pku', 'vaes', 'vpclmulqdq', 'invpcid'];

export const CPU_MODELS = [
  { vendor: 'GenuineIntel', model: 'Broadwell-IBRS', features: BROADWELL },
  { vendor: 'GenuineIntel', model: 'Skylake-Server-IBRS', features: SKYLAKE },
  { vendor: 'GenuineIntel', model: 'Cascadelake-Server', features: CASCADELAKE },
  { vendor: 'GenuineIntel', model: 'Icelake-Server', features: ICELAKE },
  { vendor: 'AuthenticAMD', model: 'EPYC-Rome', features: ROME },
  { vendor: 'AuthenticAMD', model: 'EPYC-Milan', features: [...new Set(MILAN)] },
] as const;

export const KERNELS = ['6.1.0-27-amd64', '6.1.0-28-amd64', '6.1.0-31-amd64', '6.12.9-amd64', '5.15.0-126-generic'];
export const PACKAGES: Record<string, readonly string[]> = {
  'qemu-system-x86': ['1:7.2+dfsg-7+deb12u7', '1:7.2+dfsg-7+deb12u12', '1:9.2.1+ds-1'],
  libvirt0: ['9.0.0-4+deb12u1', '9.0.0-4+deb12u2', '11.0.0-2'],
  'openssh-server': ['1:9.2p1-2+deb12u3', '1:9.2p1-2+deb12u5'],
  'vapor-agent': ['0.1.0'],
};

export type WorkloadProfile = 'idle' | 'web' | 'database' | 'batch';

/** What a workload looks like: CPU use, memory use, I/O, and how fast it dirties RAM (pages/s). */
export const PROFILES: Record<
  WorkloadProfile,
  { cpu: number; cpuSwing: number; memory: number; diskBps: number; netBps: number; dirtyPages: number }
> = {
  idle: { cpu: 2, cpuSwing: 2, memory: 0.25, diskBps: 20_000, netBps: 5_000, dirtyPages: 300 },
  web: { cpu: 25, cpuSwing: 20, memory: 0.55, diskBps: 400_000, netBps: 3_000_000, dirtyPages: 6_000 },
  database: { cpu: 45, cpuSwing: 25, memory: 0.85, diskBps: 12_000_000, netBps: 1_500_000, dirtyPages: 40_000 },
  batch: { cpu: 85, cpuSwing: 10, memory: 0.7, diskBps: 4_000_000, netBps: 200_000, dirtyPages: 90_000 },
};
