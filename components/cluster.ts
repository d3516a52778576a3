import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import type { PolicyEngine } from "../config";
import { partitionOf } from "../awsRules";
import { accessEntryKey, clusterAdminPolicyArn, withoutCreator } from "./clusterAdmins";
import { ClusterCreator } from "./clusterCreator";
import { KubeCluster } from "./kubeApi";
import { LAB_ROLE_PATH } from "./labScope";

/** Every control-plane log EKS can ship to CloudWatch: the audit trail of who changed which policy, and when. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Control-plane logs are kept this long; EKS itself would keep them forever, and bill for it. */
export const CONTROL_PLANE_LOG_RETENTION_DAYS = 7;

export interface ClusterArgs {
    /** The EKS cluster name; see `clusterNameFor`. */
    clusterName: string;
    /** The AWS region, written into the kubeconfig so `aws eks get-token` needs no ambient region. */
    region: string;
    /** Kubernetes minor version, e.g. "1.35". */
    kubernetesVersion: string;
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
    /** Subnets for the control plane's network interfaces. */
    privateSubnetIds: pulumi.Input<string>[];
    /** IPv4 CIDRs allowed to reach the public API endpoint. */
    publicAccessCidrs: string[];
    /** What enforces NetworkPolicy; decides how the VPC CNI add-on is configured. */
    policyEngine: PolicyEngine;
    /**
     * IAM role or user ARNs to make cluster admins (EKS access entries with AmazonEKSClusterAdminPolicy), e.g. the
     * role CI or Pulumi Deployments runs `pulumi up` as. The identity that created the cluster is skipped: EKS gave it
     * an access entry already, and allows one per principal.
     */
    adminArns: string[];
    /** Tags the Secrets key carries (the lab's stack tag; see labScope.ts). */
    tags: Record<string, string>;
    /**
     * The AWS profile (stack config `aws:profile`) the kubeconfig's `aws eks get-token` uses.
     * @default - none: the AWS CLI uses whatever credentials its environment has.
     */
    profile?: string;
}

/**
 * An EKS control plane without nodes (node groups are separate components), and the one Kubernetes provider every
 * Kubernetes resource in this program uses.
 *
 * - Authentication by access entries only (`API`): no aws-auth ConfigMap to drift, and EKS adds node access entries
 *   for managed node groups itself. EKS makes the identity whose `pulumi up` creates the cluster its admin, once;
 *   anyone else (a CI role, Pulumi Deployments) needs an entry in `adminArns`.
 * - Standard support only (`upgradePolicy`): extended support costs six times the control-plane price.
 * - Kubernetes Secrets are envelope-encrypted with a dedicated, rotating KMS key.
 * - Every control-plane log type goes to a log group this program owns, so `pulumi destroy` removes it too.
 * - The public endpoint answers only `publicAccessCidrs`; nodes reach the API through the private endpoint.
 */
export class Cluster extends pulumi.ComponentResource {
    public readonly eks: eks.Cluster;
    public readonly clusterName: pulumi.Output<string>;
    /** Who created the cluster (the caller of that update, as STS reported it): its admin through EKS's own entry. */
    public readonly creatorArn: pulumi.Output<string>;
    /** Where the API server is and how to trust it. */
    public readonly kubeCluster: pulumi.Output<KubeCluster>;
    /** Kubeconfig JSON with exec-based auth (`aws eks get-token`); secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly provider: k8s.Provider;
    /** A command that writes a local kubeconfig entry for this cluster. */
    public readonly writeKubeconfigCommand: pulumi.Output<string>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab:infra:Cluster", name, {}, opts);
        const self = { parent: this };

