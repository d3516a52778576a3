/**
 * A matrix as text: the grid, or JSON. Both are produced a piece at a time as they are written, so that millions of
 * cells never sit in memory at once (as one string they could not even exist: V8's strings end at 512 MiB).
 */
import { Matrix } from "./matrix";
import { MARKS } from "./truthTable";

/** Pieces are joined up to about this many characters before being handed to the writer. */
const PIECE = 1 << 20;

/** Joins many small strings into pieces of about `PIECE` characters. */
class Pieces {
    private parts: string[] = [];
    private length = 0;

    /** Adds `s`; returns a piece once enough has gathered. */
    add(s: string): string | undefined {
        this.parts.push(s);
        this.length += s.length;
        return this.length >= PIECE ? this.flush() : undefined;
    }

    flush(): string | undefined {
        if (this.parts.length === 0) return undefined;
        const piece = this.parts.join("");
        this.parts = [];
        this.length = 0;
        return piece;
    }
}

/** Every cell as `{"from","to","port","protocol","allowed"}`, one per line, in one JSON list. */
export function* matrixJson(matrix: Matrix): Generator<string> {
    const { rows, columns } = matrix;
    if (rows.length === 0 || columns.length === 0) {
        yield "[]\n";
        return;
    }
    // Everything but the verdict is the same text for a whole row or column: made once, joined per cell.
    const tails = columns.map((c) => `${JSON.stringify(c.to.id)},"port":${c.port},"protocol":"${c.protocol}","allowed":`);
    const pieces = new Pieces();
    yield "[\n";
    for (let r = 0; r < rows.length; r++) {
        const head = `{"from":${JSON.stringify(rows[r].id)},"to":`;
        for (let c = 0; c < columns.length; c++) {
            const last = r === rows.length - 1 && c === columns.length - 1;
            const piece = pieces.add(head + tails[c] + (matrix.allowed(r, c) ? "true}" : "false}") + (last ? "\n" : ",\n"));
            if (piece) yield piece;
        }
    }
    const rest = pieces.flush();
    if (rest) yield rest;
    yield "]\n";
}

/** The grid: a header of numbered columns, one row per source with a mark per cell, then the numbered columns named. */
export function* matrixGrid(matrix: Matrix): Generator<string> {
    const { rows, columns } = matrix;
    const rowWidth = Math.max(0, ...rows.map((r) => r.id.length));
    const colWidth = String(columns.length).length + 1;
    const marks = [MARKS.denied.padStart(colWidth), MARKS.allowed.padStart(colWidth)];
    const pieces = new Pieces();
    const emit = (s: string) => pieces.add(s);
    const header = " ".repeat(rowWidth) + columns.map((_, i) => String(i + 1).padStart(colWidth)).join("") + "\n";
    yield header;
    for (let r = 0; r < rows.length; r++) {
        const cells: string[] = [rows[r].id.padEnd(rowWidth)];
        for (let c = 0; c < columns.length; c++) cells.push(marks[matrix.allowed(r, c) ? 1 : 0]);
        const piece = emit(cells.join("") + "\n");
        if (piece) yield piece;
    }
    const legend = ["", ...columns.map((c, i) => `${String(i + 1).padStart(colWidth)}  ${c.label}`)].join("\n") + "\n";
    const rest = pieces.flush();
    if (rest) yield rest;
    yield legend;
}
