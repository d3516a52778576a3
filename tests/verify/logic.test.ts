/**
 * verify's decisions as tables, without a cluster: drift between intended and live policies, the verdict on each
 * cell, the run's outcome, which pod probes for a workload, and where a probe connects.
 */
import * as assert from "assert";
import { judge, Observation, outcome, Verdict } from "../../policies/live/compare";
import { Drift, policyDrift, PolicyRef } from "../../policies/live/drift";
import { ProbeResult } from "../../policies/live/probeScript";
import { hostPort, planProbes, PROBE_IMAGE, reproduceCommand } from "../../policies/live/probePlan";
import { ExpectedCell, LivePod, LiveService, PlannedWorkload } from "../../policies/live/types";
import { choosePods } from "../../policies/live/workloads";
import { namespaceIsolationPolicies } from "../../policies/namespacesDemo";
import { STARS_STAGES, starsPolicies } from "../../policies/stars";
import { NetworkPolicySpec } from "../../policies/netpol/types";
import { asStored } from "../support/fakeKubeApi";

const policy = (name: string, spec: NetworkPolicySpec, namespace = "stars"): PolicyRef => ({ namespace, name, spec });
const NO_DRIFT: Drift = { missing: [], extra: [], changed: [] };

describe("verify: drift between the stack's policies and the cluster's", () => {
    it("finds none between every stage's policies and the same policies as the API server returns them", () => {
        const stages = [...STARS_STAGES.map(starsPolicies), namespaceIsolationPolicies(true)];
        for (const policies of stages) {
            const intended = policies.map((p) => policy(p.object.metadata.name, p.object.spec, p.object.metadata.namespace));
            assert.deepStrictEqual(policyDrift(intended, intended.map((p) => ({ ...p, spec: asStored(p.spec) }))), NO_DRIFT);
        }
    });

    const cases: { name: string; intended: NetworkPolicySpec; live: NetworkPolicySpec; changes: { path: string; intended: unknown; live: unknown }[] }[] = [
        { name: "an empty `from` is no `from`", intended: { podSelector: {}, ingress: [{ from: [] }] }, live: { podSelector: {}, ingress: [{}], policyTypes: ["Ingress"] }, changes: [] },
        { name: "an empty matchLabels is no matchLabels", intended: { podSelector: { matchLabels: {} } }, live: { podSelector: {}, policyTypes: ["Ingress"] }, changes: [] },
        { name: "a port's protocol defaults to TCP", intended: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }, live: { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: "TCP" }] }] }, changes: [] },
        { name: "egress rules default policyTypes to both", intended: { podSelector: {}, egress: [{}] }, live: { podSelector: {}, egress: [{}], policyTypes: ["Egress", "Ingress"] }, changes: [] },
        {
            name: "all pods of the namespace are not all pods of every namespace",
            intended: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] },
            live: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] },
            changes: [
                { path: "spec.ingress[0].from[0].namespaceSelector", intended: undefined, live: {} },
                { path: "spec.ingress[0].from[0].podSelector", intended: {}, live: undefined },
            ],
        },
        {
            name: "another port",
            intended: { podSelector: { matchLabels: { role: "backend" } }, ingress: [{ ports: [{ protocol: "TCP", port: 6379 }] }] },
            live: { podSelector: { matchLabels: { role: "backend" } }, ingress: [{ ports: [{ protocol: "UDP", port: 6380 }] }] },
            changes: [
                { path: "spec.ingress[0].ports[0].port", intended: 6379, live: 6380 },
                { path: "spec.ingress[0].ports[0].protocol", intended: "TCP", live: "UDP" },
            ],
        },
        {
            name: "a rule more",
            intended: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] },
            live: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }, {}] },
            changes: [{ path: "spec.ingress", intended: [{ from: [{ podSelector: {} }] }], live: [{ from: [{ podSelector: {} }] }, {}] }],
        },
    ];
    for (const c of cases) {
        it(`changed or not: ${c.name}`, () => {
            const drift = policyDrift([policy("p", c.intended)], [policy("p", c.live)]);
            assert.deepStrictEqual(drift, { missing: [], extra: [], changed: c.changes.length > 0 ? [{ policy: "stars/p", changes: c.changes }] : [] });
        });
    }

    it("lists what is missing and what is extra, by namespace/name", () => {
        const drift = policyDrift([policy("default-deny", { podSelector: {} }), policy("allow-ui", { podSelector: {} })], [policy("allow-ui", { podSelector: {} }), policy("allow-all", { podSelector: {}, ingress: [{}] }, "client")]);
        assert.deepStrictEqual(drift, { missing: ["stars/default-deny"], extra: ["client/allow-all"], changed: [] });
    });
});

