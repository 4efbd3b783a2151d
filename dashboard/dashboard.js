// The operator's dashboard: reads the ops API's routes and renders them; nothing here keeps
// state the server does not have, except the last equity figures for the chart. The token
// is kept in this tab's sessionStorage only and sent only with the kill-switch requests.

const $ = (id) => document.getElementById(id);
const money = (x) => (typeof x === 'number' ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '—');
const TOKEN_KEY = 'ordinis.apiToken';
/** Cycles listed in the table; the strip above it keeps more, as coloured cells. */
const MAX_TIMELINE = 15;
const MAX_STRIP = 120;
/** RFC 3339 without the seconds' fraction and zone, for narrow tables. */
const shortTime = (t) => (typeof t === 'string' ? t.slice(0, 19).replace('T', ' ') : '—');
const MAX_EQUITY_POINTS = 300;
const equity = [];

/** GET a JSON route; null when it is not there (404) so a panel can say so. */
async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (res.status === 404) return null;
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? `${path}: HTTP ${res.status}`);
  return body;
}

function badge(el, text, kind) {
  el.textContent = text;
  el.className = `badge ${kind ?? ''}`.trim();
}

function rows(tbody, items, cells, empty) {
  const frag = document.createDocumentFragment();
  for (const item of items) {
    const tr = document.createElement('tr');
    for (const [text, cls] of cells(item)) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    frag.append(tr);
  }
  if (items.length === 0) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 9;
    td.className = 'muted';
    td.textContent = empty;
    tr.append(td);
    frag.append(tr);
  }
  tbody.replaceChildren(frag);
}

const STATE_KIND = { running: 'ok', serving: 'info', stopped: 'warn', stopping: 'warn', idle: 'info' };

