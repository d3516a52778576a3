/**
 * The node recycler's provider logic, run for real against AWS SDK clients stubbed (aws-sdk-client-mock) to behave like
 * a node group: instances take a few polls to terminate and to launch, the API throttles and reports updates in
 * progress, instances get stuck, calls fail half way. A fake clock makes every wait instant and every timeout exact.
 */
import * as assert from "assert";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeNodegroupCommand, EKSClient, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { nodeRecyclerProvider, NodeRecyclerOutputs } from "../components/nodeRecycler";
import { readyNodeCounter, RecycleDeps, recycleGroup } from "../components/recycling";
import { SimulatedGroup } from "./support/simulatedGroup";

const eksMock = mockClient(EKSClient);
const asgMock = mockClient(AutoScalingClient);

/** Wires a simulated managed node group behind the EKS and Auto Scaling stubs. */
function managedGroup(group: SimulatedGroup): void {
    eksMock.on(DescribeNodegroupCommand).callsFake(() => ({
        nodegroup: { scalingConfig: { minSize: group.sizes.min, desiredSize: group.sizes.desired, maxSize: group.sizes.max }, resources: { autoScalingGroups: [{ name: "eks-ng-asg" }] } },
    }));
    eksMock.on(UpdateNodegroupConfigCommand).callsFake((input) => {
        group.resize({ min: input.scalingConfig.minSize, desired: input.scalingConfig.desiredSize, max: input.scalingConfig.maxSize });
        return { update: { id: `update-${group.updates.length}` } };
    });
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({ AutoScalingGroups: [{ AutoScalingGroupName: "eks-ng-asg", Instances: group.tick() }] }));
}

function awsError(name: string, message = name): Error {
    return Object.assign(new Error(message), { name });
}

interface Harness {
    deps: RecycleDeps;
    log: string[];
    elapsed: () => number;
}

function harness(): Harness {
    let time = 0;
    const log: string[] = [];
    return {
        deps: {
            eks: new EKSClient({ region: "us-west-2" }),
            autoScaling: new AutoScalingClient({ region: "us-west-2" }),
            now: () => time,
            sleep: async (ms) => {
                time += ms;
            },
            log: (m) => log.push(m),
        },
        log,
        elapsed: () => time / 1000,
    };
}

const MANAGED = { kind: "managed" as const, clusterName: "lab", nodegroupName: "ng" };
const OPTIONS = { timeoutSeconds: 600, pollSeconds: 15 };