describe("verify: the verdict on a cell", () => {
    const cell = (allowed: boolean): ExpectedCell => ({ from: "client/client", to: "stars/backend", port: 6379, protocol: "TCP", allowed });
    const result = (...attempts: ProbeResult[]): Observation => ({ kind: "result", attempts });
    const cases: { name: string; allowed: boolean; observation: Observation; verdict: Verdict; reason?: string }[] = [
        { name: "allowed and connected", allowed: true, observation: result("CONNECTED"), verdict: "match" },
        { name: "blocked and timed out", allowed: false, observation: result("TIMEOUT"), verdict: "match" },
        { name: "blocked and refused: the connection did not open", allowed: false, observation: result("REFUSED"), verdict: "match" },
        { name: "allowed, refused (nothing listening)", allowed: true, observation: result("REFUSED", "REFUSED"), verdict: "mismatch" },
        { name: "blocked but connected: the engine is not enforcing", allowed: false, observation: result("CONNECTED", "CONNECTED"), verdict: "mismatch" },
        { name: "wrong, then right once the policy took effect", allowed: false, observation: result("CONNECTED", "CONNECTED", "TIMEOUT"), verdict: "match" },
        { name: "the probe could not resolve the address", allowed: true, observation: result("DNS"), verdict: "unmeasured", reason: "the probe failed (DNS: could not resolve the address)" },
        { name: "agnhost could not run", allowed: false, observation: result("UNKNOWN"), verdict: "unmeasured", reason: "the probe failed (UNKNOWN: agnhost could not run)" },
        { name: "no attempt at all", allowed: false, observation: result(), verdict: "unmeasured", reason: "no result in the probe's log" },
        { name: "the probe could not start", allowed: true, observation: { kind: "unmeasured", reason: "ErrImagePull" }, verdict: "unmeasured", reason: "ErrImagePull" },
    ];
    for (const c of cases) {
        it(`${c.verdict}: ${c.name}`, () => {
            const judged = judge(cell(c.allowed), c.observation);
            assert.strictEqual(judged.verdict, c.verdict);
            if (c.reason !== undefined) assert.deepStrictEqual(judged.observation, { kind: "unmeasured", reason: c.reason });
        });
    }
});

describe("verify: the outcome of a run and its exit code", () => {
    const cellOf = (verdict: Verdict) => judge({ from: "a/a", to: "b/b", port: 80, protocol: "TCP", allowed: true }, verdict === "match" ? { kind: "result", attempts: ["CONNECTED"] } : verdict === "mismatch" ? { kind: "result", attempts: ["TIMEOUT"] } : { kind: "unmeasured", reason: "x" });
    const drifted: Drift = { missing: [], extra: ["stars/allow-all"], changed: [] };
    const cases: { name: string; verdicts: Verdict[]; drift?: Drift; fatal?: string; problems?: string[]; expected: string }[] = [
        { name: "every cell matches, no drift", verdicts: ["match", "match"], drift: NO_DRIFT, expected: "pass" },
        { name: "a cell differs", verdicts: ["match", "mismatch"], drift: NO_DRIFT, expected: "fail" },
        { name: "a policy drifted, every cell matches", verdicts: ["match"], drift: drifted, expected: "fail" },
        { name: "a cell differs, another is unmeasured: what was measured already fails", verdicts: ["mismatch", "unmeasured"], drift: NO_DRIFT, expected: "fail" },
        { name: "drift, and the API server stopped answering", verdicts: [], drift: drifted, fatal: "timeout", expected: "fail" },
        { name: "a cell unmeasured", verdicts: ["match", "unmeasured"], drift: NO_DRIFT, expected: "unmeasured" },
        { name: "a workload without a pod", verdicts: ["match"], drift: NO_DRIFT, problems: ["stars/backend: no pod"], expected: "unmeasured" },
        { name: "the API server is unreachable", verdicts: [], fatal: "ECONNREFUSED", expected: "unmeasured" },
        { name: "nothing to measure", verdicts: [], drift: NO_DRIFT, expected: "unmeasured" },
    ];
    for (const c of cases) {
        it(`${c.expected}: ${c.name}`, () => {
            assert.strictEqual(outcome({ results: c.verdicts.map(cellOf), drift: c.drift, fatal: c.fatal, problems: c.problems ?? [] }), c.expected);
        });
    }
});

describe("verify: the pod that probes for a workload", () => {
    const workload: PlannedWorkload = { id: "stars/backend", namespace: "stars", name: "backend", selector: { role: "backend" } };
    const pod = (name: string, over: Partial<LivePod> = {}): LivePod => ({
        namespace: "stars", name, labels: { role: "backend", "pod-template-hash": "abc" }, ip: "10.0.1.5", phase: "Running", ready: true, owned: true, deleting: false, containers: [], ...over,
    });
    const cases: { name: string; pods: LivePod[]; chosen?: string; problem?: string }[] = [
        { name: "the first usable one by name", pods: [pod("backend-b"), pod("backend-a", { ready: false }), pod("backend-c")], chosen: "backend-b" },
        { name: "not a bare pod: the VPC CNI applies no policy to it", pods: [pod("debug", { owned: false }), pod("backend-x")], chosen: "backend-x" },
        { name: "not another workload's pod", pods: [pod("frontend-a", { labels: { role: "frontend" } })], problem: "no pod in namespace stars matches its selector role=backend; is it deployed?" },
        {
            name: "none usable",
            pods: [pod("backend-a", { phase: "Pending" }), pod("backend-b", { deleting: true }), pod("backend-c", { owned: false }), pod("backend-d", { ready: false })],
            problem: "none of its 4 pods is running, ready and owned by a controller: backend-a (Pending), backend-b (being deleted), backend-c (no owner), ...",
        },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const [choice] = choosePods([workload], c.pods);
            assert.deepStrictEqual("pod" in choice ? { chosen: choice.pod.name } : { problem: choice.problem }, c.chosen ? { chosen: c.chosen } : { problem: c.problem });
        });
    }
});

