// Messages that name members of a group (services on one Cloud SQL instance, fields of one update) grow with
// the group; Kubernetes refuses a condition message over 32,768 characters and an Event note over 1 KB.
// These helpers keep the largest members and say how many were left out.

/**
 * Kubernetes' limits, from k8s.io/apimachinery/pkg/apis/meta/v1 (Condition.message: "maxLength=32768") and
 * k8s.io/api/events/v1 (Event.note: "must be at most 1kB in size").
 */
export const CONDITION_MESSAGE_LIMIT = 32_768;
export const EVENT_NOTE_LIMIT = 1_024;

/** "a, b, c and 5 more": the first `max` items, then a count of the rest. */
export function listSome(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

/** `text` cut to at most `limit` characters, ending in "…" when cut (never inside a surrogate pair). */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = Math.max(0, limit - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
