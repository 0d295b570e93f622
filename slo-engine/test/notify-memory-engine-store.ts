import type { AttemptRecord, Delivery, EngineStore, PersistedSlo, TransitionRecord } from '../src/persistence/engine-store.ts';

/**
 * An in-memory {@link EngineStore} for the delivery tests (a unit-test double; the real stores
 * run the same tests elsewhere). Claims behave as the contract says: one holder at a time,
 * until the claim expires or the attempt is finished. It also records every finished attempt,
 * so tests can assert "never recorded delivered twice".
 */
export class MemoryEngineStore implements EngineStore {
  readonly #deliveries = new Map<string, Delivery>();
  readonly #claims = new Map<string, { holder: string; until: number }>();
  readonly #states = new Map<string, PersistedSlo>();
  readonly #transitions: TransitionRecord[] = [];
  #lease: { holder: string; expiresAt: number } | undefined;
  /** Every finishAttempt call, in order. */
  readonly finished: { id: string; record: AttemptRecord }[] = [];
  /** Makes the next calls of an operation throw, for failure tests. */
  failNext: Partial<Record<'dueDeliveries' | 'claimDelivery' | 'finishAttempt', number>> = {};

  add(...deliveries: Delivery[]): void {
    for (const delivery of deliveries) if (!this.#deliveries.has(delivery.id)) this.#deliveries.set(delivery.id, delivery);
  }

  get(id: string): Delivery | undefined {
    return this.#deliveries.get(id);
  }

  all(): Delivery[] {
    return [...this.#deliveries.values()];
  }

  #maybeFail(operation: keyof MemoryEngineStore['failNext']): void {
    const left = this.failNext[operation] ?? 0;
    if (left > 0) {
      this.failNext[operation] = left - 1;
      throw new Error(`injected ${operation} failure`);
    }
  }

  async acquireLease(holder: string, now: number, ttlMs: number): Promise<boolean> {
    if (this.#lease === undefined || this.#lease.holder === holder || this.#lease.expiresAt <= now) {
      this.#lease = { holder, expiresAt: now + ttlMs };
      return true;
    }
    return false;
  }

  async releaseLease(holder: string): Promise<void> {
    if (this.#lease?.holder === holder) this.#lease = undefined;
  }

  async leaseHolder(now: number): Promise<{ holder: string; expiresAt: number } | undefined> {
    return this.#lease !== undefined && this.#lease.expiresAt > now ? { ...this.#lease } : undefined;
  }

  async loadStates(): Promise<PersistedSlo[]> {
    return [...this.#states.values()];
  }

  async commit(_holder: string, _now: number, update: { state: PersistedSlo; transitions: readonly TransitionRecord[]; deliveries: readonly Delivery[] }): Promise<void> {
    this.#states.set(update.state.name, update.state);
    for (const t of update.transitions) if (!this.#transitions.some((x) => x.id === t.id)) this.#transitions.push(t);
    this.add(...update.deliveries);
  }

  async removeStates(names: readonly string[]): Promise<void> {
    for (const name of names) this.#states.delete(name);
  }

  async transitions(query: { slo?: string; limit: number }): Promise<TransitionRecord[]> {
    return this.#transitions.filter((t) => query.slo === undefined || t.slo === query.slo).reverse().slice(0, query.limit);
  }

  async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
    this.#maybeFail('dueDeliveries');
    return this.all()
      .filter((d) => d.status === 'pending' && d.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt)
      .slice(0, limit);
  }

  async claimDelivery(id: string, holder: string, now: number, until: number): Promise<boolean> {
    this.#maybeFail('claimDelivery');
    const delivery = this.#deliveries.get(id);
    if (delivery === undefined || delivery.status !== 'pending') return false;
    const claim = this.#claims.get(id);
    if (claim !== undefined && claim.until > now && claim.holder !== holder) return false;
    if (claim !== undefined && claim.until > now) return false; // already claimed by this holder: an attempt is running
    this.#claims.set(id, { holder, until });
    return true;
  }

  async finishAttempt(id: string, record: AttemptRecord): Promise<void> {
    this.#maybeFail('finishAttempt');
    const delivery = this.#deliveries.get(id);
    if (delivery === undefined) throw new Error(`no delivery ${id}`);
    this.#deliveries.set(id, { ...delivery, ...record });
    this.#claims.delete(id);
    this.finished.push({ id, record });
  }

  async deliveries(query: { status?: Delivery['status']; limit: number }): Promise<Delivery[]> {
    return this.all()
      .filter((d) => query.status === undefined || d.status === query.status)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, query.limit);
  }

  async close(): Promise<void> {}
}
