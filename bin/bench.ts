/**
 * Benchmark of netpol as a user runs it: each command is the whole process, `npm run --silent netpol -- …`, start-up
 * included, timed from outside, with its peak memory (resident set, the largest process) from /usr/bin/time where it
 * exists. Each is run RUNS times after one warm-up; the median is reported.
 *
 * Scenarios and targets:
 * - tiny: `check` of the Stars fixtures, at most 0.5 s (npm's own start is about 0.25 s of it);
 * - check: 100,000 flows over 10,000 pods in 1,000 namespaces with 2,000 policies, at most 2.5 s;
 * - matrix: `matrix --format json` over 2,000 pods and 400 policies, at most 5 s and 1 GiB;
 * - huge: `matrix` over 50,000 pods, which must finish or refuse with exit 2, at most 5 s and 1 GiB, never crash.
 *
 *   npm run bench
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = 5;
const TIME = "/usr/bin/time";

interface Size {
    namespaces: number;
    podsPerNamespace: number;
    policiesPerNamespace: number;
}

/** A small deterministic PRNG (mulberry32), so every run checks the same flows. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/**
 * Namespaces labelled by team and env; pods as replicas of four apps, each declaring two named ports; per namespace a
 * default-deny and allow policies with every kind of peer and port. One JSON object per line, as `kubectl get -o
 * json` pieces would be, in one YAML stream.
 */
export function writeCluster(file: string, size: Size): void {
    const out = fs.openSync(file, "w");
    const write = (o: object) => fs.writeSync(out, `---\n${JSON.stringify(o)}\n`);
    for (let n = 0; n < size.namespaces; n++) {
        const ns = `ns-${n}`;
        write({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { team: `team-${n % 20}`, env: ["dev", "test", "prod"][n % 3] } } });
        for (let p = 0; p < size.podsPerNamespace; p++) {
            write({
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: `pod-${p}`, namespace: ns, labels: { app: `app-${p % 4}`, tier: p % 4 < 2 ? "web" : "db" } },
                spec: { containers: [{ name: "main", image: "registry.example/app:1", ports: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9090 }] }] },
            });
        }
        write({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: ns }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
        for (let k = 1; k < size.policiesPerNamespace; k++) {
            write({
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
    fs.closeSync(out);
}

/** A flows file as a person writes one: a YAML list of flows in flow style, a tenth of them from outside the cluster. */
export function writeFlows(file: string, size: Size, count: number): void {
    const next = random(42);
    const pick = (n: number) => Math.floor(next() * n);
    const podId = () => `ns-${pick(size.namespaces)}/pod-${pick(size.podsPerNamespace)}`;
    const lines = Array.from({ length: count }, (_, i) =>
        i % 10 === 9
            ? `- {from: "ip:10.${pick(256)}.${pick(256)}.7", to: ${podId()}, port: 9050, allowed: true}`
            : `- {from: ${podId()}, to: ${podId()}, port: ${[8080, 9090, "http"][pick(3)]}, allowed: false}`,
    );
    fs.writeFileSync(file, lines.join("\n") + "\n");
}

interface Measured {
    seconds: number[];
    peakMiB: number[];
    exitCodes: number[];
    stderr: string;
}

/** Runs `npm run --silent netpol -- args` once to warm up, then RUNS times; stdout is discarded. */
function measure(args: string[]): Measured {
    const useTime = fs.existsSync(TIME);
    const command = useTime ? TIME : "npm";
    const argv = [...(useTime ? ["-f", "%M", "npm"] : []), "run", "--silent", "netpol", "--", ...args];
    const result: Measured = { seconds: [], peakMiB: [], exitCodes: [], stderr: "" };
    for (let i = 0; i <= RUNS; i++) {
        const start = performance.now();
        const run = spawnSync(command, argv, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 1 << 26 });
        const seconds = (performance.now() - start) / 1000;
        if (i === 0) continue;
        const stderr = run.stderr.trimEnd().split("\n");
        if (useTime) result.peakMiB.push(Number(stderr.pop()) / 1024);
        result.seconds.push(seconds);
        result.exitCodes.push(run.status ?? -1);
        result.stderr = stderr.join("\n");
    }
    return result;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

interface Scenario {
    name: string;
    args: string[];
    maxSeconds: number;
    maxMiB?: number;
    exitCodes: number[];
}

function report(s: Scenario, m: Measured): boolean {
    const seconds = median(m.seconds);
    const peak = m.peakMiB.length > 0 ? Math.max(...m.peakMiB) : undefined;
    const memory = peak === undefined ? "peak memory not measured (no /usr/bin/time)" : `peak ${peak.toFixed(0)} MiB${s.maxMiB ? ` (target <= ${s.maxMiB})` : ""}`;
    const codes = [...new Set(m.exitCodes)];
    console.log(`${s.name}: median ${seconds.toFixed(2)} s (target <= ${s.maxSeconds} s; min ${Math.min(...m.seconds).toFixed(2)}, max ${Math.max(...m.seconds).toFixed(2)}), ${memory}, exit ${codes.join("/")}`);
    const ok = seconds <= s.maxSeconds && (peak === undefined || !s.maxMiB || peak <= s.maxMiB) && codes.every((c) => s.exitCodes.includes(c));
    if (!codes.every((c) => s.exitCodes.includes(c))) console.log(`  unexpected exit; stderr:\n${m.stderr}`);
    return ok;
}

function main(): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-bench-"));
    try {
        const big: Size = { namespaces: 1000, podsPerNamespace: 10, policiesPerNamespace: 2 };
        const mid: Size = { namespaces: 200, podsPerNamespace: 10, policiesPerNamespace: 2 };
        const huge: Size = { namespaces: 5000, podsPerNamespace: 10, policiesPerNamespace: 2 };
        writeCluster(path.join(dir, "big.yaml"), big);
        writeFlows(path.join(dir, "flows.yaml"), big, 100_000);
        writeCluster(path.join(dir, "mid.yaml"), mid);
        writeCluster(path.join(dir, "huge.yaml"), huge);
        const scenarios: Scenario[] = [
            { name: "tiny   check, Stars fixtures (9 flows)", args: ["check", "tests/fixtures/stars", "--expect", "tests/fixtures/stars-flows.yaml"], maxSeconds: 0.5, exitCodes: [0] },
            { name: "check  100,000 flows, 10,000 pods, 2,000 policies", args: ["check", path.join(dir, "big.yaml"), "--expect", path.join(dir, "flows.yaml")], maxSeconds: 2.5, exitCodes: [1] },
            { name: "matrix --format json, 2,000 pods, 400 policies", args: ["matrix", path.join(dir, "mid.yaml"), "--format", "json"], maxSeconds: 5, maxMiB: 1024, exitCodes: [0] },
            { name: "huge   matrix, 50,000 pods, 10,000 policies", args: ["matrix", path.join(dir, "huge.yaml")], maxSeconds: 5, maxMiB: 1024, exitCodes: [0, 2] },
        ];
        console.log(`whole-process timings, median of ${RUNS} runs after a warm-up`);
        const results = scenarios.map((s) => report(s, measure(s.args)));
        if (results.includes(false)) {
            console.log("TARGET MISSED");
            process.exitCode = 1;
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) main();
