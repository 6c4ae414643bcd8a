// Builds the /records page index from the workers' valid rows while the load runs, in id order,
// so the finishing step writes it without scanning the freshly loaded table.
import { ANCHOR_EVERY, keysOf } from '../../src/data/page-index.ts';
import { RISK_GROUPS, type RiskGroup } from '../../src/risk/index.ts';
import { unpackFilters } from './chunk.ts';

/** What the page index holds when the load ends: its anchors in order, and its totals. */
export interface PageIndex {
  readonly anchors: Iterable<readonly [key: string, anchor: number, id: number]>;
  readonly totals: Map<string, number>;
}

/**
 * PageIndexBuilder's result (same anchors, same totals: see test/unit/etl-page-feed.test.ts)
 * with the 8 filter keys of each (age, gender, risk group) worked out once instead of per row:
 * this runs on the main thread while the workers and the database are busy. Its anchors (about
 * one per 12 valid rows) are kept as numbers in one typed array, 12 bytes each, not as a JS
 * tuple each, so the main thread's heap does not grow with the file.
 */
class FastPageIndex implements PageIndex {
  /** Per anchor: its key's index in `keys`, its anchor number, its record id. */
  private slots = new Uint32Array(3 * 4096);
  private anchorCount = 0;
  private readonly keys: string[] = [];
  private readonly keyIndex = new Map<string, number>();
  private readonly combos = new Map<number, Int32Array>();
  private counts = new Float64Array(256);

  /** Continues from an existing dataset's totals (--append: its anchors are copied as they are). */
  seed(totals: Map<string, number>): void {
    for (const [key, n] of totals) this.counts[this.keyOf(key)] = n;
  }

  private keyOf(key: string): number {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.keys.push(key) - 1;
      this.keyIndex.set(key, k);
      if (k >= this.counts.length) {
        const grown = new Float64Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    return k;
  }

  add(id: number, packed: number): void {
    let combo = this.combos.get(packed);
    if (!combo) combo = this.comboOf(packed);
    for (let i = 0; i < combo.length; i++) {
      const k = combo[i] as number;
      const n = this.counts[k] as number;
      if (n % ANCHOR_EVERY === 0) this.pushAnchor(k, n / ANCHOR_EVERY, id);
      this.counts[k] = n + 1;
    }
  }

  private pushAnchor(k: number, anchor: number, id: number): void {
    let at = 3 * this.anchorCount;
    if (at + 3 > this.slots.length) {
      const grown = new Uint32Array(this.slots.length * 2);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots[at++] = k;
    this.slots[at++] = anchor;
    this.slots[at] = id;
    this.anchorCount++;
  }

  /** The anchors in the order they were found, made one at a time. */
  *[Symbol.iterator](): Generator<readonly [string, number, number]> {
    for (let i = 0; i < this.anchorCount; i++) {
      const at = 3 * i;
      yield [this.keys[this.slots[at] as number] as string, this.slots[at + 1] as number, this.slots[at + 2] as number];
    }
  }

  get anchors(): Iterable<readonly [string, number, number]> {
    return this;
  }

  private comboOf(packed: number): Int32Array {
    const f = unpackFilters(packed);
    const combo = Int32Array.from(keysOf(f.ageGroup, f.gender, RISK_GROUPS[f.group] as RiskGroup), (key) =>
      this.keyOf(key),
    );
    this.combos.set(packed, combo);
    return combo;
  }

  /** Totals per filter key, in first-seen order like PageIndexBuilder's. */
  get totals(): Map<string, number> {
    return new Map(this.keys.map((key, k) => [key, this.counts[k] as number]));
  }
}

export class PageIndexFeed {
  private readonly index = new FastPageIndex();
  /** Chunks that finished before an earlier one: held until their turn (ids must come in order). */
  private readonly pending = new Map<number, { idOffset: number; rows: Uint32Array }>();
  private next = 0;

  get builder(): PageIndex {
    return this.index;
  }

  /** Continues counting from an existing dataset's totals (see FastPageIndex.seed). */
  seed(totals: Map<string, number>): void {
    this.index.seed(totals);
  }

  /** The valid rows of chunk `batchId` (pairs [row in chunk, packed filters]); ids are idOffset + row. */
  add(batchId: number, idOffset: number, rows: Uint32Array): void {
    this.pending.set(batchId, { idOffset, rows });
    for (let chunk = this.pending.get(this.next); chunk; chunk = this.pending.get(this.next)) {
      this.pending.delete(this.next++);
      const { idOffset: base, rows: r } = chunk;
      for (let i = 0; i < r.length; i += 2) this.index.add(base + (r[i] as number), r[i + 1] as number);
    }
  }

  /** Whether every one of `chunks` chunks has been fed. */
  complete(chunks: number): boolean {
    return this.next === chunks && this.pending.size === 0;
  }
}
