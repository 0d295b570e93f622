import type { Audience, SloStatus } from '../state/state-machine.ts';

/** The kinds of notification; the `type` of a Standard Webhooks payload. */
export type NotificationType = 'slo.state.changed' | 'slo.burn_rate.firing' | 'slo.burn_rate.resolved';

/** What the SLO is, in words a person reads in an alert. */
export interface NotifiedSlo {
  readonly name: string;
  readonly description?: string;
  readonly service?: string;
  readonly host?: string;
  readonly pathPrefix?: string;
  readonly kind: 'budget' | 'threshold';
  /** e.g. "availability", "latency <= 137 ms", "p99 <= 250 ms", "error-rate <= 1 %". */
  readonly indicator: string;
  /** Share of good events (budget SLOs), e.g. 0.999. */
  readonly objective?: number;
  /** The rolling window as written in the spec, e.g. "30d", "5m". */
  readonly window: string;
}

/** The burn-rate tier of a burn-rate notification. */
export interface NotifiedBurnRate {
  readonly tier: string;
  readonly severity: 'page' | 'ticket';
  readonly factor: number;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly longBurnRate: number;
  readonly shortBurnRate: number;
}

/**
 * One notification, the same for every recipient and every attempt. `id` is stable: derived
 * from the SLO, the transition and the start of the state it leaves, so a replica or a
 * restarted engine that derives the same transition derives the same id.
 */
export interface SloNotification {
  /** Stable id, `msg_` + 32 hex digits. */
  readonly id: string;
  readonly type: NotificationType;
  /** When the transition happened (ISO 8601). */
  readonly timestamp: string;
  readonly slo: NotifiedSlo;
  readonly state: { readonly from: SloStatus; readonly to: SloStatus };
  /** Level at the transition (1 = 100 %). */
  readonly level: number;
  /** 1 - budget consumed, for budget SLOs (negative when overspent); null for threshold SLOs. */
  readonly budgetRemaining: number | null;
  /** Seconds until the budget is gone at the current burn rate; null when not burning or not a budget SLO. */
  readonly timeToExhaustionSeconds: number | null;
  readonly burnRate?: NotifiedBurnRate;
  /** Who it is for: SLI owners, or SLO and SLI owners. */
  readonly audience: Audience;
  readonly links: { readonly slo: string; readonly dashboard: string };
}

/** Where one delivery goes: a configured webhook (by name) or an e-mail address. */
export type DeliveryChannel = 'webhook' | 'email';

/** What one attempt came to. */
export type DeliveryOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** When the receiver asked for a delay (HTTP Retry-After), in ms from now. */
      readonly retryAfterMs?: number;
      /** No retry can help (e.g. 4xx other than 408/429, unknown recipient). */
      readonly permanent: boolean;
      readonly error: string;
    };

/** A channel that delivers to one target; it throws nothing, it reports. */
export interface Notifier {
  readonly channel: DeliveryChannel;
  /** `deliveryId` is stable across attempts (Standard Webhooks `webhook-id`, e-mail Message-ID). */
  deliver(target: string, deliveryId: string, notification: SloNotification, attempt: number): Promise<DeliveryOutcome>;
}
