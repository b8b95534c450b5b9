// Keys that become due at a time, on one timer for all of them (a binary min-heap of due times) instead of
// one timer per key: with thousands of objects on periodic resyncs, every timer of its own is one more
// wake-up of the process, and waking up costs more CPU than the quiet check it starts. Keys due together
// are released together, in one wake-up.

interface Entry {
  key: string;
  dueAt: number;
  /** Tells a live entry from one superseded by a later schedule() of the same key (lazy deletion). */
  seq: number;
}

export class DueKeys {
  readonly #heap: Entry[] = [];
  readonly #live = new Map<string, Entry>();
  readonly #onDue: (keys: string[]) => void;
  readonly #now: () => number;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  /** `onDue` receives every key whose time has come, earliest first. */
  constructor(onDue: (keys: string[]) => void, now: () => number = Date.now) {
    this.#onDue = onDue;
    this.#now = now;
  }

  get size(): number {
    return this.#live.size;
  }

  dueAt(key: string): number | undefined {
    return this.#live.get(key)?.dueAt;
  }

  /** Makes `key` due at `dueAt`, replacing any time it had. */
  schedule(key: string, dueAt: number): void {
    const entry = { key, dueAt, seq: ++this.#seq };
    this.#live.set(key, entry);
    this.#push(entry);
    // Superseded entries wait to surface; a key moved many times must not grow the heap without bound.
    if (this.#heap.length > 2 * this.#live.size + 64) this.#compact();
    if (dueAt < this.#timerAt) this.#arm();
  }

  cancel(key: string): void {
    // The heap entry stays until it surfaces; it is no longer live, so it is skipped then.
    this.#live.delete(key);
    if (this.#live.size === 0) this.#disarm();
  }

  clear(): void {
    this.#live.clear();
    this.#heap.length = 0;
    this.#disarm();
  }

  #release(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#now();
    const due: string[] = [];
    while (this.#heap.length > 0 && (this.#heap[0] as Entry).dueAt <= now) {
      const entry = this.#pop();
      if (this.#live.get(entry.key)?.seq !== entry.seq) continue;
      this.#live.delete(entry.key);
      due.push(entry.key);
    }
    this.#dropSuperseded();
    if (this.#heap.length > 0) this.#arm();
    if (due.length > 0) this.#onDue(due);
  }

  /** Pops superseded entries off the top, so the timer is set for a key that is still waiting. */
  #dropSuperseded(): void {
    while (this.#heap.length > 0) {
      const top = this.#heap[0] as Entry;
      if (this.#live.get(top.key)?.seq === top.seq) return;
      this.#pop();
    }
  }

  #compact(): void {
    this.#heap.length = 0;
    for (const entry of this.#live.values()) this.#push(entry);
  }

  #arm(): void {
    this.#dropSuperseded();
    const top = this.#heap[0];
    if (top === undefined) return this.#disarm();
    if (this.#timer !== undefined && this.#timerAt <= top.dueAt) return;
    this.#disarm();
    this.#timerAt = top.dueAt;
    this.#timer = setTimeout(() => this.#release(), Math.max(0, top.dueAt - this.#now()));
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Entry).dueAt <= entry.dueAt) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0] as Entry;
    const last = heap.pop() as Entry;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as Entry).dueAt < (heap[left] as Entry).dueAt ? right : left;
      if ((heap[child] as Entry).dueAt >= last.dueAt) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
