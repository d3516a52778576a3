/**
 * Values from the input, as messages echo them: JSON, cut short. Input can hold a 10 MB string or a huge mapping, and a
 * message that repeats it whole helps nobody and can flood a terminal or a CI log; so no message echoes more than
 * `SHOW_LIMIT` characters of a value, and the cut is said with the value's full size.
 */

/** The most characters of one value a message echoes. */
export const SHOW_LIMIT = 80;

/** A name from the input (a kind, a version) as is when short, else cut like any value: it may be 10 MB too. */
export function showName(name: string): string {
    return name.length <= SHOW_LIMIT ? name : show(name);
}

/** `value` as JSON, at most `limit` characters (then `…` and how long it was). Never walks more than it prints. */
export function show(value: unknown, limit = SHOW_LIMIT): string {
    if (typeof value === "string") {
        if (value.length <= limit) return JSON.stringify(value);
        return `${JSON.stringify(value.slice(0, limit))}… (${value.length} characters)`;
    }
    const out = new Bounded(limit);
    write(value, out);
    return out.cut ? `${out.text}… (${describeSize(value)})` : out.text;
}

/** A text that stops growing at its limit, remembering that it was cut. */
class Bounded {
    text = "";
    cut = false;

    constructor(private readonly limit: number) {}

    /** A string as JSON, but only as much of it as could still fit (a 10 MB string is not copied to show 80 characters). */
    quote(s: string): string {
        return JSON.stringify(s.length > this.limit ? s.slice(0, this.limit + 1) : s);
    }

    /** Appends `s` (or what fits); false once full, so the caller stops walking. */
    add(s: string): boolean {
        if (this.cut) return false;
        if (this.text.length + s.length > this.limit) {
            this.text += s.slice(0, this.limit - this.text.length);
            this.cut = true;
            return false;
        }
        this.text += s;
        return true;
    }
}

/** Writes JSON of `value` into `out` until it is full. Depth needs no bound: each level adds at least one character. */
function write(value: unknown, out: Bounded): boolean {
    if (value === undefined) return out.add("undefined");
    if (value === null || typeof value !== "object") return out.add(typeof value === "string" ? out.quote(value) : String(value));
    if (Array.isArray(value)) {
        if (!out.add("[")) return false;
        for (let i = 0; i < value.length; i++) {
            if ((i > 0 && !out.add(",")) || !write(value[i], out)) return false;
        }
        return out.add("]");
    }
    if (!out.add("{")) return false;
    let first = true;
    for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        if ((!first && !out.add(",")) || !out.add(`${out.quote(key)}:`) || !write((value as Record<string, unknown>)[key], out)) return false;
        first = false;
    }
    return out.add("}");
}

function describeSize(value: unknown): string {
    if (Array.isArray(value)) return `a list of ${value.length}`;
    if (typeof value === "object" && value !== null) return `a mapping of ${Object.keys(value).length} keys`;
    return "cut";
}
