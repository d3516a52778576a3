import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { verifierRbac, VERIFIER_GROUP } from "../policies/live/rbac";
import { accessEntryKey, withoutCreator } from "./clusterAdmins";

export interface VerifierAccessArgs {
    clusterName: pulumi.Input<string>;
    /** IAM role or user ARNs (config clusterVerifierArns) that may run `npm run verify`. */
    principalArns: string[];
    /** Who created the cluster: admin already, so no entry of its own (EKS allows one per principal). */
    creatorArn: pulumi.Output<string>;
    /** The demo namespaces verify measures: its rights are bound there only. They must exist first (dependsOn). */
    namespaces: string[];
    /** The cluster's Kubernetes provider, for the roles and bindings. */
    provider: k8s.Provider;
    /**
     * Skip deleting the roles and bindings when this resource (the cluster) is deleted in the same run.
     * @default - they are deleted one by one.
     */
    deletedWith?: pulumi.Resource;
}

/**
 * Who may run verify and nothing more: verify's RBAC (policies/live/rbac.ts: in the demo namespaces list pods,
 * Services and NetworkPolicies, patch pods/ephemeralcontainers, get pods/log; cluster-wide list namespaces) bound to
 * one Kubernetes group, and for each principal an EKS access entry that puts it in that group, with no EKS access
 * policy. This is where a CI role that checks each deployment goes (clusterVerifierArns), not among the admins.
 */
export class VerifierAccess extends pulumi.ComponentResource {
    public readonly group: string;

    constructor(name: string, args: VerifierAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab:infra:VerifierAccess", name, {}, opts);
        const self = { parent: this };
        const inCluster = { parent: this, provider: args.provider, deletedWith: args.deletedWith };

        const rbac = verifierRbac(args.namespaces);
        const [role, namespaceReader] = rbac.clusterRoles.map((r) => new k8s.rbac.v1.ClusterRole(`${name}-${r.metadata.name}`, r, inCluster));
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-${rbac.clusterRoleBinding.metadata.name}`, rbac.clusterRoleBinding, { ...inCluster, dependsOn: [namespaceReader] });
        for (const binding of rbac.roleBindings) {
            new k8s.rbac.v1.RoleBinding(`${name}-${binding.metadata.namespace}`, binding, { ...inCluster, dependsOn: [role] });
        }

        // The creator is known once its record is: these entries are declared then (see Cluster's admins).
        const hash = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
        args.creatorArn.apply((creatorArn) => {
            for (const principalArn of withoutCreator(args.principalArns, creatorArn)) {
                new aws.eks.AccessEntry(`${name}-${accessEntryKey(principalArn, hash)}`, {
                    clusterName: args.clusterName,
                    principalArn,
                    type: "STANDARD",
                    kubernetesGroups: [VERIFIER_GROUP],
                }, self);
            }
        });

        this.group = VERIFIER_GROUP;
        this.registerOutputs({ group: this.group });
    }
}
