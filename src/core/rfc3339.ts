// RFC 3339 time stamps, the one formatter of the system (core/clock.ts's toRfc3339 is this).
// `new Date(ms).toISOString()` costs about half a microsecond, and a backtest formats a new
// time every cycle; this builds the same string from integer arithmetic (Hinnant's
// days-to-civil) for the years toISOString writes with four digits, and is toISOString
// itself outside them. The same function of `ms`, character for character (a property test
// holds it to toISOString).

const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z. */
const FIRST_MS = -62_167_219_200_000;
const END_MS = 253_402_300_800_000;
const TWO = Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0'));

export function rfc3339(ms: number): string {
  // Date's time value is ms truncated toward zero (and -0 is 0).
  const t = Math.trunc(ms) + 0;
  if (!(t >= FIRST_MS && t < END_MS)) return new Date(ms).toISOString();
  const days = Math.floor(t / DAY_MS);
  let rem = t - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rem / 3_600_000);
  rem -= hour * 3_600_000;
  const minute = Math.floor(rem / 60_000);
  rem -= minute * 60_000;
  const second = Math.floor(rem / 1000);
  const milli = rem - second * 1000;
  return `${TWO[Math.floor(year / 100)]}${TWO[year % 100]}-${TWO[month]}-${TWO[day]}T${TWO[hour]}:${TWO[minute]}:${TWO[second]}.${TWO[Math.floor(milli / 10)]}${milli % 10}Z`;
}

/**
 * rfc3339 that remembers its last input and answer. For callers that format the same time
 * many times running: a cycle's start, time and finish (one bar time in a backtest), the
 * audit records of one cycle, a backtest's fills at one bar.
 */
export function lastRfc3339(): (ms: number) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) {
      last = rfc3339(ms);
      lastMs = ms;
    }
    return last;
  };
}
