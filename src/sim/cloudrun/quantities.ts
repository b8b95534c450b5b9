// Kubernetes-style CPU and memory quantities, read for validation and defaults. Cloud Run returns them as
// written ("1000m" stays "1000m"), so nothing here formats one.

const MEMORY_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** CPU in cores ("1" -> 1, "500m" -> 0.5), or undefined when the text is not a quantity. */
export function parseCpu(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  return match[2] === "m" ? value / 1000 : value;
}

/** Memory in bytes, or undefined when the text is not a quantity. */
export function parseMemory(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(|k|M|G|T|Ki|Mi|Gi|Ti)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (MEMORY_UNITS[match[2] ?? ""] ?? 1);
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
