import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildKubeconfig, writeKubeconfigCommand } from "./cluster";
import { KubeCluster } from "./kubeApi";
import { GroupRef } from "./recycling";

export interface ExistingClusterArgs {
    /** The name of an EKS cluster this program does not own. */
    clusterName: string;
    region: string;
    /**
     * The AWS profile (stack config `aws:profile`) the kubeconfig's `aws eks get-token` uses.
     * @default - none: the AWS CLI uses whatever credentials its environment has.
     */
    profile?: string;
}

/**
 * A cluster someone else owns: looked up, never created, changed or deleted. Gives the same Kubernetes provider and
 * kubeconfig as a cluster this program creates, and the cluster's managed node groups, whose nodes are recycled when
 * Calico leaves it.
 */
export class ExistingCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    /** Where the API server is and how to trust it. */
    public readonly kubeCluster: pulumi.Output<KubeCluster>;
    /** Kubeconfig JSON with exec-based auth (`aws eks get-token`); secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly provider: k8s.Provider;
    public readonly nodeGroupNames: pulumi.Output<string[]>;
    /** The node groups whose nodes Calico runs on, for the node recycler. */
    public readonly recycleGroups: pulumi.Output<GroupRef[]>;
    public readonly writeKubeconfigCommand: pulumi.Output<string>;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab:infra:ExistingCluster", name, {}, opts);
        const self = { parent: this };

        const cluster = aws.eks.getClusterOutput({ name: args.clusterName }, self);
        const nodeGroups = aws.eks.getNodeGroupsOutput({ clusterName: args.clusterName }, self);

        this.clusterName = cluster.name;
        this.kubeCluster = pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthorities]).apply(([clusterName, server, authorities]) => ({
            clusterName,
            server,
            certificateAuthorityData: authorities[0]?.data ?? "",
            region: args.region,
        }));
        this.kubeconfig = pulumi.secret(this.kubeCluster.apply((c) => JSON.stringify(buildKubeconfig(c, args.profile))));
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, self);
        this.nodeGroupNames = nodeGroups.names.apply((names) => [...names].sort());
        this.recycleGroups = this.nodeGroupNames.apply((names) =>
            names.map((nodegroupName): GroupRef => ({ kind: "managed", clusterName: args.clusterName, nodegroupName })),
        );
        this.writeKubeconfigCommand = this.clusterName.apply((clusterName) => writeKubeconfigCommand(clusterName, args.region, args.profile));

        this.registerOutputs({
            clusterName: this.clusterName,
            kubeCluster: this.kubeCluster,
            kubeconfig: this.kubeconfig,
            provider: this.provider,
            nodeGroupNames: this.nodeGroupNames,
            recycleGroups: this.recycleGroups,
            writeKubeconfigCommand: this.writeKubeconfigCommand,
        });
    }
}
