import * as pulumi from "@pulumi/pulumi";
import { creatorConflict } from "./clusterAdmins";

export interface ClusterCreatorInputs {
    /** The ARN of whoever ran the `pulumi up` that created the cluster (STS GetCallerIdentity). */
    callerArn: string;
    /** The ARNs to be given access entries (config clusterAdminArns): none may be the creator. */
    adminArns: string[];
}

type Inputs = ClusterCreatorInputs & { __provider?: string };

/**
 * Keeps its first `callerArn` for good: created with the cluster, it records who created it. Later runs, from other
 * identities (CI, Pulumi Deployments), pass their own ARN, which `ignoreChanges` keeps out of the state.
 *
 * `check` refuses an `adminArns` that lists the creator: EKS already gave the creator an access entry and allows one
 * per principal, so creating another would fail in AWS, half way through an update. Pulumi calls `check` while it
 * plans this resource (in `preview` too), before the access entries, which wait for it.
 *
 * Runs serialized in Pulumi's dynamic-provider host: no module-level state. `diff` reports a change when the
 * serialized code itself changed, so that `pulumi up` stores the new code; a new `adminArns` alone is no change (the
 * engine still stores the new inputs, which `check` reads).
 */
export const clusterCreatorProvider: pulumi.dynamic.ResourceProvider<Inputs, Inputs> = {
    async check(_olds, news) {
        const failures = (news.adminArns ?? []).flatMap((arn) => {
            const reason = creatorConflict(arn, news.callerArn);
            return reason ? [{ property: "adminArns", reason }] : [];
        });
        return { inputs: news, failures };
    },
    async create(inputs) {
        return { id: inputs.callerArn, outs: { callerArn: inputs.callerArn, adminArns: inputs.adminArns } };
    },
    async diff(_id, olds, news) {
        return { changes: olds.__provider !== news.__provider || olds.callerArn !== news.callerArn, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, olds, news) {
        return { outs: { callerArn: olds.callerArn, adminArns: news.adminArns } };
    },
};

export type ClusterCreatorArgs = { [K in keyof ClusterCreatorInputs]: pulumi.Input<ClusterCreatorInputs[K]> };

/** Who created the cluster (the principal EKS made its admin), and a check that nobody lists it as another admin. */
export class ClusterCreator extends pulumi.dynamic.Resource {
    declare public readonly callerArn: pulumi.Output<string>;

    constructor(name: string, args: ClusterCreatorArgs, opts?: pulumi.CustomResourceOptions) {
        // ignoreChanges: later callers are not the creator; the engine keeps the recorded value as the input.
        super(clusterCreatorProvider, name, args, { ...opts, ignoreChanges: ["callerArn"] }, "eks-netpol-lab", "ClusterCreator");
    }
}
