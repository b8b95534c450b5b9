// The pause that follows RESOURCE_EXHAUSTED, per consumer project (Google's quotas are per project, so
// one project's 429 must not stop calls to the others). An episode runs from the first rejection to the
// next success. Google's RetryInfo is honoured as given; without it the pause starts at `baseMs` and
// doubles, but only when a call sent after the previous pause ended is refused again: calls that were
// already in flight together (several workers) are one rejection, not one strike each.

export interface QuotaPauseOptions {
  /** First pause without RetryInfo. Default 1s. */
  baseMs?: number;
  /** Longest pause, with or without RetryInfo. Default 5 minutes. */
  maxMs?: number;
}

interface Episode {
  pausedUntil: number;
  /** How many times the pause escalated in this episode (0 for the first pause). */
  step: number;
}

export class QuotaPauses {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #episodes = new Map<string, Episode>();

  constructor(options: QuotaPauseOptions = {}) {
    this.#baseMs = options.baseMs ?? 1000;
    this.#maxMs = options.maxMs ?? 5 * 60_000;
    if (!(this.#baseMs > 0) || !(this.#maxMs >= this.#baseMs)) {
      throw new Error(`quota pause: need 0 < baseMs <= maxMs, got ${this.#baseMs} and ${this.#maxMs}`);
    }
  }

  /** Milliseconds left in the project's pause (0 when its calls flow freely). */
  remainingMs(project: string, now: number): number {
    const episode = this.#episodes.get(project);
    return episode ? Math.max(0, episode.pausedUntil - now) : 0;
  }

  /**
   * A call for `project` sent at `sentAt` was refused with RESOURCE_EXHAUSTED at `now`; `retryAfterMs` is
   * Google's RetryInfo delay when it sent one. Returns the pause now in force, and whether this rejection
   * began a new step (the first of an episode, or a probe refused again) rather than joining one.
   */
  rejected(project: string, sentAt: number, now: number, retryAfterMs?: number): { pauseMs: number; newStep: boolean } {
    const episode = this.#episodes.get(project);
    // Sent before the current pause ended: it raced the rejection that started it, same step.
    const joins = episode !== undefined && sentAt < episode.pausedUntil;
    const step = episode === undefined ? 0 : joins ? episode.step : episode.step + 1;
    const delay = Math.min(this.#maxMs, retryAfterMs ?? this.#baseMs * 2 ** step);
    const pausedUntil = Math.max(joins ? episode.pausedUntil : 0, now + delay);
    this.#episodes.set(project, { pausedUntil, step });
    return { pauseMs: pausedUntil - now, newStep: !joins };
  }

  /**
   * A call for `project` sent at `sentAt` succeeded; true when that ended a quota episode. Only a call sent
   * once the pause was over ends it: calls are not sent during a pause, so one sent before its end was in
   * flight when the rejection came, and its success says nothing about the quota now (Google's RetryInfo
   * would otherwise be cut short by whichever concurrent call happened to finish next).
   */
  succeeded(project: string, sentAt: number): boolean {
    const episode = this.#episodes.get(project);
    if (episode === undefined || sentAt < episode.pausedUntil) return false;
    return this.#episodes.delete(project);
  }

  /** Projects whose pause is in force at `now`. */
  paused(now: number): string[] {
    return [...this.#episodes].filter(([, e]) => e.pausedUntil > now).map(([project]) => project);
  }
}
