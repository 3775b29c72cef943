/**
 * Who follows each host's event stream, recorded by the agent itself: an oracle for "exactly one
 * Cockpit instance owns a host" that cannot miss a short overlap, because it is not sampled: every
 * stream's open and close is an event here. Cockpit names its instance in the X-Cockpit-Instance
 * header; streams without one count as one anonymous follower each.
 */
export const INSTANCE_HEADER = 'x-cockpit-instance';

/** A time when two or more instances followed one host at once. */
export interface Overlap {
  hostUuid: string;
  instances: string[];
  startedAt: string;
  /** Still going when `endedAt` is null; `ms` is then the time so far. */
  endedAt: string | null;
  ms: number;
}

export interface HostFollowers {
  /** Instances following now, and how many streams each has open. */
  now: Record<string, number>;
  /** The most instances that ever followed at once. */
  maxInstances: number;
  /** Every stream opened so far, by instance: when it opened, and closed (null while open). */
  streams: { instance: string; openedAt: string; closedAt: string | null }[];
}

export interface FollowersReport {
  hosts: Record<string, HostFollowers>;
  overlaps: Overlap[];
  /** Sum over every overlap, and the longest one, in ms. */
  overlapMs: number;
  maxOverlapMs: number;
}

const MAX_STREAMS_KEPT = 200;
const MAX_OVERLAPS_KEPT = 1000;

interface OverlapEntry {
  hostUuid: string;
  instances: Set<string>;
  startedAt: number;
  endedAt: number | null;
}

interface HostRecord {
  open: Map<string, number>;
  maxInstances: number;
  streams: { instance: string; openedAt: number; closedAt: number | null }[];
  overlap?: OverlapEntry;
}

export class StreamFollowers {
  private readonly hosts = new Map<string, HostRecord>();
  private readonly overlaps: OverlapEntry[] = [];
  private anonymous = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A stream opened; call the function returned when it closes. */
  open(hostUuid: string, instance: string | undefined): () => void {
    const name = instance?.trim().slice(0, 128) || `anonymous-${++this.anonymous}`;
    const record = this.record(hostUuid);
    const at = this.now();
    const stream = { instance: name, openedAt: at, closedAt: null as number | null };
    record.streams.push(stream);
    if (record.streams.length > MAX_STREAMS_KEPT) record.streams.splice(0, record.streams.length - MAX_STREAMS_KEPT);
    record.open.set(name, (record.open.get(name) ?? 0) + 1);
    record.maxInstances = Math.max(record.maxInstances, record.open.size);
    this.changed(hostUuid, record, at);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const when = this.now();
      stream.closedAt = when;
      const left = (record.open.get(name) ?? 1) - 1;
      if (left > 0) record.open.set(name, left);
      else record.open.delete(name);
      this.changed(hostUuid, record, when);
    };
  }

  private record(hostUuid: string): HostRecord {
    let record = this.hosts.get(hostUuid);
    if (!record) this.hosts.set(hostUuid, (record = { open: new Map(), maxInstances: 0, streams: [] }));
    return record;
  }

  /** Opens, extends or ends the host's overlap after its set of followers changed. */
  private changed(hostUuid: string, record: HostRecord, at: number): void {
    if (record.open.size >= 2) {
      if (!record.overlap) {
        record.overlap = { hostUuid, instances: new Set(), startedAt: at, endedAt: null };
        this.overlaps.push(record.overlap);
        if (this.overlaps.length > MAX_OVERLAPS_KEPT) this.overlaps.shift();
      }
      for (const name of record.open.keys()) record.overlap.instances.add(name);
    } else if (record.overlap) {
      record.overlap.endedAt = at;
      record.overlap = undefined;
    }
  }

  report(hostUuid?: string): FollowersReport {
    const at = this.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const hosts: Record<string, HostFollowers> = {};
    for (const [uuid, record] of this.hosts) {
      if (hostUuid !== undefined && uuid !== hostUuid) continue;
      hosts[uuid] = {
        now: Object.fromEntries(record.open),
        maxInstances: record.maxInstances,
        streams: record.streams.map((s) => ({
          instance: s.instance,
          openedAt: iso(s.openedAt),
          closedAt: s.closedAt === null ? null : iso(s.closedAt),
        })),
      };
    }
    const overlaps = this.overlaps
      .filter((o) => hostUuid === undefined || o.hostUuid === hostUuid)
      .map((o) => ({
        hostUuid: o.hostUuid,
        instances: [...o.instances].sort(),
        startedAt: iso(o.startedAt),
        endedAt: o.endedAt === null ? null : iso(o.endedAt),
        ms: (o.endedAt ?? at) - o.startedAt,
      }));
    return {
      hosts,
      overlaps,
      overlapMs: overlaps.reduce((sum, o) => sum + o.ms, 0),
      maxOverlapMs: overlaps.reduce((max, o) => Math.max(max, o.ms), 0),
    };
  }
}
