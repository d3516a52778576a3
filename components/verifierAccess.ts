import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { verifierRbac, VERIFIER_GROUP } from "../policies/live/rbac";
import { accessEntryKey } from "./clusterAdmins";

export interface VerifierAccessArgs {
    clusterName: pulumi.Input<string>;
    /** IAM role or user ARNs (config clusterVerifierArns) that may run `npm run verify`. */
    principalArns: string[];
    /** The cluster's Kubernetes provider, for the ClusterRole and its binding. */
    provider: k8s.Provider;
    /**
     * Skip deleting the ClusterRole and binding when this resource (the cluster) is deleted in the same run.
     * @default - they are deleted one by one.
     */
    deletedWith?: pulumi.Resource;
}

/**
 * Who may run verify and nothing more: verify's ClusterRole (policies/live/rbac.ts: list namespaces, pods, Services
 * and NetworkPolicies, patch pods/ephemeralcontainers, get pods/log) bound to one Kubernetes group, and for each
 * principal an EKS access entry that puts it in that group, with no EKS access policy. This is where a CI role that
 * checks each deployment goes (clusterVerifierArns), rather than among the cluster admins.
 */
export class VerifierAccess extends pulumi.ComponentResource {
    public readonly group: string;

    constructor(name: string, args: VerifierAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab:infra:VerifierAccess", name, {}, opts);
        const self = { parent: this };
        const inCluster = { parent: this, provider: args.provider, deletedWith: args.deletedWith };

        const rbac = verifierRbac();
        const role = new k8s.rbac.v1.ClusterRole(`${name}-role`, rbac.clusterRole, inCluster);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-binding`, rbac.clusterRoleBinding, { ...inCluster, dependsOn: [role] });

        const hash = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
        for (const principalArn of args.principalArns) {
            new aws.eks.AccessEntry(`${name}-${accessEntryKey(principalArn, hash)}`, {
                clusterName: args.clusterName,
                principalArn,
                type: "STANDARD",
                kubernetesGroups: [VERIFIER_GROUP],
            }, self);
        }

        this.group = VERIFIER_GROUP;
        this.registerOutputs({ group: this.group });
    }
}
