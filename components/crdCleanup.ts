import * as pulumi from "@pulumi/pulumi";
import { KubeApi, kubeApi, KubeCluster } from "./kubeApi";
import { changedInputs } from "./providerDiff";

/** The API groups of the CRDs the tigera-operator chart and operator install. Helm never deletes CRDs. */
export const CALICO_CRD_GROUPS = ["crd.projectcalico.org", "operator.tigera.io"];

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

/**
 * Deletes every CRD of `groups` (and so every object of those kinds), then waits, up to `timeoutSeconds`, until the
 * API server no longer lists them.
 */
export async function deleteCrds(api: KubeApi, groups: string[], options: CleanupOptions, deps: CleanupDeps): Promise<string[]> {
    const ours = async (): Promise<string[]> => {
        const list = await api.get(CRDS);
        return (list?.items ?? []).filter((crd: { spec?: { group?: string } }) => groups.includes(crd.spec?.group ?? "")).map((crd: { metadata: { name: string } }) => crd.metadata.name).sort();
    };
    const names = await ours();
    deps.log(`deleting ${names.length} CRDs of ${groups.join(", ")}`);
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

const POLL_SECONDS = 5;

/** Does nothing until deleted; deleting it deletes the CRDs. */
export const crdCleanupProvider: pulumi.dynamic.ResourceProvider<CrdCleanupInputs, CrdCleanupInputs> = {
    async create(inputs) {
        return { id: `${inputs.cluster.clusterName}:${inputs.groups.join(",")}`, outs: inputs };
    },
    async diff(_id, olds, news) {
        // The outputs are the inputs; `__provider` is compared with them (see providerDiff.ts).
        const changed = changedInputs(olds, news);
        return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, _olds, news) {
        return { outs: news };
    },
    async delete(_id, props) {
        const options = { timeoutSeconds: props.timeoutSeconds, pollSeconds: props.pollSeconds ?? POLL_SECONDS };
        await deleteCrds(kubeApi(props.cluster, { profile: props.profile }), props.groups, options, {
            now: () => Date.now(),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            log: (message) => console.error(`calico CRD cleanup: ${message}`),
        });
    },
};

export type CrdCleanupArgs = { [K in keyof CrdCleanupInputs]: pulumi.Input<CrdCleanupInputs[K]> };

/**
 * Removes Calico's CRDs once Calico is gone: the Helm release depends on it, so Pulumi uninstalls the release (and the
 * operator, which would otherwise recreate them) first.
 */
export class CalicoCrdCleanup extends pulumi.dynamic.Resource {
    constructor(name: string, args: CrdCleanupArgs, opts?: pulumi.CustomResourceOptions) {
        super(crdCleanupProvider, name, args, opts, "eks-netpol-lab", "CalicoCrdCleanup");
    }
}
