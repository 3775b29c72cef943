import { z } from 'zod';
import { Bytes, Slug, Timestamp } from './common.js';

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

export const HostInfo = z.object({
  uuid: z.uuid(),
  hostname: z.string(),
  agentVersion: z.string(),
  apiVersion: z.literal('v1'),
  hypervisor: z.object({ name: z.string(), version: z.string(), driver: z.enum(['sim', 'qemu', 'libvirt']) }),
  cpu: CpuInfo,
  memory: z.object({ totalMiB: z.number().int().positive(), freeMiB: z.number().int().nonnegative() }),
  numa: z.array(NumaNode),
  pools: z.array(StoragePool),
  networks: z.array(Network),
  bootedAt: Timestamp,
});
export type HostInfo = z.infer<typeof HostInfo>;
