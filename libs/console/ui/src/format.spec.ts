import { describe, expect, it } from '@jest/globals';
import { formatBytes, formatCpuList, formatMetric, formatMiB, formatRate } from './format.js';

describe('formats', () => {
  it('scales binary sizes with a decimal where it tells something', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2.0 TiB');
    expect(formatMiB(262_144)).toBe('256 GiB');
    expect(formatMiB(null)).toBe('—');
    expect(formatRate(1024 * 1024)).toBe('1.0 MiB/s');
    expect(formatMetric('percent', 42.46)).toBe('42.5%');
  });

  it('writes CPU lists as ranges', () => {
    expect(formatCpuList([8, 9, 0, 1, 2, 3, 12])).toBe('0-3,8-9,12');
    expect(formatCpuList([])).toBe('—');
  });
});
