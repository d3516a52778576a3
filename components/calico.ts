import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CALICO_CRD_GROUPS, CalicoCrdCleanup } from "./crdCleanup";
import { KubeCluster } from "./kubeApi";

/** Where the tigera-operator chart is published (Calico's own chart repository). */
export const CALICO_CHART_REPO = "https://docs.tigera.io/calico/charts";

/** Calico's flow-log UI (Whisker, Calico 3.30+), reachable on localhost:8081 while this runs. */
export const WHISKER_PORT_FORWARD = "kubectl port-forward -n calico-system service/whisker 8081:8081";

export interface CalicoArgs {
    /** tigera-operator chart version, i.e. the Calico release: "v3.31.7". */
    version: string;
    /** The cluster's API server, for removing Calico's CRDs once Calico is uninstalled. */
    cluster: pulumi.Input<KubeCluster>;
    /** The cluster's Kubernetes provider. */
    provider: k8s.Provider;
    /**
     * The AWS profile (stack config `aws:profile`) whose credentials the CRD cleanup signs its cluster token with.
     * @default - the default credential chain's choice, as `aws eks get-token` makes it.
     */
    profile?: string;
    /**
     * Grant aws-node the `patch pods` permission that the VPC CNI's ANNOTATE_POD_IP needs, and never take it away.
     * Only for a cluster this program does not own: there, someone may set ANNOTATE_POD_IP on aws-node by hand and
     * depend on this grant. On a cluster this program creates, the add-on sets the variable and grants the permission
     * itself.
     * @default false - no grant.
     */
    grantAnnotatePodIp?: boolean;
    /**
     * Skip deleting this component's objects when this resource (the cluster) is deleted in the same run: a cluster
     * being destroyed takes its objects with it, and waiting on their finalizers is how destroys hang.
     * @default - objects are deleted one by one, as on a cluster that stays.
     */
    deletedWith?: pulumi.Resource;
}

/**
 * Calico in policy-only mode on the Amazon VPC CNI: the tigera-operator Helm release, and the operator's custom
 * resources (Installation, Goldmane, Whisker), all ours rather than the chart's.
 *
 * Why ours: the operator's Goldmane and Whisker controllers each keep a finalizer on the Installation for as long as
 * their own resource exists, and Pulumi deletes a resource only after everything that depends on it. So the order of
 * removal must be Whisker, Goldmane, Installation (while the operator still runs to clear finalizers), the release
 * (the operator), then the CRDs:
 * - Goldmane and Whisker depend on the Installation, so they go first; had the chart created them, they would outlive
 *   the Installation and its deletion would wait forever.
 * - The Installation depends on the release, so it goes before the operator. Being ours, `pulumi up` can also wait
 *   on it: the operator mirrors TigeraStatus `calico` Available into its `Ready` condition, which holds only once
 *   calico-node runs on every node. Until then policy is not enforced and `pulumi up` has not succeeded.
 * - A `helm.v3.Release` (not `helm.v4.Chart`), so Helm runs the chart's pre-delete hook, a second line of defence
 *   that deletes any of the operator's resources still left.
 * - The release depends on a cleanup resource, so the CRDs go once the operator, which would recreate them, is gone.
 */
export class Calico extends pulumi.ComponentResource {
    public readonly installationName: pulumi.Output<string>;
    /** A command that opens Calico's flow-log UI. */
    public readonly flowLogUiCommand: string;

