// The charting library the report inlines: ECharts' minified dist file, read from the
// installed package when a report is written (not bundled into our sources, so an
// `npm update` of echarts is all an upgrade takes). Chosen over lightweight-charts because the
// report needs more than time series: a histogram of returns and linked multi-panel charts
// with zoom are ECharts built-ins, where lightweight-charts draws only financial time series.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OrdinisError } from '../../../../errors.ts';

/** The text of echarts/dist/echarts.min.js; E_REPORT_WRITE_FAILED when the package is missing. */
export function readChartLibrary(): string {
  try {
    // The package's exports map has no entry for its dist files: find the package, then the file.
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('echarts/package.json'));
    return readFileSync(join(root, 'dist', 'echarts.min.js'), 'utf8');
  } catch (e) {
    throw new OrdinisError('E_REPORT_WRITE_FAILED', `cannot read the charting library echarts/dist/echarts.min.js: ${(e as Error).message}`, { cause: e });
  }
}
