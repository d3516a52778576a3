/**
 * The walkthrough, proved offline: for every stage, the connectivity of the objects the program would deploy (run
 * under mocks, analysed by the reachability engine) is what the walkthrough says it is. And moving between stages
 * touches NetworkPolicies only.
 *
 * Topology: management-ui (namespace management-ui, role=management-ui, port 9001) polls the three probes; client
 * (namespace client, port 9000), frontend (stars, port 80) and backend (stars, port 6379) poll each other. The UI's
 * namespace never gets a policy, so everyone reaches it in every stage.
 */
import * as assert from "assert";
import { planReport, PlanReport } from "../bin/planReport";
import { STARS_STAGES, StarsStage } from "../policies/stars";
import { reachabilityMark, TruthTable } from "../policies/netpol/truthTable";
import { policyEngineGuardProvider } from "../components/policyEngineGuard";
import { findResource, ProgramRun, RecordedResource, runProgram, stackConfig } from "./mocks";

const UI = "management-ui/management-ui";
const CLIENT = "client/client";
const FRONTEND = "stars/frontend";
const BACKEND = "stars/backend";
const PORTS: Record<string, number> = { [UI]: 9001, [CLIENT]: 9000, [FRONTEND]: 80, [BACKEND]: 6379 };

/**
 * Reachability between workloads, a workload to itself included (its pods talk to each other): a default for all
 * pairs, then exceptions (k8s e2e "default + carve-outs").
 */
class Reachability {
    readonly table: TruthTable<boolean>;

    constructor(readonly workloads: string[], all: boolean) {
        this.table = new TruthTable(workloads, workloads);
        for (const from of workloads) for (const to of workloads) this.table.set(from, to, all);
    }

    expect(from: string, to: string, allowed: boolean): this {
        this.table.set(from, to, allowed);
        return this;
    }

    /** Nobody but management-ui reaches `to`'s ingress (its namespace denies the rest). */
    onlyUiReaches(to: string): this {
        for (const from of this.workloads) this.table.set(from, to, from === UI);
        return this;
    }
}

/** What the walkthrough says of each stage. */
function walkthrough(stage: StarsStage, workloads: string[]): Reachability {
    const r = new Reachability(workloads, true);
    if (stage === "open") return r;
    if (stage === "deny-all") {
        // default-deny in stars and client: nobody reaches client, frontend or backend, not even the UI.
        for (const to of [CLIENT, FRONTEND, BACKEND]) for (const from of workloads) r.expect(from, to, false);
        return r;
    }
    // allow-ui: the UI reaches all three again; they still reach none of each other.
    for (const to of [CLIENT, FRONTEND, BACKEND]) r.onlyUiReaches(to);
    if (stage === "allow-ui") return r;
    // allow-backend: frontend reaches backend on 6379 (a podSelector alone: frontend of stars only).
    r.expect(FRONTEND, BACKEND, true);
    if (stage === "allow-backend") return r;
    // final: the client namespace reaches frontend on 80; still nobody but the UI reaches client.
    return r.expect(CLIENT, FRONTEND, true);
}

function actualTable(report: PlanReport): TruthTable<boolean> {
    const table = new TruthTable<boolean>(report.workloads, report.workloads);
    for (const f of report.flows) {
        assert.strictEqual(f.port, PORTS[f.to] ?? f.port, `${f.to} is checked on its declared port`);
        table.set(f.from, f.to, f.allowed);
    }
    return table;
}

function assertSameGrid(expected: TruthTable<boolean>, actual: TruthTable<boolean>, what: string): void {
    const diff = expected.compare(actual);
    const wrong = expected.froms.flatMap((f) => expected.tos.filter((t) => diff.get(f, t) === false).map((t) => `${f} -> ${t}`));
    if (wrong.length === 0) return;
    const mark = (v: boolean | undefined) => (v === undefined ? "" : reachabilityMark(v));
    assert.fail([`${what}: ${wrong.length} flows differ (${wrong.join(", ")})`, "expected:", expected.print(mark), "actual:", actual.print(mark)].join("\n"));
}

/** Each stage of the Stars demo alone, run once and shared by the tests below. */
const starsReports = new Map<StarsStage, PlanReport>();
async function starsReport(stage: StarsStage): Promise<PlanReport> {
    if (!starsReports.has(stage)) {
        const run = await runProgram(stackConfig({ stage, demos: '["stars"]' }));
        assert.strictEqual(run.error, undefined);
        starsReports.set(stage, planReport(run, stage));
    }
    return starsReports.get(stage)!;
}

