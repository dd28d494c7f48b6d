/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine, so a fuzz case is
 * reproduced from (seed, index) alone.
 */
export class Prng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** The generator for case `index` of run `seed`: independent of how many values earlier cases drew. */
  static forCase(seed: number, index: number): Prng {
    let h = (seed ^ 0x9e3779b9) >>> 0
    h = Math.imul(h ^ (index + 0x7f4a7c15), 0x85ebca6b) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
    return new Prng((h ^ (h >>> 16)) >>> 0)
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }
}
