/**
 * Read-ahead for one open file: the kernel asks for 128 KiB at a time; a sequential reader gets
 * the next `READ_AHEAD_CHUNKS` chunks of `READ_CHUNK_BYTES` requested at once, so their round
 * trips overlap (pipelined on the connection) instead of one per kernel request. A random read
 * fetches just what was asked. The window is dropped on a write or truncate through the handle.
 */

/** Bytes fetched per read-ahead request: 512 KiB. */
export const READ_CHUNK_BYTES = 512 * 1024;
/** Chunks kept in flight ahead of a sequential reader: 4 (2 MiB). */
export const READ_AHEAD_CHUNKS = 4;

type Fetch = (position: number, length: number) => Promise<Uint8Array>;

export class ReadAhead {
  readonly #chunks = new Map<number, Promise<Uint8Array>>();
  #nextExpected = -1;
  #eof = Number.POSITIVE_INFINITY;

  constructor(readonly fetch: Fetch) {}

  clear(): void {
    this.#chunks.clear();
    this.#eof = Number.POSITIVE_INFINITY;
  }

  /** Up to `length` bytes at `position` (fewer at end of file). */
  async read(position: number, length: number): Promise<Uint8Array> {
    const sequential = position === this.#nextExpected || position === 0;
    this.#nextExpected = position + length;
    if (!sequential) {
      this.#chunks.clear();
      return this.fetch(position, length);
    }
    const first = Math.floor(position / READ_CHUNK_BYTES);
    const last = Math.floor((position + length - 1) / READ_CHUNK_BYTES);
    for (let i = first; i <= last + READ_AHEAD_CHUNKS; i++) this.#want(i);
    for (const index of this.#chunks.keys()) if (index < first) this.#chunks.delete(index);
    const parts: Uint8Array[] = [];
    let got = 0;
    for (let i = first; i <= last; i++) {
      const pending = this.#chunks.get(i);
      if (!pending) break; // past the end of file
      const chunk = await pending;
      const start = i === first ? position - i * READ_CHUNK_BYTES : 0;
      const piece = chunk.subarray(start, Math.min(chunk.length, start + length - got));
      parts.push(piece);
      got += piece.length;
      if (chunk.length < READ_CHUNK_BYTES) break; // end of file
    }
    if (parts.length === 0) return new Uint8Array(0);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  #want(index: number): void {
    if (this.#chunks.has(index) || index * READ_CHUNK_BYTES >= this.#eof) return;
    const p = this.fetch(index * READ_CHUNK_BYTES, READ_CHUNK_BYTES).then((data) => {
      if (data.length < READ_CHUNK_BYTES) {
        this.#eof = Math.min(this.#eof, index * READ_CHUNK_BYTES + data.length);
      }
      return data;
    });
    p.catch(() => this.#chunks.delete(index)); // a failed chunk is fetched again next time
    this.#chunks.set(index, p);
  }
}
