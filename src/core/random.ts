// A seeded random source. Jitter, ids and anything else random in the engine draw from one
// of these, never from Math.random(), so a run with the same seed makes the same choices.

/** Where the engine draws random numbers (retry jitter, ids): injected, so a seeded run repeats exactly. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
}

/** sfc32 (Small Fast Counter): 128-bit state, passes PractRand; seeded through splitmix32. */
export class SeededRandom implements RandomSource {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string = 0) {
    let s = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** A random hex id of `bytes` bytes from the given source (deterministic under a seed). */
export function randomHex(random: RandomSource, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) {
    out += Math.floor(random.next() * 256)
      .toString(16)
      .padStart(2, '0');
  }
  return out;
}
