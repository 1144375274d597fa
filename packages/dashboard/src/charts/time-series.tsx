import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCount } from '../format.js';

export interface TimeSeriesLine {
  label: string;
  values: number[];
}

interface TimeSeriesProps {
  /** What the chart shows, as its caption ("Created and redeemed per day"). */
  title: string;
  /** One day per point, `YYYY-MM-DD` in UTC, as the API's series give them. */
  days: string[];
  /** At most four lines; their colours are --series-1 … --series-4 of the stylesheet. */
  lines: TimeSeriesLine[];
}

const HEIGHT = 240;

/**
 * A line chart of counts per day (uPlot, drawn on a canvas), with the same numbers as a table for whoever cannot see
 * the canvas. Its colours are read from the stylesheet, and it is drawn again when the theme or the width changes.
 * Kept out of the first screen's bundle: import it with React.lazy.
 */
export default function TimeSeries({ title, days, lines }: TimeSeriesProps) {
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = frame.current;
    if (!target) return;
    let chart: uPlot | undefined;
    const draw = () => {
      chart?.destroy();
      chart = new uPlot(options(target.clientWidth, lines), dataOf(days, lines), target);
    };
    draw();
    const resized = new ResizeObserver(() => chart?.setSize({ width: target.clientWidth, height: HEIGHT }));
    resized.observe(target);
    // The theme is an attribute on <html>, or the system's preference: either change redraws in the new colours.
    const themed = new MutationObserver(draw);
    themed.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const system = matchMedia('(prefers-color-scheme: dark)');
    system.addEventListener('change', draw);
    return () => {
      resized.disconnect();
      themed.disconnect();
      system.removeEventListener('change', draw);
      chart?.destroy();
    };
  }, [days, lines]);

  return (
    <figure className="time-series">
      <figcaption>{title}</figcaption>
      <ul className="time-series-legend">
        {lines.map((line, index) => (
          <li key={line.label}>
            <span className={`swatch series-${index + 1}`} aria-hidden="true" />
            {line.label}
          </li>
        ))}
      </ul>
      <div ref={frame} className="time-series-canvas" aria-hidden="true" />
      <details>
        <summary>The numbers</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                {lines.map((line) => (
                  <th key={line.label} scope="col" className="number">
                    {line.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((day, index) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {lines.map((line) => (
                    <td key={line.label} className="number">
                      {formatCount(line.values[index] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

const DAY = 86_400;
const DAY_STEPS = [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY];
const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

function cssColour(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || 'currentColor';
}

function options(width: number, lines: TimeSeriesLine[]): uPlot.Options {
  const text = cssColour('--muted');
  const grid = cssColour('--border');
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: HEIGHT,
    // Days are UTC dates: drawn in UTC, so a day never shows as the evening before.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    // Counts start at zero, or a quiet week would look like a cliff.
    scales: {
      x: { time: true },
      y: { range: (_chart, _min, max) => [0, max > 0 ? Math.ceil(max * 1.1) : 1] },
    },
    legend: { show: false },
    axes: [
      // One tick per day at most, labelled as a day: hours mean nothing in a series of days.
      {
        ...axis,
        incrs: DAY_STEPS,
        values: (_chart, ticks) => ticks.map((tick) => dayLabel.format(tick * 1000)),
      },
      { ...axis, values: (_chart, ticks) => ticks.map((tick) => formatCount(tick)) },
    ],
    series: [
      {},
      ...lines.map((line, index) => ({
        label: line.label,
        stroke: cssColour(`--series-${index + 1}`),
        width: 2,
        // A point per day while they are few enough to tell apart; a lone day is nothing but its point.
        points: { show: lines[0] !== undefined && lines[0].values.length <= 31, size: 6 },
      })),
    ],
    cursor: { y: false },
  };
}

function dataOf(days: string[], lines: TimeSeriesLine[]): uPlot.AlignedData {
  return [days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000), ...lines.map((line) => line.values)];
}
