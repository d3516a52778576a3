/**
 * Teardown, as the resource graph decides it: what is deleted before what, what a full destroy skips, and the
 * bring-your-own-cluster mode, where nothing of the cluster is ours to create or delete. Options are captured by the
 * mock harness (legacy stack transformations run under mocks), so these tests see what the engine would be told.
 */
import * as assert from "assert";
import * as path from "path";
import { findResource, kubernetesObjects, ProgramRun, promiseOf, runProgram, stackConfig, withProjectDefaults } from "./mocks";

const RECYCLER = "pulumi-nodejs:dynamic/eks-netpol-lab:NodeRecycler";

describe("teardown of a cluster this program creates", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram();
        assert.strictEqual(run.error, undefined);
    });

    it("recycles the node group's nodes when Calico goes, but not when the node group goes too", () => {
        const recycler = findResource(run, RECYCLER, "calico-node-recycler");
        assert.deepStrictEqual(
            { region: recycler.inputs.region, groups: recycler.inputs.groups, enabled: recycler.inputs.enabled, timeoutSeconds: recycler.inputs.timeoutSeconds },
            { region: "us-west-2", groups: [{ kind: "managed", clusterName: "eks-netpol-lab-dev", nodegroupName: "lab-nodes-mng-ng" }], enabled: true, timeoutSeconds: 1200 },
        );
        assert.strictEqual(typeof recycler.inputs.__provider, "string", "the provider's code is serialized into state");
        // deletedWith the node group: a full `pulumi destroy` removes the nodes anyway, so the recycle is skipped.
        assert.deepStrictEqual(recycler.options, { parent: "(stack)", dependsOn: ["lab-nodes", "policy-engine"], deletedWith: "lab-nodes-mng" });
    });

    it("deletes Calico before recycling: Calico depends on the recycler, and Pulumi deletes dependents first", () => {
        assert.ok(findResource(run, "eks-netpol-lab:k8s:Calico", "calico").options.dependsOn.includes("calico-node-recycler"));
    });

    it("skips deleting every Kubernetes object one by one when the whole cluster is being destroyed", () => {
        const objects = kubernetesObjects(run);
        assert.strictEqual(objects.length, 28);
        for (const r of objects) assert.strictEqual(r.options.deletedWith, "lab-eks", `${r.type} ${r.name}`);
    });

    it("records the node groups but recycles nothing when recycleNodesOnEngineRemoval is false", async () => {
        const off = await runProgram(stackConfig({ recycleNodesOnEngineRemoval: "false", nodeRecycleTimeoutMinutes: "5" }));
        const recycler = findResource(off, RECYCLER, "calico-node-recycler").inputs;
        assert.deepStrictEqual([recycler.enabled, recycler.timeoutSeconds], [false, 300]);
    });

    it("recycles the nodes when the VPC CNI's agent is switched off too: it leaves eBPF programs on them", async () => {
        const vpcCni = await runProgram(stackConfig({ policyEngine: "vpc-cni" }));
        const recycler = findResource(vpcCni, RECYCLER, "vpc-cni-node-recycler");
        assert.deepStrictEqual(recycler.inputs.groups, [{ kind: "managed", clusterName: "eks-netpol-lab-dev", nodegroupName: "lab-nodes-mng-ng" }]);
        assert.deepStrictEqual(recycler.options, { parent: "(stack)", dependsOn: ["lab-nodes", "policy-engine"], deletedWith: "lab-nodes-mng" });
        assert.deepStrictEqual(vpcCni.resources.filter((r) => r.type === RECYCLER).map((r) => r.name), ["vpc-cni-node-recycler"]);
    });

    it("has nothing to recycle with no policy engine", async () => {
        const none = await runProgram(stackConfig({ policyEngine: "none" }));
        assert.strictEqual(none.error, undefined);
        assert.deepStrictEqual(none.resources.filter((r) => r.type === RECYCLER), []);
        assert.deepStrictEqual(findResource(none, "eks:index:Cluster", "lab-eks").inputs.vpcCniOptions.enableNetworkPolicy, false);
    });
});

