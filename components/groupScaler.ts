/**
 * The two kinds of node group the recycler resizes, behind one interface: a managed node group is resized through the
 * EKS API (UpdateNodegroupConfig), which resizes its Auto Scaling group and keeps EKS's view consistent; a self-managed
 * group through the Auto Scaling API. Either may have been deleted outside Pulumi: `read` then says so.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeNodegroupCommand, EKSClient, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";

export interface Sizes {
    min: number;
    desired: number;
    max: number;
}

export type GroupRef =
    | { kind: "managed"; clusterName: string; nodegroupName: string }
    | { kind: "autoscaling"; autoScalingGroupName: string };

export interface AwsClients {
    eks: EKSClient;
    autoScaling: AutoScalingClient;
}

export interface Instance {
    id: string;
    state: string;
}

export interface Scaler {
    name: string;
    /** The group's sizes, or undefined when the group no longer exists. */
    read(): Promise<Sizes | undefined>;
    set(sizes: Sizes): Promise<void>;
    instances(): Promise<Instance[]>;
}

export function describeGroup(group: GroupRef): string {
    return group.kind === "managed" ? `node group ${group.clusterName}/${group.nodegroupName}` : `Auto Scaling group ${group.autoScalingGroupName}`;
}

export function scalerFor(group: GroupRef, clients: AwsClients): Scaler {
    return group.kind === "managed" ? managedScaler(group, clients) : autoScalingScaler(group.autoScalingGroupName, clients);
}

async function asgInstances(names: string[], clients: AwsClients): Promise<Instance[]> {
    if (names.length === 0) return [];
    const out = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }));
    return (out.AutoScalingGroups ?? []).flatMap((g) => (g.Instances ?? []).map((i) => ({ id: i.InstanceId ?? "", state: i.LifecycleState ?? "" })));
}

function managedScaler(group: { clusterName: string; nodegroupName: string }, clients: AwsClients): Scaler {
    const name = `node group ${group.clusterName}/${group.nodegroupName}`;
    const describe = async () => {
        const ng = (await clients.eks.send(new DescribeNodegroupCommand({ clusterName: group.clusterName, nodegroupName: group.nodegroupName }))).nodegroup;
        if (!ng?.scalingConfig) throw new Error(`EKS returned no scaling config for ${name}`);
        return ng;
    };
    return {
        name,
        read: async () => {
            try {
                const { minSize = 0, desiredSize = 0, maxSize = 1 } = (await describe()).scalingConfig!;
                return { min: minSize, desired: desiredSize, max: maxSize };
            } catch (e) {
                if ((e as { name?: string }).name === "ResourceNotFoundException") return undefined;
                throw e;
            }
        },
        set: async (s) => {
            const scalingConfig = { minSize: s.min, desiredSize: s.desired, maxSize: s.max };
            await clients.eks.send(new UpdateNodegroupConfigCommand({ clusterName: group.clusterName, nodegroupName: group.nodegroupName, scalingConfig }));
        },
        instances: async () => asgInstances(((await describe()).resources?.autoScalingGroups ?? []).flatMap((g) => (g.name ? [g.name] : [])), clients),
    };
}

function autoScalingScaler(asgName: string, clients: AwsClients): Scaler {
    return {
        name: `Auto Scaling group ${asgName}`,
        read: async () => {
            // Auto Scaling answers a name it does not know with an empty list, not an error.
            const asg = (await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }))).AutoScalingGroups?.[0];
            return asg ? { min: asg.MinSize ?? 0, desired: asg.DesiredCapacity ?? 0, max: asg.MaxSize ?? 1 } : undefined;
        },
        set: async (s) => {
            await clients.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: asgName, MinSize: s.min, DesiredCapacity: s.desired, MaxSize: s.max }));
        },
        instances: () => asgInstances([asgName], clients),
    };
}
