/**
 * eks-netpol-lab: an EKS cluster with NetworkPolicy enforcement, Calico's Stars demo and a three-namespace demo, and
 * the demo's policies layered by stage (`pulumi config set stage deny-all && pulumi up`).
 *
 * Read the stack's settings (config.ts validates all of them before anything is registered), build the components,
 * export what a user needs to reach the cluster and the demos.
 */
import * as pulumi from "@pulumi/pulumi";
import { Calico } from "./components/calico";
import { Cluster, clusterNameFor } from "./components/cluster";
import { Demo } from "./components/demo";
import { Network } from "./components/network";
import { NodeGroup } from "./components/nodeGroup";
import { loadSettings } from "./config";
import { namespaceIsolationPolicies, namespacesWorkloads } from "./policies/namespacesDemo";
import { MANAGEMENT_UI_PORT_FORWARD, starsPolicies, starsWorkloads } from "./policies/stars";

const settings = loadSettings();

const network = new Network("lab");

const cluster = new Cluster("lab", {
    clusterName: clusterNameFor(pulumi.getProject(), pulumi.getStack()),
    region: settings.region,
    kubernetesVersion: settings.kubernetesVersion,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    publicAccessCidrs: settings.clusterEndpointPublicAccessCidrs,
    policyEngine: settings.policyEngine,
});

const nodes = new NodeGroup("lab-nodes", {
    cluster: cluster.eks,
    region: settings.region,
    subnetIds: network.privateSubnetIds,
    instanceTypes: settings.nodeInstanceTypes,
    size: { desired: settings.nodeDesired, min: settings.nodeMin, max: settings.nodeMax },
});

// Calico needs nodes to run on; the demos need nodes and, with Calico, enforcement in place before they start.
const calico = settings.policyEngine === "calico"
    ? new Calico("calico", { version: settings.calicoVersion, provider: cluster.provider }, { dependsOn: [nodes] })
    : undefined;
const demoOptions = { dependsOn: calico ? [nodes, calico] : [nodes] };

if (settings.demos.includes("stars")) {
    new Demo("stars", { workloads: starsWorkloads(), policies: starsPolicies(settings.stage), provider: cluster.provider }, demoOptions);
}
if (settings.demos.includes("namespaces")) {
    new Demo("namespaces", {
        workloads: namespacesWorkloads(),
        policies: namespaceIsolationPolicies(settings.isolateNamespaces),
        provider: cluster.provider,
    }, demoOptions);
}

export const clusterName = cluster.clusterName;
export const region = settings.region;
export const kubeconfig = cluster.kubeconfig;
export const writeKubeconfigCommand = cluster.writeKubeconfigCommand;
export const nodeGroupName = nodes.nodeGroupName;
export const nodeGroupAsgName = nodes.autoScalingGroupName;
export const policyEngine = settings.policyEngine;
export const stage = settings.stage;
export const managementUiCommand = settings.demos.includes("stars") ? MANAGEMENT_UI_PORT_FORWARD : undefined;
export const flowLogUiCommand = calico?.flowLogUiCommand;