function renderStatus(s) {
  const e = s.engine;
  badge($('engine-state'), `engine ${e.state}`, STATE_KIND[e.state] ?? 'warn');
  badge($('engine-mode'), `mode ${e.mode ?? '—'}`, 'info');
  const rt = e.runtime;
  const c = e.counts;
  $('runtime-line').textContent = [
    rt ? `session ${rt.sessionId} (${rt.state})` : null,
    rt?.lastBarTime ? `last bar ${rt.lastBarTime}` : null,
    c ? `cycles ok ${c.ok} · blocked ${c.blocked} · degraded ${c.degraded} · failed ${c.failed}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const k = s.kill;
  const active = k.state === 'ACTIVE';
  badge($('kill-state'), k.state, active ? 'bad' : 'ok');
  $('kill-detail').textContent = active ? `since ${k.activatedAt ?? '?'} by ${k.actor ?? '?'}: ${k.reason ?? ''}` : `last change ${k.updatedAt}`;
}

function renderBook(b) {
  if (b === null) {
    // `serve` has no book; paper has none until its first cycle has valued it.
    $('equity').textContent = '—';
    return;
  }
  $('equity').textContent = money(b.equity);
  $('cash').textContent = money(b.cash);
  $('realized').textContent = money(b.realizedPnl);
  $('unrealized').textContent = money(b.unrealizedPnl);
  $('orders').textContent = `${b.orders.submitted} (filled ${b.orders.filled}, rejected ${b.orders.rejected})`;
  $('fills').textContent = String(b.fills);
  $('staleness').textContent = b.dataStalenessSeconds === null ? '—' : `${b.dataStalenessSeconds.toFixed(0)} s`;
  $('circuit').textContent = b.circuitBreaker;
  rows($('positions'), b.positions.filter((p) => p.qty !== 0), (p) => [[p.symbol], [String(p.qty), 'num'], [money(p.value), 'num']], 'flat');
  rows($('open-orders'), b.openOrders, (o) => [[o.symbol], [o.side], [String(o.qty), 'num'], [o.orderType + (o.limitPrice !== null ? ` @ ${o.limitPrice}` : '') + (o.stopPrice !== null ? ` stop ${o.stopPrice}` : '')], [o.status]], 'none');
  rows($('fills-rows'), b.recentFills, (f) => [[shortTime(f.time)], [f.symbol], [f.side], [String(f.qty), 'num'], [money(f.price), 'num']], 'none yet');
  if (typeof b.equity === 'number' && b.equity !== equity.at(-1)) {
    equity.push(b.equity);
    if (equity.length > MAX_EQUITY_POINTS) equity.shift();
    drawEquity();
  }
}

function drawEquity() {
  const lo = Math.min(...equity);
  const hi = Math.max(...equity);
  const span = hi - lo || 1;
  const step = equity.length > 1 ? 300 / (equity.length - 1) : 0;
  $('equity-line').setAttribute('points', equity.map((v, i) => `${(i * step).toFixed(1)},${(58 - ((v - lo) / span) * 56).toFixed(1)}`).join(' '));
}

function renderRuns(r) {
  rows($('runs'), r?.runs ?? [], (run) => [[run.runId], [run.kind], [run.status], [shortTime(run.startedAt)]], 'none');
}

function renderAudit(a) {
  badge($('audit-state'), a.ok ? 'chain intact' : 'chain BROKEN', a.ok ? 'ok' : 'bad');
  $('audit-detail').textContent = a.ok ? `${a.checked} records checked, head #${a.head.seq}` : `broken at #${a.brokenAt}: ${a.reason}`;
}

// ---- the live cycle timeline (SSE) ---------------------------------------------------------

let cycles = 0;
function onCycleCompleted(ev) {
  const p = JSON.parse(ev.data).payload;
  cycles++;
  $('cycle-count').textContent = `${cycles} seen live`;
  const cell = document.createElement('span');
  cell.className = p.status;
  cell.title = `${p.correlation_id}: ${p.status}`;
  const strip = $('cycle-strip');
  strip.append(cell);
  while (strip.childElementCount > MAX_STRIP) strip.firstElementChild.remove();
  const tr = document.createElement('tr');
  for (const text of [p.correlation_id, p.status, Number(p.duration_ms).toFixed(1), p.block_reason ?? (p.error_codes ?? []).join(', ')]) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  tr.className = 'cycle';
  const body = $('cycle-rows');
  body.prepend(tr);
  while (body.childElementCount > MAX_TIMELINE) body.lastElementChild.remove();
}

function connectEvents() {
  const es = new EventSource('/events?topic=ordinis.ops.cycle.completed');
  es.addEventListener('open', () => badge($('connection'), 'live', 'ok'));
  es.addEventListener('error', () => badge($('connection'), 'reconnecting', 'warn'));
  es.addEventListener('ordinis.ops.cycle.completed', onCycleCompleted);
}

// ---- the kill switch -----------------------------------------------------------------------

async function operateKill(action) {
  const token = $('kill-token').value.trim();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  const body = action === 'activate' ? { reason: $('kill-reason').value.trim() || 'operator stop from the dashboard', actor: 'dashboard' } : { actor: 'dashboard' };
  const msg = $('kill-message');
  msg.textContent = `${action}…`;
  try {
    const res = await fetch(`/kill/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    msg.textContent = res.ok ? `${action === 'activate' ? 'activated' : 'deactivated'}: kill switch ${answer.kill.state}` : `refused (${res.status} ${answer.error.code}): ${answer.error.message}`;
    msg.dataset.outcome = res.ok ? 'ok' : 'refused';
  } catch (e) {
    msg.textContent = `request failed: ${e.message}`;
    msg.dataset.outcome = 'failed';
  }
  await refreshFast();
}

// ---- polling -------------------------------------------------------------------------------

async function refreshFast() {
  try {
    const status = await getJson('/status');
    renderStatus(status);
    // Only a trading process (paper) has a book; `serve` has no runtime and no /book.
    renderBook(status.engine.runtime ? await getJson('/book') : null);
    document.body.dataset.refreshed = String(Date.now());
  } catch (e) {
    badge($('connection'), `error: ${e.message}`, 'bad');
  }
}

async function refreshSlow() {
  try {
    const [runs, audit] = await Promise.all([getJson('/runs?limit=10'), getJson('/audit/verify')]);
    renderRuns(runs);
    renderAudit(audit);
  } catch (e) {
    badge($('audit-state'), `error: ${e.message}`, 'bad');
  }
}

function start() {
  $('kill-token').value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  $('kill-activate').addEventListener('click', () => void operateKill('activate'));
  $('kill-deactivate').addEventListener('click', () => void operateKill('deactivate'));
  connectEvents();
  void refreshFast();
  void refreshSlow();
  setInterval(refreshFast, 1000);
  setInterval(refreshSlow, 5000);
}

start();
