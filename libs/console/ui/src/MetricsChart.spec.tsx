import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { act, render, screen } from '@testing-library/react';

// uPlot needs a real canvas; record what the chart asks of it instead.
const plots: FakePlot[] = [];
class FakePlot {
  readonly setData = jest.fn();
  readonly setSize = jest.fn();
  readonly destroy = jest.fn();
  constructor(
    readonly options: { width: number; height: number; series: { label?: string; stroke?: string }[] },
    readonly data: unknown[],
    readonly target: HTMLElement,
  ) {
    plots.push(this);
  }
}
jest.unstable_mockModule('uplot', () => ({ default: FakePlot }));
const { MetricsChart } = await import('./MetricsChart.js');

let resize: ((entries: { contentRect: { width: number } }[]) => void) | undefined;
class FakeResizeObserver {
  constructor(callback: typeof resize) {
    resize = callback;
  }
  readonly observe = jest.fn();
  readonly disconnect = jest.fn();
}

const timestamps = [1_000, 2_000, 3_000];
const cpu = { label: 'CPU', values: [10, 20, 42.5], unit: 'percent' as const };

describe('MetricsChart', () => {
  it('without a canvas (jsdom), is its summary and legend: the latest value of each series', () => {
    render(
      <MetricsChart
        title="Disk I/O"
        timestamps={timestamps}
        series={[
          { label: 'Read', values: [0, 0, 2048], unit: 'bytesPerSecond' },
          { label: 'Write', values: [0, 0, 0], unit: 'bytesPerSecond' },
        ]}
      />,
    );
    expect(screen.getByRole('img', { name: 'Disk I/O, latest: Read 2.0 KiB/s, Write 0 B/s' })).toBeInTheDocument();
    expect(screen.getByText('2.0 KiB/s')).toBeVisible();
    expect(plots).toHaveLength(0);
  });

  it('says when there is nothing to chart yet', () => {
    render(<MetricsChart title="CPU" timestamps={[]} series={[{ ...cpu, values: [] }]} />);
    expect(screen.getByRole('img', { name: 'CPU: no data yet' })).toBeInTheDocument();
  });

  describe('in a browser', () => {
    const original = globalThis.ResizeObserver;
    beforeAll(() => {
      globalThis.ResizeObserver = FakeResizeObserver as unknown as typeof ResizeObserver;
    });
    afterAll(() => {
      globalThis.ResizeObserver = original;
    });

    it('draws with uPlot, feeds it new data, follows its container and the theme, and cleans up', async () => {
      plots.length = 0;
      const { rerender, unmount } = render(<MetricsChart title="CPU" timestamps={timestamps} series={[cpu]} />);
      expect(plots).toHaveLength(1);
      const [first] = plots as [FakePlot];
      expect(first.data).toEqual([timestamps, cpu.values]);
      expect(first.options.series.map((s) => s.label)).toEqual([undefined, 'CPU']);

      rerender(
        <MetricsChart title="CPU" timestamps={[...timestamps, 4_000]} series={[{ ...cpu, values: [...cpu.values, 50] }]} />,
      );
      expect(first.setData).toHaveBeenLastCalledWith([
        [...timestamps, 4_000],
        [...cpu.values, 50],
      ]);
      expect(plots).toHaveLength(1);

      act(() => resize?.([{ contentRect: { width: 640 } }]));
      expect(first.setSize).toHaveBeenCalledWith({ width: 640, height: 160 });

      // Switching to the dark theme (a class on <html>, seen by a MutationObserver) rebuilds the plot with its colours.
      await act(async () => document.documentElement.classList.add('pf-v6-theme-dark'));
      expect(first.destroy).toHaveBeenCalled();
      expect(plots).toHaveLength(2);
      await act(async () => document.documentElement.classList.remove('pf-v6-theme-dark'));

      unmount();
      expect(plots.at(-1)?.destroy).toHaveBeenCalled();
    });
  });
});
