/**
 * `verify` end to end: the real command (bin/verify.ts run()), the real client library over HTTPS with the kubeconfig's
 * exec, against the fake API server of tests/support/fakeKubeApi.ts serving what a stage deploys, whose kubelet runs
 * the real probe script with a fake agnhost answering from a connectivity table.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run, VerifyDeps } from "../../bin/verify";
import { ProgramRun, runProgram, stackConfig } from "../../bin/offlineProgram";
import { PlanReport, planReport } from "../../bin/planReport";
import { buildKubeconfig } from "../../components/cluster";
import { ProbeResult } from "../../policies/live/probeScript";
import { PROBE_IMAGE } from "../../policies/live/probePlan";
import { analyze } from "../../policies/netpol/analysis";
import { connectivityMatrix, matrixFlows } from "../../policies/netpol/matrix";
import { KubeObject } from "../../policies/netpol/types";
import { FakeKubeApi } from "../support/fakeKubeApi";

const FAKE_AWS = path.join(__dirname, "..", "support", "fakeAwsGetToken.sh");
const PULUMI_PINNED = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).devDependencies.pulumi as string;

/** The program run offline, once per config for this whole file: plan's view in the tests and verify's share it. */
const runs = new Map<string, Promise<ProgramRun>>();
const runOnce: typeof runProgram = (config = stackConfig(), secretKeys = []) => {
    const key = JSON.stringify([Object.entries(config).sort(), secretKeys]);
    if (!runs.has(key)) runs.set(key, runProgram(config, secretKeys));
    return runs.get(key)!;
};

/** What plan says a stack deploys, by its config overrides. */
async function planFor(overrides: Record<string, string>): Promise<PlanReport> {
    return planReport(await runOnce(stackConfig(overrides)), overrides.stage ?? "open");
}

/** Writes a kubeconfig for the fake, as the stack's output has it, but with the fake `aws` for its token. */
function kubeconfigFor(url: string, dir: string): string {
    const kubeconfig = buildKubeconfig({ clusterName: "eks-netpol-lab-dev", server: url, certificateAuthorityData: FakeKubeApi.certificateAuthorityData, region: "us-west-2" }) as any;
    kubeconfig.users[0].user.exec.command = FAKE_AWS;
    const file = path.join(dir, "kubeconfig.json");
    fs.writeFileSync(file, JSON.stringify(kubeconfig));
    return file;
}

const DEPS = (kubeconfig: string, over: Partial<VerifyDeps> = {}): VerifyDeps => ({
    runProgram: runOnce,
    env: { KUBECONFIG: kubeconfig, PATH: process.env.PATH },
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), pollMs: 5, retryIntervalSeconds: 0 },
    runId: "t1",
    requestTimeoutMs: 5000,
    ...over,
});

/** The connectivity plan's flows say, for the fake's table: CONNECTED where allowed, TIMEOUT where not. */
function truthOf(report: PlanReport): (from: string, to: string, port: number) => ProbeResult[] {
    const allowed = new Map(report.flows.map((f) => [`${f.from} ${f.to}:${f.port}`, f.allowed]));
    return (from, to, port) => [allowed.get(`${from} ${to}:${port}`) ? "CONNECTED" : "TIMEOUT"];
}

/** What the engine says `manifests` allow, as the fake's table: for a cluster whose policies are not the stack's. */
function engineTruth(manifests: KubeObject[]): (from: string, to: string, port: number) => ProbeResult[] {
    const flows = [...matrixFlows(connectivityMatrix(analyze(manifests.map((object, i) => ({ object, source: { file: "(test)", line: i + 1 } })))))];
    const allowed = new Map(flows.map((f) => [`${f.from} ${f.to}:${f.port}`, f.allowed]));
    return (from, to, port) => [allowed.get(`${from} ${to}:${port}`) ? "CONNECTED" : "TIMEOUT"];
}

/** The API server the README's sample names, for the fake's. */
const README_SERVER = "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com";

