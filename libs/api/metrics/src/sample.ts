/** One stats sample of a host or a VM. */
export interface Sample {
  /** The host's or the VM's id. */
  id: string;
  ts: Date;
  cpuPercent: number;
  memoryUsedMiB: number;
  diskReadBps: number;
  diskWriteBps: number;
  netRxBps: number;
  netTxBps: number;
}

const figure = (value: unknown) => typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER;

/** 36 characters of hex digits and dashes: what a uuid column takes (checked per row, so no regex). */
function uuidText(id: unknown): boolean {
  if (typeof id !== 'string' || id.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 45)) return false;
  }
  return true;
}

/** Every figure finite, non-negative and below 2^53, a valid time: what a `real` column and the rollups take. */
export function storable(sample: Sample): boolean {
  return (
    figure(sample.cpuPercent) &&
    figure(sample.memoryUsedMiB) &&
    figure(sample.diskReadBps) &&
    figure(sample.diskWriteBps) &&
    figure(sample.netRxBps) &&
    figure(sample.netTxBps) &&
    Number.isFinite(sample.ts.getTime()) &&
    uuidText(sample.id)
  );
}
