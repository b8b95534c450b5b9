// Kubernetes-style status conditions (metav1.Condition). lastTransitionTime moves only when the
// status flips, so `kubectl describe` shows how long an object has been Ready / not Ready.

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  /** RFC 3339, seconds precision, as the API server writes metav1.Time. */
  lastTransitionTime: string;
}

export type ConditionUpdate = Omit<Condition, "lastTransitionTime">;

const REASON_PATTERN = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const TYPE_PATTERN =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const MAX_MESSAGE_LENGTH = 32_768;

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/**
 * Returns `conditions` with `update` applied: an existing condition of the same type is replaced in
 * place (keeping its lastTransitionTime unless the status changes), a new one is appended. Returns
 * the input array itself when nothing changes, so callers can skip a status write by identity.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: Date,
): Condition[] {
  validate(update);
  const list = conditions ?? [];
  const index = list.findIndex((condition) => condition.type === update.type);
  const existing = list[index];
  const lastTransitionTime =
    existing && existing.status === update.status ? existing.lastTransitionTime : formatTime(now);
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    ...(update.observedGeneration === undefined ? {} : { observedGeneration: update.observedGeneration }),
    lastTransitionTime,
  };
  if (existing === undefined) return [...list, next];
  if (sameCondition(existing, next)) return list as Condition[];
  return list.map((condition, i) => (i === index ? next : condition));
}

/** Returns `conditions` without the condition of `type`; the input array itself when it has none. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  const list = (conditions ?? []) as Condition[];
  return list.some((condition) => condition.type === type) ? list.filter((c) => c.type !== type) : list;
}

/** metav1.Time format: RFC 3339 in UTC without fractional seconds. */
export function formatTime(time: Date): string {
  if (Number.isNaN(time.getTime())) throw new Error("condition time must be a valid Date");
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.observedGeneration === b.observedGeneration &&
    a.lastTransitionTime === b.lastTransitionTime
  );
}

function validate(update: ConditionUpdate): void {
  if (!TYPE_PATTERN.test(update.type) || update.type.length > 316) {
    throw new Error(`condition type must be a qualified name such as "Ready", got ${JSON.stringify(update.type)}`);
  }
  if (!["True", "False", "Unknown"].includes(update.status)) {
    throw new Error(
      `condition ${update.type}: status must be "True", "False" or "Unknown", got ${JSON.stringify(update.status)}`,
    );
  }
  if (!REASON_PATTERN.test(update.reason) || update.reason.length > 1024) {
    throw new Error(
      `condition ${update.type}: reason must be a CamelCase word such as "UpToDate", got ${JSON.stringify(update.reason)}`,
    );
  }
  if (update.message.length > MAX_MESSAGE_LENGTH) {
    throw new Error(
      `condition ${update.type}: message must be at most ${MAX_MESSAGE_LENGTH} characters, got ${update.message.length}`,
    );
  }
  const generation = update.observedGeneration;
  if (generation !== undefined && !(Number.isInteger(generation) && generation >= 0)) {
    throw new Error(`condition ${update.type}: observedGeneration must be a non-negative integer, got ${generation}`);
  }
}
