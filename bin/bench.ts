/**
 * Benchmark of the reachability engine: a synthetic cluster of 10,000 pods in 1,000 namespaces with 2,000 policies,
 * 100,000 flows checked; then the same at a quarter of the size. Prints parse and evaluation times separately.
 * Targets: the full run under 5 s end to end, and the quarter-size run at least 3x faster (work grows with size).
 *
 *   npm run bench
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { analyze, resolveFlow } from "../policies/netpol/analysis";
import { Problems } from "../policies/netpol/errors";
import { loadManifests } from "../policies/netpol/load";

interface Size {
    namespaces: number;
    podsPerNamespace: number;
    policiesPerNamespace: number;
    flows: number;
}

const FULL: Size = { namespaces: 1000, podsPerNamespace: 10, policiesPerNamespace: 2, flows: 100_000 };
const QUARTER: Size = { namespaces: 250, podsPerNamespace: 10, policiesPerNamespace: 2, flows: 25_000 };

/** A small deterministic PRNG (mulberry32), so every run checks the same flows. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Namespaces labelled by team; pods as replicas of four apps; per namespace a default-deny and an allow policy. */
function manifests(size: Size): object[] {
    const objects: object[] = [];
    for (let n = 0; n < size.namespaces; n++) {
        const ns = `ns-${n}`;
        objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { team: `team-${n % 20}`, env: ["dev", "test", "prod"][n % 3] } } });
        for (let p = 0; p < size.podsPerNamespace; p++) {
            const app = `app-${p % 4}`;
            objects.push({
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: `pod-${p}`, namespace: ns, labels: { app, tier: p % 4 < 2 ? "web" : "db" } },
                spec: { containers: [{ name: "main", ports: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9090 }] }] },
            });
        }
        objects.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: ns }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
        for (let k = 1; k < size.policiesPerNamespace; k++) {
            objects.push({
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: `allow-${k}`, namespace: ns },
                spec: {
                    podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] },
                    ingress: [
                        { from: [{ namespaceSelector: { matchLabels: { team: `team-${n % 20}` } }, podSelector: { matchLabels: { tier: "web" } } }], ports: [{ port: "http" }] },
                        { from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.99.0.0/16"] } }], ports: [{ port: 9000, endPort: 9100 }] },
                    ],
                    egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] } }] }],
                },
            });
        }
    }
    return objects;
}

function flowSpecs(size: Size): { from: string; to: string; port: number | string }[] {
    const next = random(42);
    const pick = (n: number) => Math.floor(next() * n);
    const podId = () => `ns-${pick(size.namespaces)}/pod-${pick(size.podsPerNamespace)}`;
    return Array.from({ length: size.flows }, (_, i) =>
        i % 10 === 9 ? { from: `ip:10.${pick(256)}.${pick(256)}.7`, to: podId(), port: 9050 } : { from: podId(), to: podId(), port: [8080, 9090, "http"][pick(3)] },
    );
}

interface Timing {
    parseMs: number;
    evaluateMs: number;
    allowed: number;
}

function measure(size: Size): Timing {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-bench-"));
    const file = path.join(dir, "cluster.yaml");
    fs.writeFileSync(file, manifests(size).map((o) => stringify(o)).join("---\n"));
    const specs = flowSpecs(size);
    try {
        const t0 = performance.now();
        const analysis = analyze(loadManifests([file]));
        const t1 = performance.now();
        const problems = new Problems();
        let allowed = 0;
        for (const spec of specs) {
            const flow = resolveFlow(analysis, spec, problems);
            if (flow && analysis.reachability.evaluate(flow).allowed) allowed++;
        }
        const t2 = performance.now();
        problems.throwIfAny();
        return { parseMs: t1 - t0, evaluateMs: t2 - t1, allowed };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function describe(label: string, size: Size, t: Timing): string {
    const pods = size.namespaces * size.podsPerNamespace;
    const policies = size.namespaces * size.policiesPerNamespace;
    return `${label}: ${pods} pods, ${size.namespaces} namespaces, ${policies} policies, ${size.flows} flows (${t.allowed} allowed): ` +
        `parse ${t.parseMs.toFixed(0)} ms, evaluate ${t.evaluateMs.toFixed(0)} ms, total ${(t.parseMs + t.evaluateMs).toFixed(0)} ms`;
}

function main(): void {
    measure({ namespaces: 20, podsPerNamespace: 10, policiesPerNamespace: 2, flows: 2000 }); // warm up the JIT
    const quarter = measure(QUARTER);
    console.log(describe("quarter", QUARTER, quarter));
    const full = measure(FULL);
    console.log(describe("full   ", FULL, full));
    const fullTotal = full.parseMs + full.evaluateMs;
    const speedup = fullTotal / (quarter.parseMs + quarter.evaluateMs);
    console.log(`peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    console.log(`full run ${(fullTotal / 1000).toFixed(2)} s (target < 5 s); quarter size ${speedup.toFixed(1)}x faster (target >= 3x)`);
    if (fullTotal >= 5000 || speedup < 3) {
        console.log("TARGET MISSED");
        process.exitCode = 1;
    }
}

main();
