/**
 * What the dynamic providers' `diff` compares: the inputs, key by key and deeply, and the provider's own code.
 *
 * Key by key, because stored state does not keep key order, so JSON of whole objects can differ when nothing did.
 * The code (`__provider`) counts as an input: Pulumi stores a provider's new code only when it runs `update`, and runs
 * `delete` with the STORED code; so if a code change reported no changes, a fixed delete would never be the one run.
 */

/** The keys (outputs the provider adds excepted) whose values differ between the stored outputs and the new inputs. */
export function changedInputs(olds: object, news: object, outputOnly: string[] = []): string[] {
    const before = olds as Record<string, unknown>;
    const after = news as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !outputOnly.includes(k)).sort();
    return keys.filter((k) => !sameValue(before[k], after[k]));
}

/** Deep equality of JSON-like values, ignoring key order; an absent key and an undefined one are the same. */
export function sameValue(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) || Array.isArray(b)) {
        return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
    }
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
    return keys.every((k) => sameValue(x[k], y[k]));
}
