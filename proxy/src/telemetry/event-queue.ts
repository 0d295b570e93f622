/** What a full {@link EventQueue} does with one more item. */
export type QueueFullPolicy = 'drop-newest' | 'drop-oldest';

/**
 * A bounded FIFO ring buffer. `push` is O(1) and allocates nothing: the slots are allocated
 * once, and `shift` clears the slot it empties so the queue never keeps an item alive.
 */
export class EventQueue<T> {
  readonly capacity: number;
  readonly whenFull: QueueFullPolicy;
  readonly #slots: (T | undefined)[];
  #head = 0;
  #length = 0;

  constructor(capacity: number, whenFull: QueueFullPolicy) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.whenFull = whenFull;
    this.#slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.#length;
  }

  /** Adds `item`; returns false when the queue was full and an item (this one or the oldest) was dropped. */
  push(item: T): boolean {
    if (this.#length === this.capacity) {
      if (this.whenFull === 'drop-newest') return false;
      this.#slots[this.#head] = item;
      this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1;
      return false;
    }
    let tail = this.#head + this.#length;
    if (tail >= this.capacity) tail -= this.capacity;
    this.#slots[tail] = item;
    this.#length++;
    return true;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1;
    this.#length--;
    return item;
  }
}
