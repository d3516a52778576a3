/**
 * Every project key, declared once: its type, its Pulumi.yaml schema type, description and default, and the parser that
 * turns the raw config string into a value or every problem with it. config.ts reads and validates a stack with these.
 *
 * To add a key: add it to `ProjectSettings`, give it a spec in `settingSpecs` (the compiler insists), then declare it
 * in Pulumi.yaml and the README's config table (tests/config-docs.test.ts fails until both match the spec). To rename
 * one, also add old -> new to `RENAMED_KEYS` (configKeys.ts), so stacks that still set the old key are told how to move it.
 */
import { parseIamPrincipalArns, parseClusterEndpointPublicAccessCidrs, parseInstanceTypes, parseNodeCount } from "./awsRules";
import {
    Parsed,
    parseBoolean,
    parseCalicoVersion,
    parseClusterName,
    parseChoice,
    parseChoices,
    parseKubernetesVersion,
    parseTimeoutMinutes,
} from "./configRules";
import { STARS_STAGES, StarsStage } from "./policies/stars";

/** The demos this program can deploy. */
export const DEMOS = ["stars", "namespaces"] as const;
export type Demo = (typeof DEMOS)[number];

/**
 * What enforces NetworkPolicy: Calico in policy-only mode, the VPC CNI's own network policy agent, or nothing. Never
 * two at once: "none" is the step between them when switching, so one is gone before the other starts.
 */
export const POLICY_ENGINES = ["calico", "vpc-cni", "none"] as const;
export type PolicyEngine = (typeof POLICY_ENGINES)[number];

/** The settings a stack can set under the project namespace (`eks-netpol-lab:<key>`). */
export interface ProjectSettings {
    kubernetesVersion: string;
    nodeInstanceTypes: string[];
    nodeDesired: number;
    nodeMin: number;
    nodeMax: number;
    clusterEndpointPublicAccessCidrs: string[];
    clusterAdminArns: string[];
    clusterVerifierArns: string[];
    policyEngine: PolicyEngine;
    calicoVersion: string;
    demos: Demo[];
    stage: StarsStage;
    isolateNamespaces: boolean;
    recycleNodesOnEngineRemoval: boolean;
    nodeRecycleTimeoutMinutes: number;
    existingClusterName: string;
}

/** Everything the program needs to know about the stack, validated. */
export interface Settings extends ProjectSettings {
    /** The AWS region every resource lives in (`aws:region`, else AWS_REGION / AWS_DEFAULT_REGION, as the AWS provider reads it). */
    region: string;
    /**
     * The AWS profile the stack names (`aws:profile`), which the AWS provider uses; absent when the stack names none.
     * For whatever else calls AWS (the kubeconfig, dynamic providers) to use the same credentials.
     */
    awsProfile?: string;
}

/** How one project key is declared in Pulumi.yaml and parsed from its raw config string. */
export interface SettingSpec<T> {
    /** The Pulumi.yaml schema type. */
    type: "string" | "integer" | "boolean" | "array";
    /** For arrays: the Pulumi.yaml schema type of the items. */
    items?: "string";
    description: string;
    default: T;
    /** Set for keys that only mean something when this program creates the cluster (not with existingClusterName). */
    createdClusterOnly?: true;
    /** Turns the raw config string into a value, or explains every way it is wrong. */
    parse(raw: string, key: string): Parsed<T>;
}

export const settingSpecs: { [K in keyof ProjectSettings]: SettingSpec<ProjectSettings[K]> } = {
    kubernetesVersion: {
        type: "string",
        description: "Kubernetes minor version of the EKS control plane, e.g. \"1.35\". Pick one in EKS standard support.",
        default: "1.35",
        parse: parseKubernetesVersion,
        createdClusterOnly: true,
    },
    nodeInstanceTypes: {
        type: "array",
        items: "string",
        description: "EC2 instance types for the managed node group; all must share one CPU architecture.",
        default: ["t3.medium"],
        parse: parseInstanceTypes,
        createdClusterOnly: true,
    },
    nodeDesired: {
        type: "integer",
        description: "Number of nodes the node group runs; needs nodeMin <= nodeDesired <= nodeMax.",
        default: 2,
        parse: parseNodeCount,
        createdClusterOnly: true,
    },
    nodeMin: {
        type: "integer",
        description: "Smallest size of the node group (0 or more).",
        default: 1,
        parse: parseNodeCount,
        createdClusterOnly: true,
    },
    nodeMax: {
        type: "integer",
        description: "Largest size of the node group (1 or more).",
        default: 3,
        parse: parseNodeCount,
        createdClusterOnly: true,
    },
    clusterEndpointPublicAccessCidrs: {
        type: "array",
        items: "string",
        description: "IPv4 CIDRs allowed to reach the public Kubernetes API endpoint. Narrow it to your own addresses unless CI deploys or verifies the lab.",
        default: ["0.0.0.0/0"],
        parse: parseClusterEndpointPublicAccessCidrs,
        createdClusterOnly: true,
    },
    clusterAdminArns: {
        type: "array",
        items: "string",
        description: "IAM role or user ARNs given cluster-admin access (EKS access entries), e.g. a CI or Pulumi Deployments role; the identity that creates the cluster already has it.",
        default: [],
        parse: parseIamPrincipalArns,
        createdClusterOnly: true,
    },
    clusterVerifierArns: {
        type: "array",
        items: "string",
        description: "IAM role or user ARNs that may run `npm run verify` and nothing more (EKS access entries in a Kubernetes group bound to verify's ClusterRole), e.g. a CI role that checks each deployment.",
        default: [],
        parse: parseIamPrincipalArns,
        createdClusterOnly: true,
    },
    policyEngine: {
        type: "string",
        description: "What enforces NetworkPolicy: calico (Calico in policy-only mode), vpc-cni (the VPC CNI's own agent), or none (nothing: the step between the two when switching engines).",
        default: "calico",
        parse: parseChoice(POLICY_ENGINES),
    },
    calicoVersion: {
        type: "string",
        description: "Version of the tigera-operator Helm chart, i.e. the Calico release, installed when policyEngine is calico.",
        default: "v3.31.7",
        parse: parseCalicoVersion,
    },
    demos: {
        type: "array",
        items: "string",
        description: "Demos to deploy: stars (Calico's Stars demo) and namespaces (three namespaces with a web server each).",
        default: ["stars", "namespaces"],
        parse: parseChoices(DEMOS),
    },
    stage: {
        type: "string",
        description: "Network-policy stage of the Stars demo: open, deny-all, allow-ui, allow-backend or final.",
        default: "open",
        parse: parseChoice(STARS_STAGES),
    },
    isolateNamespaces: {
        type: "boolean",
        description: "In the namespaces demo, let each namespace accept traffic only from its own pods.",
        default: false,
        parse: parseBoolean,
    },
    recycleNodesOnEngineRemoval: {
        type: "boolean",
        description: "When the policy engine (Calico or the VPC CNI's agent) is removed from a cluster that stays, replace its nodes (both leave rules on nodes that can drop new pods' traffic).",
        default: true,
        parse: parseBoolean,
    },
    nodeRecycleTimeoutMinutes: {
        type: "integer",
        description: "The longest each wait of a node recycle may take (old nodes gone, new nodes in service), in minutes.",
        default: 20,
        parse: parseTimeoutMinutes,
    },
    existingClusterName: {
        type: "string",
        description: "Name of an existing EKS cluster to use instead of creating one (empty: create a VPC, cluster and node group).",
        default: "",
        parse: parseClusterName,
    },
};
