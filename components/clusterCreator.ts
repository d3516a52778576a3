import * as pulumi from "@pulumi/pulumi";

export interface ClusterCreatorInputs {
    /** The ARN of whoever runs this `pulumi up` (STS GetCallerIdentity). */
    callerArn: string;
    /** When the EKS cluster was created: a new value means a new cluster, made by this update's caller. */
    clusterCreatedAt: string;
}

type State = ClusterCreatorInputs & { __provider?: string };

/**
 * Who created the cluster: EKS gave that principal an access entry with cluster admin, and allows no second one.
 *
 * Created with the cluster, it records the caller of that update. Later updates from other identities (CI, Pulumi
 * Deployments) pass their own ARN, which it does not take: the creator changes only with the cluster, when the
 * cluster's creation time changes (a replacement, or a cluster recreated after a destroy in the same stack).
 *
 * Runs serialized in Pulumi's dynamic-provider host: no imports, no module-level state. A change of its own code is
 * not a change: it has no `delete`, so the code stored in the state never runs (Pulumi diffs and updates with the
 * program's code), and a preview of an "update" would show this update's caller as the creator (the engine previews
 * a dynamic resource's update as its new inputs), and with it access entries that would not change.
 */
export const clusterCreatorProvider: pulumi.dynamic.ResourceProvider<State, State> = {
    async create(inputs) {
        return { id: inputs.clusterCreatedAt, outs: { callerArn: inputs.callerArn, clusterCreatedAt: inputs.clusterCreatedAt } };
    },
    async diff(_id, olds, news) {
        return { changes: olds.clusterCreatedAt !== news.clusterCreatedAt, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, olds, news) {
        const newCluster = olds.clusterCreatedAt !== news.clusterCreatedAt;
        return { outs: { callerArn: newCluster ? news.callerArn : olds.callerArn, clusterCreatedAt: news.clusterCreatedAt } };
    },
};

export type ClusterCreatorArgs = { [K in keyof ClusterCreatorInputs]: pulumi.Input<ClusterCreatorInputs[K]> };

/** Who created the cluster, as EKS sees it: see `clusterCreatorProvider`. */
export class ClusterCreator extends pulumi.dynamic.Resource {
    // `declare`: a class field (target ES2022) would overwrite the output the base constructor sets with undefined.
    declare public readonly callerArn: pulumi.Output<string>;

    constructor(name: string, args: ClusterCreatorArgs, opts?: pulumi.CustomResourceOptions) {
        super(clusterCreatorProvider, name, args, opts, "eks-netpol-lab", "ClusterCreator");
    }
}
