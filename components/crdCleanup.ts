import * as pulumi from "@pulumi/pulumi";
import { KubeApi, kubeApi, KubeCluster } from "./kubeApi";
import { changedInputs } from "./providerDiff";

/**
 * The API groups of the CRDs the tigera-operator chart and operator install: Calico's own, and the upstream
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io), which a cluster may have had before.
 * Helm never deletes CRDs.
 */
export const CALICO_CRD_GROUPS = ["crd.projectcalico.org", "operator.tigera.io", "policy.networking.k8s.io"];

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

export interface CleanupOptions {
    /** The longest the wait for the CRDs to go may take. */
    timeoutSeconds: number;
    pollSeconds: number;
}

export interface CleanupDeps {
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    log: (message: string) => void;
}

/** The names of the CRDs of `groups` the API server lists, sorted. */
export async function listCrds(api: KubeApi, groups: readonly string[]): Promise<string[]> {
    const list = await api.get(CRDS);
    return (list?.items ?? []).filter((crd: { spec?: { group?: string } }) => groups.includes(crd.spec?.group ?? "")).map((crd: { metadata: { name: string } }) => crd.metadata.name).sort();
}

/**
 * Deletes every CRD of `groups` but those in `keep` (and so every object of those kinds), then waits, up to
 * `timeoutSeconds`, until the API server no longer lists them.
 */
export async function deleteCrds(api: KubeApi, groups: string[], keep: readonly string[], options: CleanupOptions, deps: CleanupDeps): Promise<string[]> {
    const ours = async (): Promise<string[]> => (await listCrds(api, groups)).filter((name) => !keep.includes(name));
    const names = await ours();
    const kept = keep.length > 0 ? `; keeping ${keep.length} the cluster had before Calico (${keep.join(", ")})` : "";
    deps.log(`deleting ${names.length} CRDs of ${groups.join(", ")}${kept}`);
    for (const name of names) await api.delete(`${CRDS}/${name}`);
    const deadline = deps.now() + options.timeoutSeconds * 1000;
    for (let left = await ours(); left.length > 0; left = await ours()) {
        if (deps.now() >= deadline) throw new Error(`timed out after ${options.timeoutSeconds} s waiting for CRDs to be deleted: ${left.join(", ")}`);
        deps.log(`waiting for ${left.length} CRDs to be deleted`);
        await deps.sleep(options.pollSeconds * 1000);
    }
    return names;
}

export interface CrdCleanupInputs {
    cluster: KubeCluster;
    groups: string[];
    timeoutSeconds: number;
    /**
     * Seconds between checks that the CRDs are gone (tests shorten it: the wait runs in real time).
     * @default - 5
     */
    pollSeconds?: number;
    /**
     * The AWS profile whose credentials sign the cluster's token.
     * @default - the default credential chain's choice
     */
    profile?: string;
}

/** The inputs, and the CRDs of those groups the cluster had before Calico: someone else's, never deleted. */
export interface CrdCleanupOutputs extends CrdCleanupInputs {
    /** Absent in the state of a version that did not record them: nothing of its groups is kept then. */
    preexisting?: string[];
}

const POLL_SECONDS = 5;

/**
 * Records, when created (before the Helm release, which depends on it, installs anything), which CRDs of its groups
 * the cluster already has; deleting it deletes the others. An update keeps that record and adds to it what a group
 * new to the list already has (installed by an earlier Calico or by someone else: not provably ours).
 */
export const crdCleanupProvider: pulumi.dynamic.ResourceProvider<CrdCleanupInputs, CrdCleanupOutputs> = {
    async create(inputs) {
        const preexisting = await listCrds(kubeApi(inputs.cluster, { profile: inputs.profile }), inputs.groups);
        return { id: `${inputs.cluster.clusterName}:${inputs.groups.join(",")}`, outs: { ...inputs, preexisting } };
    },
    async diff(_id, olds, news) {
        // `preexisting` is ours, not an input; `__provider` is compared with the inputs (see providerDiff.ts).
        const changed = changedInputs(olds, news, ["preexisting"]);
        return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, olds, news) {
        const added = news.groups.filter((g) => !olds.groups.includes(g));
        const found = added.length > 0 ? await listCrds(kubeApi(news.cluster, { profile: news.profile }), added) : [];
        return { outs: { ...news, preexisting: [...new Set([...(olds.preexisting ?? []), ...found])].sort() } };
    },
    async delete(_id, props) {
        const options = { timeoutSeconds: props.timeoutSeconds, pollSeconds: props.pollSeconds ?? POLL_SECONDS };
        await deleteCrds(kubeApi(props.cluster, { profile: props.profile }), props.groups, props.preexisting ?? [], options, {
            now: () => Date.now(),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            log: (message) => console.error(`calico CRD cleanup: ${message}`),
        });
    },
};

export type CrdCleanupArgs = { [K in keyof CrdCleanupInputs]: pulumi.Input<CrdCleanupInputs[K]> };

/**
 * Removes the CRDs Calico brought once Calico is gone: the Helm release depends on it, so Pulumi uninstalls the release
 * (and the operator, which would otherwise recreate them) first, and creates it before installing the release.
 */
export class CalicoCrdCleanup extends pulumi.dynamic.Resource {
    constructor(name: string, args: CrdCleanupArgs, opts?: pulumi.CustomResourceOptions) {
        super(crdCleanupProvider, name, args, opts, "eks-netpol-lab", "CalicoCrdCleanup");
    }
}