const FINAL_PASS = [
    "verify: stack dev (stage final, policy engine calico) on context eks-netpol-lab-dev (https://fake)",
    "",
    "Drift: none; the demo namespaces' NetworkPolicies are the ones the stack deploys.",
    "",
    "Expected (the engine over the live objects; . allowed, X blocked; rows: from, columns: to):",
    "",
    "                            1 2 3 4 5 6 7",
    "client/client                 . . . . X .",
    "management-ui/management-ui .   . . . . .",
    "namespace-a/frontend-a      X .   . . X X",
    "namespace-b/frontend-b      X . .   . X X",
    "namespace-c/frontend-c      X . . .   X X",
    "stars/backend               X . . . .   X",
    "stars/frontend              X . . . . .  ",
    "",
    "Observed (agnhost connect from inside a pod of each source; . connected, X timed out, R refused, E other network error, ! not measured):",
    "",
    "                            1 2 3 4 5 6 7",
    "client/client                 . . . . X .",
    "management-ui/management-ui .   . . . . .",
    "namespace-a/frontend-a      X .   . . X X",
    "namespace-b/frontend-b      X . .   . X X",
    "namespace-c/frontend-c      X . . .   X X",
    "stars/backend               X . . . .   X",
    "stars/frontend              X . . . . .  ",
    "",
    "Columns:",
    " 1  client/client:9000/TCP",
    " 2  management-ui/management-ui:9001/TCP",
    " 3  namespace-a/frontend-a:80/TCP",
    " 4  namespace-b/frontend-b:80/TCP",
    " 5  namespace-c/frontend-c:80/TCP",
    " 6  stars/backend:6379/TCP",
    " 7  stars/frontend:80/TCP",
    "",
    "Result: PASS: 42 cells match, 0 differ, 0 not measured; 0 policies drifted (exit 0)",
    "",
].join("\n");

/** deny-all: everything into stars and client is blocked; the client's connection to the frontend got through. */
const DENY_ALL_GRIDS = [
    "                            1 2 3 4",
    "client/client                 . X X",
    "management-ui/management-ui X   X X",
    "stars/backend               X .   X",
    "stars/frontend              X . X  ",
    "",
    "Observed (agnhost connect from inside a pod of each source; . connected, X timed out, R refused, E other network error, ! not measured):",
    "",
    "                            1 2 3 4",
    "client/client                 . X .",
    "management-ui/management-ui X   X X",
    "stars/backend               X .   X",
    "stars/frontend              X . X  ",
].join("\n");

