import * as pulumi from "@pulumi/pulumi";
import { KubeCluster } from "./kubeApi";
import { changedInputs, sameValue } from "./providerDiff";
import { awsDeps, GroupRef, recordSizes, recycleAll, Sizes } from "./recycling";

export interface NodeRecyclerInputs {
    region: string;
    /** The cluster's API server, to wait for new nodes to be Ready; unreachable, the wait is skipped. */
    cluster?: KubeCluster;
    /** The node groups (or self-managed Auto Scaling groups) whose nodes the policy engine ran on. */
    groups: GroupRef[];
    /** False records the groups but recycles nothing on removal (config recycleNodesOnEngineRemoval). */
    enabled: boolean;
    /** The longest each wait of a recycle may take. */
    timeoutSeconds: number;
    /**
     * Seconds between polls while waiting for instances and nodes (tests shorten it: the wait runs in real time).
     * @default - 15
     */
    pollSeconds?: number;
    /**
     * The AWS profile whose credentials resize the groups and sign the cluster's token.
     * @default - the default credential chain's choice
     */
    profile?: string;
}

/** What the provider keeps in state: the inputs, and each group's sizes when they were last recorded. */
export interface NodeRecyclerOutputs extends NodeRecyclerInputs {
    recorded: Sizes[];
}

const POLL_SECONDS = 15;

/**
 * The provider: creating or updating records the groups' sizes; deleting recycles their nodes. Deletion is the
 * moment the policy engine is gone from a cluster that stays: Calico depends on its recycler, so Pulumi deletes Calico
 * first; the VPC CNI's agent is switched off by an update, and Pulumi deletes only after every update.
 * `delete` receives the stored outputs, which is why everything it needs is in them.
 */
export const nodeRecyclerProvider: pulumi.dynamic.ResourceProvider<NodeRecyclerInputs, NodeRecyclerOutputs> = {
    async create(inputs) {
        const recorded = await recordSizes(inputs.groups.map((group) => ({ group })), awsDeps(inputs), inputs.timeoutSeconds);
        return { id: inputs.groups.map((g) => (g.kind === "managed" ? `${g.clusterName}/${g.nodegroupName}` : g.autoScalingGroupName)).join(",") || "none", outs: { ...inputs, recorded } };
    },
    async diff(_id, olds, news) {
        // `recorded` is ours, not an input; `__provider` is compared with the inputs (see providerDiff.ts).
        const changed = changedInputs(olds, news, ["recorded"]);
        // Never replaced: a replacement would delete, that is recycle, the old one.
        return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, olds, news) {
        // What was recorded for a group that stays, so a group left at 0 by an interrupted recycle keeps its sizes.
        const before = (group: GroupRef) => {
            const i = olds.groups.findIndex((g) => sameValue(g, group));
            return i < 0 ? undefined : olds.recorded?.[i];
        };
        const targets = news.groups.map((group) => ({ group, recorded: before(group) }));
        return { outs: { ...news, recorded: await recordSizes(targets, awsDeps(news), news.timeoutSeconds) } };
    },
    async delete(_id, props) {
        if (!props.enabled) return;
        const targets = props.groups.map((group, i) => ({ group, recorded: props.recorded?.[i] }));
        await recycleAll(targets, { timeoutSeconds: props.timeoutSeconds, pollSeconds: props.pollSeconds ?? POLL_SECONDS }, awsDeps(props));
    },
};

export type NodeRecyclerArgs = { [K in keyof NodeRecyclerInputs]: pulumi.Input<NodeRecyclerInputs[K]> };

/**
 * Recycles the nodes of its node groups when it is deleted. Give it `deletedWith` the node group when the program
 * owns the nodes: a full `pulumi destroy` then skips the recycle (the nodes are going anyway).
 */
export class NodeRecycler extends pulumi.dynamic.Resource {
    // `declare`: a class field (target ES2022) would overwrite the output the base constructor sets with undefined.
    declare public readonly recorded: pulumi.Output<Sizes[]>;

    constructor(name: string, args: NodeRecyclerArgs, opts?: pulumi.CustomResourceOptions) {
        super(nodeRecyclerProvider, name, { recorded: undefined, ...args }, opts, "eks-netpol-lab", "NodeRecycler");
    }
}
