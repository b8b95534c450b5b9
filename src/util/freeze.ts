// Deep freeze for values kept and shared across passes (parsed specs, rendered fields): a pass that
// tried to change one would throw at once instead of corrupting what the next pass reads.

export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const member of Object.values(value)) deepFreeze(member);
  return Object.freeze(value);
}
