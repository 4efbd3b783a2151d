// ops/prometheus/alerts.yml and ops/grafana/ordinis.json: the rules pass promtool's check and
// their unit tests (alerts.test.yml), and every series either file names is one the engine
// really exposes, so a renamed metric fails here rather than leaving an alert that never fires.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createOrchMetrics } from '../../src/observability/metrics.ts';
import { registerTradingMetrics } from '../../src/observability/trading-metrics.ts';
import { ROOT } from '../modes/paper/cli-process.ts';

const RULES_DIR = join(ROOT, 'ops', 'prometheus');
const GRAFANA = join(ROOT, 'ops', 'grafana', 'ordinis.json');
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const skip = promtool.error ? 'promtool not installed (Debian package prometheus: apt-get install prometheus)' : false;

function runPromtool(args: string[]): string {
  const r = spawnSync('promtool', args, { cwd: RULES_DIR, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('alerts.yml passes promtool check rules', { skip }, () => {
  assert.match(runPromtool(['check', 'rules', 'alerts.yml']), /SUCCESS: 7 rules found/);
});

test('alerts.yml: promtool test rules (each alert fires on its series and not otherwise)', { skip }, () => {
  assert.match(runPromtool(['test', 'rules', 'alerts.test.yml']), /SUCCESS/);
});

/** The metric names the engine exposes (a paper process: orchestration and trading series). */
function exposedNames(): Set<string> {
  const registry = new Registry();
  createOrchMetrics(registry);
  registerTradingMetrics(registry, () => undefined);
  const names = new Set<string>();
  for (const m of registry.getMetricsAsArray()) {
    names.add(m.name);
    // A histogram's series.
    for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix);
  }
  return names;
}

function namesIn(text: string): string[] {
  return [...new Set(text.match(/\bordinis_[a-z_]+\b/g) ?? [])].filter((n) => n !== 'ordinis_orch');
}

test('every series the alerts and the Grafana dashboard query is one the engine exposes', () => {
  const exposed = exposedNames();
  const rules = readFileSync(join(RULES_DIR, 'alerts.yml'), 'utf8');
  const exprs = [...rules.matchAll(/^\s*expr: (.*)$/gm)].map((m) => m[1]!).join('\n');
  const dashboard = JSON.parse(readFileSync(GRAFANA, 'utf8')) as { uid: string; panels: { id: number; title: string; targets: { expr: string }[] }[] };
  const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
  for (const [file, text] of [['alerts.yml', exprs], ['ordinis.json', queries]] as const) {
    const used = namesIn(text);
    assert.ok(used.length >= 7, `${file} names ${used.length} series`);
    assert.deepEqual(used.filter((n) => !exposed.has(n)), [], `${file} queries series nobody exposes`);
  }
  // The trading series the issue lists are all on the dashboard.
  for (const n of ['ordinis_equity', 'ordinis_cash', 'ordinis_position_quantity', 'ordinis_position_value', 'ordinis_realized_pnl', 'ordinis_unrealized_pnl', 'ordinis_orders_total', 'ordinis_fills_total', 'ordinis_rejections_total', 'ordinis_data_staleness_seconds', 'ordinis_circuit_breaker_state', 'ordinis_cycle_duration_seconds_bucket', 'ordinis_stage_duration_seconds_bucket']) {
    assert.ok(queries.includes(n), `dashboard shows ${n}`);
  }
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  assert.equal(dashboard.uid, 'ordinis-orch');
});
