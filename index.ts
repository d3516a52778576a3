/**
 * eks-netpol-lab: an EKS cluster and node group, ready for Kubernetes NetworkPolicy demos.
 *
 * Read the stack's settings (config.ts validates all of them before anything is registered), build the components,
 * export what a user needs to reach the cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { Cluster, clusterNameFor } from "./components/cluster";
import { Network } from "./components/network";
import { NodeGroup } from "./components/nodeGroup";
import { loadSettings } from "./config";

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
});

const nodes = new NodeGroup("lab-nodes", {
    cluster: cluster.eks,
    region: settings.region,
    subnetIds: network.privateSubnetIds,
    instanceTypes: settings.nodeInstanceTypes,
    size: { desired: settings.nodeDesired, min: settings.nodeMin, max: settings.nodeMax },
});

export const clusterName = cluster.clusterName;
export const region = settings.region;
export const kubeconfig = cluster.kubeconfig;
export const writeKubeconfigCommand = cluster.writeKubeconfigCommand;
export const nodeGroupName = nodes.nodeGroupName;
export const nodeGroupAsgName = nodes.autoScalingGroupName;
