/**
 * The endpoint-to-endpoint truth table: every endpoint (row) to every endpoint on each port it declares, or on one
 * given port (column).
 *
 * It is computed over classes of pods, not pairs: endpoints of one shape (namespace, labels, ports) get the same
 * answer, so each (source shape, destination shape, port) is evaluated once and kept in one byte. Rows and columns are
 * then read from that table as they are printed, so memory grows with the number of shapes, not with the square of
 * the number of pods, and nothing per cell is ever held.
 *
 * The one answer that is not a shape's: a Pod to itself is loopback, always allowed. A workload to itself means one of
 * its pods to another, which NetworkPolicy governs like any other pair.
 */
import { Analysis } from "./analysis";
import { Endpoint, Shape } from "./model";
import { Protocol } from "./types";

export interface MatrixFlow {
    from: string;
    to: string;
    port: number;
    protocol: Protocol;
    allowed: boolean;
}

export interface Column {
    to: Endpoint;
    port: number;
    protocol: Protocol;
    /** `namespace/name:port/protocol` */
    label: string;
}

export interface Matrix {
    /** Sources, sorted by id. */
    rows: Endpoint[];
    /** Destinations and ports, sorted by destination. */
    columns: Column[];
    allowed(row: number, column: number): boolean;
    /** Destinations left out because they declare no ports and no port was given. */
    portless: string[];
}

export interface MatrixOptions {
    /** Check only this port (TCP, or `protocol`) on every destination, declared or not. */
    port?: number;
    protocol?: Protocol;
    /** Only endpoints in these namespaces, as sources and destinations; all when absent or empty. */
    namespaces?: string[];
}

/** The rows and columns the matrix would have, cheap to compute: to refuse an impossible size before any work. */
export function matrixShape(analysis: Analysis, options: MatrixOptions = {}): { rows: Endpoint[]; columns: Column[] } {
    const wanted = options.namespaces && options.namespaces.length > 0 ? new Set(options.namespaces) : undefined;
    const rows = analysis.model.endpoints.filter((e) => !wanted || wanted.has(e.namespace)).sort(byId);
    const columns = rows.flatMap((to) => portsToCheck(to, options).map((p) => ({ to, ...p, label: `${to.id}:${p.port}/${p.protocol}` })));
    return { rows, columns };
}

export function connectivityMatrix(analysis: Analysis, options: MatrixOptions = {}): Matrix {
    const { rows, columns } = matrixShape(analysis, options);
    const rowClass = classIndex(rows.map((e) => e.shape.id));
    const columnClass = classIndex(columns.map((c) => `${c.to.shape.id}:${c.port}/${c.protocol}`));
    const fromShapes = representatives(rows.map((e) => e.shape), rowClass);
    const targets = representatives(columns, columnClass);
    // One byte per (source shape, destination shape and port): 1 allowed, 0 denied.
    const verdicts = new Uint8Array(fromShapes.length * targets.length);
    fromShapes.forEach((from: Shape, i) => {
        targets.forEach((t, j) => {
            verdicts[i * targets.length + j] = analysis.reachability.allows(from, t.to.shape, t.port, t.protocol) ? 1 : 0;
        });
    });
    const portless = options.port === undefined ? rows.filter((e) => e.shape.ports.length === 0).map((e) => e.id) : [];
    return {
        rows,
        columns,
        portless,
        allowed: (row, column) => (rows[row].kind === "Pod" && columns[column].to === rows[row]) || verdicts[rowClass.of[row] * targets.length + columnClass.of[column]] === 1,
    };
}

/** Every cell of the matrix as a flow, row by row, made as it is read. */
export function* matrixFlows(matrix: Matrix): Generator<MatrixFlow> {
    for (let r = 0; r < matrix.rows.length; r++) {
        for (let c = 0; c < matrix.columns.length; c++) {
            const column = matrix.columns[c];
            yield { from: matrix.rows[r].id, to: column.to.id, port: column.port, protocol: column.protocol, allowed: matrix.allowed(r, c) };
        }
    }
}

function byId(a: Endpoint, b: Endpoint): number {
    return a.id < b.id ? -1 : a.id > b.id ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

/** Numbers the distinct keys in order of first appearance: `of[i]` is the class of item i, `first[k]` its first item. */
function classIndex(keys: (string | number)[]): { of: Uint32Array; first: number[] } {
    const ids = new Map<string | number, number>();
    const of = new Uint32Array(keys.length);
    const first: number[] = [];
    keys.forEach((key, i) => {
        let id = ids.get(key);
        if (id === undefined) {
            id = first.length;
            ids.set(key, id);
            first.push(i);
        }
        of[i] = id;
    });
    return { of, first };
}

function representatives<T>(items: T[], classes: { first: number[] }): T[] {
    return classes.first.map((i) => items[i]);
}

function portsToCheck(to: Endpoint, options: MatrixOptions): { port: number; protocol: Protocol }[] {
    if (options.port !== undefined) return [{ port: options.port, protocol: options.protocol ?? "TCP" }];
    const seen = new Set<string>();
    return to.shape.ports.filter((p) => !seen.has(`${p.port}/${p.protocol}`) && seen.add(`${p.port}/${p.protocol}`)).map((p) => ({ port: p.port, protocol: p.protocol }));
}
