/**
 * Seeded random numbers on seedrandom's Alea generator, with a state that can be saved in a checkpoint
 * and restored so a resumed run draws exactly the numbers the uninterrupted run would have drawn.
 */
import seedrandom from 'seedrandom';

/** Serialisable generator state (Alea's three words and carry). */
export interface RngState {
  seed: string;
  alea: { c: number; s0: number; s1: number; s2: number };
}

type AleaPrng = seedrandom.PRNG & { state(): RngState['alea'] };

export class Rng {
  private prng: AleaPrng;
  private cachedNormal: number | null = null;

  private constructor(
    readonly seed: string,
    state?: RngState['alea'],
  ) {
    this.prng = seedrandom.alea(seed, state ? { state } : { state: true }) as AleaPrng;
  }

  /** A generator from a seed (number or string); the same seed always gives the same stream. */
  static from(seed: number | string): Rng {
    return new Rng(String(seed));
  }

  /** A generator that continues exactly where `state` was taken. */
  static restore(state: RngState): Rng {
    return new Rng(state.seed, state.alea);
  }

  /** The current state; `Rng.restore(rng.state())` continues the same stream. */
  state(): RngState {
    // A cached Box-Muller normal is not part of the state: drop it so restore and continue agree.
    this.cachedNormal = null;
    return { seed: this.seed, alea: this.prng.state() };
  }

  /** An independent child stream, e.g. one per worker or per component. */
  fork(label: string): Rng {
    return new Rng(`${this.seed}/${label}/${this.prng.int32()}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n))
      throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.prng() * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.prng() < p;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.cachedNormal !== null) {
      const z = this.cachedNormal;
      this.cachedNormal = null;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.prng();
    const v = this.prng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.cachedNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.choice: empty array');
    return items[this.int(items.length)];
  }

  /** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0)) throw new RangeError('Rng.weighted: weights must have a positive sum');
    let r = this.prng() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
