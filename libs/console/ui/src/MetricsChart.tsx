import { Content } from '@patternfly/react-core';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatMetric, type MetricUnit } from './format.js';

export interface ChartSeries {
  label: string;
  values: readonly number[];
  unit: MetricUnit;
}

export interface MetricsChartProps {
  title: string;
  /** Unix milliseconds, one per value of each series. */
  timestamps: readonly number[];
  series: readonly ChartSeries[];
  /** Height of the plot in CSS pixels (the legend comes on top of it). */
  height?: number;
}

/** Line colours by series, from PatternFly's tokens so they follow the light/dark theme. */
const SERIES_COLORS = ['blue', 'orange', 'purple', 'teal'].map(
  (name) => `var(--pf-t--global--border--color--nonstatus--${name}--default)`,
);
const seriesColor = (index: number) => SERIES_COLORS[index % SERIES_COLORS.length] ?? 'currentColor';

/**
 * uPlot draws on a canvas and the chart follows its container through ResizeObserver. jsdom (the
 * tests) has neither, so there the chart is its accessible summary and legend alone.
 */
export function canDrawCharts(): boolean {
  return typeof ResizeObserver === 'function' && typeof window.matchMedia === 'function';
}

/** PatternFly switches to dark with a class on <html>; charts re-read their colours when it flips. */
function subscribeToTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}
const themeClasses = () => document.documentElement.className;

/** A canvas has no CSS variables: resolve one to a colour by letting the browser compute it. */
function resolveColor(host: HTMLElement, cssColor: string): string {
  const probe = document.createElement('span');
  probe.style.color = cssColor;
  host.appendChild(probe);
  const resolved = getComputedStyle(probe).color;
  probe.remove();
  return resolved || '#888';
}

function latest(values: readonly number[]): number | undefined {
  return values.length ? values[values.length - 1] : undefined;
}

/**
 * One or more time series over time, with a legend of their latest values. Series of a second unit
 * (bytes beside rates, say) are drawn against an axis of their own on the right.
 */
export function MetricsChart({ title, timestamps, series, height = 160 }: MetricsChartProps) {
  const canvasHost = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const drawable = canDrawCharts();
  const theme = useSyncExternalStore(subscribeToTheme, themeClasses, () => '');

  const data = useMemo<uPlot.AlignedData>(() => [[...timestamps], ...series.map((s) => [...s.values])], [timestamps, series]);
  const latestData = useRef(data);
  // Primitive stand-ins for what the plot is built from, so it is rebuilt only when they change:
  // each series' label and unit, a line each.
  const shape = series.map((s) => `${s.label}\t${s.unit}`).join('\n');

  useEffect(() => {
    latestData.current = data;
    plot.current?.setData(data);
  }, [data]);

  useEffect(() => {
    const host = canvasHost.current;
    if (!drawable || !host) return;
    const text = resolveColor(host, 'var(--pf-t--global--text--color--subtle)');
    const grid = resolveColor(host, 'var(--pf-t--global--border--color--default)');
    const font = `12px ${getComputedStyle(host).fontFamily}`;
    const axis: uPlot.Axis = { stroke: text, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const lines = shape.split('\n').map((line) => {
      const [label = '', unit = 'percent'] = line.split('\t');
      return { label, unit: unit as MetricUnit };
    });
    // The first series' unit is on the left axis; a second unit (if any) on the right one.
    const units = [...new Set(lines.map((line) => line.unit))].slice(0, 2);
    const scaleOf = (unit: MetricUnit) => (unit === units[1] ? 'y2' : 'y');
    // Percentages on a fixed 0–100 scale; everything else from zero up to a little above its peak.
    const range = (unit: MetricUnit): uPlot.Scale['range'] =>
      unit === 'percent' ? [0, 100] : (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1];
    const valueAxis = (unit: MetricUnit): uPlot.Axis => ({
      ...axis,
      size: 80,
      scale: scaleOf(unit),
      values: (_u, splits) => splits.map((value) => formatMetric(unit, value)),
    });
    const created = new uPlot(
      {
        width: Math.max(host.clientWidth, 200),
        height,
        ms: 1,
        legend: { show: false },
        scales: Object.fromEntries([
          ['x', { time: true }],
          ...units.map((unit) => [scaleOf(unit), { range: range(unit) }]),
        ]) as uPlot.Scales,
        axes: [
          axis,
          ...units.map((unit, index) => (index === 0 ? valueAxis(unit) : { ...valueAxis(unit), side: 1, grid: { show: false } })),
        ],
        series: [
          {},
          ...lines.map(({ label, unit }, index) => ({
            label,
            scale: scaleOf(unit),
            stroke: resolveColor(host, seriesColor(index)),
            width: 2,
            points: { show: false },
          })),
        ],
      },
      latestData.current,
      host,
    );
    plot.current = created;
    const resize = new ResizeObserver(([entry]) => {
      if (entry) created.setSize({ width: Math.max(Math.floor(entry.contentRect.width), 200), height });
    });
    resize.observe(host);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
  }, [drawable, theme, shape, height]);

  const summary = series.some((s) => s.values.length)
    ? `${title}, latest: ${series.map((s) => `${s.label} ${formatMetric(s.unit, latest(s.values))}`).join(', ')}`
    : `${title}: no data yet`;

  return (
    // data-points: how many points are drawn (the browser test watches it grow).
    <figure role="img" aria-label={summary} data-points={timestamps.length} style={{ margin: 0 }}>
      <Content component="h3">{title}</Content>
      <ul
        style={{
          display: 'flex',
          flexWrap: 'wrap',
          gap: 'var(--pf-t--global--spacer--md)',
          listStyle: 'none',
          padding: 0,
          margin: 'var(--pf-t--global--spacer--xs) 0',
        }}
      >
        {series.map((s, index) => (
          <li key={s.label} style={{ display: 'flex', alignItems: 'center', gap: 'var(--pf-t--global--spacer--xs)' }}>
            <span style={{ width: 12, height: 3, background: seriesColor(index), display: 'inline-block' }} />
            <span>{s.label}</span>
            <strong>{formatMetric(s.unit, latest(s.values))}</strong>
          </li>
        ))}
      </ul>
      {drawable && <div ref={canvasHost} style={{ width: '100%', minHeight: height }} />}
    </figure>
  );
}
