import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { instanceArchitecture, partitionOf } from "../awsRules";
import { LAB_ROLE_PATH } from "./labScope";

/**
 * The AWS managed policies a worker node needs, and nothing more: join the cluster, let the VPC CNI manage pod
 * addresses, pull images from ECR.
 */
export const NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];

/**
 * IMDSv2 only (session tokens defeat SSRF-style credential theft), and a hop limit of 1 so that pods, one network hop
 * further away, cannot reach the node role's credentials at all. Host-network pods (VPC CNI, Calico) still can.
 */
export const NODE_METADATA_OPTIONS = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };

export interface NodeGroupSize {
    desired: number;
    min: number;
    max: number;
}

export interface NodeGroupArgs {
    cluster: eks.Cluster;
    /** The AWS region, for the partition of managed-policy ARNs. */
    region: string;
    /** Private subnets: nodes get no public addresses. */
    subnetIds: pulumi.Input<string>[];
    /** EC2 instance types, all of one CPU architecture (config.ts checks). */
    instanceTypes: string[];
    size: NodeGroupSize;
    /**
     * The Kubernetes minor version of the nodes: the control plane's. Raising it upgrades the nodes (a rolling
     * replacement) once the control plane has been upgraded, which the dependency on the cluster orders.
     */
    kubernetesVersion: string;
    /** Tags the launch template carries (the lab's stack tag; see labScope.ts). */
    tags: Record<string, string>;
}

/**
 * An EKS managed node group on Amazon Linux 2023 with a least-privilege node role, IMDSv2 required, encrypted root
 * volumes and no SSH. EKS adds the node access entry itself (the cluster authenticates by access entries).
 */
export class NodeGroup extends pulumi.ComponentResource {
    /** The managed node group itself, e.g. for `deletedWith`. */
    public readonly managed: eks.ManagedNodeGroup;
    public readonly nodeGroupName: pulumi.Output<string>;
    /** The Auto Scaling group EKS runs behind the node group: what gets resized to recycle nodes. */
    public readonly autoScalingGroupName: pulumi.Output<string>;

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab:infra:NodeGroup", name, {}, opts);
        const self = { parent: this };

        const role = new aws.iam.Role(`${name}-role`, {
            path: LAB_ROLE_PATH,
            description: `Nodes of node group ${name}`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, self);
        const partition = partitionOf(args.region);
        const attachments = NODE_ROLE_POLICIES.map((policy) => new aws.iam.RolePolicyAttachment(`${name}-${policy}`, {
            role: role.name,
            policyArn: `arn:${partition}:iam::aws:policy/${policy}`,
        }, self));

        const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-launch-template`, {
            description: `Nodes of node group ${name}: IMDSv2 only, encrypted root volume`,
            metadataOptions: NODE_METADATA_OPTIONS,
            blockDeviceMappings: [{
                deviceName: "/dev/xvda", // the AL2023 root volume
                ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            }],
            updateDefaultVersion: true,
            tags: args.tags,
        }, self);

        const managed = (this.managed = new eks.ManagedNodeGroup(`${name}-mng`, {
            cluster: args.cluster,
            nodeRole: role,
            subnetIds: args.subnetIds,
            instanceTypes: args.instanceTypes,
            amiType: amiTypeFor(args.instanceTypes),
            scalingConfig: { desiredSize: args.size.desired, minSize: args.size.min, maxSize: args.size.max },
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
            version: args.kubernetesVersion,
            // No remoteAccess: no SSH key, no SSH port, and no SSM agent permissions either. To look at a node, run a
            // debug pod on it (`kubectl debug node/<name> -it --image=busybox`).
        }, { ...self, dependsOn: attachments })); // nodes that boot before their policies are attached never join

        this.nodeGroupName = managed.nodeGroup.nodeGroupName;
        // Not `managed.nodeGroup.resources`: on an Output, `resources` is Output's own method, not the lifted property.
        this.autoScalingGroupName = managed.nodeGroup
            .apply((nodeGroup) => nodeGroup.resources)
            .apply((resources) => autoScalingGroupNameOf(resources));

        this.registerOutputs({
            managed: this.managed,
            nodeGroupName: this.nodeGroupName,
            autoScalingGroupName: this.autoScalingGroupName,
        });
    }
}

/** The EKS-optimised Amazon Linux 2023 AMI type for these instance types' CPU architecture. */
export function amiTypeFor(instanceTypes: string[]): string {
    return instanceTypes.some((t) => instanceArchitecture(t) === "arm64") ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** The name of the Auto Scaling group behind a managed node group, as the EKS API reports it. */
export function autoScalingGroupNameOf(resources: { autoscalingGroups?: { name?: string }[] }[] | undefined): string {
    const name = resources?.[0]?.autoscalingGroups?.[0]?.name;
    if (!name) throw new Error(`EKS reported no Auto Scaling group for the node group (resources: ${JSON.stringify(resources ?? null)})`);
    return name;
}
