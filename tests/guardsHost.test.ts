/**
 * The two dynamic resources that refuse an update before it changes anything, run as Pulumi runs them: their
 * serialized code in the real dynamic-provider host. Pulumi calls `check` with the inputs stored by the last update
 * (olds) and this update's (news) while it plans the resource, in `preview` too; a failure stops the update.
 *   - policy-engine (PolicyEngineGuard): no two policy engines at once, no VPC CNI agent turned off under policies;
 *   - and, alongside, lab-creator (ClusterCreator): who created the cluster, kept until the cluster changes.
 */
import * as assert from "assert";
import { engineSwitchProblem } from "../components/policyEngineGuard";
import { closedPort, hostEnv, HostEnv } from "./support/hostEnv";
import { dynamicUrn, Props, ProviderHost, reversedKeys } from "./support/providerHost";
import { recordedProviders } from "./support/recordedProviders";

const NO_CHANGE = { changes: false, replaces: [], deleteBeforeReplace: false };
const CHANGE = { changes: true, replaces: [], deleteBeforeReplace: false };

describe("guards, run by Pulumi's dynamic-provider host", () => {
    let env: HostEnv;
    let host: ProviderHost;
    let guard: Props;
    let creator: Props;

    before(async () => {
        // Neither calls anything; a closed AWS endpoint makes sure of it.
        env = hostEnv({ awsEndpoint: `http://127.0.0.1:${await closedPort()}` });
        let recorded;
        [host, recorded] = await Promise.all([ProviderHost.start({ env: env.vars }), recordedProviders()]);
        ({ guard, creator } = recorded);
    });

    after(async () => {
        await host?.stop();
        env?.remove();
    });

    describe("policy-engine", () => {
        const URN = dynamicUrn("PolicyEngineGuard", "policy-engine");
        const state = (engine: string, networkPolicies: number): Props => ({ ...guard, engine, networkPolicies });

        /** What Pulumi stores after a first `up` with `engine` and `networkPolicies`: the inputs and the outputs. */
        async function deployed(engine: string, networkPolicies: number): Promise<{ inputs: Props; outs: Props }> {
            const checked = await host.check(URN, {}, state(engine, networkPolicies));
            assert.deepStrictEqual(checked.failures, []);
            return { inputs: checked.inputs, outs: (await host.create(URN, checked.inputs)).outs };
        }

        it("records the engine as registered by the program, and accepts it the first time", async () => {
            assert.deepStrictEqual([guard.engine, guard.networkPolicies], ["calico", 0]);
            const { outs } = await deployed("calico", 0);
            assert.deepStrictEqual(outs, { engine: "calico", networkPolicies: 0, __provider: guard.__provider });
        });

        const SWITCHES: [string, number, string, number][] = [
            ["calico", 4, "vpc-cni", 4],
            ["vpc-cni", 4, "calico", 4],
            ["vpc-cni", 3, "none", 0],
        ];
        for (const [from, before, to, after] of SWITCHES) {
            it(`refuses ${from} with ${before} policies -> ${to}, with the message that says what to run instead`, async () => {
                const { inputs } = await deployed(from, before);
                const checked = await host.check(URN, inputs, state(to, after));
                const reason = engineSwitchProblem({ engine: from as never, networkPolicies: before }, { engine: to as never, networkPolicies: after });
                assert.ok(reason);
                assert.deepStrictEqual(checked.failures, [{ property: "engine", reason }]);
            });
        }

        it("lets vpc-cni go to none once the policies are gone, and calico go to none with them", async () => {
            for (const [from, before] of [["vpc-cni", 0], ["calico", 4]] as const) {
                const { inputs } = await deployed(from, before);
                assert.deepStrictEqual((await host.check(URN, inputs, state("none", 0))).failures, [], from);
            }
        });

        it("reads the policy count stored by the last update: a stage change stores it without reporting a change", async () => {
            const { inputs, outs } = await deployed("vpc-cni", 0);
            // A stage change: new count, same engine; the diff says nothing changed, so Pulumi keeps the outputs and
            // stores the new inputs, which the next check reads.
            const staged = (await host.check(URN, inputs, state("vpc-cni", 4))).inputs;
            assert.deepStrictEqual(await host.diff("policy-engine", URN, outs, staged), NO_CHANGE);
            assert.strictEqual((await host.check(URN, staged, state("none", 0))).failures.length, 1);
        });

        it("reports a change of engine, or of its own code, so that `up` stores the new code", async () => {
            const { outs } = await deployed("calico", 0);
            assert.deepStrictEqual(await host.diff("policy-engine", URN, outs, reversedKeys(state("calico", 0)) as Props), NO_CHANGE);
            assert.deepStrictEqual(await host.diff("policy-engine", URN, outs, state("none", 0)), CHANGE);
            const newCode = { ...state("calico", 0), __provider: `${guard.__provider}\n// the next version\n` };
            assert.deepStrictEqual(await host.diff("policy-engine", URN, outs, newCode), CHANGE);
            assert.strictEqual((await host.update("policy-engine", URN, outs, newCode)).outs.__provider, newCode.__provider);
        });
    });

    describe("lab-creator", () => {
        const URN = dynamicUrn("ClusterCreator", "lab-creator");
        const CI = "arn:aws:sts::123456789012:assumed-role/ci-deployer/run-7";

        async function created(): Promise<{ id: string; outs: Props }> {
            const checked = await host.check(URN, {}, creator);
            assert.deepStrictEqual(checked.failures, []);
            return host.create(URN, checked.inputs);
        }

        it("records whoever ran the update that created the cluster", async () => {
            assert.deepStrictEqual([creator.callerArn, creator.clusterCreatedAt], ["arn:aws:sts::123456789012:assumed-role/lab-admin/alice", "2026-12-01T09:00:00Z"]);
            const { id, outs } = await created();
            assert.strictEqual(id, creator.clusterCreatedAt);
            assert.deepStrictEqual(outs, { callerArn: creator.callerArn, clusterCreatedAt: creator.clusterCreatedAt, __provider: creator.__provider });
        });

        it("keeps that creator when another identity runs a later update of the same cluster", async () => {
            const { id, outs } = await created();
            assert.deepStrictEqual(await host.diff(id, URN, outs, reversedKeys({ ...creator, callerArn: CI }) as Props), NO_CHANGE);
        });

        it("takes the caller of the update that created a new cluster (a replacement, or one recreated after a destroy)", async () => {
            const { id, outs } = await created();
            const news = { ...creator, callerArn: CI, clusterCreatedAt: "2026-12-03T10:00:00Z" };
            assert.deepStrictEqual(await host.diff(id, URN, outs, news), CHANGE);
            assert.deepStrictEqual((await host.update(id, URN, outs, news)).outs.callerArn, CI);
        });

        it("does not count a change of its own code: it has no delete, and a previewed update would show another creator", async () => {
            const { id, outs } = await created();
            const news = { ...creator, callerArn: CI, __provider: `${creator.__provider}\n// the next version\n` };
            assert.deepStrictEqual(await host.diff(id, URN, outs, news), NO_CHANGE);
        });
    });
});
