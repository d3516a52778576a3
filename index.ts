/**
 * eks-netpol-lab: an EKS cluster with NetworkPolicy enforcement, Calico's Stars demo and a three-namespace demo, and
 * the demo's policies layered by stage (`pulumi config set stage deny-all && pulumi up`).
 *
 * Read the stack's settings (config.ts validates all of them before anything is registered), find or build the
 * cluster, install the policy engine and the demos, export what a user needs to reach them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Calico } from "./components/calico";
import { Cluster, clusterNameFor } from "./components/cluster";
import { Demo } from "./components/demo";
import { ExistingCluster } from "./components/existingCluster";
import { Network } from "./components/network";
import { NodeGroup } from "./components/nodeGroup";
import { NodeRecycler } from "./components/nodeRecycler";
import { KubeCluster } from "./components/kubeApi";
import { labTags } from "./components/labScope";
import { PolicyEngineGuard } from "./components/policyEngineGuard";
import { VerifierAccess } from "./components/verifierAccess";
import { GroupRef } from "./components/recycling";
import { loadSettings, Settings } from "./config";
import { namespaceIsolationPolicies, namespacesWorkloads } from "./policies/namespacesDemo";
import { MANAGEMENT_UI_PORT_FORWARD, starsPolicies, starsWorkloads } from "./policies/stars";

/** The cluster everything else is deployed to, whoever owns it. */
interface Target {
    clusterName: pulumi.Output<string>;
    kubeCluster: pulumi.Output<KubeCluster>;
    kubeconfig: pulumi.Output<string>;
    provider: k8s.Provider;
    writeKubeconfigCommand: pulumi.Output<string>;
    /** What Kubernetes objects must wait for: nodes to run on. */
    nodes: pulumi.Resource[];
    /** The node groups whose nodes are recycled when a policy engine leaves (Calico, or the VPC CNI's agent). */
    recycleGroups: pulumi.Input<GroupRef[]>;
    /** Set when this program owns the cluster: destroying it then skips deleting objects inside it one by one. */
    owned?: { cluster: pulumi.Resource; nodeGroup: pulumi.Resource; creatorArn: pulumi.Output<string> };
    nodeGroupNames: pulumi.Output<string[]>;
    /** Only for a node group this program creates. */
    nodeGroupName?: pulumi.Output<string>;
    nodeGroupAsgName?: pulumi.Output<string>;
}

/** A VPC, an EKS cluster and a managed node group, all this program's. */
function createCluster(settings: Settings, guard: pulumi.Resource): Target {
    // Every taggable AWS resource carries the stack's tag: what the Deployments role's IAM policy is scoped to.
    const tags = labTags(pulumi.getStack());
    const network = new Network("lab", { tags });
    const cluster = new Cluster("lab", {
        clusterName: clusterNameFor(pulumi.getProject(), pulumi.getStack()),
        region: settings.region,
        kubernetesVersion: settings.kubernetesVersion,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        publicAccessCidrs: settings.clusterEndpointPublicAccessCidrs,
        policyEngine: settings.policyEngine,
        adminArns: settings.clusterAdminArns,
        tags,
        profile: settings.awsProfile,
    }, { dependsOn: [guard] });
    const nodes = new NodeGroup("lab-nodes", {
        cluster: cluster.eks,
        region: settings.region,
        subnetIds: network.privateSubnetIds,
        instanceTypes: settings.nodeInstanceTypes,
        size: { desired: settings.nodeDesired, min: settings.nodeMin, max: settings.nodeMax },
        kubernetesVersion: settings.kubernetesVersion,
        tags,
    });
    return {
        clusterName: cluster.clusterName,
        kubeCluster: cluster.kubeCluster,
        kubeconfig: cluster.kubeconfig,
        provider: cluster.provider,
        writeKubeconfigCommand: cluster.writeKubeconfigCommand,
        nodes: [nodes],
        recycleGroups: pulumi.all([cluster.clusterName, nodes.nodeGroupName]).apply(([clusterName, nodegroupName]) => [{ kind: "managed" as const, clusterName, nodegroupName }]),
        owned: { cluster: cluster.eks, nodeGroup: nodes.managed, creatorArn: cluster.creatorArn },
        nodeGroupName: nodes.nodeGroupName,
        nodeGroupAsgName: nodes.autoScalingGroupName,
        nodeGroupNames: nodes.nodeGroupName.apply((name) => [name]),
    };
}