    constructor(name: string, args: CalicoArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab:k8s:Calico", name, {}, opts);
        const self = { parent: this, provider: args.provider, deletedWith: args.deletedWith };

        const namespace = new k8s.core.v1.Namespace(`${name}-tigera-operator`, {
            metadata: { name: "tigera-operator", labels: { name: "tigera-operator" } },
        }, self);
        if (args.grantAnnotatePodIp) this.grantAnnotatePodIp(name, self);

        // Helm never deletes CRDs. The release depends on this, so the cleanup runs once the operator is gone.
        const crdCleanup = new CalicoCrdCleanup(`${name}-crd-cleanup`, {
            cluster: args.cluster,
            groups: CALICO_CRD_GROUPS,
            timeoutSeconds: 300,
            ...(args.profile ? { profile: args.profile } : {}),
        }, { parent: this, deletedWith: args.deletedWith });

        const release = new k8s.helm.v3.Release(`${name}-operator`, {
            name: "calico",
            chart: "tigera-operator",
            version: args.version,
            repositoryOpts: { repo: CALICO_CHART_REPO },
            namespace: namespace.metadata.name,
            values: calicoChartValues(),
            timeout: 600,
        }, { ...self, dependsOn: [crdCleanup] });

        const installation = operatorResource(`${name}-installation`, "Installation", installationSpec(), INSTALLATION_AWAIT, { ...self, dependsOn: [release] });
        // Goldmane (flow aggregation) and Whisker (its UI) hold finalizers on the Installation: they must go first.
        const goldmane = operatorResource(`${name}-goldmane`, "Goldmane", {}, undefined, { ...self, dependsOn: [installation] });
        operatorResource(`${name}-whisker`, "Whisker", {}, undefined, { ...self, dependsOn: [installation, goldmane] });

        this.installationName = installation.metadata.name;
        this.flowLogUiCommand = WHISKER_PORT_FORWARD;
        this.registerOutputs({ installationName: this.installationName, flowLogUiCommand: this.flowLogUiCommand });
    }

    /** A role of its own for aws-node to patch pods, kept on delete: someone may depend on it (see `grantAnnotatePodIp`). */
    private grantAnnotatePodIp(name: string, self: pulumi.CustomResourceOptions): void {
        const kept = { ...self, retainOnDelete: true };
        const role = new k8s.rbac.v1.ClusterRole(`${name}-aws-node-annotate-pods`, {
            metadata: { name: "aws-node-annotate-pod-ip" },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["patch"] }],
        }, kept);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-aws-node-annotate-pods`, {
            metadata: { name: "aws-node-annotate-pod-ip" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: "aws-node", namespace: "kube-system" }],
        }, kept);
    }
}

/** One of the operator's cluster-wide resources, named `default` as the operator requires. */
function operatorResource(
    resourceName: string,
    kind: string,
    spec: Record<string, unknown>,
    annotations: Record<string, string> | undefined,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(resourceName, {
        apiVersion: "operator.tigera.io/v1",
        kind,
        metadata: annotations ? { name: "default", annotations } : { name: "default" },
        spec,
    }, opts);
}

/** Wait (up to 15 minutes) until the operator reports Calico ready, not just until the object exists. */
export const INSTALLATION_AWAIT = { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "900" };

/**
 * The operator's resources this program creates itself, in the order they are created (and the reverse of the order
 * they are deleted). The chart must create none of them; see `calicoChartValues`.
 */
export const CALICO_OPERATOR_KINDS = ["Installation", "Goldmane", "Whisker"] as const;

/**
 * Chart values: only the operator. Not the Installation, Goldmane or Whisker (ours; see the class comment), and not
 * the Calico API server (not needed for Kubernetes NetworkPolicy, and its finalizers are a known cause of hung
 * uninstalls, calico#8695).
 */
export function calicoChartValues(): Record<string, unknown> {
    return {
        installation: { enabled: false },
        apiServer: { enabled: false },
        goldmane: { enabled: false },
        whisker: { enabled: false },
    };
}

/** Policy only: the VPC CNI keeps networking and IP addresses; Calico enforces policy. Set explicitly, not detected. */
export function installationSpec(): Record<string, unknown> {
    return {
        // The operator detects EKS from the aws-auth ConfigMap, which a cluster on access entries does not have.
        kubernetesProvider: "EKS",
        cni: { type: "AmazonVPC" },
        calicoNetwork: { bgp: "Disabled" },
        // The chart's default, lost when the chart does not create the Installation: without it the operator runs a
        // CSI driver pod on every node, which the demo does not use and a t3.medium's 17-pod limit cannot spare.
        kubeletVolumePluginPath: "None",
    };
}
