// The sweep report's heatmap (pure): the objective over two swept parameters as an SVG grid,
// one cell per pair of values, coloured from the worst figure (red) to the best (green). With
// more than two parameters a cell shows the best figure over the others (and says so); with
// one, a single row. A cell with no figure (refused or failed points) is grey.

import { escapeHtml } from '../../backtest/report/format.ts';
import { OBJECTIVES, objectiveValue, type ObjectiveName } from '../objective.ts';
import type { ParamValue } from '../parameter-space.ts';
import type { SweepResult } from '../sweep-outcome.ts';

export interface HeatmapCell {
  x: ParamValue;
  y: ParamValue | null;
  /** The best objective figure among the results at (x, y), null when none has one. */
  value: number | null;
  /** Points behind the cell (more than one when other parameters were swept too). */
  points: number;
}

/** The cells, x (the first key) by y (the second), values in the order they first appear. */
export function heatmapCells(objective: ObjectiveName, keys: readonly string[], results: readonly SweepResult[]): { xs: ParamValue[]; ys: (ParamValue | null)[]; cells: HeatmapCell[] } {
  const [kx, ky] = keys;
  const xs: ParamValue[] = [];
  const ys: (ParamValue | null)[] = [];
  const byCell = new Map<string, HeatmapCell>();
  const higher = OBJECTIVES[objective].better === 'higher';
  for (const r of [...results].sort((a, b) => a.index - b.index)) {
    const x = r.params[kx!]!;
    const y = ky === undefined ? null : r.params[ky]!;
    if (!xs.includes(x)) xs.push(x);
    if (!ys.includes(y)) ys.push(y);
    const key = JSON.stringify([x, y]);
    const v = objectiveValue(objective, r);
    const cell = byCell.get(key) ?? { x, y, value: null, points: 0 };
    cell.points++;
    if (v !== null && (cell.value === null || (higher ? v > cell.value : v < cell.value))) cell.value = v;
    byCell.set(key, cell);
  }
  const cells = ys.flatMap((y) => xs.map((x) => byCell.get(JSON.stringify([x, y])) ?? { x, y, value: null, points: 0 }));
  return { xs, ys, cells };
}

/** Red (worst) through yellow to green (best), as an RGB hex; t in [0, 1]. */
export function heatColor(t: number): string {
  const c = Math.max(0, Math.min(1, t));
  const r = c < 0.5 ? 220 : Math.round(220 - (c - 0.5) * 2 * 180);
  const g = c < 0.5 ? Math.round(60 + c * 2 * 160) : 220;
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `#${hex(r)}${hex(g)}${hex(60)}`;
}

export function svgHeatmap(objective: ObjectiveName, keys: readonly string[], results: readonly SweepResult[]): string {
  const { xs, ys, cells } = heatmapCells(objective, keys, results);
  const values = cells.map((c) => c.value).filter((v): v is number => v !== null);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 0;
  const higher = OBJECTIVES[objective].better === 'higher';
  const cellW = Math.max(24, Math.min(64, Math.floor(880 / xs.length)));
  const cellH = Math.max(18, Math.min(40, Math.floor(560 / ys.length)));
  const left = 80;
  const top = 30;
  const width = left + xs.length * cellW + 20;
  const height = top + ys.length * cellH + 50;
  const label = (v: ParamValue | null): string => escapeHtml(v === null ? '' : String(v));
  const rects = cells.map((c) => {
    const i = xs.indexOf(c.x);
    const j = ys.indexOf(c.y);
    const t = c.value === null ? 0 : hi === lo ? 1 : (c.value - lo) / (hi - lo);
    const fill = c.value === null ? '#cccccc' : heatColor(higher ? t : 1 - t);
    const tip = `${keys[0]}=${String(c.x)}${c.y === null ? '' : ` ${keys[1]}=${String(c.y)}`}: ${c.value === null ? 'no figure' : c.value.toFixed(4)}${c.points > 1 ? ` (best of ${c.points})` : ''}`;
    return `<rect x="${left + i * cellW}" y="${top + j * cellH}" width="${cellW - 1}" height="${cellH - 1}" fill="${fill}"><title>${escapeHtml(tip)}</title></rect>`;
  });
  const xLabels = xs.map((x, i) => `<text x="${left + i * cellW + cellW / 2}" y="${top + ys.length * cellH + 16}" text-anchor="middle" font-size="11">${label(x)}</text>`);
  const yLabels = ys.map((y, j) => `<text x="${left - 6}" y="${top + j * cellH + cellH / 2 + 4}" text-anchor="end" font-size="11">${label(y)}</text>`);
  const axisNames = [
    `<text x="${left + (xs.length * cellW) / 2}" y="${top + ys.length * cellH + 38}" text-anchor="middle" font-size="12" font-weight="bold">${escapeHtml(keys[0] ?? '')}</text>`,
    keys[1] === undefined ? '' : `<text x="14" y="${top + (ys.length * cellH) / 2}" text-anchor="middle" font-size="12" font-weight="bold" transform="rotate(-90 14 ${top + (ys.length * cellH) / 2})">${escapeHtml(keys[1])}</text>`,
  ];
  const title = `<text x="${left}" y="18" font-size="13" font-weight="bold">${escapeHtml(objective)} by ${escapeHtml(keys.slice(0, 2).join(' × '))}${keys.length > 2 ? ` (best over ${escapeHtml(keys.slice(2).join(', '))})` : ''}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="heatmap of ${escapeHtml(objective)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">${title}${rects.join('')}${xLabels.join('')}${yLabels.join('')}${axisNames.join('')}</svg>`;
}