describe("the config the program sees, as the CLI hands it over", () => {
    it("has Pulumi.yaml's default for every key the stack leaves unset, lists as JSON text (what a BYO stack must accept)", () => {
        const config = withProjectDefaults({ "eks-netpol-lab:existingClusterName": "team-cluster" }, "eks-netpol-lab", path.resolve(__dirname, ".."));
        assert.strictEqual(config["eks-netpol-lab:existingClusterName"], "team-cluster");
        assert.strictEqual(config["eks-netpol-lab:nodeDesired"], "2");
        assert.strictEqual(config["eks-netpol-lab:nodeInstanceTypes"], '["t3.medium"]');
        assert.strictEqual(config["eks-netpol-lab:clusterAdminArns"], "[]");
        assert.strictEqual(config["eks-netpol-lab:isolateNamespaces"], "false");
    });
});

describe("bring your own cluster (existingClusterName)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(stackConfig({ existingClusterName: "team-cluster" }));
        assert.strictEqual(run.error, undefined);
    });

    it("creates no VPC, cluster, node group or any AWS resource: it looks the cluster and its node groups up", () => {
        assert.deepStrictEqual(run.resources.filter((r) => r.type.startsWith("aws:") || r.type.startsWith("eks:") || r.type.includes(":infra:") && !r.type.endsWith("ExistingCluster")), []);
        assert.deepStrictEqual(run.invokes.map((i) => [i.token, i.inputs]).sort(), [
            ["aws:eks/getCluster:getCluster", { name: "team-cluster" }],
            ["aws:eks/getNodeGroups:getNodeGroups", { clusterName: "team-cluster" }],
        ]);
    });

    it("builds the kubeconfig and the one Kubernetes provider from the looked-up cluster", async () => {
        const kubeconfig = JSON.parse(await promiseOf<string>(run.exports!.kubeconfig));
        assert.strictEqual(kubeconfig.clusters[0].cluster.server, "https://team-cluster.existing.us-west-2.eks.amazonaws.com");
        assert.deepStrictEqual(kubeconfig.users[0].user.exec.args, ["--region", "us-west-2", "eks", "get-token", "--cluster-name", "team-cluster", "--output", "json"]);
        for (const r of kubernetesObjects(run)) assert.match(r.provider ?? "", /::existing-k8s::existing-k8s-id$/, r.name);
    });

    it("recycles the looked-up node groups on destroy: nothing skips it, and Calico goes first", () => {
        const recycler = findResource(run, RECYCLER, "calico-node-recycler");
        assert.deepStrictEqual(recycler.inputs.groups, [
            { kind: "managed", clusterName: "team-cluster", nodegroupName: "workers-a" },
            { kind: "managed", clusterName: "team-cluster", nodegroupName: "workers-b" },
        ]);
        assert.deepStrictEqual(recycler.options, { parent: "(stack)", dependsOn: ["policy-engine"] });
        assert.deepStrictEqual(findResource(run, "eks-netpol-lab:k8s:Calico", "calico").options.dependsOn, ["calico-node-recycler"]);
    });

    it("leaves the VPC CNI add-on, and so the nodes, alone with the VPC CNI's agent: the add-on is the owner's", async () => {
        const vpcCni = await runProgram(stackConfig({ existingClusterName: "team-cluster", policyEngine: "vpc-cni" }));
        assert.deepStrictEqual(vpcCni.resources.filter((r) => r.type === RECYCLER), []);
    });

    it("deletes every Kubernetes object it created on destroy, since the cluster stays", () => {
        const objects = kubernetesObjects(run);
        assert.strictEqual(objects.length, 30);
        for (const r of objects) assert.strictEqual(r.options.deletedWith, undefined, `${r.type} ${r.name}`);
    });

    it("exports the node groups it found", async () => {
        assert.deepStrictEqual(await promiseOf(run.exports!.nodeGroupNames), ["workers-a", "workers-b"]);
        assert.strictEqual(await promiseOf(run.exports!.clusterName), "team-cluster");
        assert.strictEqual(run.exports!.nodeGroupAsgName, undefined);
    });
});
