/**
 * Stack configuration, read in exactly one place.
 *
 * Every project key is declared once, in `settingSpecs` below: its Pulumi.yaml type, description, default and
 * parser. `loadSettings()` reads the stack's config once, checks every key (and every pair of keys that must agree),
 * and either returns one typed `Settings` object or throws one `SettingsError` that lists every problem, so nothing is
 * registered with a half-valid configuration.
 *
 * To add a key: add it to `ProjectSettings`, give it a spec in `settingSpecs` (the compiler insists), then declare it
 * in Pulumi.yaml and the README's config table (tests/config-docs.test.ts fails until both match the spec).
 */
import * as pulumi from "@pulumi/pulumi";
import {
    checkNodeGroup,
    closestMatch,
    Parsed,
    parseBoolean,
    parseCalicoVersion,
    parseClusterName,
    parseChoice,
    parseChoices,
    parseClusterEndpointPublicAccessCidrs,
    parseInstanceTypes,
    parseKubernetesVersion,
    parseNodeCount,
    parseTimeoutMinutes,
    quote,
} from "./configRules";
import { STARS_STAGES, StarsStage } from "./policies/stars";

/** The demos this program can deploy. */
export const DEMOS = ["stars", "namespaces"] as const;
export type Demo = (typeof DEMOS)[number];

/** What enforces NetworkPolicy: Calico in policy-only mode, or the VPC CNI's own network policy agent. Never both. */
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
    policyEngine: PolicyEngine;
    calicoVersion: string;
    demos: Demo[];
    stage: StarsStage;
    isolateNamespaces: boolean;
    recycleNodesOnEngineRemoval: boolean;
    nodeRecycleTimeoutMinutes: number;
    existingClusterName: string;
    clusterAdminArns: string[];
}

/** Everything the program needs to know about the stack, validated. */
export interface Settings extends ProjectSettings {
    /** The AWS region every resource lives in (`aws:region`, else AWS_REGION / AWS_DEFAULT_REGION, as the AWS provider reads it). */
    region: string;
    /** The AWS profile stack config names (`aws:profile`), if any. */
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
    /** Turns the raw config string into a value, or explains every way it is wrong. */
    parse(raw: string, key: string): Parsed<T>;
}

export const settingSpecs: { [K in keyof ProjectSettings]: SettingSpec<ProjectSettings[K]> } = {
    kubernetesVersion: {
        type: "string",
        description: "Kubernetes minor version of the EKS control plane, e.g. \"1.35\". Pick one in EKS standard support.",
        default: "1.35",
        parse: parseKubernetesVersion,
    },
    nodeInstanceTypes: {
        type: "array",
        items: "string",
        description: "EC2 instance types for the managed node group; all must share one CPU architecture.",
        default: ["t3.medium"],
        parse: parseInstanceTypes,
    },
    nodeDesired: {
        type: "integer",
        description: "Number of nodes the node group runs; needs nodeMin <= nodeDesired <= nodeMax.",
        default: 2,
        parse: parseNodeCount,
    },
    nodeMin: {
        type: "integer",
        description: "Smallest size of the node group (0 or more).",
        default: 1,
        parse: parseNodeCount,
    },
    nodeMax: {
        type: "integer",
        description: "Largest size of the node group (1 or more).",
        default: 3,
        parse: parseNodeCount,
    },
    clusterEndpointPublicAccessCidrs: {
        type: "array",
        items: "string",
        description: "IPv4 CIDRs allowed to reach the public Kubernetes API endpoint. Narrow it to your own addresses.",
        default: ["0.0.0.0/0"],
        parse: parseClusterEndpointPublicAccessCidrs,
    },
    policyEngine: {
        type: "string",
        description: "What enforces NetworkPolicy: calico (Calico in policy-only mode) or vpc-cni (the VPC CNI's own agent).",
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
        description: "When Calico is removed from a cluster that stays, replace its nodes (Calico leaves iptables rules that drop new pods' traffic).",
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
    clusterAdminArns: {
        type: "array",
        items: "string",
        description: "IAM role or user ARNs given cluster-admin access (EKS access entries), e.g. a CI or Pulumi Deployments role; the identity that creates the cluster already has it.",
        default: [],
        parse: (raw) => ({ value: JSON.parse(raw) }),
    },
};

/** Stack configuration as the Pulumi runtime hands it over: every key is `namespace:key`, every value a string. */
export interface RawConfig {
    /** The project name, i.e. the namespace of project keys. */
    project: string;
    config: Record<string, string>;
    /** The environment variables the AWS provider falls back to for its region. */
    env: { AWS_REGION?: string; AWS_DEFAULT_REGION?: string };
}

/** Thrown when the stack configuration is invalid. A RunError, so Pulumi prints the message without a stack trace. */
export class SettingsError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(formatProblems(problems));
        this.name = "SettingsError";
    }
}