describe("stages: the Stars demo does what the walkthrough says at every stage", () => {
    for (const stage of STARS_STAGES) {
        it(stage, async () => {
            const report = await starsReport(stage);
            assert.deepStrictEqual(report.workloads, [CLIENT, UI, BACKEND, FRONTEND]);
            assertSameGrid(walkthrough(stage, report.workloads).table, actualTable(report), `stage ${stage}`);
        });
    }

    it("never lets backend reach frontend or anyone reach client but the UI, once policies are on", async () => {
        for (const stage of STARS_STAGES.slice(1)) {
            const report = await starsReport(stage);
            const allowed = (from: string, to: string) => report.flows.find((f) => f.from === from && f.to === to)!.allowed;
            assert.strictEqual(allowed(BACKEND, FRONTEND), false, stage);
            assert.strictEqual(allowed(FRONTEND, CLIENT), false, stage);
            assert.strictEqual(allowed(BACKEND, CLIENT), false, stage);
            assert.strictEqual(allowed(CLIENT, UI), true, stage);
        }
    });
});

describe("stages: the namespaces demo", () => {
    const FRONTENDS = ["namespace-a/frontend-a", "namespace-b/frontend-b", "namespace-c/frontend-c"];

    it("lets every frontend reach the others without isolation", async () => {
        const report = planReport(await runProgram(stackConfig({ demos: '["namespaces"]' })), "open");
        assert.deepStrictEqual(report.workloads, FRONTENDS);
        assertSameGrid(new Reachability(FRONTENDS, true).table, actualTable(report), "no isolation");
    });

    it("lets none cross namespaces with isolateNamespaces, while each frontend's pods still reach each other", async () => {
        const report = planReport(await runProgram(stackConfig({ demos: '["namespaces"]', isolateNamespaces: "true" })), "open");
        const expected = new Reachability(FRONTENDS, false);
        for (const f of FRONTENDS) expected.expect(f, f, true);
        assertSameGrid(expected.table, actualTable(report), "isolation");
    });
});

/** A resource's identity and every input: equal for equal resources. */
function fingerprint(r: RecordedResource): string {
    return `${r.type} ${r.name} ${JSON.stringify(r.inputs)} parent=${r.options.parent} dependsOn=${r.options.dependsOn.join(",")}`;
}

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const GUARD = "pulumi-nodejs:dynamic/eks-netpol-lab:PolicyEngineGuard";

describe("stages: changing stage or isolateNamespaces touches NetworkPolicies only", () => {
    const runs = new Map<string, ProgramRun>();
    const variants = [...STARS_STAGES.map((stage) => ({ stage, isolateNamespaces: "false" })), { stage: "final", isolateNamespaces: "true" }];
    const key = (v: { stage: string; isolateNamespaces: string }) => `${v.stage}/isolate=${v.isolateNamespaces}`;

    before(async () => {
        for (const v of variants) runs.set(key(v), await runProgram(stackConfig(v)));
    });

    for (let i = 0; i < variants.length; i++) {
        for (let j = i + 1; j < variants.length; j++) {
            const [a, b] = [variants[i], variants[j]];
            it(`${key(a)} -> ${key(b)}`, async () => {
                const [ra, rb] = [runs.get(key(a))!, runs.get(key(b))!];
                const others = (run: ProgramRun) => run.resources.filter((r) => r.type !== POLICY && r.type !== GUARD).map(fingerprint).sort();
                assert.deepStrictEqual(others(rb), others(ra), "every resource but NetworkPolicies is registered identically");
                // The engine guard counts policies in its inputs, which its provider's diff does not call a change.
                const guard = (run: ProgramRun) => findResource(run, GUARD, "policy-engine").inputs;
                assert.deepStrictEqual(await policyEngineGuardProvider.diff!("policy-engine", guard(ra) as never, guard(rb) as never), { changes: false, replaces: [], deleteBeforeReplace: false });
                // A policy present in both is identical in both: stages only add or delete policies, never rename or edit.
                const policies = (run: ProgramRun) => new Map(run.resources.filter((r) => r.type === POLICY).map((r) => [r.name, fingerprint(r)]));
                const [pa, pb] = [policies(ra), policies(rb)];
                for (const [name, print] of pa) if (pb.has(name)) assert.strictEqual(pb.get(name), print, name);
                assert.notDeepStrictEqual([...pa.keys()].sort(), [...pb.keys()].sort(), "the two variants differ in their policies");
            });
        }
    }
});
