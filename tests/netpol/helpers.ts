/**
 * Builders for small clusters written in code, and an assertion that compares whole grids of flows, printing the
 * expected, actual and difference grids when they disagree.
 */
import * as assert from "assert";
import * as path from "path";
import { Io, run } from "../../bin/netpol";
import { Analysis, analyze, evaluateFlow, FlowSpec } from "../../policies/netpol/analysis";
import { reasonFor } from "../../policies/netpol/explain";
import { reachabilityMark, TruthTable } from "../../policies/netpol/truthTable";
import { ContainerPort, KubeObject, Labels, NetworkPolicySpec, SourcedObject } from "../../policies/netpol/types";

export function namespace(name: string, labels: Labels = {}): KubeObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

/** A Pod; `ports` as "name:80/TCP", "80", "53/UDP". */
export function pod(id: string, labels: Labels = {}, ports: string[] = []): KubeObject {
    const [ns, name] = id.split("/");
    return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: "c", ports: ports.map(containerPort) }] } };
}

/** A Deployment (or another workload `kind`, in its own API group) whose pod template has `labels` and `ports`. */
export function deployment(id: string, labels: Labels = {}, ports: string[] = [], kind = "Deployment"): KubeObject {
    const [ns, name] = id.split("/");
    const template = { metadata: { labels }, spec: { containers: [{ name: "c", ports: ports.map(containerPort) }] } };
    const apiVersion = kind === "Job" ? "batch/v1" : "apps/v1";
    return { apiVersion, kind, metadata: { name, namespace: ns }, spec: { selector: { matchLabels: labels }, template } };
}

export function policy(id: string, spec: NetworkPolicySpec): KubeObject {
    const [ns, name] = id.split("/");
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec };
}

function containerPort(text: string): ContainerPort {
    const match = /^(?:([a-z0-9-]+):)?(\d+)(?:\/(TCP|UDP|SCTP))?$/.exec(text);
    if (!match) throw new Error(`bad port spec ${text}`);
    const [, name, port, protocol] = match;
    return { ...(name ? { name } : {}), containerPort: Number(port), ...(protocol ? { protocol } : {}) };
}

export function sourced(objects: KubeObject[]): SourcedObject[] {
    return objects.map((object, i) => ({ object, source: { file: "test.yaml", line: i + 1 } }));
}

export function analyzeObjects(objects: KubeObject[]): Analysis {
    return analyze(sourced(objects));
}

/** `[from, to, port, allowed]` or `[from, to, port, allowed, protocol]`. */
export type ExpectedFlow = [string, string, number | string, boolean] | [string, string, number | string, boolean, string];

/** Evaluates every flow and fails with the expected, actual and difference grids (and the reasons) if any differs. */
export function expectFlows(objects: KubeObject[], flows: ExpectedFlow[]): void {
    const analysis = analyzeObjects(objects);
    const column = (f: ExpectedFlow) => `${f[1]}:${f[2]}/${f[4] ?? "TCP"}`;
    const froms = [...new Set(flows.map((f) => f[0]))];
    const tos = [...new Set(flows.map(column))];
    const expected = new TruthTable<boolean>(froms, tos);
    const actual = new TruthTable<boolean>(froms, tos);
    const reasons: string[] = [];
    for (const f of flows) {
        const spec: FlowSpec = { from: f[0], to: f[1], port: f[2], protocol: f[4] ?? "TCP" };
        const { flow, verdict } = evaluateFlow(analysis, spec);
        expected.set(f[0], column(f), f[3]);
        actual.set(f[0], column(f), verdict.allowed);
        if (verdict.allowed !== f[3]) reasons.push(`  ${f[0]} -> ${column(f)}: expected ${f[3] ? "allowed" : "denied"}, ${reasonFor(flow, verdict)}`);
    }
    if (reasons.length === 0) return;
    const diff = expected.compare(actual);
    assert.fail([
        `${reasons.length} of ${flows.length} flows wrong (. allowed, X denied, ? not checked)`,
        "expected:", expected.print(reachabilityMark),
        "actual:", actual.print(reachabilityMark),
        "differences (X marks a wrong cell):", diff.print((same) => (same === undefined ? "?" : same ? "." : "X")),
        "why:", ...reasons,
    ].join("\n"));
}

const ROOT = path.resolve(__dirname, "../..");

/** Runs netpol from the project root, as `npm run netpol` does, with its output as one string. */
export function netpolWith(io: Io, ...args: string[]): { stdout: string; stderr?: string; exitCode: number } {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
        const result = run(args, io);
        return { ...result, stdout: typeof result.stdout === "string" ? result.stdout : [...result.stdout].join("") };
    } finally {
        process.chdir(cwd);
    }
}
