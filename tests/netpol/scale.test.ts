/**
 * What keeps netpol usable at cluster scale, checked for correctness (speed and memory are `npm run bench`'s): the
 * matrix over classes of pods gives exactly the per-pair answers, an impossible matrix is refused before any work,
 * and the transpile cache behind `npm run netpol` can never run stale code.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { netpolWith } from "./helpers";
import { analyzeObjects, deployment, namespace, pod, policy } from "./helpers";
import { toFlowEndpoint } from "../../policies/netpol/analysis";
import { connectivityMatrix, matrixFlows } from "../../policies/netpol/matrix";

const ROOT = path.resolve(__dirname, "../..");

describe("matrix over classes of pods", () => {
    // Pods alike in namespace, labels and ports share a class; a Pod to itself is loopback; a workload to itself is
    // governed like any pair. Every cell must equal the verdict of the pair it stands for.
    const objects = [
        namespace("x", { team: "a" }),
        namespace("y", { team: "b" }),
        ...["x", "y"].flatMap((ns) => [0, 1, 2].map((i) => pod(`${ns}/p${i}`, { app: i < 2 ? "web" : "db" }, ["http:80", "81"]))),
        deployment("x/web", { app: "web" }, ["http:80"]),
        policy("x/db", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: "http" }] }] }),
        policy("y/deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }] }),
        policy("x/web", { podSelector: { matchLabels: { app: "web" } } }),
    ];

    it("gives every cell the verdict of its own pair", () => {
        const analysis = analyzeObjects(objects);
        const matrix = connectivityMatrix(analysis);
        const wrong = [...matrixFlows(matrix)].filter((f) => {
            const [from] = analysis.endpointsById.get(f.from)!;
            const [to] = analysis.endpointsById.get(f.to)!;
            return analysis.reachability.evaluate({ from: toFlowEndpoint(from), to: toFlowEndpoint(to), port: f.port, protocol: f.protocol }).allowed !== f.allowed;
        });
        assert.deepStrictEqual(wrong, []);
        assert.strictEqual(matrix.rows.length * matrix.columns.length, 7 * 13);
    });

    it("answers a Pod to itself as loopback, and a workload to itself as one replica to another", () => {
        const analysis = analyzeObjects(objects);
        const flows = [...matrixFlows(connectivityMatrix(analysis))];
        const cell = (from: string, to: string, port: number) => flows.find((f) => f.from === from && f.to === to && f.port === port)?.allowed;
        assert.deepStrictEqual([cell("x/p0", "x/p0", 80), cell("x/p0", "x/p1", 80), cell("x/web", "x/web", 80)], [true, false, false]);
    });

    it("keeps only the namespaces asked for", () => {
        const matrix = connectivityMatrix(analyzeObjects(objects), { namespaces: ["y"] });
        assert.deepStrictEqual(matrix.rows.map((e) => e.id), ["y/p0", "y/p1", "y/p2"]);
        assert.ok(matrix.columns.every((c) => c.to.namespace === "y"));
    });
});

describe("matrix: refused up front when it cannot be read", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "netpol-scale-"));
        // 3,200 pods declaring two ports each: 3,200 x 6,400 cells, just over the limit of 20 million.
        const pods = Array.from({ length: 3200 }, (_, i) => JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: `p${i}`, namespace: "big" }, spec: { containers: [{ name: "c", ports: [{ containerPort: 80 }, { containerPort: 81 }] }] } }));
        fs.writeFileSync(path.join(dir, "pods.yaml"), pods.join("\n---\n"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const cases: { name: string; args: string[]; exitCode: number; stderr?: string }[] = [
        {
            name: "too many cells, with what to do instead",
            args: ["matrix", "$D"],
            exitCode: 2,
            stderr: "netpol: the matrix would have 3,200 sources times 6,400 destination ports, 20,480,000 cells, over the limit of 20,000,000; narrow it to some namespaces with --namespace, or check the flows that matter with `netpol check`\n",
        },
        {
            name: "an SVG of more workloads than can be followed",
            args: ["matrix", "$D", "--format", "svg", "--port", "80"],
            exitCode: 2,
            stderr: "netpol: a picture of 3200 workloads would be unreadable; the limit is 200: narrow it to some namespaces with --namespace, or check the flows that matter with `netpol check`\n",
        },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const result = netpolWith({}, ...c.args.map((a) => a.replace("$D", dir)));
            assert.strictEqual(result.exitCode, c.exitCode, result.stderr);
            if (c.stderr !== undefined) assert.deepStrictEqual({ stdout: result.stdout, stderr: result.stderr }, { stdout: "", stderr: c.stderr });
        });
    }
});

describe("bin/run.js: TypeScript commands from a cache keyed by their text", () => {
    it("runs the current text of a file, never a stale one, and the file as the main module", function () {
        this.timeout(60000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-run-"));
        try {
            const script = path.join(dir, "hello.ts");
            const run = () => execFileSync(process.execPath, [path.join(ROOT, "bin", "run.js"), script, "arg"], { encoding: "utf8" });
            fs.writeFileSync(script, 'const who: string = "one";\nconsole.log(who, process.argv.slice(2).join(" "), require.main === module);\n');
            assert.strictEqual(run(), "one arg true\n");
            assert.strictEqual(run(), "one arg true\n");
            fs.writeFileSync(script, 'const who: string = "two";\nconsole.log(who, process.argv.slice(2).join(" "), require.main === module);\n');
            assert.strictEqual(run(), "two arg true\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
