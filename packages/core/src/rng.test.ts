import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is deterministic under a seed and differs across seeds', () => {
    const a = Rng.from(42);
    const b = Rng.from(42);
    const c = Rng.from(43);
    const xs = Array.from({ length: 10 }, () => a.next());
    expect(Array.from({ length: 10 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 10 }, () => c.next())).not.toEqual(xs);
  });

  it('restores a saved state and continues the same stream, through JSON', () => {
    const a = Rng.from('run');
    for (let i = 0; i < 17; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const cont = Array.from({ length: 20 }, () => a.normal());
    const b = Rng.restore(saved);
    expect(Array.from({ length: 20 }, () => b.normal())).toEqual(cont);
  });

  it('draws within range', () => {
    const r = Rng.from(1);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(7);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(7);
      const j = r.intBetween(3, 5);
      expect(j).toBeGreaterThanOrEqual(3);
      expect(j).toBeLessThanOrEqual(5);
    }
    expect(() => r.int(0)).toThrow(/positive integer/);
  });

  it('weighted draws follow the weights', () => {
    const r = Rng.from(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[r.weighted([1, 0, 3])]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / counts[0]).toBeGreaterThan(2.7);
    expect(counts[2] / counts[0]).toBeLessThan(3.3);
  });

  it('shuffle is a permutation and forks are independent streams', () => {
    const r = Rng.from(2);
    const s = r.shuffle([1, 2, 3, 4, 5, 6]);
    expect([...s].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const f1 = r.fork('a').next();
    const f2 = r.fork('a').next();
    expect(f1).not.toBe(f2);
  });
});