describe("verify against a live cluster (a fake API server)", () => {
    let fake: FakeKubeApi;
    let dir: string;
    let kubeconfig: string;

    beforeEach(async () => {
        fake = await FakeKubeApi.start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
        kubeconfig = kubeconfigFor(fake.url, dir);
    });
    afterEach(async () => {
        await fake.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Loads what `overrides` deploys into the fake, with the plan's truth as its connectivity, and runs verify. */
    async function verifyStack(overrides: Record<string, string>, args: string[], adjust: (fake: FakeKubeApi) => void = () => {}, deps: Partial<VerifyDeps> = {}) {
        const report = await planFor(overrides);
        fake.load(report.manifests);
        fake.connectivity = truthOf(report);
        adjust(fake);
        const result = await run([...Object.entries(overrides).flatMap(([k, v]) => ["--set", `${k}=${v}`]), ...args], DEPS(kubeconfig, deps));
        return { ...result, stdout: result.stdout.replace(fake.url, "https://fake") };
    }

    it("passes, exit 0, when every cell is as the engine says and no policy drifted; the grids as documented", async () => {
        const result = await verifyStack({ stage: "final" }, []);
        assert.strictEqual(result.stderr, undefined);
        assert.strictEqual(result.stdout, FINAL_PASS);
        assert.strictEqual(result.exitCode, 0);
        // One ephemeral container per source pod, named for the run, and nothing else changed.
        assert.deepStrictEqual(fake.patches.map((p) => `${p.namespace}/${p.pod}:${p.body.spec.ephemeralContainers.map((c: { name: string }) => c.name)}`).sort(), fake.pods.map((p) => `${p.object.metadata.namespace}/${p.object.metadata.name}:netpol-verify-t1`).sort());
        assert.deepStrictEqual(fake.requests.filter((r) => r.method !== "GET" && r.method !== "PATCH"), []);
    });

    it("re-probes a cell that is wrong at first, and passes once the policy has taken effect", async () => {
        const result = await verifyStack({ stage: "deny-all", demos: '["stars"]' }, [], (f) => {
            const truth = f.connectivity;
            f.connectivity = (from, to, port) => (from === "client/client" && to === "stars/frontend" ? ["CONNECTED", "CONNECTED", "TIMEOUT"] : truth(from, to, port));
        });
        assert.strictEqual(result.exitCode, 0, result.stdout);
        assert.ok(result.stdout.includes([
            "Matched only after re-probing (1; policies take effect a few seconds after they are applied):",
            "  client/client -> stars/frontend:80/TCP: CONNECTED CONNECTED TIMEOUT",
            "",
            "Result: PASS: 12 cells match, 0 differ, 0 not measured; 0 policies drifted (exit 0)",
        ].join("\n")), result.stdout);
    });

    it("fails, exit 1, on a cell that stays wrong, with both grids and the command to try it by hand", async () => {
        const result = await verifyStack({ stage: "deny-all", demos: '["stars"]' }, ["--settle", "3"], (f) => {
            const truth = f.connectivity;
            f.connectivity = (from, to, port) => (from === "client/client" && to === "stars/frontend" ? ["CONNECTED"] : truth(from, to, port));
        });
        assert.strictEqual(result.exitCode, 1);
        const pod = fake.pods.find((p) => p.workload === "client/client")!.object.metadata.name;
        assert.ok(result.stdout.includes(DENY_ALL_GRIDS), result.stdout);
        assert.ok(result.stdout.endsWith([
            "Differences (1), after re-probing each for up to 3 s:",
            "  client/client -> stars/frontend:80/TCP: expected blocked, observed CONNECTED via service stars/frontend 172.20.0.11:80 (4 attempts)",
            `    try it: kubectl debug -n client ${pod} -it --profile=general --image=${PROBE_IMAGE} -- /agnhost connect 172.20.0.11:80 --timeout=2s`,
            "",
            "Result: FAIL: 11 cells match, 1 differ, 0 not measured; 0 policies drifted (exit 1)",
            "",
        ].join("\n")), result.stdout);
    });

    it("fails, exit 1, on drift: a policy applied by hand is reported, and the prediction includes it", async () => {
        const allowAll = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-all", namespace: "stars" }, spec: { podSelector: {}, ingress: [{}] } };
        const report = await planFor({ stage: "final", demos: '["stars"]' });
        const result = await verifyStack({ stage: "final", demos: '["stars"]' }, [], (f) => {
            f.apply(allowAll);
            f.apply({ ...report.manifests.find((m) => m.metadata?.name === "backend-policy")!, spec: { podSelector: { matchLabels: { role: "backend" } }, ingress: [{ ports: [{ port: 6380 }] }] } });
            f.connectivity = engineTruth([...report.manifests.filter((m) => m.metadata?.name !== "backend-policy"), allowAll]);
        });
        assert.strictEqual(result.exitCode, 1);
        assert.ok(result.stdout.includes([
            "Drift: 2 NetworkPolicies differ from what the stack deploys:",
            "  extra   stars/allow-all: in the cluster, not in the stack (applied by hand, or left behind)",
            "  changed stars/backend-policy:",
            '    spec.ingress[0].from: the stack says [{"podSelector":{"matchLabels":{"role":"frontend"}}}], the cluster has absent',
            "    spec.ingress[0].ports[0].port: the stack says 6379, the cluster has 6380",
            "",
        ].join("\n")), result.stdout);
        assert.ok(result.stdout.endsWith("Result: FAIL: 12 cells match, 0 differ, 0 not measured; 2 policies drifted (exit 1)\n"), result.stdout);
    });

    it("cannot measure, exit 2, the cells of a probe that cannot start, and says why", async () => {
        const pull = "failed to pull image: 403 Forbidden";
        const result = await verifyStack({ stage: "open", demos: '["stars"]' }, [], (f) => {
            f.kubelet = (workload) => (workload === "stars/backend" ? { kind: "stuck", reason: "ErrImagePull", message: pull } : { kind: "run" });
        });
        assert.strictEqual(result.exitCode, 2);
        const pod = fake.pods.find((p) => p.workload === "stars/backend")!.object.metadata.name;
        assert.ok(result.stdout.includes("stars/backend               . .   .\n"), "the expected grid keeps the row");
        assert.ok(result.stdout.includes("stars/backend               ! !   !\n"), "the observed grid marks it not measured");
        assert.ok(result.stdout.endsWith([
            "Not measured (3 cells):",
            `  from stars/backend (3 cells): the probe container in pod stars/${pod} could not start: ErrImagePull: ${pull}`,
            "",
            "Result: NOT MEASURED: 9 cells match, 0 differ, 3 not measured; 0 policies drifted (exit 2)",
            "",
        ].join("\n")), result.stdout);
    });

    it("cannot measure, exit 2, where it is forbidden, and names the permission it lacks", async () => {
        const denied = 'pods "x" is forbidden: User "ci" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "client"';
        const result = await verifyStack({ stage: "open", demos: '["stars"]' }, [], (f) => f.fail("PATCH", "/api/v1/namespaces/client/", { status: 403, reason: "Forbidden", message: denied }));
        assert.strictEqual(result.exitCode, 2);
        const pod = fake.pods.find((p) => p.workload === "client/client")!.object.metadata.name;
        assert.ok(result.stdout.includes(
            `  from client/client (3 cells): add ephemeral container netpol-verify-t1 to pod client/${pod}: 403 Forbidden: ${denied}; verify needs patch pods/ephemeralcontainers in each demo namespace ` +
                `(see "Verify's permissions" in the README)\n`,
        ), result.stdout);

        const listing = await verifyStack({ stage: "open", demos: '["stars"]' }, [], (f) => f.fail("GET", "/api/v1/namespaces", { status: 403, reason: "Forbidden", message: "namespaces is forbidden" }));
        assert.strictEqual(listing.exitCode, 2);
        assert.strictEqual(listing.stdout, [
            "verify: stack dev (stage open, policy engine calico) on context eks-netpol-lab-dev (https://fake)",
            "",
            `Could not measure: list namespaces: 403 Forbidden: namespaces is forbidden; verify needs list namespaces cluster-wide (see "Verify's permissions" in the README)`,
            "",
            "Result: NOT MEASURED: 0 cells match, 0 differ, 0 not measured; drift not checked (exit 2)",
            "",
        ].join("\n"));
    });

    it("cannot measure, exit 2, when the API server is unreachable or does not answer, and says so in bounded time", async () => {
        await fake.close();
        const closed = await run(["--stage", "final"], DEPS(kubeconfig));
        assert.strictEqual(closed.exitCode, 2);
        assert.match(closed.stdout, /\nCould not measure: list namespaces: could not reach the API server: request to https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces failed, reason: connect ECONNREFUSED 127\.0\.0\.1:\d+\n/);

        fake = await FakeKubeApi.start();
        kubeconfig = kubeconfigFor(fake.url, dir);
        const hanging = await verifyStack({ stage: "final" }, [], (f) => f.fail("GET", "/api/v1/namespaces", "hang"), { requestTimeoutMs: 200 });
        assert.strictEqual(hanging.exitCode, 2);
        assert.ok(hanging.stdout.includes("\nCould not measure: list namespaces: no answer within 0.2 s\n"), hanging.stdout);
    });

    it("prints JSON for machines: every cell with what was expected, observed and decided", async () => {
        const result = await verifyStack({ stage: "allow-backend", demos: '["stars"]' }, ["--json", "--target", "pod"]);
        assert.strictEqual(result.exitCode, 0);
        const json = JSON.parse(result.stdout);
        assert.deepStrictEqual(Object.keys(json), ["stack", "stage", "policyEngine", "cluster", "settings", "outcome", "exitCode", "summary", "drift", "fatal", "problems", "unprobed", "cells"]);
        assert.deepStrictEqual([json.outcome, json.exitCode, json.summary, json.drift], ["pass", 0, { match: 12, mismatch: 0, unmeasured: 0 }, { missing: [], extra: [], changed: [] }]);
        const backend = fake.pods.find((p) => p.workload === "stars/backend")!.object;
        assert.deepStrictEqual(json.cells.find((c: { from: string; to: string }) => c.from === "stars/frontend" && c.to === "stars/backend"), {
            from: "stars/frontend", to: "stars/backend", port: 6379, protocol: "TCP", expected: "allowed", observed: "CONNECTED", attempts: ["CONNECTED"],
            verdict: "match", via: `pod stars/${backend.metadata.name}`, address: `${backend.status.podIP}:6379`,
        });
    });

    // Every stage, both engines, a cluster you bring, the namespaces demo isolated: verify expects exactly what plan
    // computed offline from the stack (the same engine, now over the live objects), and passes when the cluster does it.
    const stacks: Record<string, string>[] = [
        ...["open", "deny-all", "allow-ui", "allow-backend", "final"].map((stage) => ({ stage, demos: '["stars"]' })),
        { stage: "final", policyEngine: "vpc-cni", isolateNamespaces: "true" },
        { stage: "allow-ui", existingClusterName: "team-cluster" },
    ];
    for (const overrides of stacks) {
        it(`expects what plan predicts, and passes: ${JSON.stringify(overrides)}`, async () => {
            const report = await planFor(overrides);
            const result = await verifyStack(overrides, ["--json"]);
            assert.strictEqual(result.exitCode, 0, result.stdout);
            const cells = JSON.parse(result.stdout).cells.map((c: { from: string; to: string; port: number; expected: string }) => `${c.from} ${c.to}:${c.port} ${c.expected}`).sort();
            // Every cell of plan's but a workload to itself, which verify cannot measure with one pod per workload.
            const planned = report.flows.filter((f) => f.from !== f.to);
            assert.deepStrictEqual(cells, planned.map((f) => `${f.from} ${f.to}:${f.port} ${f.allowed ? "allowed" : "blocked"}`).sort());
        });
    }

    it("prints what the README shows for a cell that stays wrong", async () => {
        const result = await verifyStack({ stage: "allow-backend", demos: '["stars"]' }, [], (f) => {
            const truth = f.connectivity;
            f.connectivity = (from, to, port) => (from === "stars/frontend" && to === "stars/backend" ? ["TIMEOUT"] : truth(from, to, port));
        });
        const sample = /What it prints[\s\S]*?```\n(verify: [\s\S]*?)```/.exec(fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8"))?.[1];
        assert.strictEqual(result.stdout.replace("https://fake", README_SERVER), sample);
        assert.strictEqual(result.exitCode, 1);
    });

    it("runs as a user runs it, `npm run --silent verify`, in a process of its own, and prints the grids as documented", async () => {
        const report = await planFor({ stage: "final" });
        fake.load(report.manifests);
        fake.connectivity = truthOf(report);
        // The fake answers in this process while the command runs in another: spawn, not spawnSync.
        const child = spawn("npm", ["run", "--silent", "verify", "--", "--set", "stage=final", "--settle", "0"], {
            cwd: path.resolve(__dirname, "..", ".."),
            env: { ...process.env, KUBECONFIG: kubeconfig },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        assert.deepStrictEqual({ code, stderr }, { code: 0, stderr: "" });
        // The run's container names are its own; the grids, the drift and the result are what the README documents.
        assert.strictEqual(stdout.replace(fake.url, "https://fake"), FINAL_PASS);
    });

    it("reads the cluster from the stack's kubeconfig output when neither --kubeconfig nor KUBECONFIG names one", async () => {
        const cli = path.join(dir, "pulumi");
        fs.writeFileSync(cli, `#!/bin/sh\nif [ "$1" = version ]; then echo v${PULUMI_PINNED}; exit 0; fi\necho "$*" > "${dir}/args"\ncat "${kubeconfig}"\n`, { mode: 0o755 });
        const report = await planFor({ stage: "final" });
        fake.load(report.manifests);
        fake.connectivity = truthOf(report);
        const result = await run(["--stage", "final"], { ...DEPS(kubeconfig), env: { PATH: process.env.PATH, PULUMI_CLI: cli, HOME: dir } });
        assert.strictEqual(result.exitCode, 0, result.stdout + result.stderr);
        assert.strictEqual(fs.readFileSync(path.join(dir, "args"), "utf8"), "stack output kubeconfig --show-secrets --stack dev\n");
    });

    it("prints the stack's cluster and region for CI, without touching any cluster", async () => {
        assert.deepStrictEqual(await run(["--print-cluster", "--set", "aws:region=eu-west-1"], DEPS(kubeconfig)), { stdout: '{"clusterName":"eks-netpol-lab-dev","region":"eu-west-1"}\n', stderr: undefined, exitCode: 0 });
        assert.deepStrictEqual((await run(["--print-cluster", "--set", "existingClusterName=team-cluster"], DEPS(kubeconfig))).stdout, '{"clusterName":"team-cluster","region":"us-west-2"}\n');
        assert.deepStrictEqual(fake.requests, []);
    });

    it("refuses bad options with exit 2, every problem at once, before anything else", async () => {
        assert.deepStrictEqual(await run(["--timeout", "0", "--settle", "1m", "--start-timeout", "901"], DEPS(kubeconfig)), {
            stdout: "",
            stderr: [
                'verify: --timeout "0": each connection attempt\'s timeout must be a whole number of seconds from 1 to 30',
                'verify: --settle "1m": how long differing cells are re-probed must be a whole number of seconds from 0 to 300',
                'verify: --start-timeout "901": how long a probe container may take to start must be a whole number of seconds from 1 to 900',
                "",
            ].join("\n"),
            exitCode: 2,
        });
        const badStage = await run(["--stage", "deny_all"], DEPS(kubeconfig));
        assert.strictEqual(badStage.exitCode, 2);
        assert.match(badStage.stderr ?? "", /^Invalid stack configuration \(1 problem\):\n  - stage: "deny_all" is not one of/);
        assert.deepStrictEqual(fake.requests, []);
    });
});
