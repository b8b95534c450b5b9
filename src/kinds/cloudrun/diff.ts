// Compares the owned fields with a live v2 Service. Both sides go through the same normalisation, so only
// real differences are reported, in the order the fields were rendered.

import type { FieldDiff } from "../kind.ts";
import { containerIndex, readTarget, type IContainer, type IService } from "./access.ts";
import { ConfigError, describeField, type DesiredService, type OwnedField } from "./fields.ts";
import { normaliseDesired, normaliseLive } from "./normalise.ts";

/**
 * The owned fields whose live value differs from the declared one. `field` is describeField(field); `live` is
 * empty when unset. Throws a ConfigError when the managed container is missing or a declared value is invalid.
 */
export function diffService(desired: DesiredService, live: IService): FieldDiff[] {
  const index = containerIndex(live, desired.container);
  const container: IContainer = live.template?.containers?.[index] ?? {};
  const diffs: FieldDiff[] = [];
  for (const field of desired.fields) {
    const wanted = declaredCanonical(field);
    const current = normaliseLive(field.target, readTarget(live, container, field.target));
    if (current.canonical !== wanted) {
      diffs.push({ field: describeField(field), desired: field.value, live: current.display });
    }
  }
  return diffs;
}

function declaredCanonical(field: OwnedField): string {
  try {
    return normaliseDesired(field.target, field.value);
  } catch (error) {
    throw new ConfigError(
      `spec.${field.source}`,
      `cannot compare ${field.path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
