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
     * Skip deleting this component's objects when this resource (the cluster) is deleted in the same run: a cluster
     * being destroyed takes its objects with it, and waiting on their finalizers is how destroys hang.
     * @default - objects are deleted one by one, as on a cluster that stays.
     */
    deletedWith?: pulumi.Resource;
}

/**
 * Calico in policy-only mode on the Amazon VPC CNI: the tigera-operator Helm release, and the Installation that tells
 * the operator what to run.
 *
 * - A `helm.v3.Release`, not `helm.v4.Chart`, so Helm itself uninstalls it and runs the chart's pre-delete hook,
 *   which removes Calico's custom resources while the operator can still process their finalizers.
 * - The Installation is ours, not the chart's, so `pulumi up` can wait on it: the operator mirrors TigeraStatus
 *   `calico` Available into the Installation's `Ready` condition, which holds only once calico-node runs on every
 *   node. Until then policy is not enforced, and `pulumi up` has not succeeded. Being a dependent of the release, it
 *   is also deleted first on destroy, while the operator still runs.
 * - Helm never deletes the CRDs a chart installs; a cleanup resource the release depends on deletes Calico's once the
 *   release (and with it the operator, which would recreate them) is gone.
 * - The VPC CNI's `ANNOTATE_POD_IP` (set on the cluster's vpc-cni add-on) needs aws-node to patch pods; a separate
 *   ClusterRole grants exactly that, leaving the add-on's own role untouched.
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
        const annotatePods = new k8s.rbac.v1.ClusterRole(`${name}-aws-node-annotate-pods`, {
            metadata: { name: "aws-node-annotate-pod-ip" },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["patch"] }],
        }, self);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-aws-node-annotate-pods`, {
            metadata: { name: "aws-node-annotate-pod-ip" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: annotatePods.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: "aws-node", namespace: "kube-system" }],
        }, self);

        // Helm never deletes CRDs. The release depends on this, so the cleanup runs once the operator is gone.
        const crdCleanup = new CalicoCrdCleanup(`${name}-crd-cleanup`, {
            cluster: args.cluster,
            groups: CALICO_CRD_GROUPS,
            timeoutSeconds: 300,
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

        const installation = new k8s.apiextensions.CustomResource(`${name}-installation`, {
            apiVersion: "operator.tigera.io/v1",
            kind: "Installation",
            metadata: { name: "default", annotations: INSTALLATION_AWAIT },
            spec: installationSpec(),
        }, { ...self, dependsOn: [release] });

        this.installationName = installation.metadata.name;
        this.flowLogUiCommand = WHISKER_PORT_FORWARD;
        this.registerOutputs({ installationName: this.installationName, flowLogUiCommand: this.flowLogUiCommand });
    }
}

/** Wait (up to 15 minutes) until the operator reports Calico ready, not just until the object exists. */
export const INSTALLATION_AWAIT = { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "900" };

/**
 * Chart values: the operator and Calico's flow-log pipeline (Goldmane and the Whisker UI), but not the Installation
 * (ours, so that we can wait on it) and not the Calico API server (not needed for Kubernetes NetworkPolicy, and its
 * finalizers are a known cause of hung uninstalls, calico#8695).
 */
export function calicoChartValues(): Record<string, unknown> {
    return {
        installation: { enabled: false },
        apiServer: { enabled: false },
        goldmane: { enabled: true },
        whisker: { enabled: true },
    };
}

/** Policy only: the VPC CNI keeps networking and IP addresses; Calico enforces policy. Set explicitly, not detected. */
export function installationSpec(): Record<string, unknown> {
    return {
        // The operator detects EKS from the aws-auth ConfigMap, which a cluster on access entries does not have.
        kubernetesProvider: "EKS",
        cni: { type: "AmazonVPC" },
        calicoNetwork: { bgp: "Disabled" },
    };
}
