import { z } from 'zod';
import { Bytes, MiB, Slug, Timestamp } from './common.js';

export const CpuInfo = z.object({
  vendor: z.string(),
  model: z.string().meta({ description: 'QEMU CPU model name, e.g. "Cascadelake-Server"' }),
  features: z.array(z.string()).meta({ description: 'CPU feature flags as QEMU names them, e.g. "avx512f"' }),
  sockets: z.number().int().positive(),
  coresPerSocket: z.number().int().positive(),
  threadsPerCore: z.number().int().positive(),
});
export type CpuInfo = z.infer<typeof CpuInfo>;

export const NumaNode = z.object({
  id: z.number().int().nonnegative(),
  cpus: z.array(z.number().int().nonnegative()),
  memoryMiB: z.number().int().positive(),
});

export const StoragePool = z.object({
  id: Slug.meta({ description: 'A shared pool has the same id on every host that mounts it' }),
  type: z.enum(['local', 'shared']),
  capacityBytes: Bytes,
  freeBytes: Bytes,
});
export type StoragePool = z.infer<typeof StoragePool>;

export const Network = z.object({
  id: Slug.meta({ description: 'Bridge name, e.g. "br-prod"' }),
  type: z.literal('bridge'),
  vlan: z.number().int().min(1).max(4094).nullable(),
  mtu: z.number().int().min(576).max(9216),
});
export type Network = z.infer<typeof Network>;

/**
 * What a host may claim about its hardware: the shapes above (which Cockpit's REST API reuses for
 * what it stores) with bounds a real machine stays within, and that the api's integer columns hold.
 */
const HostCpu = CpuInfo.extend({
  features: z.array(z.string().max(64)).max(2048),
  sockets: z.number().int().min(1).max(64),
  coresPerSocket: z.number().int().min(1).max(1024),
  threadsPerCore: z.number().int().min(1).max(16),
});
const HostNumaNode = NumaNode.extend({
  id: z.number().int().min(0).max(1023),
  cpus: z.array(z.number().int().min(0).max(65_535)).max(65_536),
  memoryMiB: MiB,
});

export const HostInfo = z.object({
  uuid: z.uuid(),
  hostname: z.string(),
  agentVersion: z.string(),
  apiVersion: z.literal('v1'),
  hypervisor: z.object({ name: z.string(), version: z.string(), driver: z.enum(['sim', 'qemu', 'libvirt']) }),
  cpu: HostCpu,
  memory: z.object({
    totalMiB: MiB,
    freeMiB: z
      .number()
      .int()
      .nonnegative()
      .max(2 ** 31 - 1),
  }),
  numa: z.array(HostNumaNode).max(1024),
  pools: z.array(StoragePool).max(1024),
  networks: z.array(Network).max(4096),
  bootedAt: Timestamp,
});
export type HostInfo = z.infer<typeof HostInfo>;