describe("verify: where a probe connects", () => {
    const workload = (ns: string, name: string): PlannedWorkload => ({ id: `${ns}/${name}`, namespace: ns, name, selector: { app: name } });
    const pod = (ns: string, name: string, ip: string, ports: { containerPort: number; name?: string }[]): LivePod => ({
        namespace: ns, name: `${name}-pod`, labels: { app: name }, ip, phase: "Running", ready: true, owned: true, deleting: false, containers: [{ name: "c", ports }],
    });
    const client = pod("client", "client", "10.0.0.1", []);
    const cell = (port: number): ExpectedCell => ({ from: "client/client", to: "web/web", port, protocol: "TCP", allowed: true });
    const service = (over: Partial<LiveService>): LiveService => ({ namespace: "web", name: "web", clusterIP: "172.20.0.9", selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }], ...over });
    const schedule = { timeoutSeconds: 2, settleSeconds: 0, intervalSeconds: 0, maxAttempts: 1 };
    const cases: { name: string; ip?: string; services: LiveService[]; mode: "service" | "pod"; address: string; via: string }[] = [
        { name: "the Service port whose targetPort is the container port", services: [service({})], mode: "service", address: "172.20.0.9:80", via: "service web/web" },
        { name: "a targetPort that names the container port", services: [service({ ports: [{ port: 443, targetPort: "http" }] })], mode: "service", address: "172.20.0.9:443", via: "service web/web" },
        { name: "a targetPort that defaults to the port", services: [service({ ports: [{ port: 8080 }] })], mode: "service", address: "172.20.0.9:8080", via: "service web/web" },
        { name: "the pod IP when the only Service is headless", services: [service({ clusterIP: "None" })], mode: "service", address: "10.0.2.2:8080", via: "pod web/web-pod" },
        { name: "the pod IP when no Service selects the pod", services: [service({ selector: { app: "other" } })], mode: "service", address: "10.0.2.2:8080", via: "pod web/web-pod" },
        { name: "the pod IP when asked for", services: [service({})], mode: "pod", address: "10.0.2.2:8080", via: "pod web/web-pod" },
        { name: "an IPv6 pod IP in brackets", ip: "fd00::2", services: [], mode: "service", address: "[fd00::2]:8080", via: "pod web/web-pod" },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const web = pod("web", "web", c.ip ?? "10.0.2.2", [{ containerPort: 8080, name: "http" }]);
            const choices = [{ workload: workload("client", "client"), pod: client }, { workload: workload("web", "web"), pod: web }];
            const plan = planProbes([cell(8080)], choices, c.services, { mode: c.mode, runId: "r1", schedule });
            assert.deepStrictEqual(plan.probes.map((p) => p.cells.map((x) => ({ address: x.address, via: x.via }))), [[{ address: c.address, via: c.via }]]);
        });
    }

    it("adds one container per source pod, named for the run, non-root, with the pinned image and every target in one command", () => {
        const web = pod("web", "web", "10.0.2.2", [{ containerPort: 8080 }, { containerPort: 9090 }]);
        const choices = [{ workload: workload("client", "client"), pod: client }, { workload: workload("web", "web"), pod: web }];
        const plan = planProbes([cell(8080), { ...cell(9090), allowed: false }], choices, [], { mode: "service", runId: "r1", schedule });
        assert.strictEqual(plan.probes.length, 1);
        const { container } = plan.probes[0];
        assert.deepStrictEqual([container.name, container.image, container.securityContext.runAsNonRoot, container.securityContext.runAsUser], ["netpol-verify-r1", PROBE_IMAGE, true, 65534]);
        assert.deepStrictEqual(container.command.slice(3), ["netpol-verify", "2", "0", "0", "1", "0", "10.0.2.2:8080", "allowed", "1", "10.0.2.2:9090", "blocked"]);
        assert.strictEqual(reproduceCommand(plan.probes[0], plan.probes[0].cells[1], 2), `kubectl debug -n client client-pod -it --profile=general --image=${PROBE_IMAGE} -- /agnhost connect 10.0.2.2:9090 --timeout=2s`);
        assert.strictEqual(hostPort("10.0.0.1", 80), "10.0.0.1:80");
    });
});
