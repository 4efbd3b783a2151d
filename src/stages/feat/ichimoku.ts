// Ichimoku as backtrader's Ichimoku, without the chikou span:
//   tenkan = (HH + LL) / 2 over `tenkan` bars; kijun likewise over `kijun` bars
//   span_a = (tenkan + kijun) / 2, `senkouLead` bars ago
//   span_b = (HH + LL) / 2 over `senkou` bars, `senkouLead` bars ago
// backtrader's chikou span is close(+26): on bar t the close 26 bars AHEAD, a look-ahead no
// streaming feature may compute (a strategy wanting the close some bars back has `lag`).

import { Highest, Lowest } from './highest-lowest.ts';
import { checkPeriod } from './indicator.ts';
import { Ring } from './ring.ts';

/** (highest high + lowest low) / 2 over a window. */
class MidRange {
  private readonly hh: Highest;
  private readonly ll: Lowest;

  constructor(period: number) {
    this.hh = new Highest(period);
    this.ll = new Lowest(period);
  }

  update(high: number, low: number): number | undefined {
    const h = this.hh.update(high);
    const l = this.ll.update(low);
    return h === undefined || l === undefined ? undefined : (h + l) / 2.0;
  }

  reset(): void {
    this.hh.reset();
    this.ll.reset();
  }
}

export class Ichimoku {
  readonly lead: number;
  private readonly tenkanRange: MidRange;
  private readonly kijunRange: MidRange;
  private readonly senkouRange: MidRange;
  private readonly spanARaw: Ring;
  private readonly spanBRaw: Ring;
  tenkan: number | undefined;
  kijun: number | undefined;
  spanA: number | undefined;
  spanB: number | undefined;

  constructor(tenkan = 9, kijun = 26, senkou = 52, senkouLead = 26) {
    checkPeriod('Ichimoku senkouLead', senkouLead, 0);
    this.lead = senkouLead;
    this.tenkanRange = new MidRange(tenkan);
    this.kijunRange = new MidRange(kijun);
    this.senkouRange = new MidRange(senkou);
    this.spanARaw = new Ring(senkouLead + 1);
    this.spanBRaw = new Ring(senkouLead + 1);
  }

  update(high: number, low: number): void {
    const t = this.tenkanRange.update(high, low);
    const k = this.kijunRange.update(high, low);
    const b = this.senkouRange.update(high, low);
    if (t !== undefined) this.tenkan = t;
    if (k !== undefined) this.kijun = k;
    if (t !== undefined && k !== undefined) {
      this.spanARaw.push((t + k) / 2.0);
      if (this.spanARaw.full) this.spanA = this.spanARaw.ago(this.lead);
    }
    if (b !== undefined) {
      this.spanBRaw.push(b);
      if (this.spanBRaw.full) this.spanB = this.spanBRaw.ago(this.lead);
    }
  }

  reset(): void {
    this.tenkanRange.reset();
    this.kijunRange.reset();
    this.senkouRange.reset();
    this.spanARaw.reset();
    this.spanBRaw.reset();
    this.tenkan = this.kijun = this.spanA = this.spanB = undefined;
  }
}
