import * as pulumi from "@pulumi/pulumi";
import type { PolicyEngine } from "../config";

/** What the guard records of each update: the engine in force and how many NetworkPolicies the program deployed. */
export interface EngineState {
    engine: PolicyEngine;
    networkPolicies: number;
}

/**
 * Why going from `previous` to `next` in one update is unsafe, or undefined when it is safe.
 *
 * Pulumi registers (creates and updates) everything before it deletes anything. So a direct switch between Calico and
 * the VPC CNI's agent turns the new engine on while the old one still runs (the two conflict: Calico's EKS guide), and
 * leaving the VPC CNI's agent turns it off before the NetworkPolicies are deleted (AWS: delete every NetworkPolicy
 * before disabling the agent, or its eBPF rules stay on the nodes). The safe path goes through `none`, with the
 * policies removed first.
 *
 * Self-contained: it runs inside the serialized provider below.
 */
export function engineSwitchProblem(previous: Partial<EngineState>, next: EngineState): string | undefined {
    const run = (...commands: string[]) => commands.map((c) => `npm run pulumi -- ${c}`).join(" && ");
    const noPolicies = run("config set stage open", "config set isolateNamespaces false");
    if (previous.engine === undefined || previous.engine === next.engine || previous.engine === "none") return undefined;
    if (next.engine !== "none") {
        return (
            `policyEngine: switching from "${previous.engine}" to "${next.engine}" in one update would run both engines at once ` +
            "(Pulumi turns the new one on before it removes the old one, and the two conflict). Switch in two updates, " +
            `through "none": first \`${noPolicies} && ${run("config set policyEngine none", "up")}\` (removes ${previous.engine}), ` +
            `then \`${run(`config set policyEngine ${next.engine}`, "up")}\``
        );
    }
    if (previous.engine === "vpc-cni" && (previous.networkPolicies ?? 0) > 0) {
        return (
            `policyEngine: turning off the VPC CNI's network policy agent while ${previous.networkPolicies} NetworkPolicies are in force ` +
            "would leave their rules on the nodes: AWS says to delete every NetworkPolicy before disabling the agent, and Pulumi " +
            `would delete them only after. First remove them with the agent still on: \`${noPolicies} && ${run("up")}\`, ` +
            `then \`${run("config set policyEngine none", "up")}\``
        );
    }
    return undefined;
}

type GuardInputs = EngineState & { __provider?: string };

/**
 * Refuses an unsafe engine switch before anything changes: Pulumi calls `check` with the inputs stored by the last
 * update and those of this one while it plans this resource (in `preview` too), and a failure stops the update. The cluster, Calico and every
 * Kubernetes object wait for this resource, so nothing of the switch has started when it fails.
 */
export const policyEngineGuardProvider: pulumi.dynamic.ResourceProvider<GuardInputs, GuardInputs> = {
    async check(olds, news) {
        const problem = engineSwitchProblem(olds ?? {}, news);
        return { inputs: news, failures: problem ? [{ property: "engine", reason: problem }] : [] };
    },
    async create(inputs) {
        return { id: "policy-engine", outs: { engine: inputs.engine, networkPolicies: inputs.networkPolicies } };
    },
    // A new policy count alone is no change: the engine then still stores the new inputs (which is what `check`
    // reads next time) and keeps the outputs, so a stage change shows NetworkPolicies changing and nothing else.
    async diff(_id, olds, news) {
        const changes = olds.engine !== news.engine || olds.__provider !== news.__provider;
        return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, _olds, news) {
        return { outs: { engine: news.engine, networkPolicies: news.networkPolicies } };
    },
};

export interface PolicyEngineGuardArgs {
    engine: PolicyEngine;
    /** How many NetworkPolicies this update deploys. */
    networkPolicies: number;
}

/** Remembers the policy engine and the number of NetworkPolicies, and refuses switches that are not safe. */
export class PolicyEngineGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: PolicyEngineGuardArgs, opts?: pulumi.CustomResourceOptions) {
        super(policyEngineGuardProvider, name, args, opts, "eks-netpol-lab", "PolicyEngineGuard");
    }
}
