/**
 * What a change of manifests (or of a stack's configuration) does to connectivity: the workload-to-workload flows,
 * with ports, whose verdict differs between before and after, as `opened` (denied before, allowed after) and `closed`
 * (allowed before, denied after).
 *
 * A flow that exists on one side only (a workload or a port added or removed) counts as denied on the other: a
 * workload that is not there cannot be reached. So adding a workload opens whatever the policies let reach it, and
 * removing one closes what reached it.
 */
import { MatrixFlow } from "./matrix";
import { Protocol } from "./types";

/** One flow whose verdict changed. */
export interface FlowChange {
    from: string;
    to: string;
    port: number;
    protocol: Protocol;
}

export interface ConnectivityDiff {
    /** Denied (or absent) before, allowed after; sorted by from, to, protocol, port. */
    opened: FlowChange[];
    /** Allowed before, denied (or absent) after; sorted likewise. */
    closed: FlowChange[];
}

function keyOf(f: FlowChange): string {
    return `${f.from}\u0000${f.to}\u0000${f.protocol}\u0000${f.port}`;
}

/** The flows each side allows, by key. */
function allowedFlows(flows: readonly MatrixFlow[]): Map<string, FlowChange> {
    const allowed = new Map<string, FlowChange>();
    for (const f of flows) if (f.allowed) allowed.set(keyOf(f), { from: f.from, to: f.to, port: f.port, protocol: f.protocol });
    return allowed;
}

export function compareFlows(a: FlowChange, b: FlowChange): number {
    return a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.protocol.localeCompare(b.protocol) || a.port - b.port;
}

/** The flows whose verdict differs between `before` and `after` (each a list of evaluated flows, as the matrix gives). */
export function connectivityDiff(before: readonly MatrixFlow[], after: readonly MatrixFlow[]): ConnectivityDiff {
    const was = allowedFlows(before);
    const is = allowedFlows(after);
    const opened = [...is].filter(([key]) => !was.has(key)).map(([, f]) => f).sort(compareFlows);
    const closed = [...was].filter(([key]) => !is.has(key)).map(([, f]) => f).sort(compareFlows);
    return { opened, closed };
}

export function isUnchanged(diff: ConnectivityDiff): boolean {
    return diff.opened.length === 0 && diff.closed.length === 0;
}

/** `client/client -> stars/frontend TCP 80`: one line per flow, as the text output and the PR comment show them. */
export function describeChange(f: FlowChange): string {
    return `${f.from} -> ${f.to} ${f.protocol} ${f.port}`;
}

/** The diff as text: the opened flows, then the closed ones, or one line saying nothing changed. */
export function formatDiff(diff: ConnectivityDiff): string[] {
    if (isUnchanged(diff)) return ["no change: every workload-to-workload flow has the same verdict"];
    const section = (title: string, flows: FlowChange[]) => (flows.length === 0 ? [] : [`${title} (${flows.length}):`, ...flows.map((f) => `  ${describeChange(f)}`)]);
    return [...section("opened", diff.opened), ...section("closed", diff.closed)];
}
