// Messages built from data (the services on one Cloud SQL instance, the fields of one update) grow with it;
// Kubernetes refuses a condition message over 32,768 characters, and the status write then fails on every
// pass. Such messages are cut here rather than failing the write.

/** Kubernetes' limit, from k8s.io/apimachinery/pkg/apis/meta/v1 (Condition.message: "maxLength=32768"). */
export const CONDITION_MESSAGE_LIMIT = 32_768;

/** `text` cut to at most `limit` characters, ending in "…" when cut (never inside a surrogate pair). */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = Math.max(0, limit - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