describe("node recycler", () => {
    beforeEach(() => {
        eksMock.reset();
        asgMock.reset();
    });

    it("scales a managed node group to 0 through EKS, waits for the old nodes to go, restores it and waits for new nodes", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 2, max: 3 });
        managedGroup(group);
        const h = harness();
        await recycleGroup({ group: MANAGED }, OPTIONS, h.deps);
        assert.deepStrictEqual(group.updates, [{ min: 0, desired: 0, max: 3 }, { min: 1, desired: 2, max: 3 }]);
        assert.deepStrictEqual(group.instances.map((i) => [i.id, i.state]), [["i-0003", "InService"], ["i-0004", "InService"]]);
        assert.ok(h.log.includes("waiting for the old nodes of node group lab/ng to terminate: 2 of 2 still Terminating"), h.log.join("\n"));
        assert.ok(h.log.includes("waiting for 2 new nodes of node group lab/ng to be InService: 0 of 2 InService"), h.log.join("\n"));
        assert.strictEqual(h.log[h.log.length - 1], "recycled node group lab/ng");
        assert.strictEqual(eksMock.commandCalls(UpdateNodegroupConfigCommand).length, 2);
    });

    it("retries throttling and updates already in progress, with backoff", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 1, max: 2 }, 0, 0);
        managedGroup(group);
        eksMock.on(UpdateNodegroupConfigCommand)
            .rejectsOnce(awsError("ThrottlingException", "Rate exceeded"))
            .rejectsOnce(awsError("ResourceInUseException", "update in progress"))
            .callsFake((input) => {
                group.resize({ min: input.scalingConfig.minSize, desired: input.scalingConfig.desiredSize, max: input.scalingConfig.maxSize });
                return {};
            });
        const h = harness();
        await recycleGroup({ group: MANAGED }, OPTIONS, h.deps);
        assert.deepStrictEqual(h.log.filter((l) => l.includes("retrying")), [
            "scaling node group lab/ng to 0: ThrottlingException, retrying in 1 s",
            "scaling node group lab/ng to 0: ResourceInUseException, retrying in 2 s",
        ]);
        assert.deepStrictEqual(group.sizes, { min: 1, desired: 1, max: 2 });
    });

    it("times out on an instance that never terminates, and restores the sizes before failing", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 2, max: 3 });
        group.stuck.add("i-0002");
        managedGroup(group);
        const h = harness();
        await assert.rejects(recycleGroup({ group: MANAGED }, { timeoutSeconds: 120, pollSeconds: 15 }, h.deps), {
            message: "recycling node group lab/ng failed: timed out after 120 s waiting for the old nodes of node group lab/ng to terminate (1 of 2 still Terminating); its sizes were restored to min 1, desired 2, max 3",
        });
        assert.deepStrictEqual(group.updates[group.updates.length - 1], { min: 1, desired: 2, max: 3 });
        assert.ok(h.elapsed() >= 120 && h.elapsed() < 150, `waited ${h.elapsed()} s`);
    });

    it("restores the sizes when a call fails while the group is at 0", async () => {
        const group = new SimulatedGroup({ min: 2, desired: 2, max: 4 });
        managedGroup(group);
        let calls = 0;
        asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(() => {
            if (++calls === 2) throw awsError("AccessDeniedException", "not authorized to perform autoscaling:DescribeAutoScalingGroups");
            return { AutoScalingGroups: [{ Instances: group.tick() }] };
        });
        const h = harness();
        await assert.rejects(recycleGroup({ group: MANAGED }, OPTIONS, h.deps), {
            message: "recycling node group lab/ng failed: not authorized to perform autoscaling:DescribeAutoScalingGroups; its sizes were restored to min 2, desired 2, max 4",
        });
        assert.deepStrictEqual(group.updates, [{ min: 0, desired: 0, max: 4 }, { min: 2, desired: 2, max: 4 }]);
    });

    it("says so when even restoring fails, so nobody assumes the group is back", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 1, max: 1 });
        managedGroup(group);
        let calls = 0;
        asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(() => {
            if (++calls > 1) throw awsError("AccessDeniedException", "denied");
            return { AutoScalingGroups: [{ Instances: group.tick() }] };
        });
        eksMock.on(UpdateNodegroupConfigCommand).resolvesOnce({}).rejects(awsError("AccessDeniedException", "update denied"));
        await assert.rejects(recycleGroup({ group: MANAGED }, OPTIONS, harness().deps), {
            message: "recycling node group lab/ng failed (denied), and restoring min 1, desired 1, max 1 failed too (update denied); restore them by hand",
        });
    });

    it("converges when run again after an interruption left the group at 0: it restores the recorded sizes", async () => {
        const group = new SimulatedGroup({ min: 0, desired: 0, max: 3 });
        managedGroup(group);
        const h = harness();
        await recycleGroup({ group: MANAGED, recorded: { min: 1, desired: 2, max: 3 } }, OPTIONS, h.deps);
        // Already at 0, so no scale-down (EKS would refuse a no-op update): straight to restoring.
        assert.deepStrictEqual(group.updates, [{ min: 1, desired: 2, max: 3 }]);
        assert.strictEqual(group.instances.filter((i) => i.state === "InService").length, 2);
    });

    it("leaves a group that runs no nodes alone", async () => {
        managedGroup(new SimulatedGroup({ min: 0, desired: 0, max: 2 }));
        const h = harness();
        await recycleGroup({ group: MANAGED }, OPTIONS, h.deps);
        assert.strictEqual(eksMock.commandCalls(UpdateNodegroupConfigCommand).length, 0);
        assert.deepStrictEqual(h.log, ["node group lab/ng runs no nodes; nothing to recycle"]);
    });

    it("leaves a node group deleted outside Pulumi alone, and says it had nothing to recycle", async () => {
        eksMock.on(DescribeNodegroupCommand).rejects(awsError("ResourceNotFoundException", "No node group found for name: ng."));
        const h = harness();
        await recycleGroup({ group: MANAGED, recorded: { min: 1, desired: 2, max: 3 } }, OPTIONS, h.deps);
        assert.strictEqual(eksMock.commandCalls(UpdateNodegroupConfigCommand).length, 0);
        assert.deepStrictEqual(h.log, ["node group lab/ng no longer exists; nothing to recycle"]);
    });

    it("says nothing was changed when it cannot even read the group", async () => {
        eksMock.on(DescribeNodegroupCommand).rejects(awsError("AccessDeniedException", "not authorized to perform: eks:DescribeNodegroup"));
        await assert.rejects(recycleGroup({ group: MANAGED }, OPTIONS, harness().deps), {
            message: "cannot read node group lab/ng from AWS, so nothing was changed: not authorized to perform: eks:DescribeNodegroup",
        });
        assert.strictEqual(eksMock.commandCalls(UpdateNodegroupConfigCommand).length, 0);
    });

    it("waits for the new instances to join the cluster as Ready nodes, where the cluster can be reached", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 2, max: 3 }, 0, 0);
        managedGroup(group);
        const h = harness();
        let polls = 0;
        const asked: string[][] = [];
        h.deps.nodesReady = async (ids) => {
            asked.push(ids);
            return Math.min(ids.length, Math.max(0, polls++ - 1));
        };
        await recycleGroup({ group: MANAGED }, OPTIONS, h.deps);
        assert.deepStrictEqual(asked[0], ["i-0003", "i-0004"]);
        assert.ok(h.log.includes("waiting for the new nodes of node group lab/ng to be Ready: 0 of 2 Ready"), h.log.join("\n"));
        assert.ok(h.log.includes("waiting for the new nodes of node group lab/ng to be Ready: 1 of 2 Ready"), h.log.join("\n"));
    });

    it("skips the Ready check, saying so, when the cluster cannot be reached", async () => {
        managedGroup(new SimulatedGroup({ min: 1, desired: 1, max: 2 }, 0, 0));
        const h = harness();
        h.deps.nodesReady = async () => {
            throw new Error("connect ECONNREFUSED");
        };
        await recycleGroup({ group: MANAGED }, OPTIONS, h.deps);
        assert.ok(h.log.includes("cannot reach the cluster (connect ECONNREFUSED); not waiting for the new nodes of node group lab/ng to be Ready"), h.log.join("\n"));
        assert.strictEqual(h.log[h.log.length - 1], "recycled node group lab/ng");
    });

    it("counts Ready nodes by the instance id at the end of their providerID", async () => {
        const node = (id: string, ready: string) => ({ spec: { providerID: `aws:///us-west-2a/${id}` }, status: { conditions: [{ type: "MemoryPressure", status: "False" }, { type: "Ready", status: ready }] } });
        const api = { get: async () => ({ items: [node("i-1", "True"), node("i-2", "False"), node("i-3", "True"), { spec: {} }] }), delete: async () => undefined };
        assert.strictEqual(await readyNodeCounter(api)(["i-1", "i-2", "i-4"]), 1);
    });

    it("resizes a self-managed group through the Auto Scaling API", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 1, max: 2 }, 1, 1);
        asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(() => {
            const instances = group.tick();
            return { AutoScalingGroups: [{ AutoScalingGroupName: "workers", MinSize: group.sizes.min, DesiredCapacity: group.sizes.desired, MaxSize: group.sizes.max, Instances: instances }] };
        });
        asgMock.on(UpdateAutoScalingGroupCommand).callsFake((input) => group.resize({ min: input.MinSize, desired: input.DesiredCapacity, max: input.MaxSize }));
        await recycleGroup({ group: { kind: "autoscaling", autoScalingGroupName: "workers" } }, OPTIONS, harness().deps);
        assert.deepStrictEqual(group.updates, [{ min: 0, desired: 0, max: 2 }, { min: 1, desired: 1, max: 2 }]);
        assert.strictEqual(eksMock.calls().length, 0);
    });
});

