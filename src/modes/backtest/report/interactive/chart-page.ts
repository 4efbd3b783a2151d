// What makes the report interactive: the charting library inlined (ECharts, its dist file
// read from node_modules when the report is written: chart-library.ts), the charts' options
// as JSON, and a script of a few lines that hands each option to its container. Everything is
// in the page, so it opens offline; the Content-Security-Policy still forbids fetching
// anything, and only inline scripts run.

import type { ChartSpec } from './chart-options.ts';

/** The report's CSP when it carries charts: nothing fetched, inline styles and scripts only. */
export const INTERACTIVE_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

/**
 * Text that is safe inside a `<script>` element: "</script" would end the element early and
 * "<!--" would switch the parser's mode. `<\/` and `\x3C!--` mean the same to JavaScript in a
 * string or a regular expression, which is the only place a library or JSON has them.
 */
export function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '\\x3C!--');
}

/** The options as JSON for a `type="application/json"` element (`<` escaped: no markup can close it). */
export function chartsJson(specs: readonly ChartSpec[]): string {
  return JSON.stringify(specs).replace(/</g, '\\u003c');
}

/**
 * Draws every chart whose container is on the page; the log-scale box switches the equity
 * chart's y axis. The instances are kept on `window.ordinisReportCharts` (by container id),
 * where a test or a curious reader can look at what was drawn.
 */
export const BOOTSTRAP = `(function () {
  var specs = JSON.parse(document.getElementById('report-charts').textContent);
  var charts = {};
  specs.forEach(function (s) {
    var el = document.getElementById(s.id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(s.option);
    charts[s.id] = chart;
  });
  window.ordinisReportCharts = charts;
  var log = document.getElementById('equity-log');
  if (log && charts['chart-equity']) {
    log.addEventListener('change', function () {
      charts['chart-equity'].setOption({ yAxis: { type: log.checked ? 'log' : 'value', scale: !log.checked } });
    });
  }
  window.addEventListener('resize', function () {
    for (var id in charts) charts[id].resize();
  });
})();`;

/** The scripts at the end of the body: the data, the library, the bootstrap. */
export function chartScripts(specs: readonly ChartSpec[], chartLibrary: string): string {
  return [
    `<script type="application/json" id="report-charts">${chartsJson(specs)}</script>`,
    `<script>${scriptSafe(chartLibrary)}</script>`,
    `<script>${BOOTSTRAP}</script>`,
  ].join('\n');
}

export const INTERACTIVE_CSS = `
.echart { width: 100%; height: 340px; margin: 8px 0; }
.echart.tall { height: 480px; }
label.toggle { font-size: 13px; color: #444; user-select: none; }
table.heatmap { width: auto; font-size: 12px; }
table.heatmap td, table.heatmap th { padding: 2px 6px; text-align: right; }
table.heatmap td.year { font-weight: 600; border-left: 2px solid #ccc; }
.hm0 { background: #f6f8fa; }
.hp1 { background: #dafbe1; } .hp2 { background: #aceebb; } .hp3 { background: #6fdd8b; } .hp4 { background: #4ac26b; } .hp5 { background: #2da44e; color: #fff; }
.hn1 { background: #ffebe9; } .hn2 { background: #ffcecb; } .hn3 { background: #ffaba8; } .hn4 { background: #ff8182; } .hn5 { background: #fa4549; color: #fff; }
`;
