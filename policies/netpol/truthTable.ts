/**
 * A grid of values from sources to destinations, with a fixed order of both, that refuses unknown keys. Printed with
 * one mark per cell and numbered columns (names of destinations are long; a legend below names each column).
 */

export class TruthTable<T> {
    private readonly cells = new Map<string, T>();
    private readonly fromSet: Set<string>;
    private readonly toSet: Set<string>;

    constructor(readonly froms: readonly string[], readonly tos: readonly string[]) {
        this.fromSet = new Set(froms);
        this.toSet = new Set(tos);
    }

    set(from: string, to: string, value: T): void {
        this.cells.set(this.key(from, to), value);
    }

    get(from: string, to: string): T | undefined {
        return this.cells.get(this.key(from, to));
    }

    isComplete(): boolean {
        return this.cells.size === this.froms.length * this.tos.length;
    }

    /** A table of the same keys: true where both tables hold equal values. */
    compare(other: TruthTable<T>): TruthTable<boolean> {
        const result = new TruthTable<boolean>(this.froms, this.tos);
        for (const from of this.froms) for (const to of this.tos) result.set(from, to, this.get(from, to) === other.get(from, to));
        return result;
    }

    /** The grid, one row per source, `mark(value)` in each cell, then the legend of numbered columns. */
    print(mark: (value: T | undefined) => string): string {
        const rowWidth = Math.max(0, ...this.froms.map((f) => f.length));
        const colWidth = String(this.tos.length).length + 1;
        const header = " ".repeat(rowWidth) + this.tos.map((_, i) => String(i + 1).padStart(colWidth)).join("");
        const rows = this.froms.map((from) => from.padEnd(rowWidth) + this.tos.map((to) => mark(this.get(from, to)).padStart(colWidth)).join(""));
        const legend = this.tos.map((to, i) => `${String(i + 1).padStart(colWidth)}  ${to}`);
        return [header, ...rows, "", ...legend].join("\n");
    }

    private key(from: string, to: string): string {
        if (!this.fromSet.has(from)) throw new Error(`unknown source ${from}; sources are ${this.froms.join(", ")}`);
        if (!this.toSet.has(to)) throw new Error(`unknown destination ${to}; destinations are ${this.tos.join(", ")}`);
        return `${from}\u0000${to}`;
    }
}

/** The marks of a connectivity grid, defined once. */
export const MARKS = { allowed: ".", denied: "X", unset: "?" } as const;

export function reachabilityMark(value: boolean | undefined): string {
    return value === undefined ? MARKS.unset : value ? MARKS.allowed : MARKS.denied;
}

/**
 * What a connectivity grid shows, in the words both `matrix` and `plan` print above it. A workload's row and its own
 * column are real traffic (its pods talking to each other), shown like any other cell.
 */
export const GRID_LEGEND = [
    `${MARKS.allowed} allowed   ${MARKS.denied} denied   (rows: from, columns: to)`,
    "A workload to itself is one of its pods to another, which policies govern like any other pair; a Pod to itself is loopback, always allowed.",
];