/** Someone else's cluster, looked up by name: nothing of it is created, changed or deleted. */
function useExistingCluster(settings: Settings, guard: pulumi.Resource): Target {
    const existing = new ExistingCluster("existing", {
        clusterName: settings.existingClusterName,
        region: settings.region,
        profile: settings.awsProfile,
    }, { dependsOn: [guard] });
    return {
        clusterName: existing.clusterName,
        kubeCluster: existing.kubeCluster,
        kubeconfig: existing.kubeconfig,
        provider: existing.provider,
        writeKubeconfigCommand: existing.writeKubeconfigCommand,
        nodes: [],
        recycleGroups: existing.recycleGroups,
        nodeGroupNames: existing.nodeGroupNames,
    };
}

const settings = loadSettings();
const starsPolicyList = settings.demos.includes("stars") ? starsPolicies(settings.stage) : [];
const namespacesPolicyList = settings.demos.includes("namespaces") ? namespaceIsolationPolicies(settings.isolateNamespaces) : [];

// First, before anything the engine switch touches: refuses to run two policy engines at once (see the component).
const guard = new PolicyEngineGuard("policy-engine", {
    engine: settings.policyEngine,
    networkPolicies: starsPolicyList.length + namespacesPolicyList.length,
});
const target = settings.existingClusterName ? useExistingCluster(settings, guard) : createCluster(settings, guard);
const k8sOptions = { provider: target.provider, deletedWith: target.owned?.cluster };

/**
 * Deleted after the engine it is named for (which goes first, depending on it, or is switched off by an update that
 * precedes every delete), its deletion replaces the nodes the engine left rules on; skipped when the node group itself
 * is being destroyed.
 */
function nodeRecycler(name: string, dependsOn: pulumi.Resource[]): NodeRecycler {
    return new NodeRecycler(name, {
        region: settings.region,
        cluster: target.kubeCluster,
        groups: target.recycleGroups,
        enabled: settings.recycleNodesOnEngineRemoval,
        timeoutSeconds: settings.nodeRecycleTimeoutMinutes * 60,
        ...(settings.awsProfile ? { profile: settings.awsProfile } : {}),
    }, { dependsOn: [...target.nodes, ...dependsOn], deletedWith: target.owned?.nodeGroup });
}

let calico: Calico | undefined;
if (settings.policyEngine === "calico") {
    const recycler = nodeRecycler("calico-node-recycler", [guard]);
    calico = new Calico("calico", {
        version: settings.calicoVersion,
        cluster: target.kubeCluster,
        grantAnnotatePodIp: !target.owned,
        profile: settings.awsProfile,
        ...k8sOptions,
    }, { dependsOn: [...target.nodes, recycler] });
}
// The VPC CNI's agent leaves eBPF programs on the nodes when it is switched off. Only where this program switches it
// (its own cluster's add-on); on a cluster you bring, the add-on is yours.
if (settings.policyEngine === "vpc-cni" && target.owned) nodeRecycler("vpc-cni-node-recycler", [guard]);

// The demos need nodes and, with Calico, enforcement in place before they start.
const demoOptions = { dependsOn: calico ? [...target.nodes, calico] : target.nodes };
const demos: Demo[] = [];
if (settings.demos.includes("stars")) {
    demos.push(new Demo("stars", { workloads: starsWorkloads(), policies: starsPolicyList, ...k8sOptions }, demoOptions));
}
if (settings.demos.includes("namespaces")) {
    demos.push(new Demo("namespaces", { workloads: namespacesWorkloads(), policies: namespacesPolicyList, ...k8sOptions }, demoOptions));
}

// Who may run `npm run verify` (clusterVerifierArns): its rights are bound in the demos' namespaces, once they exist.
if (target.owned && settings.clusterVerifierArns.length > 0) {
    new VerifierAccess("lab-verifiers", {
        clusterName: target.clusterName,
        principalArns: settings.clusterVerifierArns,
        creatorArn: target.owned.creatorArn,
        namespaces: demos.flatMap((d) => d.namespaces),
        provider: target.provider,
        deletedWith: target.owned.cluster,
    }, { dependsOn: demos });
}

export const clusterName = target.clusterName;
export const region = settings.region;
export const kubeconfig = target.kubeconfig;
export const writeKubeconfigCommand = target.writeKubeconfigCommand;
export const nodeGroupNames = target.nodeGroupNames;
export const policyEngine = settings.policyEngine;
export const stage = settings.stage;

// Outputs that exist only in some configurations are exported only then: Pulumi warns about every undefined export.
Object.assign(exports, definedOnly({
    nodeGroupName: target.nodeGroupName,
    nodeGroupAsgName: target.nodeGroupAsgName,
    // The cluster's admin by EKS's own access entry, so skipped in clusterAdminArns and clusterVerifierArns.
    clusterCreatorArn: target.owned?.creatorArn,
    managementUiCommand: settings.demos.includes("stars") ? MANAGEMENT_UI_PORT_FORWARD : undefined,
    flowLogUiCommand: calico?.flowLogUiCommand,
}));

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
