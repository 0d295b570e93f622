import type { EventAudit } from '../audit/event-audit.ts';
import type { NotificationAudit } from '../audit/notification-audit.ts';

/** The measurements of one scenario run: one row of the matrix. */
export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly durationS: number;
  readonly rate: number;
  readonly client: {
    readonly sent: number;
    readonly answered: number;
    /** Requests that asked the upstream for a 503 on purpose (not errors). */
    readonly injected: number;
    /** Client-visible errors of idempotent GETs, outside any expected gap. */
    readonly getErrors: number;
    /** Client-visible errors of POSTs, outside any expected gap. */
    readonly otherErrors: number;
    /** Errors inside the scenario's expected gap (e.g. a single proxy restarting). */
    readonly gapErrors: number;
    /** Every unexpected error by kind, e.g. `GET ECONNREFUSED: 3`. */
    readonly errorKinds: Readonly<Record<string, number>>;
  };
  readonly events: EventAudit;
  readonly notifications: NotificationAudit;
  readonly recoveryS: number;
  readonly recoveryMeaning: string;
  readonly verdict: 'PASS' | 'FAIL' | 'ERROR';
  /** Why the verdict is not PASS (targets missed), or what went wrong. */
  readonly reasons: readonly string[];
  readonly notes: readonly string[];
}
