/**
 * The workload-to-workload truth table: every endpoint to every endpoint, on each port the destination declares (or
 * on one given port).
 */
import { Analysis, toFlowEndpoint } from "./analysis";
import { Verdict } from "./evaluate";
import { Endpoint } from "./model";
import { TruthTable } from "./truthTable";
import { Protocol } from "./types";

export interface MatrixFlow {
    from: string;
    to: string;
    port: number;
    protocol: Protocol;
    allowed: boolean;
}

export interface Matrix {
    table: TruthTable<boolean>;
    flows: MatrixFlow[];
    /** Destinations left out because they declare no ports and no port was given. */
    portless: string[];
}

export interface MatrixOptions {
    /** Check only this port (TCP, or `protocol`) on every destination, declared or not. */
    port?: number;
    protocol?: Protocol;
}

export function connectivityMatrix(analysis: Analysis, options: MatrixOptions = {}): Matrix {
    const endpoints = [...analysis.model.endpoints].sort((a, b) => a.id.localeCompare(b.id));
    const columns = endpoints.flatMap((to) => portsToCheck(to, options).map((p) => ({ to, ...p, label: `${to.id}:${p.port}/${p.protocol}` })));
    const table = new TruthTable<boolean>(endpoints.map((e) => e.id), columns.map((c) => c.label));
    const flows: MatrixFlow[] = [];
    for (const from of endpoints) {
        for (const column of columns) {
            const verdict: Verdict = analysis.reachability.evaluate({ from: toFlowEndpoint(from), to: toFlowEndpoint(column.to), port: column.port, protocol: column.protocol });
            table.set(from.id, column.label, verdict.allowed);
            flows.push({ from: from.id, to: column.to.id, port: column.port, protocol: column.protocol, allowed: verdict.allowed });
        }
    }
    const portless = options.port === undefined ? endpoints.filter((e) => e.shape.ports.length === 0).map((e) => e.id) : [];
    return { table, flows, portless };
}

function portsToCheck(to: Endpoint, options: MatrixOptions): { port: number; protocol: Protocol }[] {
    if (options.port !== undefined) return [{ port: options.port, protocol: options.protocol ?? "TCP" }];
    const seen = new Set<string>();
    return to.shape.ports.filter((p) => !seen.has(`${p.port}/${p.protocol}`) && seen.add(`${p.port}/${p.protocol}`)).map((p) => ({ port: p.port, protocol: p.protocol }));
}