describe("node recycler provider", () => {
    beforeEach(() => {
        eksMock.reset();
        asgMock.reset();
    });

    const inputs = { region: "us-west-2", groups: [MANAGED], enabled: true, timeoutSeconds: 600 };

    it("records the groups' sizes when created, and never asks to be replaced", async () => {
        managedGroup(new SimulatedGroup({ min: 1, desired: 2, max: 3 }));
        const created = await nodeRecyclerProvider.create(inputs);
        assert.strictEqual(created.id, "lab/ng");
        assert.deepStrictEqual(created.outs?.recorded, [{ min: 1, desired: 2, max: 3 }]);
        const diff = await nodeRecyclerProvider.diff!("lab/ng", created.outs as NodeRecyclerOutputs, { ...inputs, timeoutSeconds: 900 });
        assert.deepStrictEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("keeps on update the sizes it recorded for a group found at 0, and records the others afresh", async () => {
        const group = new SimulatedGroup({ min: 0, desired: 0, max: 3 });
        managedGroup(group);
        const other = { kind: "managed" as const, clusterName: "lab", nodegroupName: "other" };
        const olds = { ...inputs, recorded: [{ min: 1, desired: 2, max: 3 }] };
        const updated = await nodeRecyclerProvider.update!("lab/ng", olds, { ...inputs, groups: [other, MANAGED] });
        // `other` was not recorded before, so its zeros are what it is; MANAGED keeps what was recorded for it.
        assert.deepStrictEqual(updated.outs?.recorded, [{ min: 0, desired: 0, max: 3 }, { min: 1, desired: 2, max: 3 }]);
    });

    it("recycles on delete, with the real clock and clients (stubbed), when enabled", async () => {
        const group = new SimulatedGroup({ min: 1, desired: 1, max: 2 }, 0, 0);
        managedGroup(group);
        await nodeRecyclerProvider.delete!("lab/ng", { ...inputs, recorded: [{ min: 1, desired: 1, max: 2 }] });
        assert.deepStrictEqual(group.updates, [{ min: 0, desired: 0, max: 2 }, { min: 1, desired: 1, max: 2 }]);
    });

    it("touches nothing on delete when recycling is switched off", async () => {
        await nodeRecyclerProvider.delete!("lab/ng", { ...inputs, enabled: false, recorded: [{ min: 1, desired: 1, max: 2 }] });
        assert.strictEqual(eksMock.calls().length + asgMock.calls().length, 0);
    });
});