/** Reads the current stack's configuration once and validates it. Throws `SettingsError` listing every problem. */
export function loadSettings(): Settings {
    return parseSettings({
        project: pulumi.getProject(),
        config: pulumi.runtime.allConfig(),
        env: { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION },
    });
}

/** The pure core of `loadSettings`: raw strings in, `Settings` or one `SettingsError` out. */
export function parseSettings(raw: RawConfig): Settings {
    const problems: string[] = [...unknownKeyProblems(raw)];
    const values: Partial<Record<keyof ProjectSettings, unknown>> = {};
    for (const key of settingKeys()) {
        const spec: SettingSpec<unknown> = settingSpecs[key];
        const text = raw.config[`${raw.project}:${key}`];
        if (text === undefined) {
            values[key] = spec.default;
            continue;
        }
        const parsed = spec.parse(text, key);
        if ("problems" in parsed) problems.push(...parsed.problems);
        else values[key] = parsed.value;
    }
    const region = parseRegion(raw);
    if ("problems" in region) problems.push(...region.problems);

    // Keys that must agree are checked only once each of them parsed, so one typo is reported once.
    const project = values as Partial<ProjectSettings>;
    problems.push(...checkNodeGroup(project), ...checkDemoSettings(project));

    if (problems.length > 0 || "problems" in region) throw new SettingsError(problems);
    const awsProfile = raw.config["aws:profile"] || undefined;
    return { ...(project as ProjectSettings), region: region.value, ...(awsProfile ? { awsProfile } : {}) };
}

/** Settings that only mean something for a demo that is deployed. Exported for testing. */
export function checkDemoSettings(s: Partial<ProjectSettings>): string[] {
    const problems: string[] = [];
    if (!s.demos) return problems;
    if (s.stage !== undefined && s.stage !== "open" && !s.demos.includes("stars")) {
        problems.push(`stage: ${quote(s.stage)} applies to the stars demo, which demos does not include; add "stars" to demos or set stage to "open"`);
    }
    if (s.isolateNamespaces && !s.demos.includes("namespaces")) {
        problems.push('isolateNamespaces: true applies to the namespaces demo, which demos does not include; add "namespaces" to demos or set it to false');
    }
    return problems;
}

/** The project keys in declaration order. */
export function settingKeys(): (keyof ProjectSettings)[] {
    return Object.keys(settingSpecs) as (keyof ProjectSettings)[];
}

/** A stack key in the project namespace that no spec declares is almost always a typo: say so, and suggest the key. */
function unknownKeyProblems(raw: RawConfig): string[] {
    const prefix = `${raw.project}:`;
    const known = settingKeys() as string[];
    return Object.keys(raw.config)
        .filter((k) => k.startsWith(prefix) && !known.includes(k.slice(prefix.length)))
        .sort()
        .map((k) => {
            const key = k.slice(prefix.length);
            const guess = closestMatch(key, known);
            const hint = guess ? `did you mean ${quote(guess)}? ` : "";
            return `${key}: not a setting of ${raw.project}; ${hint}Settings are: ${known.join(", ")}. Remove it with \`pulumi config rm ${key}\``;
        });
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function parseRegion(raw: RawConfig): Parsed<string> {
    const region = raw.config["aws:region"] ?? raw.env.AWS_REGION ?? raw.env.AWS_DEFAULT_REGION;
    if (region === undefined || region === "") {
        return { problems: ["aws:region: not set; choose the AWS region to deploy to, e.g. `pulumi config set aws:region us-west-2`"] };
    }
    if (!REGION_PATTERN.test(region)) {
        return { problems: [`aws:region: ${quote(region)} is not an AWS region name; use the form "us-west-2"`] };
    }
    return { value: region };
}

function formatProblems(problems: string[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return [
        `Invalid stack configuration (${count}):`,
        ...problems.map((p) => `  - ${p}`),
        "Fix each with `pulumi config set <key> <value>` (lists: `pulumi config set --path '<key>[0]' <value>`), then run again.",
    ].join("\n");
}
