// Dependency timings of one request (db, cache), for its Server-Timing header.
/** Accumulates dependency timings for the Server-Timing header (db, cache). */
export class Timings {
  private entries = '';
  add(name: string, ms: number): void {
    this.entries += `${name};dur=${ms.toFixed(1)}, `;
  }
  header(totalMs: number): string {
    return `${this.entries}total;dur=${totalMs.toFixed(1)}`;
  }
}