        const secretsKey = new aws.kms.Key(`${name}-secrets`, {
            description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${args.clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 7,
            tags: args.tags,
        }, self);
        const serviceRole = this.serviceRole(name, args.region);
        // EKS writes to this exact name; creating it first lets us set retention and delete it with the stack.
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane-logs`, {
            name: `/aws/eks/${args.clusterName}/cluster`,
            retentionInDays: CONTROL_PLANE_LOG_RETENTION_DAYS,
        }, self);

        this.eks = new eks.Cluster(`${name}-eks`, {
            name: args.clusterName,
            version: args.kubernetesVersion,
            vpcId: args.vpcId,
            publicSubnetIds: args.publicSubnetIds,
            privateSubnetIds: args.privateSubnetIds,
            skipDefaultNodeGroup: true,
            authenticationMode: eks.AuthenticationMode.Api,
            enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
            encryptionConfigKeyArn: secretsKey.arn,
            endpointPublicAccess: true,
            endpointPrivateAccess: true,
            publicAccessCidrs: args.publicAccessCidrs,
            vpcCniOptions: vpcCniOptionsFor(args.policyEngine),
            upgradePolicy: { supportType: "STANDARD" },
            // Managed node groups use the cluster security group EKS creates; pulumi-eks's own node group would not.
            skipDefaultSecurityGroups: true,
            serviceRole: serviceRole.role,
        }, { ...self, dependsOn: [logGroup, serviceRole.policy] });

        this.clusterName = this.eks.eksCluster.name;
        const creator = new ClusterCreator(`${name}-creator`, {
            callerArn: aws.getCallerIdentityOutput({}, self).arn,
            clusterCreatedAt: this.eks.eksCluster.createdAt,
        }, self);
        this.creatorArn = creator.callerArn;
        this.grantClusterAdmins(name, args);
        this.kubeCluster = pulumi
            .all([
                this.eks.eksCluster.name,
                // core.endpoint resolves only once the API server answers /healthz, so nothing races it.
                this.eks.core.endpoint,
                this.eks.eksCluster.certificateAuthority.data,
            ])
            .apply(([clusterName, server, certificateAuthorityData]) => ({ clusterName, server, certificateAuthorityData, region: args.region }));
        this.kubeconfig = pulumi.secret(this.kubeCluster.apply((c) => JSON.stringify(buildKubeconfig(c, args.profile))));
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, self);
        this.writeKubeconfigCommand = this.clusterName.apply((clusterName) => writeKubeconfigCommand(clusterName, args.region, args.profile));

        this.registerOutputs({
            eks: this.eks,
            clusterName: this.clusterName,
            creatorArn: this.creatorArn,
            kubeCluster: this.kubeCluster,
            kubeconfig: this.kubeconfig,
            provider: this.provider,
            writeKubeconfigCommand: this.writeKubeconfigCommand,
        });
    }

    /**
     * The role EKS runs the control plane as, ours rather than pulumi-eks's so that it sits under the lab's IAM path
     * (the Deployments role may manage roles there only), with AmazonEKSClusterPolicy and nothing else.
     */
    private serviceRole(name: string, region: string): { role: aws.iam.Role; policy: aws.iam.RolePolicyAttachment } {
        const self = { parent: this };
        const role = new aws.iam.Role(`${name}-eks-cluster-role`, {
            path: LAB_ROLE_PATH,
            description: `The EKS control plane of cluster ${name}`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, self);
        const policy = new aws.iam.RolePolicyAttachment(`${name}-eks-cluster-policy`, {
            role: role.name,
            policyArn: `arn:${partitionOf(region)}:iam::aws:policy/AmazonEKSClusterPolicy`,
        }, self);
        return { role, policy };
    }

    /**
     * An access entry with cluster-wide AmazonEKSClusterAdminPolicy for each of `adminArns` but the cluster's creator,
     * who has one already (EKS's own, which EKS would not let a second one join). The creator is known only once the
     * record of it is, so these entries are declared when it is: a `preview` of a cluster not yet created does not
     * list them, its `up` creates them.
     */
    private grantClusterAdmins(name: string, args: ClusterArgs): void {
        const self = { parent: this };
        const hash = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
        this.creatorArn.apply((creatorArn) => {
            for (const principalArn of withoutCreator(args.adminArns, creatorArn)) {
                const key = `${name}-admin-${accessEntryKey(principalArn, hash)}`;
                const entry = new aws.eks.AccessEntry(key, { clusterName: this.clusterName, principalArn, type: "STANDARD" }, self);
                new aws.eks.AccessPolicyAssociation(key, {
                    clusterName: this.clusterName,
                    principalArn: entry.principalArn,
                    policyArn: clusterAdminPolicyArn(partitionOf(args.region)),
                    accessScope: { type: "cluster" },
                }, self);
            }
        });
    }
}

/** The command that writes a local kubeconfig entry for the cluster, with the stack's AWS profile if it names one. */
export function writeKubeconfigCommand(clusterName: string, region: string, profile?: string): string {
    return `aws eks update-kubeconfig --region ${region} --name ${clusterName}${profile ? ` --profile ${profile}` : ""}`;
}

/**
 * The VPC CNI add-on for each policy engine. Never both enforcing: the VPC CNI's network policy agent conflicts with
 * Calico. With Calico, ANNOTATE_POD_IP lets Calico learn a pod's IP without waiting for the API server to record it
 * (AWS's advice for Calico on EKS); it needs the extra pod-patch permission the Calico component grants.
 */
export function vpcCniOptionsFor(engine: PolicyEngine): eks.types.input.VpcCniOptionsArgs {
    switch (engine) {
        case "calico":
            return { enableNetworkPolicy: false, configurationValues: { env: { ANNOTATE_POD_IP: "true" } } };
        case "vpc-cni":
            return { enableNetworkPolicy: true };
        case "none":
            return { enableNetworkPolicy: false };
        default: {
            const unknown: never = engine;
            throw new Error(`unknown policy engine ${unknown}`);
        }
    }
}

/** EKS cluster names: 1-100 letters, digits, hyphens and underscores, starting with a letter or digit. */
const EKS_NAME_MAX = 100;

/**
 * A readable, per-stack cluster name ("eks-netpol-lab-dev"), so `aws eks` commands are easy to type and two stacks in
 * one account and region do not collide. Characters EKS rejects (stack names may contain dots) become hyphens.
 */
export function clusterNameFor(project: string, stack: string): string {
    return `${project}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, EKS_NAME_MAX);
}

/**
 * A kubeconfig that authenticates by running `aws eks get-token` at each use, so it never holds a credential and
 * never expires. It names the region, and an AWS profile only when the stack's config names one (`aws:profile`, which
 * the AWS provider uses too): otherwise the CLI uses whatever credentials the environment has, which is what makes
 * the same kubeconfig work on a laptop, in CI and in Pulumi Deployments.
 */
export function buildKubeconfig(c: KubeCluster, profile?: string): object {
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: c.clusterName, cluster: { server: c.server, "certificate-authority-data": c.certificateAuthorityData } }],
        contexts: [{ name: c.clusterName, context: { cluster: c.clusterName, user: c.clusterName } }],
        "current-context": c.clusterName,
        users: [{
            name: c.clusterName,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: "aws",
                    args: ["--region", c.region, "eks", "get-token", "--cluster-name", c.clusterName, "--output", "json", ...(profile ? ["--profile", profile] : [])],
                    interactiveMode: "Never",
                },
            },
        }],
    };
}
