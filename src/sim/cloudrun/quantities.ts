// Kubernetes-style CPU and memory quantities as Cloud Run accepts and returns them: CPU "1000m" reads
// back as "1", memory "4096Mi" as "4Gi". A controller comparing desired with live must see these forms.

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

/** Whole cores as "2"; anything fractional in millicores ("500m"). */
export function formatCpu(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** Memory in bytes, or undefined when the text is not a quantity. */
export function parseMemory(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(|k|M|G|T|Ki|Mi|Gi|Ti)$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (MEMORY_UNITS[match[2] ?? ""] ?? 1);
}

/** The largest binary unit that divides evenly: 4096Mi -> 4Gi, 1536Mi stays 1536Mi. */
export function formatMemory(bytes: number): string {
  for (const unit of ["Ti", "Gi", "Mi", "Ki"]) {
    const size = MEMORY_UNITS[unit] ?? 1;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
