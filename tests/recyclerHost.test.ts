/**
 * The node recycler as Pulumi runs it: its serialized code (the `__provider` the program registers) loaded by the real
 * dynamic-provider host, talking to a fake EKS and Auto Scaling endpoint and a fake Kubernetes API on loopback. What
 * closure serialization breaks, and what real SDK clients and real time do, shows here and not in recycler.test.ts.
 */
import * as assert from "assert";
import { FakeAws } from "./support/fakeAws";
import { FakeKube, nodeFor } from "./support/fakeKube";
import { closedPort, ENV_KEY_ID, hostEnv, HostEnv, PROFILE } from "./support/hostEnv";
import { dynamicUrn, Props, ProviderHost, reversedKeys } from "./support/providerHost";
import { recordedProviders } from "./support/recordedProviders";
import { SimulatedGroup } from "./support/simulatedGroup";

const URN = dynamicUrn("NodeRecycler", "calico-node-recycler");
const CLUSTER = "eks-netpol-lab-dev";
const NODEGROUP = "lab-nodes-mng-ng";
const GROUP = `node group ${CLUSTER}/${NODEGROUP}`;
/** Real time passes in the host; 15 s polls would make each recycle take minutes. */
const POLL = { pollSeconds: 0.02 };

describe("node recycler, run by Pulumi's dynamic-provider host", () => {
    let aws: FakeAws;
    let kube: FakeKube;
    let env: HostEnv;
    let host: ProviderHost;
    let recorded: Props;

    before(async () => {
        [aws, kube] = await Promise.all([FakeAws.start(), FakeKube.start()]);
        env = hostEnv({ awsEndpoint: aws.url });
        [host, { recycler: recorded }] = await Promise.all([ProviderHost.start({ env: env.vars }), recordedProviders()]);
    });

    after(async () => {
        await host?.stop();
        await Promise.all([aws?.close(), kube?.close()]);
        env?.remove();
    });

    beforeEach(() => {
        aws.reset();
        kube.reset();
        host.takeStderr();
    });

    /** The recorded inputs, with the cluster's API server pointed at the fake. */
    function inputs(overrides: Props = {}): Props {
        const cluster = { ...recorded.cluster, server: kube.url, certificateAuthorityData: FakeKube.certificateAuthorityData };
        return { ...recorded, cluster, ...POLL, ...overrides };
    }

    /** A managed node group at `sizes` whose in-service instances are Ready nodes, and the recycler created for it. */
    async function createdFor(group: SimulatedGroup, overrides: Props = {}): Promise<{ id: string; outs: Props }> {
        aws.addNodegroup(CLUSTER, NODEGROUP, group);
        kube.nodes = () => group.inService().map((id) => nodeFor(id, true));
        const checked = await host.check(URN, {}, inputs(overrides));
        assert.deepStrictEqual(checked.failures, []);
        return host.create(URN, checked.inputs);
    }

    it("records the node group's sizes on create, and stores its code with them", async () => {
        const { id, outs } = await createdFor(new SimulatedGroup({ min: 1, desired: 2, max: 3 }));
        assert.strictEqual(id, `${CLUSTER}/${NODEGROUP}`);
        assert.deepStrictEqual(outs.recorded, [{ min: 1, desired: 2, max: 3 }]);
        assert.strictEqual(outs.__provider, recorded.__provider);
        assert.deepStrictEqual(aws.callLog(), ["DescribeNodegroup ok"]);
        assert.deepStrictEqual(aws.calls.map((c) => c.keyId), [ENV_KEY_ID]);
    });

    it("recycles on delete, from the stored outputs: to 0, back to the recorded sizes, new nodes Ready", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 2, max: 3 }, 0, 0);
        const { id, outs } = await createdFor(group);
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(group.updates, [{ min: 0, desired: 0, max: 3 }, { min: 1, desired: 2, max: 3 }]);
        assert.deepStrictEqual(group.inService(), ["i-0003", "i-0004"]);
        assert.ok(kube.requests.some((r) => r.path === "/api/v1/nodes" && r.status === 200), "asked the cluster for Ready nodes");
        await host.takeStderrUntil(new RegExp(`node recycler: recycled ${GROUP}\n`));
    });

    it("waits, polling, for the old instances to go, the new ones to be in service and then Ready", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 2, max: 3 });
        const { id, outs } = await createdFor(group);
        // The first list is the check that the cluster can be reached; the nodes turn Ready at the third.
        let lists = 0;
        kube.nodes = () => {
            const ready = ++lists >= 3;
            return group.inService().map((instance) => nodeFor(instance, ready));
        };
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(group.updates, [{ min: 0, desired: 0, max: 3 }, { min: 1, desired: 2, max: 3 }]);
        const log = await host.takeStderrUntil(new RegExp(`node recycler: recycled ${GROUP}\n`));
        for (const line of [
            `waiting for the old nodes of ${GROUP} to terminate: 2 of 2 still Terminating`,
            `waiting for 2 new nodes of ${GROUP} to be InService: 0 of 2 InService`,
            `waiting for the new nodes of ${GROUP} to be Ready: 0 of 2 Ready`,
            `recycled ${GROUP}`,
        ]) assert.ok(log.includes(`node recycler: ${line}\n`), `${line}\nnot in:\n${log}`);
    });

    it("restores the sizes when an AWS call fails mid-recycle, retrying the restore if need be, and says so", async () => {
        const group = new SimulatedGroup({ min: 2, desired: 2, max: 4 });
        const { id, outs } = await createdFor(group);
        // The listing of the old instances succeeds; the first poll of their termination, at 0, is denied.
        aws.fail("DescribeAutoScalingGroups", { code: "AccessDenied", message: "not authorized to perform: autoscaling:DescribeAutoScalingGroups", status: 403 }, { after: 1 });
        // And the restore finds an update still in progress: retried, not given up (which would leave the group at 0).
        aws.fail("UpdateNodegroupConfig", { code: "ResourceInUseException", message: "Nodegroup is currently being updated", status: 409 }, { after: 1 });
        await assert.rejects(host.delete(id, URN, outs), {
            message: `recycling ${GROUP} failed: not authorized to perform: autoscaling:DescribeAutoScalingGroups; its sizes were restored to min 2, desired 2, max 4`,
        });
        assert.deepStrictEqual(group.updates, [{ min: 0, desired: 0, max: 4 }, { min: 2, desired: 2, max: 4 }]);
        assert.deepStrictEqual(group.sizes, { min: 2, desired: 2, max: 4 });
        const log = await host.takeStderrUntil(new RegExp(`node recycler: restoring ${GROUP}: ResourceInUseException, retrying in 1 s\n`));
        assert.ok(log.includes(`node recycler: recycling ${GROUP} failed; restoring min 2, desired 2, max 4\n`), log);
    });

    it("retries a throttled call and carries on (the SDK's own retry; updates in progress are the recycler's)", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 1, max: 2 }, 0, 0);
        const { id, outs } = await createdFor(group);
        aws.fail("UpdateNodegroupConfig", { code: "ThrottlingException", message: "Rate exceeded", status: 429 });
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(aws.callLog().filter((c) => c.startsWith("UpdateNodegroupConfig")), [
            "UpdateNodegroupConfig ThrottlingException",
            "UpdateNodegroupConfig ok",
            "UpdateNodegroupConfig ok",
        ]);
        assert.deepStrictEqual(group.updates, [{ min: 0, desired: 0, max: 2 }, { min: 1, desired: 1, max: 2 }]);
    });

    it("has nothing to recycle when the node group was deleted outside Pulumi, and lets the delete succeed", async () => {
        const { id, outs } = await createdFor(new SimulatedGroup({ min: 1, desired: 2, max: 3 }));
        aws.nodegroups.clear();
        aws.calls.length = 0;
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(aws.callLog(), ["DescribeNodegroup ResourceNotFoundException"]);
        await host.takeStderrUntil(new RegExp(`node recycler: ${GROUP} no longer exists; nothing to recycle\n`));
    });

    it("has nothing to recycle when a self-managed Auto Scaling group is gone (AWS lists no such group)", async () => {
        const workers = { kind: "autoscaling", autoScalingGroupName: "workers" };
        aws.asgs.set("workers", new SimulatedGroup({ min: 1, desired: 1, max: 2 }));
        const checked = await host.check(URN, {}, inputs({ groups: [workers] }));
        const { id, outs } = await host.create(URN, checked.inputs);
        assert.deepStrictEqual([id, outs.recorded], ["workers", [{ min: 1, desired: 1, max: 2 }]]);
        aws.asgs.clear();
        await host.delete(id, URN, outs);
        await host.takeStderrUntil(/node recycler: Auto Scaling group workers no longer exists; nothing to recycle\n/);
    });

    it("refuses to create for a node group that does not exist", async () => {
        await assert.rejects(host.create(URN, inputs()), { message: `${GROUP} does not exist` });
    });

    it("skips the Ready check, saying so, when the cluster's API server cannot be reached", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 1, max: 2 }, 0, 0);
        const server = `https://127.0.0.1:${await closedPort()}`;
        const { id, outs } = await createdFor(group, { cluster: { ...inputs().cluster, server } });
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(group.sizes, { min: 1, desired: 1, max: 2 });
        const log = await host.takeStderrUntil(new RegExp(`node recycler: recycled ${GROUP}\n`));
        assert.match(log, new RegExp(`node recycler: cannot reach the cluster \\(connect ECONNREFUSED 127.0.0.1:\\d+\\); not waiting for the new nodes of ${GROUP} to be Ready\n`));
    });

    it("diffs as unchanged with the same inputs and code, whatever their key order", async () => {
        const { id, outs } = await createdFor(new SimulatedGroup({ min: 1, desired: 2, max: 3 }));
        const { inputs: news } = await host.check(URN, outs, reversedKeys(inputs()) as Props);
        assert.deepStrictEqual(await host.diff(id, URN, outs, news), { changes: false, replaces: [], deleteBeforeReplace: false });
    });

    it("diffs as changed when only its code changed, so update stores the new code that delete will run", async () => {
        const { id, outs } = await createdFor(new SimulatedGroup({ min: 1, desired: 2, max: 3 }));
        const newCode = `${recorded.__provider}\n// the next version of the provider\n`;
        const { inputs: news } = await host.check(URN, outs, inputs({ __provider: newCode }));
        assert.deepStrictEqual(await host.diff(id, URN, outs, news), { changes: true, replaces: [], deleteBeforeReplace: false });
        const updated = await host.update(id, URN, outs, news);
        assert.strictEqual(updated.outs.__provider, newCode);
        assert.deepStrictEqual(updated.outs.recorded, [{ min: 1, desired: 2, max: 3 }]);
    });

    it("diffs as changed when an input changed, and never asks to be replaced", async () => {
        const { id, outs } = await createdFor(new SimulatedGroup({ min: 1, desired: 2, max: 3 }));
        const { inputs: news } = await host.check(URN, outs, inputs({ timeoutSeconds: 900 }));
        assert.deepStrictEqual(await host.diff(id, URN, outs, news), { changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("keeps the recorded sizes on update when it finds the group at 0, where an interrupted recycle left it", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 2, max: 3 });
        const { id, outs } = await createdFor(group);
        group.resize({ min: 0, desired: 0, max: 3 });
        const updated = await host.update(id, URN, outs, (await host.check(URN, outs, inputs({ timeoutSeconds: 900 }))).inputs);
        assert.deepStrictEqual(updated.outs.recorded, [{ min: 1, desired: 2, max: 3 }]);
    });

    it("records the sizes anew on update when the group was resized", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 2, max: 3 });
        const { id, outs } = await createdFor(group);
        group.resize({ min: 2, desired: 3, max: 5 });
        const updated = await host.update(id, URN, outs, (await host.check(URN, outs, inputs({ timeoutSeconds: 900 }))).inputs);
        assert.deepStrictEqual(updated.outs.recorded, [{ min: 2, desired: 3, max: 5 }]);
    });

    it("keeps the recorded sizes on update, saying so, when the group no longer exists", async () => {
        const { id, outs } = await createdFor(new SimulatedGroup({ min: 1, desired: 2, max: 3 }));
        aws.nodegroups.clear();
        const updated = await host.update(id, URN, outs, (await host.check(URN, outs, inputs({ timeoutSeconds: 900 }))).inputs);
        assert.deepStrictEqual(updated.outs.recorded, [{ min: 1, desired: 2, max: 3 }]);
        await host.takeStderrUntil(new RegExp(`node recycler: ${GROUP} no longer exists; keeping its recorded sizes, min 1, desired 2, max 3\n`));
    });

    it("works as the given AWS profile: for AWS calls and for the cluster's token", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 1, max: 2 }, 0, 0);
        const { id, outs } = await createdFor(group, { profile: PROFILE.name });
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(group.sizes, { min: 1, desired: 1, max: 2 });
        assert.deepStrictEqual(new Set(aws.calls.map((c) => c.keyId)), new Set([PROFILE.keyId]));
        assert.ok(kube.requests.length > 0, "asked the cluster for Ready nodes");
        assert.deepStrictEqual(new Set(kube.requests.map((r) => `${r.keyId} ${r.status}`)), new Set([`${PROFILE.keyId} 200`]));
    });

    it("names the AWS profile when its credentials cannot be found", async () => {
        aws.addNodegroup(CLUSTER, NODEGROUP, new SimulatedGroup({ min: 1, desired: 1, max: 2 }));
        const checked = await host.check(URN, {}, inputs({ profile: "nobody" }));
        await assert.rejects(host.create(URN, checked.inputs), (e: Error) => {
            assert.match(e.message, /could not load the credentials of AWS profile "nobody" \(stack config aws:profile\): /);
            return true;
        });
        assert.deepStrictEqual(aws.callLog(), [], "nothing was sent");
    });

    it("gives up on an AWS endpoint that never answers within its timeout, and changes nothing", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 2, max: 3 });
        const { id, outs } = await createdFor(group, { timeoutSeconds: 0.3 });
        aws.fail("DescribeNodegroup", "hang", { times: 10 });
        // The SDK's own request timeout, not the host's call deadline (which would fail with "Deadline exceeded").
        await assert.rejects(host.delete(id, URN, outs), (e: Error) => {
            assert.match(e.message, new RegExp(`^cannot read ${GROUP} from AWS, so nothing was changed: `));
            return true;
        });
        assert.deepStrictEqual(group.updates, []);
    });

    it("touches nothing on delete when recycling is switched off", async () => {
        const { id, outs } = await createdFor(new SimulatedGroup({ min: 1, desired: 2, max: 3 }), { enabled: false });
        aws.calls.length = 0;
        await host.delete(id, URN, outs);
        assert.deepStrictEqual(aws.callLog(), []);
    });
});

describe("node recycler, run by the host, when AWS cannot be reached", () => {
    let env: HostEnv;
    let host: ProviderHost;
    let recorded: Props;

    before(async () => {
        env = hostEnv({ awsEndpoint: `http://127.0.0.1:${await closedPort()}` });
        [host, { recycler: recorded }] = await Promise.all([ProviderHost.start({ env: env.vars }), recordedProviders()]);
    });

    after(async () => {
        await host?.stop();
        env?.remove();
    });

    it("fails the delete quickly, saying it could not read the group and changed nothing", async () => {
        const outs = { ...recorded, recorded: [{ min: 1, desired: 2, max: 3 }] };
        await assert.rejects(host.delete(`${CLUSTER}/${NODEGROUP}`, URN, outs), (e: Error) => {
            assert.match(e.message, new RegExp(`^cannot read ${GROUP} from AWS, so nothing was changed: connect ECONNREFUSED 127.0.0.1:\\d+$`));
            return true;
        });
    });
});
