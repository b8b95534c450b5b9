// Results derived from an immutable object, remembered per object and variant for as long as the object
// lives (a parsed spec is one object per version of a config, so an unchanged config derives once).

export class ObjectMemo<T> {
  readonly #results = new WeakMap<object, Map<string, T>>();

  get(of: object, variant: string, compute: () => T): T {
    let byVariant = this.#results.get(of);
    const known = byVariant?.get(variant);
    if (known !== undefined) return known;
    const result = compute();
    if (!byVariant) this.#results.set(of, (byVariant = new Map<string, T>()));
    byVariant.set(variant, result);
    return result;
  }
}
